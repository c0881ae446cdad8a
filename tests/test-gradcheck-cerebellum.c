/* Gradient checks of the cerebellum's learning rule by central differences, and the
 * mossy-fibre mask.
 *
 * ccrnn_cerebellum_learn regresses the prediction toward a target with
 * loss = sum (p - t)^2 over batch and outputs (divided by the batch with LOSS_MEAN=1)
 * and accumulates its gradient.  A double reference MLP reading the library's float
 * weights gives the loss, whose central differences the gradients must match.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "test-util.h"

enum { CB_IN = 5, CB_OUT = 3, CB_WIDTH = 6, CB_MAX_B = 4, CB_B = 3 };
#define GRAD_RTOL 1e-3
#define GRAD_ATOL 1e-5
#define FD_STEP 1e-5

typedef struct regression {
    size_t B;
    const double *in;     /* B x dims[0] ([in, ctx] rows) */
    const double *target; /* B x n_out */
    int mean;
} regression;

static double regression_loss(const ref_mlp *r, const regression *q, const double *p)
{
    size_t n = q->B * r->dims[r->n_layers];
    double *out = dalloc(n), sum = 0.0;
    ref_mlp_run(r, p, q->B, q->in, out);
    for (size_t i = 0; i < n; i++) sum += (out[i] - q->target[i]) * (out[i] - q->target[i]);
    free(out);
    return q->mean ? sum / (double)q->B : sum;
}

typedef struct fd_point {
    const ref_mlp *r;
    const regression *q;
    const double *p;
} fd_point;

static double regression_loss_at(void *ctx)
{
    const fd_point *f = ctx;
    return regression_loss(f->r, f->q, f->p);
}

static void numeric_grad(const ref_mlp *r, const regression *q, double *p, double *g)
{
    fd_point f = {r, q, p};
    for (size_t i = 0; i < r->np; i++)
        g[i] = ts_central_diff(regression_loss_at, &f, &p[i], FD_STEP);
}

/* [in, ctx] rows in double, as the reference's input. */
static double *joined_input(const float *in, size_t n_in, const float *ctx, size_t n_ctx, size_t B)
{
    double *x = dalloc(B * (n_in + n_ctx));
    for (size_t b = 0; b < B; b++) {
        for (size_t j = 0; j < n_in; j++) x[b * (n_in + n_ctx) + j] = in[b * n_in + j];
        for (size_t j = 0; j < n_ctx; j++) x[b * (n_in + n_ctx) + n_in + j] = ctx[b * n_ctx + j];
    }
    return x;
}

/* Learn once at random input/target; compare loss, prediction and gradients. */
static void check_learn(size_t n_hidden, size_t n_ctx, int mean)
{
    ccrnn_cerebellum *cb;
    ts_rng rng;
    ts_rng_seed(&rng, 300 + 10 * n_hidden + n_ctx + (uint64_t)mean);
    CK_OK(ccrnn_cerebellum_create(CB_IN, n_ctx, CB_OUT, n_hidden, CB_WIDTH, CB_MAX_B, 11, 0, &cb));
    CK_OK(ccrnn_cerebellum_set_param(cb, CCRNN_PARAM_LOSS_MEAN, mean));
    randomize_cerebellum(cb, 99 + n_hidden, 0.6);
    ref_mlp r;
    ref_mlp_load(&r, cb);

    float in[CB_B * CB_IN], ctx[CB_B * 2], target[CB_B * CB_OUT], pred[CB_B * CB_OUT];
    ts_rng_fill(&rng, in, CB_B * CB_IN, -1, 1);
    ts_rng_fill(&rng, ctx, CB_B * 2, -1, 1);
    ts_rng_fill(&rng, target, CB_B * CB_OUT, -1, 1);
    const float *c = n_ctx ? ctx : NULL;
    size_t nc = CB_B * n_ctx;

    double *x = joined_input(in, CB_IN, ctx, n_ctx, CB_B), t_d[CB_B * CB_OUT], p_d[CB_B * CB_OUT];
    to_double(target, t_d, CB_B * CB_OUT);
    ref_mlp_run(&r, r.p, CB_B, x, p_d);
    CK_OK(ccrnn_cerebellum_predict(cb, CB_B, in, CB_B * CB_IN, c, nc, pred, CB_B * CB_OUT));
    assert_close("prediction", p_d, pred, CB_B * CB_OUT, 1e-5, 1e-6);

    double loss;
    CK_OK(ccrnn_cerebellum_learn(cb, CB_B, in, CB_B * CB_IN, c, nc, target, CB_B * CB_OUT, &loss));
    regression q = {CB_B, x, t_d, mean};
    double want = regression_loss(&r, &q, r.p);
    ck_assert_double_eq_tol(loss, want, 1e-5 * fabs(want) + 1e-7);

    float *grads;
    size_t count;
    CK_OK(ccrnn_cerebellum_params(cb, NULL, &grads, &count));
    ck_assert_uint_eq(count, r.np);
    double *g = dalloc(r.np);
    numeric_grad(&r, &q, r.p, g);
    assert_close("dloss/dparams", g, grads, r.np, GRAD_RTOL, GRAD_ATOL);

    /* A second identical learn accumulates the same gradient again: 2x, up to the
     * rounding of BLIS's accumulate-into-C products. */
    float *once = falloc(count);
    memcpy(once, grads, count * sizeof(float));
    CK_OK(ccrnn_cerebellum_learn(cb, CB_B, in, CB_B * CB_IN, c, nc, target, CB_B * CB_OUT, NULL));
    for (size_t i = 0; i < count; i++)
        ck_assert_float_eq_tol(grads[i], 2.0f * once[i], 1e-6f * (1.0f + fabsf(once[i])));

    free(once);
    free(g);
    free(x);
    ref_mlp_free(&r);
    ccrnn_cerebellum_destroy(cb);
}

