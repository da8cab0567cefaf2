#ifndef LOCALITY_C_REFERENCE_H
#define LOCALITY_C_REFERENCE_H

#include <stddef.h>
#include <stdint.h>

// The Swift kernels' loops written in C, compiled by clang with the package's release flags,
// so that one run can show how close the Swift kernel comes to C over the same memory.

/// Row-major sum of a rows × cols matrix of doubles with eight accumulators, exactly as
/// LoopOrder's `row-major` variant walks it.
double locality_c_sum_row_major(const double *matrix, size_t rows, size_t cols);

/// Column-major sum with eight accumulators, exactly as the `column-major` variant walks it.
double locality_c_sum_column_major(const double *matrix, size_t rows, size_t cols);

// Working sets (WorkingSet.swift).

/// Follows `loads` links of a pointer chase from `start` (each slot holds the address of the
/// next) and returns where it stopped: one dependent load per step, as the `chase` variant.
const void *locality_c_chase(const void *start, size_t loads);

/// Sums `count` 64-bit words in address order (wrapping) with four 2-lane vector
/// accumulators, as the `sequential` variant.
uint64_t locality_c_sum_words(const uint64_t *words, size_t count);

// Layout: the flat walk and the index chase, over the very arrays the Swift kernels walk.

/// One element of Layout's flat array (Swift's `LayoutElement`): 16 bytes.
struct locality_layout_element { uint64_t id; uint64_t value; };

/// One node of Layout's pointer-free linked list (Swift's `IndexNode`): 16 bytes, the
/// successor's index instead of a pointer.
struct locality_index_node { uint32_t id; uint32_t next; uint64_t value; };

/// Sums `value` over `count` elements in address order (Layout's `flat-c`).
uint64_t locality_c_sum_flat(const struct locality_layout_element *elements, size_t count);

/// Follows `next` `count` times from `start`, summing `value` (Layout's `index-list-shuffled-c`).
uint64_t locality_c_chase_index_list(const struct locality_index_node *nodes, size_t count, uint32_t start);

#endif
