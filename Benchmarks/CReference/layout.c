#include "CReference.h"

uint64_t locality_c_sum_flat(const struct locality_layout_element *elements, size_t count) {
    uint64_t sum = 0;
    for (size_t i = 0; i < count; i++) sum += elements[i].value;
    return sum;
}

uint64_t locality_c_chase_index_list(const struct locality_index_node *nodes, size_t count, uint32_t start) {
    uint64_t sum = 0;
    uint32_t i = start;
    for (size_t k = 0; k < count; k++) {
        sum += nodes[i].value;
        i = nodes[i].next;
    }
    return sum;
}
