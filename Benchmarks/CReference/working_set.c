#include "CReference.h"

const void *locality_c_chase(const void *start, size_t loads) {
    const void *p = start;
    while (loads--) p = *(const void *const *)p;
    return p;
}

uint64_t locality_c_sum_words(const uint64_t *words, size_t count) {
    uint64_t sum = 0;
    for (size_t i = 0; i < count; i++) sum += words[i];
    return sum;
}