/* 0, 1 and 2 hidden layers, with and without context, sum and mean losses. */
START_TEST(test_learn_gradient)
{
    check_learn((size_t)(_i % 3), (_i / 3) % 2 ? 2 : 0, _i / 6);
}
END_TEST

/* Rows of the input layer's weight and how many of their entries are nonzero. */
static void count_kept(ccrnn_cerebellum *cb, size_t rows, size_t cols, size_t want)
{
    float *w = falloc(rows * cols);
    CK_OK(ccrnn_cerebellum_get_tensor(cb, "0.weight", w, rows * cols));
    for (size_t i = 0; i < rows; i++) {
        size_t kept = 0;
        for (size_t j = 0; j < cols; j++) kept += w[i * cols + j] != 0.0f;
        ck_assert_uint_eq(kept, want);
    }
    free(w);
}

/* The fibre mask: each input-layer row keeps n_fibres inputs; masked weights are
 * exactly zero, their gradients exactly zero, and they stay zero through Adam steps;
 * the kept weights' gradients are those of the masked model. */
START_TEST(test_fibre_mask)
{
    size_t n_hidden = (size_t)_i, n_ctx = 2, d0 = CB_IN + n_ctx, fibres = 3;
    size_t rows = n_hidden ? CB_WIDTH : CB_OUT;
    ccrnn_cerebellum *cb;
    ts_rng rng;
    ts_rng_seed(&rng, 4242 + n_hidden);
    CK_OK(ccrnn_cerebellum_create(CB_IN, n_ctx, CB_OUT, n_hidden, CB_WIDTH, CB_MAX_B, 5, 0, &cb));
    randomize_cerebellum(cb, 7, 0.6);
    CK_OK(ccrnn_cerebellum_set_fibres(cb, fibres, 1234));
    count_kept(cb, rows, d0, fibres);

    float *w0 = falloc(rows * d0), *mask = falloc(rows * d0);
    CK_OK(ccrnn_cerebellum_get_tensor(cb, "0.weight", w0, rows * d0));
    for (size_t i = 0; i < rows * d0; i++) mask[i] = w0[i] != 0.0f;

    /* Setting the tensor does not revive masked weights. */
    float *ones = falloc(rows * d0);
    for (size_t i = 0; i < rows * d0; i++) ones[i] = 0.25f;
    CK_OK(ccrnn_cerebellum_set_tensor(cb, "0.weight", ones, rows * d0));
    count_kept(cb, rows, d0, fibres);
    CK_OK(ccrnn_cerebellum_set_tensor(cb, "0.weight", w0, rows * d0));

    ref_mlp r;
    ref_mlp_load(&r, cb);
    float in[CB_B * CB_IN], ctx[CB_B * 2], target[CB_B * CB_OUT];
    ts_rng_fill(&rng, in, CB_B * CB_IN, -1, 1);
    ts_rng_fill(&rng, ctx, CB_B * 2, -1, 1);
    ts_rng_fill(&rng, target, CB_B * CB_OUT, -1, 1);
    CK_OK(ccrnn_cerebellum_learn(cb, CB_B, in, CB_B * CB_IN, ctx, CB_B * 2, target, CB_B * CB_OUT, NULL));

    float *grads;
    CK_OK(ccrnn_cerebellum_params(cb, NULL, &grads, NULL));
    double *x = joined_input(in, CB_IN, ctx, n_ctx, CB_B), t_d[CB_B * CB_OUT];
    to_double(target, t_d, CB_B * CB_OUT);
    regression q = {CB_B, x, t_d, 0};
    double *g = dalloc(r.np);
    numeric_grad(&r, &q, r.p, g);
    /* The mask's entries of the gradient are exactly zero; the others are the
     * masked model's gradient. */
    for (size_t i = 0; i < rows * d0; i++) {
        if (mask[i] == 0.0f) {
            ck_assert_msg(grads[r.w_off[0] + i] == 0.0f, "masked gradient %zu is %g", i,
                          (double)grads[r.w_off[0] + i]);
            g[r.w_off[0] + i] = 0.0;
        }
    }
    assert_close("masked dloss/dparams", g, grads, r.np, GRAD_RTOL, GRAD_ATOL);

    /* Several optimizer steps: masked weights stay exactly zero; kept ones move when
     * they had a gradient (a ReLU unit dead on this batch gives none). */
    ccrnn_cerebellum *fresh;
    CK_OK(ccrnn_cerebellum_clone(cb, &fresh));
    ccrnn_optimizer *opt;
    CK_OK(ccrnn_optimizer_create(CCRNN_OPT_ADAM, &opt));
    CK_OK(ccrnn_optimizer_set_param(opt, CCRNN_PARAM_LR, 0.05));
    CK_OK(ccrnn_optimizer_add_cerebellum(opt, cb, NULL));
    unsigned char *touched = calloc(rows * d0, 1);
    for (int k = 0; k < 5; k++) {
        CK_OK(ccrnn_cerebellum_learn(cb, CB_B, in, CB_B * CB_IN, ctx, CB_B * 2, target,
                                     CB_B * CB_OUT, NULL));
        for (size_t i = 0; i < rows * d0; i++) {
            if (mask[i] == 0.0f) ck_assert(grads[r.w_off[0] + i] == 0.0f);
            touched[i] |= grads[r.w_off[0] + i] != 0.0f;
        }
        CK_OK(ccrnn_optimizer_step(opt));
    }
    float *w = falloc(rows * d0);
    CK_OK(ccrnn_cerebellum_get_tensor(cb, "0.weight", w, rows * d0));
    size_t moved = 0, had_grad = 0;
    for (size_t i = 0; i < rows * d0; i++) {
        if (mask[i] == 0.0f) ck_assert_msg(w[i] == 0.0f, "masked weight %zu became %g", i, (double)w[i]);
        else moved += w[i] != w0[i];
        had_grad += touched[i];
    }
    ck_assert_uint_gt(had_grad, 0);
    ck_assert_uint_eq(moved, had_grad);
    free(touched);

    /* n_fibres = n_in + n_ctx removes the mask: on the state before the steps,
     * gradients reach the formerly masked inputs again. */
    CK_OK(ccrnn_cerebellum_set_fibres(fresh, d0, 0));
    CK_OK(ccrnn_cerebellum_zero_grad(fresh));
    CK_OK(ccrnn_cerebellum_learn(fresh, CB_B, in, CB_B * CB_IN, ctx, CB_B * 2, target,
                                 CB_B * CB_OUT, NULL));
    float *fg;
    CK_OK(ccrnn_cerebellum_params(fresh, NULL, &fg, NULL));
    size_t revived = 0;
    for (size_t i = 0; i < rows * d0; i++) revived += mask[i] == 0.0f && fg[r.w_off[0] + i] != 0.0f;
    ck_assert_uint_gt(revived, 0);
    ccrnn_cerebellum_destroy(fresh);

    ccrnn_optimizer_destroy(opt);
    free(w); free(w0); free(mask); free(ones); free(g); free(x);
    ref_mlp_free(&r);
    ccrnn_cerebellum_destroy(cb);
}
END_TEST

