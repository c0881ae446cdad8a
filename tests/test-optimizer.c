/* The optimizer against hand-computed steps in double: Adam (PyTorch semantics with
 * bias correction and L2 weight decay), SGD with momentum, RMSprop with and without
 * momentum; global-norm clipping as clip_grad_norm_; frozen groups; LR_SCALE; a
 * cerebellum group under ablation or lesion; gradient zeroing. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "test-util.h"

enum { N = 6, STEPS = 5 };
/* The library keeps float moments; a few steps stay within this of double. */
#define PARAM_TOL 2e-6

/* Gradient of step k for parameter i: varied signs and magnitudes. */
static float grad_at(int k, size_t i) { return (float)(sin(1.7 * (double)(k + 1) * (double)(i + 1)) * (0.2 + 0.3 * (double)i)); }

typedef struct hyper {
    int kind;
    double lr, beta1, beta2, eps, wd, momentum, alpha;
} hyper;

/* The reference: PyTorch's update rules in double. */
typedef struct ref_state {
    double p[N], m[N], v[N];
    int t;
} ref_state;

static void ref_step(const hyper *h, ref_state *s, const float *grad, double coef)
{
    s->t++;
    for (size_t i = 0; i < N; i++) {
        double g = (double)grad[i] * coef + h->wd * s->p[i];
        if (h->kind == CCRNN_OPT_ADAM) {
            s->m[i] = h->beta1 * s->m[i] + (1 - h->beta1) * g;
            s->v[i] = h->beta2 * s->v[i] + (1 - h->beta2) * g * g;
            double bc1 = 1 - pow(h->beta1, s->t), bc2 = 1 - pow(h->beta2, s->t);
            s->p[i] -= h->lr / bc1 * s->m[i] / (sqrt(s->v[i]) / sqrt(bc2) + h->eps);
        } else if (h->kind == CCRNN_OPT_SGD) {
            if (h->momentum != 0) {
                s->m[i] = s->t == 1 ? g : h->momentum * s->m[i] + g;
                g = s->m[i];
            }
            s->p[i] -= h->lr * g;
        } else {
            s->v[i] = h->alpha * s->v[i] + (1 - h->alpha) * g * g;
            double q = g / (sqrt(s->v[i]) + h->eps);
            if (h->momentum != 0) {
                s->m[i] = h->momentum * s->m[i] + q;
                q = s->m[i];
            }
            s->p[i] -= h->lr * q;
        }
    }
}

static ccrnn_optimizer *make_opt(const hyper *h)
{
    ccrnn_optimizer *opt;
    CK_OK(ccrnn_optimizer_create(h->kind, &opt));
    CK_OK(ccrnn_optimizer_set_param(opt, CCRNN_PARAM_LR, h->lr));
    CK_OK(ccrnn_optimizer_set_param(opt, CCRNN_PARAM_BETA1, h->beta1));
    CK_OK(ccrnn_optimizer_set_param(opt, CCRNN_PARAM_BETA2, h->beta2));
    CK_OK(ccrnn_optimizer_set_param(opt, CCRNN_PARAM_EPS, h->eps));
    CK_OK(ccrnn_optimizer_set_param(opt, CCRNN_PARAM_WEIGHT_DECAY, h->wd));
    CK_OK(ccrnn_optimizer_set_param(opt, CCRNN_PARAM_MOMENTUM, h->momentum));
    CK_OK(ccrnn_optimizer_set_param(opt, CCRNN_PARAM_ALPHA, h->alpha));
    return opt;
}

