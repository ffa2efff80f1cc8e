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

/// The pixels `start..<end` of one row; `compare` (a constant where it is inlined) adds the changes from
/// the previous frame. 32-bit sums: callers pass at most 4096 pixels (4096 × 255² fits).
static inline __attribute__((always_inline)) void row_span(
    const uint8_t *restrict row, uint8_t *restrict hsv, uint8_t *restrict luma, const uint8_t *restrict before,
    const uint8_t *restrict luma_before, int start, int end, int compare, int32_t totals[6]) {
    int32_t hue = 0, saturation = 0, value = 0, change = 0, luma_sum = 0, squares = 0;
    for (int x = start; x < end; x++) {
        int h, s, v, l;
        convert(row[3 * x], row[3 * x + 1], row[3 * x + 2], &h, &s, &v, &l);
        hsv[3 * x] = (uint8_t)h;
        hsv[3 * x + 1] = (uint8_t)s;
        hsv[3 * x + 2] = (uint8_t)v;
        luma[x] = (uint8_t)l;
        luma_sum += l;
        squares += l * l;
        if (compare) {
            hue += abs(h - before[3 * x]);
            saturation += abs(s - before[3 * x + 1]);
            value += abs(v - before[3 * x + 2]);
            change += abs(l - luma_before[x]);
        }
    }
    totals[0] = hue, totals[1] = saturation, totals[2] = value, totals[3] = change, totals[4] = luma_sum, totals[5] = squares;
}

static inline __attribute__((always_inline)) void statistics(
    const uint8_t *rgb, int width, int height, int stride, uint8_t *hsv_out, uint8_t *luma_out,
    const uint8_t *hsv_previous, const uint8_t *luma_previous, int has_previous, drsocial_frame_sums *sums) {
    int64_t totals[6] = {0, 0, 0, 0, 0, 0};
    for (int y = 0; y < height; y++) {
        const uint8_t *row = rgb + (long)y * stride;
        const long base = (long)y * width;
        const uint8_t *before = has_previous ? hsv_previous + 3 * base : 0;
        const uint8_t *luma_before = has_previous ? luma_previous + base : 0;
        for (int start = 0; start < width; start += 4096) {
            const int end = width - start < 4096 ? width : start + 4096;
            int32_t part[6];
            if (has_previous) row_span(row, hsv_out + 3 * base, luma_out + base, before, luma_before, start, end, 1, part);
            else row_span(row, hsv_out + 3 * base, luma_out + base, before, luma_before, start, end, 0, part);
            for (int i = 0; i < 6; i++) totals[i] += part[i];
        }
    }
    sums->hue = totals[0];
    sums->saturation = totals[1];
    sums->value = totals[2];
    sums->luma_change = totals[3];
    sums->luma_total = totals[4];
    sums->luma_squares = totals[5];
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
