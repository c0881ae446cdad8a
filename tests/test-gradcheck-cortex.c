/* Gradient checks of the cortex by central differences.
 *
 * A double-precision reference forward of the same model (PyTorch semantics, reading
 * the library's float parameters) defines the scalar
 *     J = sum_t <w_t, y_t> + sum_t <u_t, h_t> + <v, z_end>
 * for fixed random w, u, v.  The library receives dL/dy = w_t through
 * ccrnn_cortex_output_grad, dL/dh = u_t through ccrnn_cortex_hidden_grad and dz_end = v
 * through ccrnn_cortex_backward; its accumulated parameter gradients, the returned
 * start gradient dz_start and the input gradients of ccrnn_cortex_input_grad must match
 * the central differences of J in double.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test-util.h"

enum { N_IN = 3, N_HID = 4, N_OUT = 2, MAX_B = 3, MAX_T = 6 };

/* Float reference values hold float rounding of a few steps; the gradients are
 * compared with a relative bound and an absolute floor for near-zero entries. */
#define GRAD_RTOL 1e-3
#define GRAD_ATOL 1e-5
#define FD_STEP 1e-5

static const int cells[3] = {CCRNN_CELL_LSTM, CCRNN_CELL_TANH, CCRNN_CELL_GRU};

/* The objective's fixed weights for one window of T steps and batch B. */
typedef struct objective {
    size_t B, T;
    double *w;   /* T*B*O: weight of y_t (zero on steps without an output gradient) */
    double *u;   /* T*B*H or NULL: weight of h_t */
    double *v;   /* B*Z or NULL: weight of the end state */
} objective;

static double objective_value(const ref_cortex *r, const objective *o, const double *p,
                              const double *z0, const double *xs)
{
    size_t B = o->B, T = o->T;
    double *ys = dalloc(T * B * r->O), *hs = dalloc(T * B * r->H), *zT = dalloc(B * r->Z);
    ref_cortex_run(r, p, B, T, z0, xs, ys, hs, zT);
    double J = 0.0;
    for (size_t i = 0; i < T * B * r->O; i++) J += o->w[i] * ys[i];
    if (o->u)
        for (size_t i = 0; i < T * B * r->H; i++) J += o->u[i] * hs[i];
    if (o->v)
        for (size_t i = 0; i < B * r->Z; i++) J += o->v[i] * zT[i];
    free(ys);
    free(hs);
    free(zT);
    return J;
}

/* The point at which J is differentiated: x below is one of its p, z0 or xs. */
typedef struct fd_point {
    const ref_cortex *r;
    const objective *o;
    const double *p, *z0, *xs;
} fd_point;

static double objective_at(void *ctx)
{
    const fd_point *q = ctx;
    return objective_value(q->r, q->o, q->p, q->z0, q->xs);
}

/* Central differences of J with respect to every entry of `x`, which is one of p, z0
 * or xs (perturbed in place and restored). */
static void numeric_grad(const ref_cortex *r, const objective *o, double *p, double *z0,
                         double *xs, double *x, size_t n, double *g)
{
    fd_point q = {r, o, p, z0, xs};
    for (size_t i = 0; i < n; i++) g[i] = ts_central_diff(objective_at, &q, &x[i], FD_STEP);
}

static void report(const char *what, int cell, size_t T, double worst)
{
    if (getenv("CCRNN_TEST_VERBOSE"))
        printf("gradcheck %-10s cell %d T %zu: worst |error|/(atol+|ref|) %.3g\n", what, cell,
               T, worst);
}

/* One recorded window in the library and its objective.  Returns the library outputs
 * compared against the reference forward. */
typedef struct window {
    size_t T, B;
    float *x, *y, *w, *u, *v, *dz_start, *dx;
    objective obj;
    double *xs_d;
} window;