/* STEPS updates of host-owned parameters compared with the reference after each. */
static void check_rule(const hyper *h)
{
    ccrnn_optimizer *opt = make_opt(h);
    float p[N], g[N];
    ref_state s;
    memset(&s, 0, sizeof s);
    for (size_t i = 0; i < N; i++) p[i] = (float)(s.p[i] = 0.5 - 0.2 * (double)i);
    size_t group = 99;
    CK_OK(ccrnn_optimizer_add_params(opt, p, g, N, &group));
    ck_assert_uint_eq(group, 0);
    for (int k = 0; k < STEPS; k++) {
        for (size_t i = 0; i < N; i++) g[i] = grad_at(k, i);
        ref_step(h, &s, g, 1.0);
        CK_OK(ccrnn_optimizer_step(opt));
        for (size_t i = 0; i < N; i++) {
            ck_assert_msg(fabs(p[i] - s.p[i]) <= PARAM_TOL, "step %d p[%zu]: %.9g vs %.9g", k, i,
                          (double)p[i], s.p[i]);
            ck_assert_float_eq(g[i], 0.0f); /* step zeroes the gradients */
        }
    }
    double steps;
    CK_OK(ccrnn_optimizer_get_param(opt, CCRNN_PARAM_STEPS, &steps));
    ck_assert_double_eq(steps, STEPS);
    ccrnn_optimizer_destroy(opt);
}

START_TEST(test_adam)
{
    hyper h = {CCRNN_OPT_ADAM, 0.01, 0.8, 0.95, 1e-6, 0.0, 0, 0.99};
    check_rule(&h);
}
END_TEST

START_TEST(test_adam_weight_decay)
{
    hyper h = {CCRNN_OPT_ADAM, 0.02, 0.9, 0.98, 1e-9, 0.1, 0, 0.99};
    check_rule(&h);
}
END_TEST

START_TEST(test_sgd_plain)
{
    hyper h = {CCRNN_OPT_SGD, 0.1, 0.9, 0.999, 1e-8, 0.0, 0.0, 0.99};
    check_rule(&h);
}
END_TEST

START_TEST(test_sgd_momentum)
{
    hyper h = {CCRNN_OPT_SGD, 0.1, 0.9, 0.999, 1e-8, 0.01, 0.9, 0.99};
    check_rule(&h);
}
END_TEST

START_TEST(test_rmsprop)
{
    hyper h = {CCRNN_OPT_RMSPROP, 0.01, 0.9, 0.999, 1e-8, 0.0, 0.0, 0.9};
    check_rule(&h);
}
END_TEST

START_TEST(test_rmsprop_momentum)
{
    hyper h = {CCRNN_OPT_RMSPROP, 0.01, 0.9, 0.999, 1e-6, 0.05, 0.5, 0.99};
    check_rule(&h);
}
END_TEST

START_TEST(test_defaults)
{
    ccrnn_optimizer *opt;
    double v;
    CK_OK(ccrnn_optimizer_create(CCRNN_OPT_ADAM, &opt));
    const int params[] = {CCRNN_PARAM_LR, CCRNN_PARAM_BETA1, CCRNN_PARAM_BETA2, CCRNN_PARAM_EPS,
                          CCRNN_PARAM_WEIGHT_DECAY, CCRNN_PARAM_MOMENTUM, CCRNN_PARAM_ALPHA,
                          CCRNN_PARAM_CLIP_NORM, CCRNN_PARAM_GRAD_NORM, CCRNN_PARAM_STEPS};
    const double want[] = {1e-3, 0.9, 0.999, 1e-8, 0, 0, 0.99, 0, 0, 0};
    for (size_t i = 0; i < sizeof params / sizeof params[0]; i++) {
        CK_OK(ccrnn_optimizer_get_param(opt, params[i], &v));
        ck_assert_double_eq(v, want[i]);
    }
    CK_OK(ccrnn_optimizer_set_param(opt, CCRNN_PARAM_LR, 0.25));
    CK_OK(ccrnn_optimizer_get_param(opt, CCRNN_PARAM_LR, &v));
    ck_assert_double_eq(v, 0.25);
    ccrnn_optimizer_destroy(opt);
}
END_TEST

/* ---- clipping, groups ---------------------------------------------------------------- */

