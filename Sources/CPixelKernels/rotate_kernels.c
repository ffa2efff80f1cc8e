// Quarter-turn rotation of a plane of 1- to 4-byte pixels, for pictures whose display matrix asks for it (phones store
// portrait video as landscape frames plus a rotation). Walks the source in 32×32 tiles, so both the reads
// and the scattered writes of a tile stay in cache.
#include "pixel_kernels.h"
#include <stddef.h>

enum { TILE = 32 };

#include <string.h>

void drsocial_rotate_pixels(const uint8_t *src, int src_stride, int width, int height, int bytes, uint8_t *dst,
                            int dst_stride, int clockwise) {
    if (bytes == 1) {
        drsocial_rotate_plane(src, src_stride, width, height, dst, dst_stride, clockwise);
        return;
    }
    for (int y = 0; y < height; y++) {
        const uint8_t *row = src + (size_t)y * src_stride;
        for (int x = 0; x < width; x++) {
            size_t at;
            switch (clockwise) {
            case 90: at = (size_t)x * dst_stride + (size_t)(height - 1 - y) * bytes; break;
            case 180: at = (size_t)(height - 1 - y) * dst_stride + (size_t)(width - 1 - x) * bytes; break;
            case 270: at = (size_t)(width - 1 - x) * dst_stride + (size_t)y * bytes; break;
            default: at = (size_t)y * dst_stride + (size_t)x * bytes; break;
            }
            memcpy(dst + at, row + (size_t)x * bytes, (size_t)bytes);
        }
    }
}

void drsocial_rotate_plane(const uint8_t *src, int src_stride, int width, int height, uint8_t *dst, int dst_stride,
                           int clockwise) {
    for (int ty = 0; ty < height; ty += TILE) {
        int y_end = ty + TILE < height ? ty + TILE : height;
        for (int tx = 0; tx < width; tx += TILE) {
            int x_end = tx + TILE < width ? tx + TILE : width;
            for (int y = ty; y < y_end; y++) {
                const uint8_t *row = src + (size_t)y * src_stride;
                switch (clockwise) {
                case 90:   // source (x, y) goes to (height - 1 - y, x)
                    for (int x = tx; x < x_end; x++) dst[(size_t)x * dst_stride + (height - 1 - y)] = row[x];
                    break;
                case 180:  // to (width - 1 - x, height - 1 - y)
                    for (int x = tx; x < x_end; x++) dst[(size_t)(height - 1 - y) * dst_stride + (width - 1 - x)] = row[x];
                    break;
                case 270:  // to (y, width - 1 - x)
                    for (int x = tx; x < x_end; x++) dst[(size_t)(width - 1 - x) * dst_stride + y] = row[x];
                    break;
                default:   // no turn: a copy
                    for (int x = tx; x < x_end; x++) dst[(size_t)y * dst_stride + x] = row[x];
                    break;
                }
            }
        }
    }
}
