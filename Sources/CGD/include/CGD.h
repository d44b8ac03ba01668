#pragma once
// libgd, loaded with dlopen at the first image instead of at start-up.
//
// libgd brings about 50 libraries (libpng, libjpeg, libwebp, libtiff, libheif, libavif, fontconfig, X11's libXpm,
// ...) whose loading costs every process 5 MiB of an idle `sluice up` that never touches an image. The types and
// macros come from <gd.h>; every call goes through these wrappers, which call the functions `sluice_gd_load` found.
// Calling libgd's own functions from Swift fails to link: nothing links -lgd.
#include <gd.h>

/// Loads libgd.so.3 and routes its error output to `sluice_gd_take_error` (callers get typed errors), once per
/// process; thread-safe. Returns NULL when libgd is ready, else a message saying what is missing.
const char *sluice_gd_load(void);
/// The last message libgd reported on this thread since the previous call (empty when none); cleared by the call.
const char *sluice_gd_take_error(void);

gdImagePtr sluice_gd_create_from_gif(int size, void *data);
gdImagePtr sluice_gd_create_from_webp(int size, void *data);
void *sluice_gd_webp(gdImagePtr image, int *size, int quality);
void *sluice_gd_gif(gdImagePtr image, int *size);
/// `speed` 0 (slowest, smallest) … 10.
void *sluice_gd_avif(gdImagePtr image, int *size, int quality, int speed);
void sluice_gd_save_alpha(gdImagePtr image, int save);
void sluice_gd_alpha_blending(gdImagePtr image, int blending);
/// A new image `width` × `height` resampled with `method` (a gdInterpolationMethod); NULL on failure.
gdImagePtr sluice_gd_scale(gdImagePtr image, int method, int width, int height);
gdImagePtr sluice_gd_crop(gdImagePtr image, int x, int y, int width, int height);
void sluice_gd_copy(gdImagePtr destination, gdImagePtr source, int dx, int dy, int sx, int sy, int width, int height);
/// The filters return 0 on failure (libgd's convention).
int sluice_gd_grayscale(gdImagePtr image);
int sluice_gd_negate(gdImagePtr image);
int sluice_gd_brightness(gdImagePtr image, int value);
/// libgd's sense: negative means more contrast.
int sluice_gd_contrast(gdImagePtr image, double value);
int sluice_gd_color(gdImagePtr image, int red, int green, int blue, int alpha);
gdImagePtr sluice_gd_gaussian_blurred(gdImagePtr image, int radius, double sigma);
void sluice_gd_sharpen(gdImagePtr image, int percent);
int sluice_gd_pixelate(gdImagePtr image, int block);
int sluice_gd_emboss(gdImagePtr image);
int sluice_gd_edge_detect(gdImagePtr image);
int sluice_gd_smooth(gdImagePtr image, float weight);

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
/// A truecolor image's rows of 0xAARRGGBB pixels (7-bit alpha), for a decoder to fill.
static inline unsigned int **sluice_gd_rows(gdImagePtr image) { return (unsigned int **)image->tpixels; }