static void window_make(window *win, ts_rng *rng, const ref_cortex *r, size_t B, size_t T,
                        int use_v, int use_u, int sparse)
{
    memset(win, 0, sizeof *win);
    win->T = T;
    win->B = B;
    win->x = falloc(T * B * r->I);
    win->y = falloc(T * B * r->O);
    win->w = falloc(T * B * r->O);
    win->u = falloc(T * B * r->H);
    win->v = falloc(B * r->Z);
    win->dz_start = falloc(B * r->Z);
    win->dx = falloc(T * B * r->I);
    ts_rng_fill(rng, win->x, T * B * r->I, -1, 1);
    ts_rng_fill(rng, win->w, T * B * r->O, -1, 1);
    ts_rng_fill(rng, win->u, T * B * r->H, -1, 1);
    ts_rng_fill(rng, win->v, B * r->Z, -1, 1);
    /* Sparse feedback: odd steps get no output gradient at all (not even zeros). */
    if (sparse)
        for (size_t t = 1; t < T; t += 2) memset(win->w + t * B * r->O, 0, B * r->O * sizeof(float));
    win->obj.B = B;
    win->obj.T = T;
    win->obj.w = dalloc(T * B * r->O);
    to_double(win->w, win->obj.w, T * B * r->O);
    if (use_u) {
        win->obj.u = dalloc(T * B * r->H);
        to_double(win->u, win->obj.u, T * B * r->H);
    }
    if (use_v) {
        win->obj.v = dalloc(B * r->Z);
        to_double(win->v, win->obj.v, B * r->Z);
    }
    win->xs_d = dalloc(T * B * r->I);
    to_double(win->x, win->xs_d, T * B * r->I);
}

static void window_free(window *win)
{
    free(win->x); free(win->y); free(win->w); free(win->u); free(win->v);
    free(win->dz_start); free(win->dx);
    free(win->obj.w); free(win->obj.u); free(win->obj.v); free(win->xs_d);
}

/* Runs the window in the library: forward, gradients in, backward, input gradients. */
static void window_run(ccrnn_cortex *cx, window *win, const ref_cortex *r, int sparse)
{
    size_t B = win->B, O = r->O, H = r->H;
    for (size_t t = 0; t < win->T; t++) {
        CK_OK(ccrnn_cortex_forward(cx, win->x + t * B * r->I, B * r->I, win->y + t * B * O, B * O));
        if (!sparse || t % 2 == 0)
            CK_OK(ccrnn_cortex_output_grad(cx, t, win->w + t * B * O, B * O));
        if (win->obj.u) CK_OK(ccrnn_cortex_hidden_grad(cx, t, win->u + t * B * H, B * H));
    }
    size_t steps;
    CK_OK(ccrnn_cortex_window_length(cx, &steps));
    ck_assert_uint_eq(steps, win->T);
    CK_OK(ccrnn_cortex_backward(cx, win->obj.v ? win->v : NULL, win->obj.v ? B * r->Z : 0,
                                win->dz_start, B * r->Z));
    CK_OK(ccrnn_cortex_input_grad(cx, win->dx, win->T * B * r->I));
}

/* Compares outputs, dz_start and dx of one window with the reference started at z0. */
static void window_check(const ref_cortex *r, window *win, double *p, double *z0, int cell)
{
    size_t B = win->B, T = win->T;
    double *ys = dalloc(T * B * r->O), *g = dalloc(T * B * r->I + B * r->Z);
    ref_cortex_run(r, p, B, T, z0, win->xs_d, ys, NULL, NULL);
    assert_close("y", ys, win->y, T * B * r->O, 1e-5, 1e-6);
    numeric_grad(r, &win->obj, p, z0, win->xs_d, z0, B * r->Z, g);
    report("dz_start", cell, T, assert_close("dz_start", g, win->dz_start, B * r->Z, GRAD_RTOL, GRAD_ATOL));
    numeric_grad(r, &win->obj, p, z0, win->xs_d, win->xs_d, T * B * r->I, g);
    report("dx", cell, T, assert_close("dx", g, win->dx, T * B * r->I, GRAD_RTOL, GRAD_ATOL));
    free(ys);
    free(g);
}

