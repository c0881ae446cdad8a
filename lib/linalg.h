/* The only interface to BLIS: row-major matrix products routed to gemm, gemv or ger.
 * Each handle owns one ccrnn_la (its BLIS runtime object: thread count). */
#ifndef CCRNN_LINALG_H
#define CCRNN_LINALG_H

#include <stddef.h>

#include "internal.h"

typedef struct ccrnn_la ccrnn_la;

CCRNN_HIDDEN ccrnn_la *ccrnn__la_create(void);
CCRNN_HIDDEN ccrnn_la *ccrnn__la_clone(const ccrnn_la *la);
CCRNN_HIDDEN void ccrnn__la_destroy(ccrnn_la *la);
CCRNN_HIDDEN void ccrnn__la_set_threads(ccrnn_la *la, int threads);
CCRNN_HIDDEN int ccrnn__la_threads(const ccrnn_la *la);

enum { LA_N = 0, LA_T = 1 };

/* C (m x n, leading dimension ldc) = alpha * op(A) * op(B) + beta * C, row-major;
 * op(A) is m x k (A stored m x k with lda, or k x m when ta == LA_T), likewise op(B).
 * beta == 0 overwrites C without reading it. */
CCRNN_HIDDEN void ccrnn__gemm(ccrnn_la *la, int ta, int tb, size_t m, size_t n, size_t k,
                              float alpha, const float *a, size_t lda, const float *b,
                              size_t ldb, float beta, float *c, size_t ldc);

/* fn(ctx, first, end) on row ranges covering [0, rows): split across the handle's
 * threads (OpenMP) when it has more than one and the pass is large (rows * width
 * elements, PARALLEL_ABOVE in linalg.c), else one call on this thread.  Each row is
 * done by exactly one call, so an elementwise pass gives the same bits either way. */
typedef void (*ccrnn_rows_fn)(void *ctx, size_t first, size_t end);
CCRNN_HIDDEN void ccrnn__la_rows(ccrnn_la *la, size_t rows, size_t width, ccrnn_rows_fn fn,
                                 void *ctx);

/* y[j] += sum over rows i of A[i][j]  (A is m x n with lda): column sums for bias grads.
 * Columns are split across the handle's threads like rows in ccrnn__la_rows (each sum
 * is still taken over the rows in order, by one thread). */
CCRNN_HIDDEN void ccrnn__add_colsum(ccrnn_la *la, size_t m, size_t n, const float *a, size_t lda,
                                    float *y);

#endif