/* SGD lr 1: the update is the (clipped) gradient itself. */
static ccrnn_optimizer *plain_sgd(double clip)
{
    ccrnn_optimizer *opt;
    CK_OK(ccrnn_optimizer_create(CCRNN_OPT_SGD, &opt));
    CK_OK(ccrnn_optimizer_set_param(opt, CCRNN_PARAM_LR, 1.0));
    CK_OK(ccrnn_optimizer_set_param(opt, CCRNN_PARAM_CLIP_NORM, clip));
    return opt;
}

START_TEST(test_clip_global_norm)
{
    /* Two groups, global norm sqrt(3^2 + 4^2 + 12^2) = 13. */
    float a[2] = {0, 0}, ga[2] = {3, 4}, b[1] = {1}, gb[1] = {12};
    ccrnn_optimizer *opt = plain_sgd(1.0);
    CK_OK(ccrnn_optimizer_add_params(opt, a, ga, 2, NULL));
    CK_OK(ccrnn_optimizer_add_params(opt, b, gb, 1, NULL));
    CK_OK(ccrnn_optimizer_step(opt));
    double norm, coef = 1.0 / (13.0 + 1e-6);
    CK_OK(ccrnn_optimizer_get_param(opt, CCRNN_PARAM_GRAD_NORM, &norm));
    ck_assert_double_eq_tol(norm, 13.0, 1e-12);
    ck_assert_float_eq_tol(a[0], (float)(-3 * coef), 1e-7f);
    ck_assert_float_eq_tol(a[1], (float)(-4 * coef), 1e-7f);
    ck_assert_float_eq_tol(b[0], (float)(1 - 12 * coef), 1e-7f);
    ck_assert(ga[0] == 0 && ga[1] == 0 && gb[0] == 0);
    ccrnn_optimizer_destroy(opt);
}
END_TEST

START_TEST(test_clip_inactive_below_max)
{
    /* Norm 5 under max 10: the coefficient would exceed one, so nothing is scaled. */
    float a[2] = {0, 0}, ga[2] = {3, 4};
    ccrnn_optimizer *opt = plain_sgd(10.0);
    CK_OK(ccrnn_optimizer_add_params(opt, a, ga, 2, NULL));
    CK_OK(ccrnn_optimizer_step(opt));
    ck_assert_float_eq(a[0], -3.0f);
    ck_assert_float_eq(a[1], -4.0f);
    ccrnn_optimizer_destroy(opt);
}
END_TEST

START_TEST(test_clip_off)
{
    float a[2] = {0, 0}, ga[2] = {300, 400};
    ccrnn_optimizer *opt = plain_sgd(0.0);
    CK_OK(ccrnn_optimizer_add_params(opt, a, ga, 2, NULL));
    CK_OK(ccrnn_optimizer_step(opt));
    ck_assert_float_eq(a[0], -300.0f);
    double norm;
    CK_OK(ccrnn_optimizer_get_param(opt, CCRNN_PARAM_GRAD_NORM, &norm));
    ck_assert_double_eq_tol(norm, 500.0, 1e-9);
    ccrnn_optimizer_destroy(opt);
}
END_TEST

START_TEST(test_frozen_group)
{
    /* A frozen group is not updated, but its gradient counts in the clip norm and is
     * zeroed by the step. */
    float a[2] = {1, 1}, ga[2] = {3, 4}, b[1] = {0}, gb[1] = {12};
    ccrnn_optimizer *opt = plain_sgd(1.0);
    size_t ia, ib;
    CK_OK(ccrnn_optimizer_add_params(opt, a, ga, 2, &ia));
    CK_OK(ccrnn_optimizer_add_params(opt, b, gb, 1, &ib));
    ck_assert_uint_eq(ia, 0);
    ck_assert_uint_eq(ib, 1);
    CK_OK(ccrnn_optimizer_set_group_param(opt, ia, CCRNN_GROUP_FROZEN, 1));
    double v;
    CK_OK(ccrnn_optimizer_get_group_param(opt, ia, CCRNN_GROUP_FROZEN, &v));
    ck_assert_double_eq(v, 1);
    CK_OK(ccrnn_optimizer_step(opt));
    ck_assert_float_eq(a[0], 1.0f);
    ck_assert_float_eq(a[1], 1.0f);
    ck_assert_float_eq_tol(b[0], (float)(-12.0 / (13.0 + 1e-6)), 1e-7f);
    ck_assert(ga[0] == 0 && ga[1] == 0 && gb[0] == 0);
    /* Unfrozen again, it moves. */
    CK_OK(ccrnn_optimizer_set_group_param(opt, ia, CCRNN_GROUP_FROZEN, 0));
    ga[0] = 0.5f;
    CK_OK(ccrnn_optimizer_step(opt));
    ck_assert_float_eq(a[0], 0.5f);
    ccrnn_optimizer_destroy(opt);
}
END_TEST

