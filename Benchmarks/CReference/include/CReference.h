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

#endif
