// Which vector instructions this CPU has, asked once: the kernels carry AVX2 clones chosen at run time.
#include <stdatomic.h>

#include "pixel_kernels.h"

int drsocial_cpu_has_avx2(void) {
    // Racing threads compute the same answer; the atomic makes their stores and loads well defined
    // (ThreadSanitizer reported the plain int it was before when two threads drew at once).
    static _Atomic int cached = -1;
    int answer = atomic_load_explicit(&cached, memory_order_relaxed);
    if (answer < 0) {
        __builtin_cpu_init();
        answer = __builtin_cpu_supports("avx2") ? 1 : 0;
        atomic_store_explicit(&cached, answer, memory_order_relaxed);
    }
    return answer;
}
