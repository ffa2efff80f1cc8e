// Quarter-turn rotation of planes, for pictures whose display matrix asks for it (phones store portrait
// video as landscape frames plus a rotation; photos carry an EXIF orientation). 8-bit planes turn in 8×8
// blocks transposed in SSE2 registers; the edges that do not fill a block, and packed pixels, one by one.
#include "pixel_kernels.h"
#include <emmintrin.h>
#include <stddef.h>
#include <string.h>

/// Where source row `y` of a `width × height` picture starts in the turned picture (byte offset of its pixel
/// x = 0), and how far apart its consecutive pixels land there (`*step`, in bytes, may be negative).
static inline ptrdiff_t turned_row(int y, int width, int height, int bytes, int dst_stride, int clockwise, ptrdiff_t *step) {
    switch (clockwise) {
    case 90: *step = dst_stride; return (ptrdiff_t)(height - 1 - y) * bytes;
    case 180: *step = -bytes; return (ptrdiff_t)(height - 1 - y) * dst_stride + (ptrdiff_t)(width - 1) * bytes;
    case 270: *step = -(ptrdiff_t)dst_stride; return (ptrdiff_t)(width - 1) * dst_stride + (ptrdiff_t)y * bytes;
    default: *step = bytes; return (ptrdiff_t)y * dst_stride;
    }
}

/// Turns pixels `from ..< width` of source rows `rows_from ..< rows_to`, one pixel at a time.
static void turn_pixels(const uint8_t *src, int src_stride, int width, int height, int bytes, uint8_t *dst, int dst_stride,
                        int clockwise, int from, int rows_from, int rows_to) {
    for (int y = rows_from; y < rows_to; y++) {
        const uint8_t *in = src + (size_t)y * src_stride + (size_t)from * bytes;
        ptrdiff_t step;
        uint8_t *out = dst + turned_row(y, width, height, bytes, dst_stride, clockwise, &step) + (ptrdiff_t)from * step;
        if (bytes == 3) {  // RGB24: a fixed-size copy the compiler unrolls
            for (int x = from; x < width; x++, in += 3, out += step) { out[0] = in[0]; out[1] = in[1]; out[2] = in[2]; }
        } else {
            for (int x = from; x < width; x++, in += bytes, out += step)
                for (int b = 0; b < bytes; b++) out[b] = in[b];
        }
    }
}

void drsocial_rotate_pixels(const uint8_t *src, int src_stride, int width, int height, int bytes, uint8_t *dst,
                            int dst_stride, int clockwise) {
    turn_pixels(src, src_stride, width, height, bytes, dst, dst_stride, clockwise, 0, 0, height);
}

/// Transposes the 8×8 block whose rows start at `rows[0…7]` (8 bytes each) into `out[0…7]`: out[c][r] = rows[r][c].
static inline void transpose8x8(const uint8_t *const rows[8], uint8_t *const out[8]) {
    __m128i a0 = _mm_loadl_epi64((const __m128i *)rows[0]), a1 = _mm_loadl_epi64((const __m128i *)rows[1]);
    __m128i a2 = _mm_loadl_epi64((const __m128i *)rows[2]), a3 = _mm_loadl_epi64((const __m128i *)rows[3]);
    __m128i a4 = _mm_loadl_epi64((const __m128i *)rows[4]), a5 = _mm_loadl_epi64((const __m128i *)rows[5]);
    __m128i a6 = _mm_loadl_epi64((const __m128i *)rows[6]), a7 = _mm_loadl_epi64((const __m128i *)rows[7]);
    __m128i t0 = _mm_unpacklo_epi8(a0, a1), t1 = _mm_unpacklo_epi8(a2, a3);
    __m128i t2 = _mm_unpacklo_epi8(a4, a5), t3 = _mm_unpacklo_epi8(a6, a7);
    __m128i u0 = _mm_unpacklo_epi16(t0, t1), u1 = _mm_unpackhi_epi16(t0, t1);
    __m128i u2 = _mm_unpacklo_epi16(t2, t3), u3 = _mm_unpackhi_epi16(t2, t3);
    __m128i v0 = _mm_unpacklo_epi32(u0, u2), v1 = _mm_unpackhi_epi32(u0, u2);
    __m128i v2 = _mm_unpacklo_epi32(u1, u3), v3 = _mm_unpackhi_epi32(u1, u3);
    _mm_storel_epi64((__m128i *)out[0], v0);
    _mm_storel_epi64((__m128i *)out[1], _mm_srli_si128(v0, 8));
    _mm_storel_epi64((__m128i *)out[2], v1);
    _mm_storel_epi64((__m128i *)out[3], _mm_srli_si128(v1, 8));
    _mm_storel_epi64((__m128i *)out[4], v2);
    _mm_storel_epi64((__m128i *)out[5], _mm_srli_si128(v2, 8));
    _mm_storel_epi64((__m128i *)out[6], v3);
    _mm_storel_epi64((__m128i *)out[7], _mm_srli_si128(v3, 8));
}

void drsocial_rotate_plane(const uint8_t *src, int src_stride, int width, int height, uint8_t *dst, int dst_stride,
                           int clockwise) {
    if (clockwise == 180) {
        for (int y = 0; y < height; y++) {
            const uint8_t *row = src + (size_t)y * src_stride;
            uint8_t *out = dst + (size_t)(height - 1 - y) * dst_stride + (width - 1);
            for (int x = 0; x < width; x++) out[-x] = row[x];
        }
        return;
    }
    if (clockwise != 90 && clockwise != 270) {
        for (int y = 0; y < height; y++) memcpy(dst + (size_t)y * dst_stride, src + (size_t)y * src_stride, (size_t)width);
        return;
    }
    int whole_width = width & ~7, whole_height = height & ~7;
    for (int y = 0; y < whole_height; y += 8) {
        for (int x = 0; x < whole_width; x += 8) {
            const uint8_t *rows[8];
            uint8_t *out[8];
            for (int k = 0; k < 8; k++) {
                if (clockwise == 90) {
                    // Source rows bottom-up, so each transposed row runs the way the turned row does.
                    rows[k] = src + (size_t)(y + 7 - k) * src_stride + x;
                    out[k] = dst + (size_t)(x + k) * dst_stride + (height - 8 - y);
                } else {
                    rows[k] = src + (size_t)(y + k) * src_stride + x;
                    out[k] = dst + (size_t)(width - 1 - x - k) * dst_stride + y;
                }
            }
            transpose8x8(rows, out);
        }
    }
    // The right edge beside the blocks, then the bottom rows under them.
    turn_pixels(src, src_stride, width, height, 1, dst, dst_stride, clockwise, whole_width, 0, whole_height);
    turn_pixels(src, src_stride, width, height, 1, dst, dst_stride, clockwise, 0, whole_height, height);
}
