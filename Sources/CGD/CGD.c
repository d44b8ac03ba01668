#include "CGD.h"
#include <dlfcn.h>
#include <gd_errors.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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
    gdImagePtr (*create_from_gif)(int, void *);
    gdImagePtr (*create_from_webp)(int, void *);
    void *(*webp)(gdImagePtr, int *, int);
    void *(*gif)(gdImagePtr, int *);
    void *(*avif)(gdImagePtr, int *, int, int);
    void (*save_alpha)(gdImagePtr, int);
    void (*alpha_blending)(gdImagePtr, int);
    int (*set_interpolation_method)(gdImagePtr, gdInterpolationMethod);
    gdImagePtr (*scale)(gdImagePtr, unsigned int, unsigned int);
    gdImagePtr (*crop)(gdImagePtr, const gdRect *);
    void (*copy)(gdImagePtr, gdImagePtr, int, int, int, int, int, int);
    int (*grayscale)(gdImagePtr);
    int (*negate)(gdImagePtr);
    int (*brightness)(gdImagePtr, int);
    int (*contrast)(gdImagePtr, double);
    int (*color)(gdImagePtr, int, int, int, int);
    gdImagePtr (*gaussian_blurred)(gdImagePtr, int, double);
    void (*sharpen)(gdImagePtr, int);
    int (*pixelate)(gdImagePtr, int, const unsigned int);
    int (*emboss)(gdImagePtr);
    int (*edge_detect)(gdImagePtr);
    int (*smooth)(gdImagePtr, float);
} api;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char failure[512];

/// libgd reports through a variadic callback: the message is kept for the thread that caused it, which adds it to
/// the error it reports (and so to the task's reason and the log).
static __thread char last_error[512];

static void keep(int priority, const char *format, va_list args) {
    (void)priority;
    vsnprintf(last_error, sizeof last_error, format, args);
    size_t n = strlen(last_error);
    while (n > 0 && (last_error[n - 1] == '\n' || last_error[n - 1] == ' ')) last_error[--n] = 0;
}

const char *sluice_gd_take_error(void) {
    static __thread char taken[512];
    memcpy(taken, last_error, sizeof taken);
    last_error[0] = 0;
    return taken;
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
    FIND(create_from_gif, "gdImageCreateFromGifPtr");
    FIND(create_from_webp, "gdImageCreateFromWebpPtr");
    FIND(webp, "gdImageWebpPtrEx");
    FIND(gif, "gdImageGifPtr");
    FIND(avif, "gdImageAvifPtrEx");
    FIND(save_alpha, "gdImageSaveAlpha");
    FIND(alpha_blending, "gdImageAlphaBlending");
    FIND(set_interpolation_method, "gdImageSetInterpolationMethod");
    FIND(scale, "gdImageScale");
    FIND(crop, "gdImageCrop");
    FIND(copy, "gdImageCopy");
    FIND(grayscale, "gdImageGrayScale");
    FIND(negate, "gdImageNegate");
    FIND(brightness, "gdImageBrightness");
    FIND(contrast, "gdImageContrast");
    FIND(color, "gdImageColor");
    FIND(gaussian_blurred, "gdImageCopyGaussianBlurred");
    FIND(sharpen, "gdImageSharpen");
    FIND(pixelate, "gdImagePixelate");
    FIND(emboss, "gdImageEmboss");
    FIND(edge_detect, "gdImageEdgeDetectQuick");
    FIND(smooth, "gdImageSmooth");
    api.set_error_method(keep);
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

gdImagePtr sluice_gd_create_from_gif(int size, void *data) { return api.create_from_gif(size, data); }
gdImagePtr sluice_gd_create_from_webp(int size, void *data) { return api.create_from_webp(size, data); }
void *sluice_gd_webp(gdImagePtr im, int *size, int quality) { return api.webp(im, size, quality); }
void *sluice_gd_gif(gdImagePtr im, int *size) { return api.gif(im, size); }
void *sluice_gd_avif(gdImagePtr im, int *size, int quality, int speed) { return api.avif(im, size, quality, speed); }
void sluice_gd_save_alpha(gdImagePtr im, int save) { api.save_alpha(im, save); }
void sluice_gd_alpha_blending(gdImagePtr im, int blending) { api.alpha_blending(im, blending); }
gdImagePtr sluice_gd_scale(gdImagePtr im, int method, int width, int height) {
    if (!api.set_interpolation_method(im, (gdInterpolationMethod)method)) return NULL;
    return api.scale(im, (unsigned int)width, (unsigned int)height);
}
gdImagePtr sluice_gd_crop(gdImagePtr im, int x, int y, int width, int height) {
    gdRect rect = {x, y, width, height};
    return api.crop(im, &rect);
}
void sluice_gd_copy(gdImagePtr dst, gdImagePtr src, int dx, int dy, int sx, int sy, int w, int h) { api.copy(dst, src, dx, dy, sx, sy, w, h); }
int sluice_gd_grayscale(gdImagePtr im) { return api.grayscale(im); }
int sluice_gd_negate(gdImagePtr im) { return api.negate(im); }
int sluice_gd_brightness(gdImagePtr im, int value) { return api.brightness(im, value); }
int sluice_gd_contrast(gdImagePtr im, double value) { return api.contrast(im, value); }
int sluice_gd_color(gdImagePtr im, int r, int g, int b, int a) { return api.color(im, r, g, b, a); }
gdImagePtr sluice_gd_gaussian_blurred(gdImagePtr im, int radius, double sigma) { return api.gaussian_blurred(im, radius, sigma); }
void sluice_gd_sharpen(gdImagePtr im, int percent) { api.sharpen(im, percent); }
int sluice_gd_pixelate(gdImagePtr im, int block) { return api.pixelate(im, block, GD_PIXELATE_AVERAGE); }
int sluice_gd_emboss(gdImagePtr im) { return api.emboss(im); }
int sluice_gd_edge_detect(gdImagePtr im) { return api.edge_detect(im); }
int sluice_gd_smooth(gdImagePtr im, float weight) { return api.smooth(im, weight); }
