// Frame shrinking for scene analysis: box-average a 4:2:0 frame by an integer factor into small RGB24.
// Rows are summed first into 16-bit accumulators (a loop the compiler vectorises), then each output pixel
// adds `k` accumulators: about a tenth of libswscale's area filter's time at these factors.
#include "pixel_kernels.h"
#include <stdlib.h>

static inline uint8_t clamp8(int v) { return (uint8_t)(v < 0 ? 0 : (v > 255 ? 255 : v)); }

static void sum_rows(const uint8_t *plane, int stride, int rows, int width, uint16_t *acc) {
    for (int x = 0; x < width; x++) acc[x] = plane[x];
    for (int r = 1; r < rows; r++) {
        const uint8_t *p = plane + (long)r * stride;
        for (int x = 0; x < width; x++) acc[x] = (uint16_t)(acc[x] + p[x]);
    }
}

void drsocial_shrink_yuv420_to_rgb(const uint8_t *y, int y_stride, const uint8_t *u, int u_stride, const uint8_t *v,
                                   int v_stride, int width, int height, int k, uint8_t *out, int out_stride,
                                   int full_range) {
    const int out_width = width / k, out_height = height / k;
    const int ck = k / 2 > 0 ? k / 2 : 1;          // chroma rows/columns per output pixel
    const int chroma_width = (width + 1) / 2;
    uint16_t *acc = malloc(sizeof(uint16_t) * (size_t)(width + 2 * chroma_width + 16));
    if (!acc) return;
    uint16_t *acc_u = acc + width, *acc_v = acc_u + chroma_width;
    // Divisions by the block size as multiplications (16.16 fixed point): a division per channel per pixel
    // cost more than all the additions.
    const int luma_scale = (65536 + k * k / 2) / (k * k), chroma_scale = (65536 + ck * ck / 2) / (ck * ck);
    for (int oy = 0; oy < out_height; oy++) {
        const int cy = (oy * k) / 2;
        sum_rows(y + (long)oy * k * y_stride, y_stride, k, out_width * k, acc);
        sum_rows(u + (long)cy * u_stride, u_stride, ck, chroma_width, acc_u);
        sum_rows(v + (long)cy * v_stride, v_stride, ck, chroma_width, acc_v);
        uint8_t *line = out + (long)oy * out_stride;
        for (int ox = 0; ox < out_width; ox++) {
            int sum = 0, su = 0, sv = 0;
            const uint16_t *a = acc + ox * k;
            for (int c = 0; c < k; c++) sum += a[c];
            const int cx = (ox * k) / 2;
            for (int c = 0; c < ck && cx + c < chroma_width; c++) { su += acc_u[cx + c]; sv += acc_v[cx + c]; }
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
    free(acc);
}
