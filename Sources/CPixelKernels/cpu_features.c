// Which vector instructions this CPU has, asked once: the kernels carry AVX2 clones chosen at run time.
#include "pixel_kernels.h"

int drsocial_cpu_has_avx2(void) {
    static int cached = -1;  // racing threads store the same answer
    if (cached < 0) {
        __builtin_cpu_init();
        cached = __builtin_cpu_supports("avx2") ? 1 : 0;
    }
    return cached;
}
