/* Internal declarations shared by the files of lib/ (never installed). */
#ifndef CCRNN_INTERNAL_H
#define CCRNN_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "ccrnn/ccrnn.h"

#if defined(__GNUC__)
#define CCRNN_HIDDEN __attribute__((visibility("hidden")))
#define CCRNN_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define CCRNN_HIDDEN
#define CCRNN_PRINTF(a, b)
#endif

/* Elementwise kernels get an AVX2 clone picked at load time (GCC ifunc), so a
 * portable x86-64 build still runs 8-wide where the CPU allows.  Only elementwise
 * IEEE operations live in such kernels, so every clone gives the same bits. */
/* (Not under ThreadSanitizer: ifunc resolvers run before its runtime starts.) */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__) && \
    !defined(__SANITIZE_THREAD__)
#define CCRNN_SIMD_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define CCRNN_SIMD_CLONES
#endif

/* Record a thread-local message "func: ..." and return status. */
CCRNN_HIDDEN int ccrnn__fail(int status, const char *func, const char *fmt, ...)
    CCRNN_PRINTF(3, 4);

#define FAIL(status, ...) ccrnn__fail((status), __func__, __VA_ARGS__)
/* The same from a validation helper, naming the public function `fn` that called it. */
#define FAIL_IN(fn, status, ...) ccrnn__fail((status), (fn), __VA_ARGS__)
#define REQUIRE_LEN_IN(fn, got, want, what)                                              \
    do {                                                                                 \
        if ((got) != (want))                                                             \
            return FAIL_IN(fn, CCRNN_ERR_SHAPE, "%s has %zu values, expected %zu", (what), \
                           (size_t)(got), (size_t)(want));                               \
    } while (0)
