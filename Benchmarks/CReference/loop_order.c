#include "CReference.h"

double locality_c_sum_row_major(const double *matrix, size_t rows, size_t cols) {
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
    for (size_t r = 0; r < rows; r++) {
        const double *row = matrix + r * cols;
        size_t c = 0;
        for (; c + 8 <= cols; c += 8) {
            s0 += row[c];     s1 += row[c + 1]; s2 += row[c + 2]; s3 += row[c + 3];
            s4 += row[c + 4]; s5 += row[c + 5]; s6 += row[c + 6]; s7 += row[c + 7];
        }
        for (; c < cols; c++) s0 += row[c];
    }
    return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
}

double locality_c_sum_column_major(const double *matrix, size_t rows, size_t cols) {
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
    for (size_t c = 0; c < cols; c++) {
        const double *p = matrix + c;
        size_t r = 0;
        for (; r + 8 <= rows; r += 8, p += 8 * cols) {
            s0 += p[0];        s1 += p[cols];     s2 += p[2 * cols]; s3 += p[3 * cols];
            s4 += p[4 * cols]; s5 += p[5 * cols]; s6 += p[6 * cols]; s7 += p[7 * cols];
        }
        for (; r < rows; r++, p += cols) s0 += p[0];
    }
    return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
}