START_TEST(test_frozen_adam_keeps_state)
{
    /* Adam: a group frozen for some steps keeps its moments and step count, so its
     * first real update is a first step (bias-corrected: about lr * sign(g)). */
    float a[1] = {0}, ga[1], b[1] = {0}, gb[1];
    ccrnn_optimizer *opt;
    CK_OK(ccrnn_optimizer_create(CCRNN_OPT_ADAM, &opt));
    CK_OK(ccrnn_optimizer_set_param(opt, CCRNN_PARAM_LR, 0.1));
    CK_OK(ccrnn_optimizer_add_params(opt, a, ga, 1, NULL));
    CK_OK(ccrnn_optimizer_add_params(opt, b, gb, 1, NULL));
    CK_OK(ccrnn_optimizer_set_group_param(opt, 0, CCRNN_GROUP_FROZEN, 1));
    for (int k = 0; k < 3; k++) {
        ga[0] = 2.0f;
        gb[0] = 2.0f;
        CK_OK(ccrnn_optimizer_step(opt));
    }
    ck_assert_float_eq(a[0], 0.0f);
    CK_OK(ccrnn_optimizer_set_group_param(opt, 0, CCRNN_GROUP_FROZEN, 0));
    ga[0] = 2.0f;
    gb[0] = 0.0f;
    CK_OK(ccrnn_optimizer_step(opt));
    ck_assert_float_eq_tol(a[0], -0.1f * (float)(2.0 / (2.0 + 1e-8)), 1e-6f);
    ccrnn_optimizer_destroy(opt);
}
END_TEST

START_TEST(test_lr_scale)
{
    float a[1] = {0}, ga[1] = {1}, b[1] = {0}, gb[1] = {1};
    ccrnn_optimizer *opt = plain_sgd(0.0);
    CK_OK(ccrnn_optimizer_set_param(opt, CCRNN_PARAM_LR, 0.5));
    CK_OK(ccrnn_optimizer_add_params(opt, a, ga, 1, NULL));
    CK_OK(ccrnn_optimizer_add_params(opt, b, gb, 1, NULL));
    double v;
    CK_OK(ccrnn_optimizer_get_group_param(opt, 1, CCRNN_GROUP_LR_SCALE, &v));
    ck_assert_double_eq(v, 1.0);
    CK_OK(ccrnn_optimizer_set_group_param(opt, 1, CCRNN_GROUP_LR_SCALE, 0.25));
    CK_OK(ccrnn_optimizer_step(opt));
    ck_assert_float_eq(a[0], -0.5f);
    ck_assert_float_eq(b[0], -0.125f);
    ccrnn_optimizer_destroy(opt);
}
END_TEST

/* A cerebellum group is left alone while ABLATED or IO_LESION is set, its gradients
 * still zeroed; it moves again when the flag is cleared. */
