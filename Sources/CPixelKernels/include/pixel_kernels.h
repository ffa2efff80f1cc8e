#ifndef DRSOCIAL_PIXEL_KERNELS_H
#define DRSOCIAL_PIXEL_KERNELS_H
#include <stdint.h>

/// 1 when this CPU runs AVX2 (asked once), else 0.
int drsocial_cpu_has_avx2(void);

/// Horizontal bilinear pass of one source row: out[j] = src[xi[j]] * (256 - w) + src[xi[j] + 1] * w, where
/// `pairs[j]` holds (256 - w) in its low 16 bits and w in its high 16 bits. Reads up to 2 bytes past
/// src[xi[j] + 1] when `may_overread` is non-zero (the caller knows the row is not the plane's last).
void drsocial_reel_horizontal(const uint8_t *src, const int32_t *xi, const uint32_t *pairs, uint16_t *out, int count,
                              int may_overread);

/// Prepares the shuffle form of a row's horizontal pass, the same for every row of a frame: for each group of
/// 8 outputs, the source offset of its first pixel (`bases[g]`) and a 16-byte shuffle picking each output's two
/// neighbours from the 16 bytes there (`masks[16g…]`). Returns 0 when some group spans more than 16 bytes
/// (a shrink by more than 2×), where only the gather form works.
int drsocial_reel_prepare_shuffle(const int32_t *xi, int count, int32_t *bases, uint8_t *masks);

/// The horizontal pass with `drsocial_reel_prepare_shuffle`'s tables: one unaligned 16-byte load and one byte
/// shuffle per 8 outputs. Reads up to 16 bytes from each base: not for the plane's last row.
void drsocial_reel_horizontal_shuffle(const uint8_t *src, const int32_t *xi, const int32_t *bases, const uint8_t *masks,
                                      const uint32_t *pairs, uint16_t *out, int count);

/// Vertical blend of two horizontally interpolated rows into 8-bit output:
/// out[j] = (top[j] * (256 - fy) + bottom[j] * fy + 32768) >> 16.
void drsocial_reel_vertical(const uint16_t *top, const uint16_t *bottom, uint32_t fy, uint8_t *out, int count);

/// Shrinks a YUV 4:2:0 picture by an integer factor `k` (box average: k×k luma samples, the matching chroma
/// samples) straight into packed RGB24 (BT.601, limited range), for frame analysis: one pass instead of a
/// scaler plus a conversion. `out` holds `out_height` rows of `out_stride` bytes; out size is source / k.
void drsocial_shrink_yuv420_to_rgb(const uint8_t *y, int y_stride, const uint8_t *u, int u_stride, const uint8_t *v,
                                   int v_stride, int width, int height, int k, uint8_t *out, int out_stride,
                                   int full_range);

/// Turns a `width × height` plane clockwise by `clockwise` degrees (90, 180 or 270; anything else copies)
/// into `dst`, which is `height × width` for 90 and 270 and `width × height` for 180.
void drsocial_rotate_plane(const uint8_t *src, int src_stride, int width, int height, uint8_t *dst, int dst_stride,
                           int clockwise);

/// The same for packed pixels of `bytes` bytes each (3 for RGB24), one pixel at a time: a 12-megapixel RGB
/// photo turns in 0.09–0.12 s (measured 2026-11-30), once per photo read for OCR or a keyframe.
void drsocial_rotate_pixels(const uint8_t *src, int src_stride, int width, int height, int bytes, uint8_t *dst,
                            int dst_stride, int clockwise);

/// Sums one analysis frame contributes to scene detection.
typedef struct {
    int64_t hue, saturation, value, luma_change, luma_total, luma_squares;
} drsocial_frame_sums;

/// Converts packed RGB24 to OpenCV-style 8-bit HSV (hue 0–179) and BT.601 luma (integer weights), and sums
/// the absolute change of each from the previous frame's planes (when `has_previous`). Exactly the integer
/// arithmetic of `FrameStatisticsBuilder.hsv` (truncating divisions).
void drsocial_frame_statistics(const uint8_t *rgb, int width, int height, int stride, uint8_t *hsv_out, uint8_t *luma_out,
                               const uint8_t *hsv_previous, const uint8_t *luma_previous, int has_previous,
                               drsocial_frame_sums *sums);
#endif
