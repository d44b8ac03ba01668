#pragma once
#include <gd.h>
#include <gd_errors.h>
#include <stdarg.h>
#include <stdio.h>

/// libgd reports through a variadic callback; swallow its messages (callers get typed errors instead).
static void sluice_gd_quiet(int priority, const char *format, va_list args) {
    (void)priority; (void)format; (void)args;
}
static inline void sluice_gd_silence(void) { gdSetErrorMethod(sluice_gd_quiet); }
static inline int sluice_gd_sx(gdImagePtr im) { return gdImageSX(im); }
static inline int sluice_gd_sy(gdImagePtr im) { return gdImageSY(im); }
static inline int sluice_gd_truecolor(gdImagePtr im) { return gdImageTrueColor(im); }