/* The same mask seed gives the same mask; another seed another one. */
START_TEST(test_fibre_mask_seeded)
{
    ccrnn_cerebellum *a, *b;
    size_t d0 = 12, rows = 8, n = rows * d0;
    CK_OK(ccrnn_cerebellum_create(d0, 0, 3, 1, rows, 2, 1, 0, &a));
    CK_OK(ccrnn_cerebellum_create(d0, 0, 3, 1, rows, 2, 1, 0, &b));
    float *wa = falloc(n), *wb = falloc(n);
    CK_OK(ccrnn_cerebellum_set_fibres(a, 4, 77));
    CK_OK(ccrnn_cerebellum_set_fibres(b, 4, 77));
    CK_OK(ccrnn_cerebellum_get_tensor(a, "0.weight", wa, n));
    CK_OK(ccrnn_cerebellum_get_tensor(b, "0.weight", wb, n));
    ck_assert_mem_eq(wa, wb, n * sizeof(float));
    ccrnn_cerebellum_destroy(b);
    CK_OK(ccrnn_cerebellum_create(d0, 0, 3, 1, rows, 2, 1, 0, &b));
    CK_OK(ccrnn_cerebellum_set_fibres(b, 4, 78));
    CK_OK(ccrnn_cerebellum_get_tensor(b, "0.weight", wb, n));
    ck_assert(memcmp(wa, wb, n * sizeof(float)) != 0);
    free(wa);
    free(wb);
    ccrnn_cerebellum_destroy(a);
    ccrnn_cerebellum_destroy(b);
}
END_TEST

Suite *gradcheck_cerebellum_suite(void)
{
    Suite *s = suite_create("gradcheck_cerebellum");
    TCase *tc = tcase_create("learn");
    tcase_set_timeout(tc, 30);
    tcase_add_loop_test(tc, test_learn_gradient, 0, 12);
    suite_add_tcase(s, tc);
    tc = tcase_create("fibres");
    tcase_set_timeout(tc, 30);
    tcase_add_loop_test(tc, test_fibre_mask, 0, 3);
    tcase_add_test(tc, test_fibre_mask_seeded);
    suite_add_tcase(s, tc);
    return s;
}
