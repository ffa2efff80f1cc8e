// Frame shrinking for scene analysis: box-average a 4:2:0 frame by an integer factor into small RGB24.
// Rows are summed first into 16-bit accumulators; then each output pixel adds `k` luma and `k/2` chroma
// accumulators. The per-pixel pass is compiled once per common factor (2–8) so its sums unroll and the
// compiler vectorises it, and the chroma accumulators carry zero padding so no bounds test sits in the
// loop. Built twice, for AVX2 and for the baseline, and chosen at run time.
#include "pixel_kernels.h"
#include <stdlib.h>
#include <string.h>

static inline uint8_t clamp8(int v) { return (uint8_t)(v < 0 ? 0 : (v > 255 ? 255 : v)); }

static inline __attribute__((always_inline)) void sum_rows(const uint8_t *restrict plane, int stride, int rows, int width,
                                                          uint16_t *restrict acc) {
    for (int x = 0; x < width; x++) acc[x] = plane[x];
    for (int r = 1; r < rows; r++) {
        const uint8_t *restrict p = plane + (long)r * stride;
        for (int x = 0; x < width; x++) acc[x] = (uint16_t)(acc[x] + p[x]);
    }
}

/// One output row, inlined with a constant `k` for the common factors.
static inline __attribute__((always_inline)) void shrink_row(
    const uint16_t *restrict acc, const uint16_t *restrict acc_u, const uint16_t *restrict acc_v, int out_width, int k,
    int luma_scale, int chroma_scale, uint8_t *restrict line, int full_range) {
    const int ck = k / 2 > 0 ? k / 2 : 1;
    for (int ox = 0; ox < out_width; ox++) {
        int sum = 0, su = 0, sv = 0;
        const uint16_t *a = acc + ox * k;
        for (int c = 0; c < k; c++) sum += a[c];
        const int cx = (ox * k) / 2;
        for (int c = 0; c < ck; c++) { su += acc_u[cx + c]; sv += acc_v[cx + c]; }
        const int Y = (sum * luma_scale + 32768) >> 16;
        const int U = ((su * chroma_scale + 32768) >> 16) - 128, V = ((sv * chroma_scale + 32768) >> 16) - 128;
        int R, G, B;
        if (full_range) {
            R = Y + ((359 * V + 128) >> 8);
            G = Y - ((88 * U + 183 * V + 128) >> 8);
            B = Y + ((454 * U + 128) >> 8);
        } else {
            const int c = 298 * (Y - 16);
            R = (c + 409 * V + 128) >> 8;
            G = (c - 100 * U - 208 * V + 128) >> 8;
            B = (c + 516 * U + 128) >> 8;
        }
        line[3 * ox] = clamp8(R);
        line[3 * ox + 1] = clamp8(G);
        line[3 * ox + 2] = clamp8(B);
    }
}

static inline __attribute__((always_inline)) void shrink(
    const uint8_t *y, int y_stride, const uint8_t *u, int u_stride, const uint8_t *v, int v_stride, int width, int height,
    int k, uint8_t *out, int out_stride, int full_range) {
    const int out_width = width / k, out_height = height / k;
    const int ck = k / 2 > 0 ? k / 2 : 1;          // chroma rows/columns per output pixel
    const int chroma_width = (width + 1) / 2;
    const int padded = chroma_width + k + 16;      // the last pixel's chroma may reach past the plane: zeros
    uint16_t *acc = malloc(sizeof(uint16_t) * (size_t)(width + 2 * padded));
    if (!acc) return;
    uint16_t *acc_u = acc + width, *acc_v = acc_u + padded;
    memset(acc_u, 0, sizeof(uint16_t) * (size_t)(2 * padded));
    // Divisions by the block size as multiplications (16.16 fixed point). A chroma sample past the plane
    // adds zero but still counts in the divisor.
    const int luma_scale = (65536 + k * k / 2) / (k * k), chroma_scale = (65536 + ck * ck / 2) / (ck * ck);
    for (int oy = 0; oy < out_height; oy++) {
        const int cy = (oy * k) / 2;
        sum_rows(y + (long)oy * k * y_stride, y_stride, k, out_width * k, acc);
        sum_rows(u + (long)cy * u_stride, u_stride, ck, chroma_width, acc_u);
        sum_rows(v + (long)cy * v_stride, v_stride, ck, chroma_width, acc_v);
        uint8_t *line = out + (long)oy * out_stride;
#define ROW(K) shrink_row(acc, acc_u, acc_v, out_width, K, luma_scale, chroma_scale, line, full_range)
        switch (k) {
        case 2: ROW(2); break;
        case 3: ROW(3); break;
        case 4: ROW(4); break;
        case 5: ROW(5); break;
        case 6: ROW(6); break;
        case 7: ROW(7); break;
        case 8: ROW(8); break;
        default: ROW(k); break;
        }
#undef ROW
    }
    free(acc);
}

__attribute__((target("avx2"))) static void shrink_avx2(
    const uint8_t *y, int y_stride, const uint8_t *u, int u_stride, const uint8_t *v, int v_stride, int width, int height,
    int k, uint8_t *out, int out_stride, int full_range) {
    shrink(y, y_stride, u, u_stride, v, v_stride, width, height, k, out, out_stride, full_range);
}

static void shrink_baseline(
    const uint8_t *y, int y_stride, const uint8_t *u, int u_stride, const uint8_t *v, int v_stride, int width, int height,
    int k, uint8_t *out, int out_stride, int full_range) {
    shrink(y, y_stride, u, u_stride, v, v_stride, width, height, k, out, out_stride, full_range);
}

void drsocial_shrink_yuv420_to_rgb(const uint8_t *y, int y_stride, const uint8_t *u, int u_stride, const uint8_t *v,
                                   int v_stride, int width, int height, int k, uint8_t *out, int out_stride,
                                   int full_range) {
    if (drsocial_cpu_has_avx2()) shrink_avx2(y, y_stride, u, u_stride, v, v_stride, width, height, k, out, out_stride, full_range);
    else shrink_baseline(y, y_stride, u, u_stride, v, v_stride, width, height, k, out, out_stride, full_range);
}
