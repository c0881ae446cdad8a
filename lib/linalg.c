/* BLIS routing.  A 1-row or 1-column product through bli_sgemm costs ~10x a gemv on
 * this hardware, so m == 1 or n == 1 goes to gemv and k == 1 to ger; everything else
 * is one bli_sgemm_ex with row-major strides and the handle's runtime object. */
#include <stdlib.h>
#include <string.h>

#include <blis.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "linalg.h"

struct ccrnn_la {
    rntm_t rntm;   /* the handle's thread count */
    rntm_t serial; /* one thread: products too small to gain from more (SERIAL_BELOW) */
    int threads;
};

ccrnn_la *ccrnn__la_create(void)
{
    ccrnn_la *la = malloc(sizeof *la);
    if (!la) return NULL;
    bli_rntm_init(&la->rntm);
    bli_rntm_init(&la->serial);
    bli_rntm_set_num_threads(1, &la->serial);
    ccrnn__la_set_threads(la, 1);
    return la;
}

ccrnn_la *ccrnn__la_clone(const ccrnn_la *src)
{
    ccrnn_la *la = ccrnn__la_create();
    if (la) ccrnn__la_set_threads(la, src->threads);
    return la;
}

void ccrnn__la_destroy(ccrnn_la *la) { free(la); }

void ccrnn__la_set_threads(ccrnn_la *la, int threads)
{
    la->threads = threads;
    bli_rntm_set_num_threads(threads, &la->rntm);
}

int ccrnn__la_threads(const ccrnn_la *la) { return la->threads; }

/* Strides of op(X) for a row-major X stored with leading dimension ld. */
static void op_strides(int trans, size_t ld, inc_t *rs, inc_t *cs)
{
    *rs = trans ? 1 : (inc_t)ld;
    *cs = trans ? (inc_t)ld : 1;
}

static void scale_rows(size_t m, size_t n, float beta, float *c, size_t ldc)
{
    for (size_t i = 0; i < m; i++) {
        float *row = c + i * ldc;
        if (beta == 0.0f)
            memset(row, 0, n * sizeof *row);
        else
            for (size_t j = 0; j < n; j++) row[j] *= beta;
    }
}

/* m*n*k above which a row-stored B is packed too (ccrnn-profile CCRNN_PROFILE_PACK=b
 * on the paper and large configurations: packing gains 7-100 % from 64x512x2048 up and
 * loses 2-10 % at the paper's sizes, all below 4e6). */
#define PACK_B_ABOVE 8.0e6

/* m*n*k below which a product runs on one thread whatever the handle's THREADS: BLIS's
 * threads meet at barriers inside every call, and below this size a second thread gains
 * nothing (AMD EPYC, zen3 kernels: 0.55-1.04x from 5e3 to 5e5) or loses (Intel Xeon,
 * haswell kernels: the paper batch 17 % faster on 2 threads with this rule, 5 % slower
 * without); from 2e6 up it mostly gains 1.2-2x (tests/bench/ccrnn-profile --gemm and
 * CCRNN_PROFILE_SERIAL_BELOW: docs/performance.md, "Threads").  A one-thread BLIS call
 * costs one libgomp allocation (docs/performance.md, "Allocations"). */
#define SERIAL_BELOW 1.0e6

/* Products this small cost less as a plain loop than a BLIS call's set-up. */
static int tiny(size_t m, size_t n, size_t k) { return m * n * k <= 4096; }

static void naive_gemm(size_t m, size_t n, size_t k, float alpha, const float *a, inc_t rsa,
                       inc_t csa, const float *b, inc_t rsb, inc_t csb, float beta, float *c,
                       size_t ldc)
{
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++) {
            float acc = 0.0f;
            for (size_t p = 0; p < k; p++) acc += a[i * rsa + p * csa] * b[p * rsb + j * csb];
            float *cij = c + i * ldc + j;
            *cij = beta == 0.0f ? alpha * acc : alpha * acc + beta * *cij;
        }
}

