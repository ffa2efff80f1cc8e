// The two inner loops of reel rendering (PictureResampler): AVX2 when the CPU has it, plain C otherwise.
// Kept in C because Swift has no portable gather; measured in bench/reel.
#include "pixel_kernels.h"
#include <immintrin.h>

static void horizontal_scalar(const uint8_t *src, const int32_t *xi, const uint32_t *pairs, uint16_t *out, int from, int count) {
    for (int j = from; j < count; j++) {
        uint32_t pair = pairs[j];
        const uint8_t *p = src + xi[j];
        out[j] = (uint16_t)(p[0] * (pair & 0xFFFF) + p[1] * (pair >> 16));
    }
}

__attribute__((target("avx2")))
static void horizontal_avx2(const uint8_t *src, const int32_t *xi, const uint32_t *pairs, uint16_t *out, int count) {
    const __m256i low_byte = _mm256_set1_epi32(0xFF);
    const __m256i second_byte = _mm256_set1_epi32(0xFF00);
    int j = 0;
    for (; j + 16 <= count; j += 16) {
        __m256i i0 = _mm256_loadu_si256((const __m256i *)(xi + j));
        __m256i i1 = _mm256_loadu_si256((const __m256i *)(xi + j + 8));
        __m256i g0 = _mm256_i32gather_epi32((const int *)src, i0, 1);
        __m256i g1 = _mm256_i32gather_epi32((const int *)src, i1, 1);
        // [a, b] as two 16-bit lanes per 32-bit lane, times [256 - w, w]: madd gives a(256 - w) + bw.
        __m256i t0 = _mm256_or_si256(_mm256_and_si256(g0, low_byte), _mm256_slli_epi32(_mm256_and_si256(g0, second_byte), 8));
        __m256i t1 = _mm256_or_si256(_mm256_and_si256(g1, low_byte), _mm256_slli_epi32(_mm256_and_si256(g1, second_byte), 8));
        __m256i v0 = _mm256_madd_epi16(t0, _mm256_loadu_si256((const __m256i *)(pairs + j)));
        __m256i v1 = _mm256_madd_epi16(t1, _mm256_loadu_si256((const __m256i *)(pairs + j + 8)));
        // Values fit 16 bits unsigned (≤ 65280); packus works per 128-bit lane, so restore the order.
        __m256i packed = _mm256_permute4x64_epi64(_mm256_packus_epi32(v0, v1), 0xD8);
        _mm256_storeu_si256((__m256i *)(out + j), packed);
    }
    horizontal_scalar(src, xi, pairs, out, j, count);
}

int drsocial_reel_prepare_shuffle(const int32_t *xi, int count, int32_t *bases, uint8_t *masks) {
    for (int g = 0; g + 8 <= count; g += 8) {
        int32_t base = xi[g];
        bases[g / 8] = base;
        for (int k = 0; k < 8; k++) {
            int32_t offset = xi[g + k] - base;
            if (offset < 0 || offset + 1 > 15) return 0;
            masks[2 * g + 2 * k] = (uint8_t)offset;
            masks[2 * g + 2 * k + 1] = (uint8_t)(offset + 1);
        }
    }
    return 1;
}

__attribute__((target("ssse3,sse4.1")))
void drsocial_reel_horizontal_shuffle(const uint8_t *src, const int32_t *xi, const int32_t *bases, const uint8_t *masks,
                                      const uint32_t *pairs, uint16_t *out, int count) {
    int j = 0;
    for (; j + 8 <= count; j += 8) {
        __m128i bytes = _mm_loadu_si128((const __m128i *)(src + bases[j / 8]));
        __m128i ab = _mm_shuffle_epi8(bytes, _mm_loadu_si128((const __m128i *)(masks + 2 * j)));  // a0 b0 … a7 b7
        __m128i lo = _mm_cvtepu8_epi16(ab), hi = _mm_cvtepu8_epi16(_mm_srli_si128(ab, 8));
        __m128i vlo = _mm_madd_epi16(lo, _mm_loadu_si128((const __m128i *)(pairs + j)));
        __m128i vhi = _mm_madd_epi16(hi, _mm_loadu_si128((const __m128i *)(pairs + j + 4)));
        _mm_storeu_si128((__m128i *)(out + j), _mm_packus_epi32(vlo, vhi));
    }
    horizontal_scalar(src, xi, pairs, out, j, count);
}

void drsocial_reel_horizontal(const uint8_t *src, const int32_t *xi, const uint32_t *pairs, uint16_t *out, int count,
                              int may_overread) {
    if (may_overread && drsocial_cpu_has_avx2()) horizontal_avx2(src, xi, pairs, out, count);
    else horizontal_scalar(src, xi, pairs, out, 0, count);
}

__attribute__((target("avx2")))
static void vertical_avx2(const uint16_t *top, const uint16_t *bottom, uint32_t fy, uint8_t *out, int count) {
    // (t(256 - fy) + b·fy + 32768) >> 16 with 16-bit lanes: madd on interleaved [t, b] × [256 - fy, fy].
    const __m256i weights = _mm256_set1_epi32((int)((256 - fy) | (fy << 16)));
    const __m256i round = _mm256_set1_epi32(32768);
    int j = 0;
    for (; j + 16 <= count; j += 16) {
        __m256i t = _mm256_loadu_si256((const __m256i *)(top + j));
        __m256i b = _mm256_loadu_si256((const __m256i *)(bottom + j));
        // Values reach 65280, above int16: madd treats lanes as signed, so split into unsigned-safe halves.
        __m256i lo = _mm256_unpacklo_epi16(t, b), hi = _mm256_unpackhi_epi16(t, b);
        // Signed madd on values ≥ 32768 would go wrong: shift both down by 1 bit first (loses nothing:
        // weights sum to 256, so the result's top bits are kept; the rounding shift adjusts).
        lo = _mm256_srli_epi16(lo, 1);
        hi = _mm256_srli_epi16(hi, 1);
        __m256i vlo = _mm256_srli_epi32(_mm256_add_epi32(_mm256_madd_epi16(lo, weights), _mm256_srli_epi32(round, 1)), 15);
        __m256i vhi = _mm256_srli_epi32(_mm256_add_epi32(_mm256_madd_epi16(hi, weights), _mm256_srli_epi32(round, 1)), 15);
        __m256i words = _mm256_packus_epi32(vlo, vhi);             // per lane: lo0..3 hi0..3 (matches unpack order)
        __m128i bytes = _mm_packus_epi16(_mm256_castsi256_si128(words), _mm256_extracti128_si256(words, 1));
        _mm_storeu_si128((__m128i *)(out + j), bytes);
    }
    for (; j < count; j++) out[j] = (uint8_t)((top[j] * (256 - fy) + bottom[j] * fy + 32768) >> 16);
}

void drsocial_reel_vertical(const uint16_t *top, const uint16_t *bottom, uint32_t fy, uint8_t *out, int count) {
    if (drsocial_cpu_has_avx2()) { vertical_avx2(top, bottom, fy, out, count); return; }
    for (int j = 0; j < count; j++) out[j] = (uint8_t)((top[j] * (256 - fy) + bottom[j] * fy + 32768) >> 16);
}