/* One window of T steps from a random start state; B = 1..MAX_B. */
static void check_one_window(int cell, size_t T, size_t B, int use_v, int use_u, int sparse)
{
    ccrnn_cortex *cx;
    ts_rng rng;
    ts_rng_seed(&rng, 1000 + 17 * (uint64_t)cell + T);
    CK_OK(ccrnn_cortex_create(cell, N_IN, N_HID, N_OUT, MAX_B, MAX_T, 42 + T, &cx));
    CK_OK(ccrnn_cortex_reset(cx, B));
    ref_cortex r;
    ref_cortex_load(&r, cx);

    float *z0 = falloc(B * r.Z);
    ts_rng_fill(&rng, z0, B * r.Z, -0.8, 0.8);
    CK_OK(ccrnn_cortex_set_state(cx, z0, B * r.Z));
    double *z0_d = dalloc(B * r.Z);
    to_double(z0, z0_d, B * r.Z);

    window win;
    window_make(&win, &rng, &r, B, T, use_v, use_u, sparse);
    window_run(cx, &win, &r, sparse);
    window_check(&r, &win, r.p, z0_d, cell);

    float *grads;
    CK_OK(ccrnn_cortex_params(cx, NULL, &grads, NULL));
    double *g = dalloc(r.np);
    numeric_grad(&r, &win.obj, r.p, z0_d, win.xs_d, r.p, r.np, g);
    report("params", cell, T, assert_close("dJ/dparams", g, grads, r.np, GRAD_RTOL, GRAD_ATOL));

    free(g);
    free(z0);
    free(z0_d);
    window_free(&win);
    ref_cortex_free(&r);
    ccrnn_cortex_destroy(cx);
}

/* Windows of 1..5 steps for each cell, with the injected end gradient and hidden
 * gradients, every step supervised. */
START_TEST(test_window_with_dz_end)
{
    int cell = cells[_i / 5];
    size_t T = (size_t)(_i % 5) + 1;
    check_one_window(cell, T, (size_t)(_i % 3) + 1, 1, 1, 0);
}
END_TEST

/* dz_end NULL and sparse output gradients (odd steps get none). */
START_TEST(test_window_without_dz_end)
{
    int cell = cells[_i / 5];
    size_t T = (size_t)(_i % 5) + 1;
    check_one_window(cell, T, (size_t)((_i + 1) % 3) + 1, 0, 0, 1);
}
END_TEST

/* Two windows: the second starts from the carried, detached state; parameter
 * gradients accumulate over both windows. */
