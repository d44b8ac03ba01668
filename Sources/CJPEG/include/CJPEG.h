#pragma once
// libjpeg-turbo's DCT-scaled decoding: a JPEG decoded at 1/8, 2/8, … 8/8 of its size, straight into rows of 32-bit
// 0x00RRGGBB pixels (libgd's truecolor rows), so a thumbnail never decodes the full image. libgd decodes JPEGs only
// at full size.

typedef struct sluice_jpeg sluice_jpeg;

/// Reads the header of `size` bytes at `data` (which must outlive the handle). NULL only when out of memory;
/// otherwise check `sluice_jpeg_error`.
sluice_jpeg *sluice_jpeg_open(const unsigned char *data, unsigned long size);
/// Empty while nothing failed; else what libjpeg said.
const char *sluice_jpeg_error(const sluice_jpeg *jpeg);
/// The full size, once opened.
void sluice_jpeg_size(const sluice_jpeg *jpeg, int *width, int *height);
/// Starts decoding at `scale_eighths`/8 (1…8); gives the output size. 0 on failure (`sluice_jpeg_error`), also for a
/// colour space that cannot be decoded to RGB here (CMYK): decode those another way.
int sluice_jpeg_start(sluice_jpeg *jpeg, int scale_eighths, int *width, int *height);
/// Decodes every row into `rows` (the output height of rows of output-width pixels). 0 on failure; `*truncated` set
/// when the data stopped before the image's end (libjpeg then fills the rest with grey).
int sluice_jpeg_read(sluice_jpeg *jpeg, unsigned int **rows, int *truncated);
void sluice_jpeg_close(sluice_jpeg *jpeg);
