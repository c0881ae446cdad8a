/* Helpers of the error-path suites: a failing call's status and message, and
 * snapshots showing that it left a handle unchanged. */
#ifndef CCRNN_TEST_ERRORS_H
#define CCRNN_TEST_ERRORS_H

#include "test-util.h"

/* Leaves a message no tested call produces, so a check sees the failing call's own. */
void prime_last_error(void);
/* Status `got` must be `want`; the call must have set a new message mentioning `what`
 * (NULL: any non-empty message). */
void expect_status(int got, int want, const char *what, const char *text, int line);

#define EXPECT_ERR(call, want, what)                                                     \
    do {                                                                                 \
        prime_last_error();                                                              \
        int st_ = (call);                                                                \
        expect_status(st_, (want), (what), #call, __LINE__);                             \
    } while (0)

/* Everything a cortex shows without changing it. */
typedef struct cx_snap {
    float *params, *grads, *state, *start, *hidden;
    size_t np, nz, nh, steps;
    double training, threads;
} cx_snap;
void cx_snap_take(ccrnn_cortex *cx, cx_snap *s);
void cx_snap_expect_same(ccrnn_cortex *cx, const cx_snap *s, const char *text, int line);
void cx_snap_free(cx_snap *s);

/* The failing call leaves every observable of cx as it was. */
#define CX_FAIL(cx, call, want, what)                                                    \
    do {                                                                                 \
        cx_snap snap_;                                                                   \
        cx_snap_take((cx), &snap_);                                                      \
        EXPECT_ERR(call, want, what);                                                    \
        cx_snap_expect_same((cx), &snap_, #call, __LINE__);                              \
        cx_snap_free(&snap_);                                                            \
    } while (0)

/* Runs the same continuation (rest of the window, backward, input gradients, one more
 * window) on both cortices and requires bit-identical results: a == b in behaviour. */
void cx_expect_same_future(ccrnn_cortex *a, ccrnn_cortex *b);

typedef struct cb_snap {
    float *params, *grads;
    size_t np;
    double flags[5];
} cb_snap;
void cb_snap_take(ccrnn_cerebellum *cb, cb_snap *s);
void cb_snap_expect_same(ccrnn_cerebellum *cb, const cb_snap *s, const char *text, int line);
void cb_snap_free(cb_snap *s);

#define CB_FAIL(cb, call, want, what)                                                    \
    do {                                                                                 \
        cb_snap snap_;                                                                   \
        cb_snap_take((cb), &snap_);                                                      \
        EXPECT_ERR(call, want, what);                                                    \
        cb_snap_expect_same((cb), &snap_, #call, __LINE__);                              \
        cb_snap_free(&snap_);                                                            \
    } while (0)

/* predict + learn at fixed inputs on both give bit-identical results. */
void cb_expect_same_future(ccrnn_cerebellum *a, ccrnn_cerebellum *b);

#endif