static void check_cerebellum_flag(int param)
{
    ccrnn_cerebellum *cb;
    ccrnn_optimizer *opt = plain_sgd(0.0);
    CK_OK(ccrnn_cerebellum_create(3, 0, 2, 1, 4, 2, 1, 0, &cb));
    CK_OK(ccrnn_optimizer_add_cerebellum(opt, cb, NULL));
    const float *values;
    float *grads;
    size_t n;
    CK_OK(ccrnn_cerebellum_params(cb, &values, &grads, &n));
    float *before = falloc(n);
    memcpy(before, values, n * sizeof(float));
    CK_OK(ccrnn_cerebellum_set_param(cb, param, 1));
    for (size_t i = 0; i < n; i++) grads[i] = 0.5f;
    CK_OK(ccrnn_optimizer_step(opt));
    ck_assert_mem_eq(values, before, n * sizeof(float));
    for (size_t i = 0; i < n; i++) ck_assert_float_eq(grads[i], 0.0f);
    CK_OK(ccrnn_cerebellum_set_param(cb, param, 0));
    for (size_t i = 0; i < n; i++) grads[i] = 0.5f;
    CK_OK(ccrnn_optimizer_step(opt));
    for (size_t i = 0; i < n; i++) ck_assert_float_eq(values[i], before[i] - 0.5f);
    free(before);
    ccrnn_optimizer_destroy(opt);
    ccrnn_cerebellum_destroy(cb);
}

START_TEST(test_cerebellum_ablated_not_updated)
{
    check_cerebellum_flag(CCRNN_PARAM_ABLATED);
}
END_TEST

START_TEST(test_cerebellum_lesioned_not_updated)
{
    check_cerebellum_flag(CCRNN_PARAM_IO_LESION);
}
END_TEST

/* Cortex, cerebellum and host groups in one optimizer: step updates and zeroes all;
 * zero_grad zeroes without updating. */
START_TEST(test_step_and_zero_grad_all_groups)
{
    ccrnn_cortex *cx;
    ccrnn_cerebellum *cb;
    float host[3] = {0, 0, 0}, hg[3] = {1, 1, 1};
    CK_OK(ccrnn_cortex_create(CCRNN_CELL_TANH, 2, 3, 1, 1, 2, 1, &cx));
    CK_OK(ccrnn_cerebellum_create(3, 0, 3, 1, 4, 1, 1, 0, &cb));
    ccrnn_optimizer *opt = plain_sgd(0.0);
    size_t g0, g1, g2;
    CK_OK(ccrnn_optimizer_add_cortex(opt, cx, &g0));
    CK_OK(ccrnn_optimizer_add_cerebellum(opt, cb, &g1));
    CK_OK(ccrnn_optimizer_add_params(opt, host, hg, 3, &g2));
    ck_assert(g0 == 0 && g1 == 1 && g2 == 2);
    const float *cv, *bv;
    float *cg, *bg;
    size_t nc, nb;
    CK_OK(ccrnn_cortex_params(cx, &cv, &cg, &nc));
    CK_OK(ccrnn_cerebellum_params(cb, &bv, &bg, &nb));
    float *cv0 = falloc(nc), *bv0 = falloc(nb);
    memcpy(cv0, cv, nc * sizeof(float));
    memcpy(bv0, bv, nb * sizeof(float));
    for (size_t i = 0; i < nc; i++) cg[i] = 0.25f;
    for (size_t i = 0; i < nb; i++) bg[i] = 0.5f;
    CK_OK(ccrnn_optimizer_zero_grad(opt));
    for (size_t i = 0; i < nc; i++) ck_assert(cg[i] == 0.0f && cv[i] == cv0[i]);
    for (size_t i = 0; i < nb; i++) ck_assert(bg[i] == 0.0f && bv[i] == bv0[i]);
    ck_assert(hg[0] == 0.0f && host[0] == 0.0f);
    for (size_t i = 0; i < nc; i++) cg[i] = 0.25f;
    for (size_t i = 0; i < nb; i++) bg[i] = 0.5f;
    hg[1] = 2.0f;
    CK_OK(ccrnn_optimizer_step(opt));
    for (size_t i = 0; i < nc; i++) ck_assert(cg[i] == 0.0f && cv[i] == cv0[i] - 0.25f);
    for (size_t i = 0; i < nb; i++) ck_assert(bg[i] == 0.0f && bv[i] == bv0[i] - 0.5f);
    ck_assert(host[1] == -2.0f && hg[1] == 0.0f);
    free(cv0);
    free(bv0);
    ccrnn_optimizer_destroy(opt);
    ccrnn_cerebellum_destroy(cb);
    ccrnn_cortex_destroy(cx);
}
END_TEST