#define REQUIRE(ptr)                                                                     \
    do {                                                                                 \
        if (!(ptr)) return FAIL(CCRNN_ERR_NULL, "argument '%s' is NULL", #ptr);          \
    } while (0)
#define REQUIRE_LEN(got, want, what)                                                     \
    do {                                                                                 \
        if ((got) != (want))                                                             \
            return FAIL(CCRNN_ERR_SHAPE, "%s has %zu values, expected %zu", (what),       \
                        (size_t)(got), (size_t)(want));                                  \
    } while (0)

/* Handle kinds, for the settings table (settings.c). */
enum { CCRNN__KIND_CORTEX = 1, CCRNN__KIND_CEREBELLUM = 2, CCRNN__KIND_OPTIMIZER = 4 };
/* Is `value` acceptable for `param` on a handle of `kind`?  OK, or ARG with a message
 * naming the parameter and its range, recorded for the public function `fn`. */
CCRNN_HIDDEN int ccrnn__setting_check(const char *fn, unsigned kind, int param, double value);
/* The same for an optimizer group parameter (enum ccrnn_group_param), and its range. */
CCRNN_HIDDEN int ccrnn__group_setting_check(const char *fn, int param, double value);
CCRNN_HIDDEN void ccrnn__group_bounds(int param, double *lo, double *hi, int *integer);
/* Does `param` take whole numbers only (switches, counts, THREADS)? */
CCRNN_HIDDEN int ccrnn__setting_integer(int param);

/* Deterministic random numbers (splitmix64-seeded xoshiro256**). */
typedef struct ccrnn_rng {
    uint64_t s[4];
} ccrnn_rng;
CCRNN_HIDDEN void ccrnn__rng_seed(ccrnn_rng *r, uint64_t seed);
CCRNN_HIDDEN uint64_t ccrnn__rng_next(ccrnn_rng *r);
/* Uniform in [lo, hi). */
CCRNN_HIDDEN float ccrnn__rng_uniform(ccrnn_rng *r, float lo, float hi);

/* Sum of squares of n values, in a fixed blocked order (float within blocks of 256,
 * double across blocks): vectorisable, accurate, and reproducible. */
CCRNN_HIDDEN double ccrnn__sum_squares(const float *x, size_t n);
/* Euclidean norm of n values: the fast blocked sum, or an exact double sum when a
 * square overflows float (the result is then finite whenever it can be). */
CCRNN_HIDDEN double ccrnn__norm2(const float *x, size_t n);
/* Largest |x| over the finite values (0 when none). */
CCRNN_HIDDEN float ccrnn__max_abs_finite(const float *x, size_t n);
/* 1 when all n values are finite. */
CCRNN_HIDDEN int ccrnn__all_finite(const float *x, size_t n);
/* Checked allocation helpers: zeroed, NULL on overflow or failure. */
CCRNN_HIDDEN void *ccrnn__calloc(size_t count, size_t size);

/* Named-tensor table shared by cortex and cerebellum. */
typedef struct ccrnn_tensor {
    char name[32];
    size_t rows, cols, offset;
} ccrnn_tensor;
CCRNN_HIDDEN const ccrnn_tensor *ccrnn__tensor_find(const ccrnn_tensor *t, size_t count,
                                                    const char *name);

/* Cortex internals used by the synthetic-gradient glue. */
CCRNN_HIDDEN size_t ccrnn__cortex_batch(const ccrnn_cortex *cx);
CCRNN_HIDDEN size_t ccrnn__cortex_state_size(const ccrnn_cortex *cx);
/* STATE unless the current window can be backpropagated (message for `fn`). */
CCRNN_HIDDEN int ccrnn__cortex_backward_ready(const char *fn, const ccrnn_cortex *cx);
/* The cortex's two B x Z scratch rows for the window end. */
CCRNN_HIDDEN void ccrnn__cortex_window_scratch(ccrnn_cortex *cx, float **dz_end, float **dz_start);
/* Write the current (start = 0) or window-start (start = 1) state rows into z. */
CCRNN_HIDDEN void ccrnn__cortex_copy_state(const ccrnn_cortex *cx, int start, float *z);

/* Cerebellum internals used by the glue. */
/* ccrnn_cerebellum_predict with the output times scale, for the glue (`fn` names the
 * caller in messages): NUMERIC, nothing written or recorded, when that overflows. */
CCRNN_HIDDEN int ccrnn__cerebellum_predict_scaled(const char *fn, ccrnn_cerebellum *cb,
                                                  size_t batch, const float *in, size_t n_in,
                                                  const float *ctx, size_t n_ctx, double scale,
                                                  float *out, size_t n_out);
/* Staging buffer of max_batch*n_in floats the glue fills before predict/learn. */
CCRNN_HIDDEN float *ccrnn__cerebellum_stage(ccrnn_cerebellum *cb);
CCRNN_HIDDEN int ccrnn__cerebellum_io(const ccrnn_cerebellum *cb, size_t *n_in, size_t *n_ctx,
                                      size_t *n_out, size_t *max_batch);

/* The fibre mask (width x (n_in + n_ctx)) of a cerebellum; set_mask copies it (NULL
 * removes it; the cerebellum's own mask may be passed to re-apply it in place). */
CCRNN_HIDDEN int ccrnn__cerebellum_set_mask(ccrnn_cerebellum *cb, const float *mask);
/* Bytes a handle of these sizes allocates (its one allocation plan); *table (may be
 * NULL) receives its tensor table, all without allocating. */
struct ccrnn_params;
CCRNN_HIDDEN uint64_t ccrnn__cortex_footprint(int cell, size_t n_in, size_t n_hidden, size_t n_out,
                                              size_t max_batch, size_t max_window,
                                              struct ccrnn_params *table);
CCRNN_HIDDEN uint64_t ccrnn__cerebellum_footprint(size_t n_in, size_t n_ctx, size_t n_out,
                                                  size_t n_hidden_layers, size_t width,
                                                  size_t max_batch, struct ccrnn_params *table);

#endif
