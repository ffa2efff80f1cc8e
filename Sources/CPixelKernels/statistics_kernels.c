// Per-frame statistics for scene detection: RGB → HSV and luma, and the change from the previous frame.
// Two divisions per pixel were most of the cost in Swift; here they are multiplications by exact
// reciprocals (ceil(2^32 / d) gives the exact quotient for numerators below 2^16).
#include "pixel_kernels.h"
#include <stdlib.h>

static uint32_t reciprocal[256];
static int reciprocal_ready = 0;

static void prepare(void) {
    if (reciprocal_ready) return;
    reciprocal[0] = 0;
    for (int d = 1; d < 256; d++) reciprocal[d] = (uint32_t)((((uint64_t)1 << 32) + (uint64_t)d - 1) / (uint64_t)d);
    reciprocal_ready = 1;  // idempotent: racing threads write the same values
}

/// n / d truncated toward zero, |n| < 2^16, 1 ≤ d ≤ 255.
static inline int divide(int n, int d) {
    uint32_t magnitude = (uint32_t)(n < 0 ? -n : n);
    int q = (int)(((uint64_t)magnitude * reciprocal[d]) >> 32);
    return n < 0 ? -q : q;
}

void drsocial_frame_statistics(const uint8_t *rgb, int width, int height, int stride, uint8_t *hsv_out, uint8_t *luma_out,
                               const uint8_t *hsv_previous, const uint8_t *luma_previous, int has_previous,
                               drsocial_frame_sums *sums) {
    prepare();
    int64_t hue = 0, saturation = 0, value = 0, luma_change = 0, luma_total = 0, luma_squares = 0;
    for (int y = 0; y < height; y++) {
        const uint8_t *row = rgb + (long)y * stride;
        const int base = y * width;
        for (int x = 0; x < width; x++) {
            const int r = row[3 * x], g = row[3 * x + 1], b = row[3 * x + 2];
            const int maximum = r > g ? (r > b ? r : b) : (g > b ? g : b);
            const int minimum = r < g ? (r < b ? r : b) : (g < b ? g : b);
            const int delta = maximum - minimum;
            const int s = maximum == 0 ? 0 : divide(255 * delta + maximum / 2, maximum);
            int h = 0;
            if (delta > 0) {
                if (maximum == r) h = divide(60 * (g - b), delta);
                else if (maximum == g) h = 120 + divide(60 * (b - r), delta);
                else h = 240 + divide(60 * (r - g), delta);
                if (h < 0) h += 360;
                h /= 2;
            }
            const int luma = (77 * r + 150 * g + 29 * b) >> 8;
            const int pixel = base + x;
            hsv_out[3 * pixel] = (uint8_t)h;
            hsv_out[3 * pixel + 1] = (uint8_t)s;
            hsv_out[3 * pixel + 2] = (uint8_t)maximum;
            luma_out[pixel] = (uint8_t)luma;
            luma_total += luma;
            luma_squares += luma * luma;
            if (has_previous) {
                hue += abs(h - hsv_previous[3 * pixel]);
                saturation += abs(s - hsv_previous[3 * pixel + 1]);
                value += abs(maximum - hsv_previous[3 * pixel + 2]);
                luma_change += abs(luma - luma_previous[pixel]);
            }
        }
    }
    sums->hue = hue;
    sums->saturation = saturation;
    sums->value = value;
    sums->luma_change = luma_change;
    sums->luma_total = luma_total;
    sums->luma_squares = luma_squares;
}
