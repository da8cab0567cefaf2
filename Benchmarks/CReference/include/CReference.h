#ifndef LOCALITY_C_REFERENCE_H
#define LOCALITY_C_REFERENCE_H

#include <stddef.h>

// The Swift kernels' loops written in C, compiled by clang with the package's release flags,
// so that one run can show how close the Swift kernel comes to C over the same memory.

/// Row-major sum of a rows × cols matrix of doubles with eight accumulators, exactly as
/// LoopOrder's `row-major` variant walks it.
double locality_c_sum_row_major(const double *matrix, size_t rows, size_t cols);

/// Column-major sum with eight accumulators, exactly as the `column-major` variant walks it.
double locality_c_sum_column_major(const double *matrix, size_t rows, size_t cols);

#endif