START_TEST(test_nonfinite_norm_updates_nothing)
{
    float a[2] = {1, 2}, ga[2] = {1, 0}, b[1] = {3}, gb[1];
    gb[0] = (float)NAN;
    ccrnn_optimizer *opt = plain_sgd(1.0);
    CK_OK(ccrnn_optimizer_add_params(opt, a, ga, 2, NULL));
    CK_OK(ccrnn_optimizer_add_params(opt, b, gb, 1, NULL));
    CK_STATUS(ccrnn_optimizer_step(opt), CCRNN_ERR_NUMERIC);
    ck_assert(a[0] == 1 && a[1] == 2 && b[0] == 3);
    ck_assert(ga[0] == 1 && isnan(gb[0])); /* kept for inspection */
    double steps;
    CK_OK(ccrnn_optimizer_get_param(opt, CCRNN_PARAM_STEPS, &steps));
    ck_assert_double_eq(steps, 0);
    gb[0] = (float)INFINITY;
    CK_STATUS(ccrnn_optimizer_step(opt), CCRNN_ERR_NUMERIC);
    gb[0] = 0;
    CK_OK(ccrnn_optimizer_step(opt));
    ck_assert_float_eq_tol(a[0], (float)(1 - 1 / (1 + 1e-6)), 1e-7f);
    ccrnn_optimizer_destroy(opt);
}
END_TEST

/* The update pass may flush denormals internally; the caller's floating-point mode must
 * be as it was afterwards (a denormal product stays denormal). */
START_TEST(test_step_keeps_caller_fp_mode)
{
    float a[4] = {1e-38f, 0, 0, 0}, ga[4] = {1e-39f, 1, 2, 3};
    ccrnn_optimizer *opt;
    CK_OK(ccrnn_optimizer_create(CCRNN_OPT_ADAM, &opt));
    CK_OK(ccrnn_optimizer_add_params(opt, a, ga, 4, NULL));
    CK_OK(ccrnn_optimizer_step(opt));
    volatile float tiny = 1e-38f, scale = 1e-3f;
    float product = tiny * scale;
    ck_assert(product != 0.0f && product < 1.1754944e-38f);
    ccrnn_optimizer_destroy(opt);
}
END_TEST

/* One window of a tiny cortex with an output gradient, accumulated into its gradients. */
static void cortex_window(ccrnn_cortex *cx)
{
    float x[2] = {0.5f, -0.25f}, y[1], dy[1];
    CK_OK(ccrnn_cortex_begin_window(cx));
    CK_OK(ccrnn_cortex_forward(cx, x, 2, y, 1));
    dy[0] = y[0] - 1.0f;
    CK_OK(ccrnn_cortex_output_grad(cx, 0, dy, 1));
    CK_OK(ccrnn_cortex_backward(cx, NULL, 0, NULL, 0));
}

/* The step skips its O(n) check pass when a bound from the last step's maxima proves
 * the update finite.  Weights written by the host since then must void that bound:
 * SGD with lr 1 and weight decay 3 doubles every weight's magnitude per step, so a gate
 * bias set to 2e38 (the gate saturates; the forward stays finite) would become -4e38;
 * the step must be refused and change nothing. */
