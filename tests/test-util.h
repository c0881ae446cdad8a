/* Helpers of the Check suites of tests/: suite constructors, status assertions,
 * sentinels, gradient comparison and double-precision reference models. */
#ifndef CCRNN_TEST_UTIL_H
#define CCRNN_TEST_UTIL_H

#include <check.h>
#include <stddef.h>
#include <stdint.h>

#include <ccrnn/ccrnn.h>

#include "test-save.h"    /* checkpoint buffers */
#include "test-support.h" /* ts_rng: the tests' random numbers, and more */

/* One suite per file; test-main.c adds them all. */
Suite *gradcheck_cortex_suite(void);
Suite *gradcheck_cerebellum_suite(void);
Suite *loss_suite(void);
Suite *activation_suite(void);
Suite *optimizer_suite(void);
Suite *training_suite(void);
Suite *cortex_suite(void);
Suite *cerebellum_suite(void);
Suite *errors_cortex_suite(void);
Suite *errors_cerebellum_suite(void);
Suite *errors_misc_suite(void);
Suite *errors_checkpoint_suite(void);
Suite *window_end_suite(void);
Suite *errors_attack_suite(void);
Suite *forward_steps_suite(void);

/* Assert a call's status, naming the call, the code and the library's message. */
#define CK_STATUS(call, want)                                                            \
    do {                                                                                 \
        int st_ = (call);                                                                \
        ck_assert_msg(st_ == (want), "%s returned %d (%s), expected %d; last error: %s",  \
                      #call, st_, ccrnn_strerror(st_), (int)(want), ccrnn_last_error()); \
    } while (0)
#define CK_OK(call) CK_STATUS(call, CCRNN_OK)

/* Zeroed allocations that fail the test instead of returning NULL. */
float *falloc(size_t n);
double *dalloc(size_t n);

/* A value no library call computes, to see that failed calls leave outputs alone. */
#define SENTINEL (-12345.5f)
void fill_sentinel(float *x, size_t n);
int all_sentinel(const float *x, size_t n);

/* |got - ref| <= atol + rtol * |ref| for every element; fails naming the worst one.
 * Returns the largest relative error seen (error / (atol + |ref|)) for reports. */
double assert_close(const char *what, const double *ref, const float *got, size_t n,
                    double rtol, double atol);
void to_double(const float *x, double *y, size_t n);

/* ---- double reference of a cortex (PyTorch semantics) -------------------------------- */
typedef struct ref_cortex {
    int cell;
    size_t I, H, O, G, Z, np;
    size_t off[6]; /* weight_ih, weight_hh, bias_ih, bias_hh, readout.weight, readout.bias */
    double *p;     /* a double copy of the library's float parameters */
} ref_cortex;
/* Reads shapes, tensor offsets and parameters from the library object. */
void ref_cortex_load(ref_cortex *r, ccrnn_cortex *cx);
void ref_cortex_free(ref_cortex *r);
/* T steps of a batch of B from state z0 (B*Z) over xs (T*B*I) with parameters p.
 * ys (T*B*O), hs (T*B*H) and zT (B*Z) receive outputs; each may be NULL. */
void ref_cortex_run(const ref_cortex *r, const double *p, size_t B, size_t T, const double *z0,
                    const double *xs, double *ys, double *hs, double *zT);

/* ---- double reference of a cerebellum (Linear/ReLU MLP) ------------------------------ */
typedef struct ref_mlp {
    size_t n_layers;    /* Linear layers */
    size_t dims[20];
    size_t w_off[20], b_off[20];
    size_t np;
    double *p;
} ref_mlp;
void ref_mlp_load(ref_mlp *r, ccrnn_cerebellum *cb);
void ref_mlp_free(ref_mlp *r);
/* out (B*dims[last]) = MLP(in) for in of B*dims[0] values, parameters p. */
void ref_mlp_run(const ref_mlp *r, const double *p, size_t B, const double *in, double *out);

/* Random weights in every cerebellar tensor (the last layer starts at zero). */
void randomize_cerebellum(ccrnn_cerebellum *cb, uint64_t seed, double scale);

#endif
