#include "CGD.h"
#include <dlfcn.h>
#include <gd_errors.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>

// The libgd functions Sluice calls, found in libgd.so.3 by sluice_gd_load.
static struct {
    gdImagePtr (*create_truecolor)(int, int);
    gdImagePtr (*create_from_png)(int, void *);
    gdImagePtr (*create_from_jpeg)(int, void *);
    void (*destroy)(gdImagePtr);
    int (*palette_to_truecolor)(gdImagePtr);
    int (*get_truecolor_pixel)(gdImagePtr, int, int);
    void (*set_pixel)(gdImagePtr, int, int, int);
    void (*filled_rectangle)(gdImagePtr, int, int, int, int, int);
    void (*filled_ellipse)(gdImagePtr, int, int, int, int, int);
    void *(*png)(gdImagePtr, int *);
    void *(*jpeg)(gdImagePtr, int *, int);
    void (*free)(void *);
    void (*set_error_method)(void (*)(int, const char *, va_list));
    void (*flip_horizontal)(gdImagePtr);
    void (*flip_vertical)(gdImagePtr);
    gdImagePtr (*rotate_interpolated)(gdImagePtr, float, int);
} api;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char failure[512];

/// libgd reports through a variadic callback; its messages are swallowed (callers get typed errors instead).
static void quiet(int priority, const char *format, va_list args) {
    (void)priority; (void)format; (void)args;
}

#define FIND(field, symbol)                                                                                      \
    do {                                                                                                         \
        *(void **)&api.field = dlsym(library, symbol);                                                           \
        if (!api.field) {                                                                                        \
            snprintf(failure, sizeof failure, "libgd.so.3 has no %s: libgd 2.3 or later is needed (apt-get install libgd3)", \
                     symbol);                                                                                    \
            return;                                                                                              \
        }                                                                                                        \
    } while (0)

static void load(void) {
    void *library = dlopen("libgd.so.3", RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        snprintf(failure, sizeof failure, "libgd could not be loaded (%s): install it with apt-get install libgd3", dlerror());
        return;
    }
    FIND(create_truecolor, "gdImageCreateTrueColor");
    FIND(create_from_png, "gdImageCreateFromPngPtr");
    FIND(create_from_jpeg, "gdImageCreateFromJpegPtr");
    FIND(destroy, "gdImageDestroy");
    FIND(palette_to_truecolor, "gdImagePaletteToTrueColor");
    FIND(get_truecolor_pixel, "gdImageGetTrueColorPixel");
    FIND(set_pixel, "gdImageSetPixel");
    FIND(filled_rectangle, "gdImageFilledRectangle");
    FIND(filled_ellipse, "gdImageFilledEllipse");
    FIND(png, "gdImagePngPtr");
    FIND(jpeg, "gdImageJpegPtr");
    FIND(free, "gdFree");
    FIND(set_error_method, "gdSetErrorMethod");
    FIND(flip_horizontal, "gdImageFlipHorizontal");
    FIND(flip_vertical, "gdImageFlipVertical");
    FIND(rotate_interpolated, "gdImageRotateInterpolated");
    api.set_error_method(quiet);
}

const char *sluice_gd_load(void) {
    pthread_once(&once, load);
    return failure[0] ? failure : NULL;
}

gdImagePtr sluice_gd_create_truecolor(int w, int h) { return api.create_truecolor(w, h); }
gdImagePtr sluice_gd_create_from_png(int size, void *data) { return api.create_from_png(size, data); }
gdImagePtr sluice_gd_create_from_jpeg(int size, void *data) { return api.create_from_jpeg(size, data); }
void sluice_gd_destroy(gdImagePtr im) { api.destroy(im); }
int sluice_gd_palette_to_truecolor(gdImagePtr im) { return api.palette_to_truecolor(im); }
int sluice_gd_get_truecolor_pixel(gdImagePtr im, int x, int y) { return api.get_truecolor_pixel(im, x, y); }
void sluice_gd_set_pixel(gdImagePtr im, int x, int y, int color) { api.set_pixel(im, x, y, color); }
void sluice_gd_filled_rectangle(gdImagePtr im, int x1, int y1, int x2, int y2, int color) {
    api.filled_rectangle(im, x1, y1, x2, y2, color);
}
void sluice_gd_filled_ellipse(gdImagePtr im, int cx, int cy, int w, int h, int color) {
    api.filled_ellipse(im, cx, cy, w, h, color);
}
void *sluice_gd_png(gdImagePtr im, int *size) { return api.png(im, size); }
void *sluice_gd_jpeg(gdImagePtr im, int *size, int quality) { return api.jpeg(im, size, quality); }
void sluice_gd_free(void *bytes) { api.free(bytes); }
void sluice_gd_flip_horizontal(gdImagePtr im) { api.flip_horizontal(im); }
void sluice_gd_flip_vertical(gdImagePtr im) { api.flip_vertical(im); }
gdImagePtr sluice_gd_rotate(gdImagePtr im, float degrees, int background) { return api.rotate_interpolated(im, degrees, background); }