START_TEST(test_bound_void_after_host_write)
{
    ccrnn_cortex *cx;
    ccrnn_optimizer *opt;
    CK_OK(ccrnn_cortex_create(CCRNN_CELL_LSTM, 2, 3, 1, 1, 1, 5, &cx));
    CK_OK(ccrnn_optimizer_create(CCRNN_OPT_SGD, &opt));
    CK_OK(ccrnn_optimizer_set_param(opt, CCRNN_PARAM_LR, 1.0));
    CK_OK(ccrnn_optimizer_set_param(opt, CCRNN_PARAM_WEIGHT_DECAY, 3.0));
    CK_OK(ccrnn_optimizer_add_cortex(opt, cx, NULL));
    for (int k = 0; k < 2; k++) { /* the second step may take the bound's fast path */
        cortex_window(cx);
        CK_OK(ccrnn_optimizer_step(opt));
    }
    float b[12];
    CK_OK(ccrnn_cortex_get_tensor(cx, "bias_hh_l0", b, 12));
    b[0] = 2e38f;
    CK_OK(ccrnn_cortex_set_tensor(cx, "bias_hh_l0", b, 12));
    cortex_window(cx);
    const float *v;
    size_t n;
    CK_OK(ccrnn_cortex_params(cx, &v, NULL, &n));
    float *before = malloc(n * sizeof *before);
    memcpy(before, v, n * sizeof *before);
    CK_STATUS(ccrnn_optimizer_step(opt), CCRNN_ERR_NUMERIC);
    ck_assert_mem_eq(v, before, n * sizeof *before);
    free(before);
    ccrnn_optimizer_destroy(opt);
    ccrnn_cortex_destroy(cx);
}
END_TEST

/* The accumulation checks keep a bound on max |g| instead of scanning; once the host
 * holds the writable gradient view, a value it writes there must still be seen: a
 * gradient above 2^126 makes the next backward refuse to accumulate, as in 0.2. */
START_TEST(test_gradient_view_writes_are_seen)
{
    ccrnn_cortex *cx;
    CK_OK(ccrnn_cortex_create(CCRNN_CELL_LSTM, 2, 3, 1, 1, 1, 5, &cx));
    cortex_window(cx); /* the bound is now known and small */
    const float *v;
    float *g;
    size_t n;
    CK_OK(ccrnn_cortex_params(cx, &v, &g, &n));
    g[n - 1] = 1e38f;
    float x[2] = {0.5f, -0.25f}, y[1], dy[1] = {1.0f};
    CK_OK(ccrnn_cortex_begin_window(cx));
    CK_OK(ccrnn_cortex_forward(cx, x, 2, y, 1));
    CK_OK(ccrnn_cortex_output_grad(cx, 0, dy, 1));
    float g0 = g[0];
    CK_STATUS(ccrnn_cortex_backward(cx, NULL, 0, NULL, 0), CCRNN_ERR_NUMERIC);
    ck_assert_float_eq(g[0], g0);
    ck_assert_float_eq(g[n - 1], 1e38f);
    ccrnn_cortex_destroy(cx);
}
END_TEST

Suite *optimizer_suite(void)
{
    Suite *s = suite_create("optimizer");
    TCase *tc = tcase_create("rules");
    tcase_add_test(tc, test_adam);
    tcase_add_test(tc, test_adam_weight_decay);
    tcase_add_test(tc, test_sgd_plain);
    tcase_add_test(tc, test_sgd_momentum);
    tcase_add_test(tc, test_rmsprop);
    tcase_add_test(tc, test_rmsprop_momentum);
    tcase_add_test(tc, test_defaults);
    suite_add_tcase(s, tc);
    tc = tcase_create("clip_and_groups");
    tcase_add_test(tc, test_clip_global_norm);
    tcase_add_test(tc, test_clip_inactive_below_max);
    tcase_add_test(tc, test_clip_off);
    tcase_add_test(tc, test_frozen_group);
    tcase_add_test(tc, test_frozen_adam_keeps_state);
    tcase_add_test(tc, test_lr_scale);
    tcase_add_test(tc, test_cerebellum_ablated_not_updated);
    tcase_add_test(tc, test_cerebellum_lesioned_not_updated);
    tcase_add_test(tc, test_step_and_zero_grad_all_groups);
    tcase_add_test(tc, test_nonfinite_norm_updates_nothing);
    tcase_add_test(tc, test_step_keeps_caller_fp_mode);
    tcase_add_test(tc, test_bound_void_after_host_write);
    tcase_add_test(tc, test_gradient_view_writes_are_seen);
    suite_add_tcase(s, tc);
    return s;
}
