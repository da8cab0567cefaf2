#include "CReference.h"

const void *locality_c_chase(const void *start, size_t loads) {
    const void *p = start;
    while (loads--) p = *(const void *const *)p;
    return p;
}

// Two lanes of 64 bits, loadable from any 8-byte-aligned address.
typedef uint64_t u64x2 __attribute__((vector_size(16), aligned(8)));

uint64_t locality_c_sum_words(const uint64_t *words, size_t count) {
    u64x2 a0 = {0, 0}, a1 = {0, 0}, a2 = {0, 0}, a3 = {0, 0};
    size_t i = 0;
    for (; i + 8 <= count; i += 8) {
        const u64x2 *v = (const u64x2 *)(words + i);
        a0 += v[0]; a1 += v[1]; a2 += v[2]; a3 += v[3];
    }
    u64x2 lanes = (a0 + a1) + (a2 + a3);
    uint64_t sum = lanes[0] + lanes[1];
    for (; i < count; i++) sum += words[i];
    return sum;
}
