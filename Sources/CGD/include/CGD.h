#pragma once
// libgd, loaded with dlopen at the first image instead of at start-up.
//
// libgd brings about 50 libraries (libpng, libjpeg, libwebp, libtiff, libheif, libavif, fontconfig, X11's libXpm,
// ...) whose loading costs every process 5 MiB of an idle `sluice up` that never touches an image. The types and
// macros come from <gd.h>; every call goes through these wrappers, which call the functions `sluice_gd_load` found.
// Calling libgd's own functions from Swift fails to link: nothing links -lgd.
#include <gd.h>

/// Loads libgd.so.3 and silences its error output (callers get typed errors), once per process; thread-safe.
/// Returns NULL when libgd is ready, else a message saying what is missing.
const char *sluice_gd_load(void);

gdImagePtr sluice_gd_create_truecolor(int width, int height);
gdImagePtr sluice_gd_create_from_png(int size, void *data);
gdImagePtr sluice_gd_create_from_jpeg(int size, void *data);
void sluice_gd_destroy(gdImagePtr image);
int sluice_gd_palette_to_truecolor(gdImagePtr image);
int sluice_gd_get_truecolor_pixel(gdImagePtr image, int x, int y);
void sluice_gd_set_pixel(gdImagePtr image, int x, int y, int color);
void sluice_gd_filled_rectangle(gdImagePtr image, int x1, int y1, int x2, int y2, int color);
void sluice_gd_filled_ellipse(gdImagePtr image, int cx, int cy, int width, int height, int color);
/// Encoded bytes to free with `sluice_gd_free`; NULL on failure.
void *sluice_gd_png(gdImagePtr image, int *size);
void *sluice_gd_jpeg(gdImagePtr image, int *size, int quality);
void sluice_gd_free(void *bytes);
/// In place.
void sluice_gd_flip_horizontal(gdImagePtr image);
void sluice_gd_flip_vertical(gdImagePtr image);
/// A new image turned `degrees` counter-clockwise (multiples of 90 are exact pixel copies); NULL on failure.
gdImagePtr sluice_gd_rotate(gdImagePtr image, float degrees, int background);

// gdImageSX & co. are macros over the struct: no call into libgd.
static inline int sluice_gd_sx(gdImagePtr image) { return gdImageSX(image); }
static inline int sluice_gd_sy(gdImagePtr image) { return gdImageSY(image); }
static inline int sluice_gd_is_truecolor(gdImagePtr image) { return gdImageTrueColor(image); }