START_TEST(test_second_window_detached)
{
    int cell = cells[_i];
    size_t B = 2, T1 = 3, T2 = 2;
    ccrnn_cortex *cx;
    ts_rng rng;
    ts_rng_seed(&rng, 77 + (uint64_t)cell);
    CK_OK(ccrnn_cortex_create(cell, N_IN, N_HID, N_OUT, MAX_B, MAX_T, 9, &cx));
    CK_OK(ccrnn_cortex_reset(cx, B));
    ref_cortex r;
    ref_cortex_load(&r, cx);

    double *z0 = dalloc(B * r.Z);   /* reset: zero state */
    window w1, w2;
    window_make(&w1, &rng, &r, B, T1, 1, 0, 0);
    window_run(cx, &w1, &r, 0);
    CK_OK(ccrnn_cortex_begin_window(cx));

    /* The carried state equals the reference's end state of window 1. */
    float *z1 = falloc(B * r.Z), *z1_now = falloc(B * r.Z);
    CK_OK(ccrnn_cortex_window_start_state(cx, z1, B * r.Z));
    CK_OK(ccrnn_cortex_get_state(cx, z1_now, B * r.Z));
    ck_assert_mem_eq(z1, z1_now, B * r.Z * sizeof(float));
    double *zT = dalloc(B * r.Z), *z1_d = dalloc(B * r.Z);
    ref_cortex_run(&r, r.p, B, T1, z0, w1.xs_d, NULL, NULL, zT);
    assert_close("carried state", zT, z1, B * r.Z, 1e-5, 1e-6);
    to_double(z1, z1_d, B * r.Z);

    window_make(&w2, &rng, &r, B, T2, 1, 1, 0);
    window_run(cx, &w2, &r, 0);
    /* Window 2's start gradient and input gradients see only window 2. */
    window_check(&r, &w2, r.p, z1_d, cell);

    float *grads;
    CK_OK(ccrnn_cortex_params(cx, NULL, &grads, NULL));
    double *g1 = dalloc(r.np), *g2 = dalloc(r.np);
    numeric_grad(&r, &w1.obj, r.p, z0, w1.xs_d, r.p, r.np, g1);
    numeric_grad(&r, &w2.obj, r.p, z1_d, w2.xs_d, r.p, r.np, g2);
    for (size_t i = 0; i < r.np; i++) g1[i] += g2[i];
    report("2 windows", cell, T2, assert_close("accumulated dJ/dparams", g1, grads, r.np, GRAD_RTOL, GRAD_ATOL));

    free(g1); free(g2); free(z0); free(z1); free(z1_now); free(zT); free(z1_d);
    window_free(&w1);
    window_free(&w2);
    ref_cortex_free(&r);
    ccrnn_cortex_destroy(cx);
}
END_TEST

/* A batch below max_batch after a larger batch ran: the tape layout follows the
 * active batch, and the gradient must still be exact. */
START_TEST(test_smaller_batch_after_larger)
{
    int cell = cells[_i];
    ccrnn_cortex *cx;
    ts_rng rng;
    ts_rng_seed(&rng, 5 + (uint64_t)cell);
    CK_OK(ccrnn_cortex_create(cell, N_IN, N_HID, N_OUT, MAX_B, MAX_T, 3, &cx));
    ref_cortex r;
    ref_cortex_load(&r, cx);
    /* A full-batch window first, then zero gradients and a batch of 2. */
    window big;
    window_make(&big, &rng, &r, MAX_B, 4, 1, 0, 0);
    window_run(cx, &big, &r, 0);
    CK_OK(ccrnn_cortex_zero_grad(cx));
    CK_OK(ccrnn_cortex_reset(cx, 2));
    double *z0 = dalloc(2 * r.Z);
    window win;
    window_make(&win, &rng, &r, 2, 3, 1, 0, 0);
    window_run(cx, &win, &r, 0);
    window_check(&r, &win, r.p, z0, cell);
    float *grads;
    CK_OK(ccrnn_cortex_params(cx, NULL, &grads, NULL));
    double *g = dalloc(r.np);
    numeric_grad(&r, &win.obj, r.p, z0, win.xs_d, r.p, r.np, g);
    assert_close("dJ/dparams", g, grads, r.np, GRAD_RTOL, GRAD_ATOL);
    free(g);
    free(z0);
    window_free(&big);
    window_free(&win);
    ref_cortex_free(&r);
    ccrnn_cortex_destroy(cx);
}
END_TEST

Suite *gradcheck_cortex_suite(void)
{
    Suite *s = suite_create("gradcheck_cortex");
    TCase *tc = tcase_create("one_window");
    tcase_set_timeout(tc, 30);
    tcase_add_loop_test(tc, test_window_with_dz_end, 0, 15);
    tcase_add_loop_test(tc, test_window_without_dz_end, 0, 15);
    suite_add_tcase(s, tc);
    tc = tcase_create("windows_and_batches");
    tcase_set_timeout(tc, 30);
    tcase_add_loop_test(tc, test_second_window_detached, 0, 3);
    tcase_add_loop_test(tc, test_smaller_batch_after_larger, 0, 3);
    suite_add_tcase(s, tc);
    return s;
}
