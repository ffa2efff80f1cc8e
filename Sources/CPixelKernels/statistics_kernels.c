// Per-frame statistics for scene detection: RGB → HSV and luma, and the change from the previous frame.
// Branch-free per pixel (the channel holding the maximum, grey pixels and negative hues are selects), with
// divisions done in single precision, so the compiler vectorises the loop: built twice, for AVX2 and for
// the baseline, and chosen at run time.
#include "pixel_kernels.h"
#include <stdlib.h>

/// n / d truncated toward zero for |n| < 2^16 and 0 ≤ d ≤ 255 (d = 0 gives 0). Exact: a quotient that is
/// not an integer lies at least 1/255 from the nearest one, far more than float's rounding error there.
static inline __attribute__((always_inline)) int divide(int n, int d) {
    const float q = (float)n / (float)(d > 0 ? d : 1);
    return d > 0 ? (int)q : 0;
}

/// OpenCV's 8-bit HSV (hue 0–179) and BT.601 luma of one pixel: `FrameStatisticsBuilder.hsv`'s arithmetic.
static inline __attribute__((always_inline)) void convert(int r, int g, int b, int *h_out, int *s_out, int *v_out,
                                                         int *luma_out) {
    const int maximum = r > g ? (r > b ? r : b) : (g > b ? g : b);
    const int minimum = r < g ? (r < b ? r : b) : (g < b ? g : b);
    const int delta = maximum - minimum;
    // The sector of the hue circle the maximum channel names: red 0°, green 120°, blue 240°.
    const int numerator = maximum == r ? g - b : (maximum == g ? b - r : r - g);
    const int offset = maximum == r ? 0 : (maximum == g ? 120 : 240);
    int h = offset + divide(60 * numerator, delta);
    h += h < 0 ? 360 : 0;
    *h_out = delta > 0 ? h >> 1 : 0;
    *s_out = divide(255 * delta + maximum / 2, maximum);
    *v_out = maximum;
    *luma_out = (77 * r + 150 * g + 29 * b) >> 8;
}

static inline __attribute__((always_inline)) void statistics(
    const uint8_t *rgb, int width, int height, int stride, uint8_t *hsv_out, uint8_t *luma_out,
    const uint8_t *hsv_previous, const uint8_t *luma_previous, int has_previous, drsocial_frame_sums *sums) {
    int64_t hue = 0, saturation = 0, value = 0, luma_change = 0, luma_total = 0, luma_squares = 0;
    for (int y = 0; y < height; y++) {
        const uint8_t *restrict row = rgb + (long)y * stride;
        const long base = (long)y * width;
        uint8_t *restrict hsv = hsv_out + 3 * base;
        uint8_t *restrict luma = luma_out + base;
        for (int start = 0; start < width; start += 4096) {
        // 32-bit sums over at most 4096 pixels (4096 × 255² fits), which the compiler keeps in vectors.
        const int end = width - start < 4096 ? width : start + 4096;
        int32_t row_hue = 0, row_saturation = 0, row_value = 0, row_change = 0, row_luma = 0, row_squares = 0;
        if (has_previous) {
            const uint8_t *restrict before = hsv_previous + 3 * base;
            const uint8_t *restrict luma_before = luma_previous + base;
            for (int x = start; x < end; x++) {
                int h, s, v, l;
                convert(row[3 * x], row[3 * x + 1], row[3 * x + 2], &h, &s, &v, &l);
                hsv[3 * x] = (uint8_t)h;
                hsv[3 * x + 1] = (uint8_t)s;
                hsv[3 * x + 2] = (uint8_t)v;
                luma[x] = (uint8_t)l;
                row_luma += l;
                row_squares += l * l;
                row_hue += abs(h - before[3 * x]);
                row_saturation += abs(s - before[3 * x + 1]);
                row_value += abs(v - before[3 * x + 2]);
                row_change += abs(l - luma_before[x]);
            }
        } else {
            for (int x = start; x < end; x++) {
                int h, s, v, l;
                convert(row[3 * x], row[3 * x + 1], row[3 * x + 2], &h, &s, &v, &l);
                hsv[3 * x] = (uint8_t)h;
                hsv[3 * x + 1] = (uint8_t)s;
                hsv[3 * x + 2] = (uint8_t)v;
                luma[x] = (uint8_t)l;
                row_luma += l;
                row_squares += l * l;
            }
        }
        hue += row_hue;
        saturation += row_saturation;
        value += row_value;
        luma_change += row_change;
        luma_total += row_luma;
        luma_squares += row_squares;
        }
    }
    sums->hue = hue;
    sums->saturation = saturation;
    sums->value = value;
    sums->luma_change = luma_change;
    sums->luma_total = luma_total;
    sums->luma_squares = luma_squares;
}

__attribute__((target("avx2"))) static void statistics_avx2(
    const uint8_t *rgb, int width, int height, int stride, uint8_t *hsv_out, uint8_t *luma_out,
    const uint8_t *hsv_previous, const uint8_t *luma_previous, int has_previous, drsocial_frame_sums *sums) {
    statistics(rgb, width, height, stride, hsv_out, luma_out, hsv_previous, luma_previous, has_previous, sums);
}

static void statistics_baseline(
    const uint8_t *rgb, int width, int height, int stride, uint8_t *hsv_out, uint8_t *luma_out,
    const uint8_t *hsv_previous, const uint8_t *luma_previous, int has_previous, drsocial_frame_sums *sums) {
    statistics(rgb, width, height, stride, hsv_out, luma_out, hsv_previous, luma_previous, has_previous, sums);
}

void drsocial_frame_statistics(const uint8_t *rgb, int width, int height, int stride, uint8_t *hsv_out, uint8_t *luma_out,
                               const uint8_t *hsv_previous, const uint8_t *luma_previous, int has_previous,
                               drsocial_frame_sums *sums) {
    if (drsocial_cpu_has_avx2()) statistics_avx2(rgb, width, height, stride, hsv_out, luma_out, hsv_previous, luma_previous, has_previous, sums);
    else statistics_baseline(rgb, width, height, stride, hsv_out, luma_out, hsv_previous, luma_previous, has_previous, sums);
}