void ccrnn__gemm(ccrnn_la *la, int ta, int tb, size_t m, size_t n, size_t k, float alpha,
                 const float *a, size_t lda, const float *b, size_t ldb, float beta, float *c,
                 size_t ldc)
{
    if (m == 0 || n == 0) return;
    if (k == 0) {
        scale_rows(m, n, beta, c, ldc);
        return;
    }
    inc_t rsa, csa, rsb, csb;
    op_strides(ta, lda, &rsa, &csa);
    op_strides(tb, ldb, &rsb, &csb);
    float *A = (float *)a, *B = (float *)b;
    rntm_t *rt = la->threads > 1 && (double)m * n * k < SERIAL_BELOW ? &la->serial : &la->rntm;
    if (tiny(m, n, k)) {
        naive_gemm(m, n, k, alpha, a, rsa, csa, b, rsb, csb, beta, c, ldc);
    } else if (m == 1 && n > 1) {
        /* c^T (n) = op(B)^T (n x k) * op(A)^T (k): the matrix is op(B) read transposed. */
        bli_sgemv_ex(BLIS_NO_TRANSPOSE, BLIS_NO_CONJUGATE, (dim_t)n, (dim_t)k, &alpha, B, csb,
                     rsb, A, csa, &beta, c, 1, NULL, rt);
    } else if (n == 1) {
        bli_sgemv_ex(BLIS_NO_TRANSPOSE, BLIS_NO_CONJUGATE, (dim_t)m, (dim_t)k, &alpha, A, rsa,
                     csa, B, rsb, &beta, c, (inc_t)ldc, NULL, rt);
    } else if (k == 1) {
        if (beta != 1.0f) scale_rows(m, n, beta, c, ldc);
        bli_sger_ex(BLIS_NO_CONJUGATE, BLIS_NO_CONJUGATE, (dim_t)m, (dim_t)n, &alpha, A, rsa,
                    B, csb, c, (inc_t)ldc, 1, NULL, rt);
    } else {
        /* BLIS's small-matrix path reads a column-stored B (a transposed weight) with
         * its dot-product kernel at about half speed; packing it first is faster, and
         * so is packing a row-stored B once the product is large (the backward dg*W_hh
         * and the cerebellum's products at H >= 512), and a transposed A once the
         * output is large (measured with tests/bench/ccrnn-profile:
         * docs/performance.md). */
        bli_rntm_set_pack_b(tb == LA_T || (double)m * n * k >= PACK_B_ABOVE, rt);
        bli_rntm_set_pack_a(ta == LA_T && m * n >= ((size_t)1 << 18), rt);
        bli_sgemm_ex(BLIS_NO_TRANSPOSE, BLIS_NO_TRANSPOSE, (dim_t)m, (dim_t)n, (dim_t)k, &alpha,
                     A, rsa, csa, B, rsb, csb, &beta, c, (inc_t)ldc, 1, NULL, rt);
    }
}

typedef struct colsum_job {
    size_t m, lda;
    const float *a;
    float *y;
} colsum_job;

/* Columns [j0, j1) of the sums, each accumulated over the rows in order. */
static void colsum_columns(void *ctx, size_t j0, size_t j1)
{
    const colsum_job *job = ctx;
    for (size_t i = 0; i < job->m; i++) {
        const float *row = job->a + i * job->lda;
        for (size_t j = j0; j < j1; j++) job->y[j] += row[j];
    }
}

void ccrnn__add_colsum(ccrnn_la *la, size_t m, size_t n, const float *a, size_t lda, float *y)
{
    colsum_job job = {m, lda, a, y};
    ccrnn__la_rows(la, n, m, colsum_columns, &job);
}

/* Elements (rows * width) from which an elementwise pass is split across threads.
 * Measured with 2 threads (ccrnn-bench --threads 2 --size ..., I 28, S 8H, T 7, seq 28):
 * B 64, H 50 (16000 elements in the LSTM cell) 3.54 -> 3.30 ms a batch when split; at
 * B 8, H 50 (2000) splitting from 1024 made it 0.79 -> 0.81 ms; B 8, H 128 (5120) the
 * same either way (docs/performance.md, "Threads"). */
#ifndef PARALLEL_ABOVE
#define PARALLEL_ABOVE 4096
#endif

void ccrnn__la_rows(ccrnn_la *la, size_t rows, size_t width, ccrnn_rows_fn fn, void *ctx)
{
#ifdef _OPENMP
    int nt = la->threads;
    if (nt > 1 && rows > 1 && rows * width >= PARALLEL_ABOVE) {
        if ((size_t)nt > rows) nt = (int)rows;
#pragma omp parallel num_threads(nt)
        {
            size_t t = (size_t)omp_get_thread_num(), n = (size_t)omp_get_num_threads();
            size_t first = rows * t / n, end = rows * (t + 1) / n;
            if (end > first) fn(ctx, first, end);
        }
        return;
    }
#else
    (void)la;
    (void)width;
#endif
    fn(ctx, 0, rows);
}
