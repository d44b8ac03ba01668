#include "CJPEG.h"
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>
#include <jerror.h>

struct sluice_jpeg {
    struct jpeg_decompress_struct info;
    struct jpeg_error_mgr errors;
    jmp_buf failed;
    char message[JMSG_LENGTH_MAX];
    int truncated;
};

/// A fatal error: keep libjpeg's message and return to the call that set `failed`.
static void fail(j_common_ptr info) {
    sluice_jpeg *jpeg = (sluice_jpeg *)info->client_data;
    info->err->format_message(info, jpeg->message);
    longjmp(jpeg->failed, 1);
}

/// Warnings are not printed; the one that matters (the data ended early) is noted.
static void warn(j_common_ptr info, int level) {
    sluice_jpeg *jpeg = (sluice_jpeg *)info->client_data;
    if (level < 0 && info->err->msg_code == JWRN_JPEG_EOF) jpeg->truncated = 1;
}

sluice_jpeg *sluice_jpeg_open(const unsigned char *data, unsigned long size) {
    sluice_jpeg *jpeg = calloc(1, sizeof *jpeg);
    if (!jpeg) return NULL;
    jpeg->info.err = jpeg_std_error(&jpeg->errors);
    jpeg->errors.error_exit = fail;
    jpeg->errors.emit_message = warn;
    jpeg->info.client_data = jpeg;
    // Set before the first call that may fail (creating checks the library's version and allocates).
    if (setjmp(jpeg->failed)) return jpeg;
    jpeg_create_decompress(&jpeg->info);
    jpeg_mem_src(&jpeg->info, data, size);
    jpeg_read_header(&jpeg->info, TRUE);
    return jpeg;
}

const char *sluice_jpeg_error(const sluice_jpeg *jpeg) { return jpeg->message; }

void sluice_jpeg_size(const sluice_jpeg *jpeg, int *width, int *height) {
    *width = (int)jpeg->info.image_width;
    *height = (int)jpeg->info.image_height;
}

int sluice_jpeg_start(sluice_jpeg *jpeg, int scale_eighths, int *width, int *height) {
    if (jpeg->message[0]) return 0;
    if (jpeg->info.jpeg_color_space != JCS_YCbCr && jpeg->info.jpeg_color_space != JCS_GRAYSCALE
        && jpeg->info.jpeg_color_space != JCS_RGB) {
        snprintf(jpeg->message, sizeof jpeg->message, "colour space %d is not decoded here", (int)jpeg->info.jpeg_color_space);
        return 0;
    }
    if (setjmp(jpeg->failed)) return 0;
    jpeg->info.scale_num = (unsigned int)(scale_eighths < 1 ? 1 : scale_eighths > 8 ? 8 : scale_eighths);
    jpeg->info.scale_denom = 8;
    jpeg->info.out_color_space = JCS_EXT_BGRX; // little-endian 0xXXRRGGBB: libgd's pixel once X is cleared
    jpeg_start_decompress(&jpeg->info);
    *width = (int)jpeg->info.output_width;
    *height = (int)jpeg->info.output_height;
    return 1;
}

int sluice_jpeg_read(sluice_jpeg *jpeg, unsigned int **rows, int *truncated) {
    if (setjmp(jpeg->failed)) return 0;
    unsigned int width = jpeg->info.output_width;
    while (jpeg->info.output_scanline < jpeg->info.output_height) {
        unsigned int y = jpeg->info.output_scanline;
        JSAMPROW row = (JSAMPROW)rows[y];
        jpeg_read_scanlines(&jpeg->info, &row, 1);
        // libjpeg sets the X byte to 0xFF; libgd reads it as alpha (0 opaque).
        unsigned int *pixels = rows[y];
        for (unsigned int x = 0; x < width; x++) pixels[x] &= 0x00FFFFFFu;
    }
    jpeg_finish_decompress(&jpeg->info);
    *truncated = jpeg->truncated;
    return 1;
}

void sluice_jpeg_close(sluice_jpeg *jpeg) {
    if (!jpeg) return;
    jpeg_destroy_decompress(&jpeg->info);
    free(jpeg);
}
