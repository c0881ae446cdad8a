/* The 0.2 additions to the step-wise API: ccrnn_window_end against the calls it
 * composes, the probe (ccrnn_cortex_sync) against a finite-difference gradient, the
 * reference inferior-olive lesion, set_values, the mask under the optimizer, and
 * ccrnn_param_bounds against the setters. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <ccrnn/ccrnn_experimental.h>

#include "test-util.h"

enum { I = 3, H = 4, O = 2, B = 2, T = 3, Z = 2 * H };

typedef struct pair {
    ccrnn_cortex *cx;
    ccrnn_cerebellum *cb;
} pair;

static pair make_pair(uint64_t seed)
{
    pair p;
    CK_OK(ccrnn_cortex_create(CCRNN_CELL_LSTM, I, H, O, B, T, seed, &p.cx));
    CK_OK(ccrnn_cerebellum_create(Z, 0, Z, 1, 6, B, seed + 1, CCRNN_CEREBELLUM_ZERO_LAST_WEIGHT_ONLY,
                                  &p.cb));
    randomize_cerebellum(p.cb, seed + 2, 0.5);
    return p;
}

static void free_pair(pair *p)
{
    ccrnn_cortex_destroy(p->cx);
    ccrnn_cerebellum_destroy(p->cb);
}

/* Run one window of T steps with an output gradient at every step. */
static void run_window(ccrnn_cortex *cx, uint64_t seed)
{
    ts_rng rng;
    ts_rng_seed(&rng, seed);
    float x[B * I], y[B * O], dy[B * O];
    CK_OK(ccrnn_cortex_begin_window(cx));
    for (size_t t = 0; t < T; t++) {
        ts_rng_fill(&rng, x, B * I, -1, 1);
        CK_OK(ccrnn_cortex_forward(cx, x, B * I, y, B * O));
        for (size_t i = 0; i < B * O; i++) dy[i] = y[i] - 0.5f;
        CK_OK(ccrnn_cortex_output_grad(cx, t, dy, B * O));
    }
}

typedef struct outcome {
    float dz_start[B * Z];
    double cb_loss;
    float *cx_grads, *cb_grads;
    size_t ncx, ncb;
} outcome;

static void snapshot(pair *p, outcome *o)
{
    float *g;
    CK_OK(ccrnn_cortex_params(p->cx, NULL, &g, &o->ncx));
    o->cx_grads = falloc(o->ncx);
    memcpy(o->cx_grads, g, o->ncx * sizeof(float));
    CK_OK(ccrnn_cerebellum_params(p->cb, NULL, &g, &o->ncb));
    o->cb_grads = falloc(o->ncb);
    memcpy(o->cb_grads, g, o->ncb * sizeof(float));
}

/* flags as ccrnn_window_end; by hand: the same calls spelt out. */
static void window_end_by_hand(pair *p, double scale, unsigned flags, outcome *o)
{
    float dz_end[B * Z];
    int inject = !(flags & CCRNN_WINDOW_NO_SYNTHETIC) && scale != 0.0;
    if (inject) CK_OK(ccrnn_synthetic_gradient(p->cb, p->cx, NULL, 0, scale, dz_end, B * Z));
    CK_OK(ccrnn_cortex_backward(p->cx, inject ? dz_end : NULL, inject ? B * Z : 0, o->dz_start,
                                B * Z));
    o->cb_loss = 0.0;
    if (!(flags & CCRNN_WINDOW_NO_LEARN))
        CK_OK(ccrnn_synthetic_gradient_learn(p->cb, p->cx, NULL, 0, o->dz_start, B * Z, &o->cb_loss));
}

START_TEST(test_window_end_equals_the_steps)
{
    const unsigned flags = (unsigned)_i;
    outcome a, b;
    for (int k = 0; k < 2; k++) {
        pair p = make_pair(7);
        /* Two windows, so the second starts from a state the cerebellum predicted at. */
        for (int w = 0; w < 2; w++) {
            run_window(p.cx, 100 + (uint64_t)w);
            outcome *o = k ? &b : &a;
            if (k)
                window_end_by_hand(&p, 0.1, flags, o);
            else
                CK_OK(ccrnn_window_end(p.cx, p.cb, NULL, 0, 0.1, flags, o->dz_start, B * Z,
                                       &o->cb_loss));
        }
        snapshot(&p, k ? &b : &a);
        free_pair(&p);
    }
    ck_assert_mem_eq(a.dz_start, b.dz_start, sizeof a.dz_start);
    ck_assert(a.cb_loss == b.cb_loss);
    ck_assert_mem_eq(a.cx_grads, b.cx_grads, a.ncx * sizeof(float));
    ck_assert_mem_eq(a.cb_grads, b.cb_grads, a.ncb * sizeof(float));
    if (!(flags & CCRNN_WINDOW_NO_LEARN)) ck_assert(a.cb_loss > 0.0);
    free(a.cx_grads); free(a.cb_grads); free(b.cx_grads); free(b.cb_grads);
}
END_TEST

START_TEST(test_window_end_without_cerebellum_is_plain_backward)
{
    ccrnn_cortex *cx[2];
    float dz[2][B * Z];
    for (int k = 0; k < 2; k++) {
        CK_OK(ccrnn_cortex_create(CCRNN_CELL_GRU, I, H, O, B, T, 3, &cx[k]));
        run_window(cx[k], 5);
    }
    CK_OK(ccrnn_window_end(cx[0], NULL, NULL, 0, 0.1, 0, dz[0], B * H, NULL));
    CK_OK(ccrnn_cortex_backward(cx[1], NULL, 0, dz[1], B * H));
    ck_assert_mem_eq(dz[0], dz[1], B * H * sizeof(float));
    for (int k = 0; k < 2; k++) ccrnn_cortex_destroy(cx[k]);
}
END_TEST

START_TEST(test_window_end_checks_before_changing)
{
    pair p = make_pair(9);
    double loss = -1;
    float dz[B * Z];
    /* No steps yet: STATE, and nothing predicted or learned. */
    CK_STATUS(ccrnn_window_end(p.cx, p.cb, NULL, 0, 0.1, 0, NULL, 0, &loss), CCRNN_ERR_STATE);
    CK_STATUS(ccrnn_cerebellum_hidden(p.cb, 0, dz, B * 6), CCRNN_ERR_STATE);
    ck_assert(loss == -1);
    run_window(p.cx, 3);
    CK_STATUS(ccrnn_window_end(p.cx, p.cb, NULL, 0, 0.1, 4, NULL, 0, NULL), CCRNN_ERR_ARG);
    CK_STATUS(ccrnn_window_end(p.cx, p.cb, NULL, 0, NAN, 0, NULL, 0, NULL), CCRNN_ERR_ARG);
    CK_STATUS(ccrnn_window_end(p.cx, p.cb, NULL, 0, 0.1, 0, dz, B * Z - 1, NULL), CCRNN_ERR_SHAPE);
    CK_STATUS(ccrnn_window_end(p.cx, NULL, dz, 1, 0.1, 0, NULL, 0, NULL), CCRNN_ERR_SHAPE);
    CK_STATUS(ccrnn_window_end(NULL, p.cb, NULL, 0, 0.1, 0, NULL, 0, NULL), CCRNN_ERR_NULL);
    float *g;
    size_t n;
    CK_OK(ccrnn_cortex_params(p.cx, NULL, &g, &n));
    for (size_t i = 0; i < n; i++) ck_assert_float_eq(g[i], 0.0f);
    CK_STATUS(ccrnn_cerebellum_hidden(p.cb, 0, dz, B * 6), CCRNN_ERR_STATE);
    CK_OK(ccrnn_window_end(p.cx, p.cb, NULL, 0, 0.1, 0, NULL, 0, NULL));
    CK_STATUS(ccrnn_window_end(p.cx, p.cb, NULL, 0, 0.1, 0, NULL, 0, NULL), CCRNN_ERR_STATE);
    free_pair(&p);
}
END_TEST

/* ---- the probe -------------------------------------------------------------------- */

/* Loss of the rest of a sequence from state z: L = sum over steps of sum (y - 0.5)^2 / 2,
 * run by a probe; its backward gives dL/dz, checked by central differences. */
static double rest_loss(ccrnn_cortex *probe, const ccrnn_cortex *src, const float *z, int backward,
                        float *dz)
{
    CK_OK(ccrnn_cortex_sync(probe, src));
    CK_OK(ccrnn_cortex_set_state(probe, z, B * Z));
    ts_rng rng;
    ts_rng_seed(&rng, 42);
    float x[B * I], y[B * O], dy[B * O];
    double loss = 0;
    for (size_t t = 0; t < 2 * T; t++) {
        ts_rng_fill(&rng, x, B * I, -1, 1);
        CK_OK(ccrnn_cortex_forward(probe, x, B * I, y, B * O));
        for (size_t i = 0; i < B * O; i++) {
            loss += 0.5 * ((double)y[i] - 0.5) * ((double)y[i] - 0.5);
            dy[i] = y[i] - 0.5f;
        }
        if (backward) CK_OK(ccrnn_cortex_output_grad(probe, t, dy, B * O));
    }
    if (backward) CK_OK(ccrnn_cortex_backward(probe, NULL, 0, dz, B * Z));
    return loss;
}

START_TEST(test_probe_gives_the_true_gradient_and_leaves_the_source)
{
    ccrnn_cortex *cx, *probe;
    CK_OK(ccrnn_cortex_create(CCRNN_CELL_LSTM, I, H, O, B, T, 4, &cx));
    CK_OK(ccrnn_cortex_create(CCRNN_CELL_LSTM, I, H, O, B, 2 * T, 99, &probe));
    run_window(cx, 8); /* the source has a tape, a state and no gradients yet */
    CK_OK(ccrnn_cortex_backward(cx, NULL, 0, NULL, 0));
    size_t n;
    const float *v;
    float *g;
    CK_OK(ccrnn_cortex_params(cx, &v, &g, &n));
    float *v0 = falloc(n), *g0 = falloc(n), z[B * Z], zs[B * Z], dz[B * Z];
    memcpy(v0, v, n * sizeof(float));
    memcpy(g0, g, n * sizeof(float));
    CK_OK(ccrnn_cortex_get_state(cx, z, B * Z));
    rest_loss(probe, cx, z, 1, dz);
    for (size_t i = 0; i < B * Z; i++) {
        const float h = 1e-2f;
        memcpy(zs, z, sizeof zs);
        zs[i] = z[i] + h;
        double up = rest_loss(probe, cx, zs, 0, NULL);
        zs[i] = z[i] - h;
        double down = rest_loss(probe, cx, zs, 0, NULL);
        double fd = (up - down) / (2.0 * h);
        ck_assert_msg(fabs(fd - dz[i]) <= 2e-3 * (1.0 + fabs(fd)), "dz[%zu] %g, central difference %g",
                      i, (double)dz[i], fd);
    }
    /* The source is only read: same weights, gradients and state. */
    ck_assert_mem_eq(v, v0, n * sizeof(float));
    ck_assert_mem_eq(g, g0, n * sizeof(float));
    float z2[B * Z];
    CK_OK(ccrnn_cortex_get_state(cx, z2, B * Z));
    ck_assert_mem_eq(z, z2, sizeof z);
    /* Sync clears the probe's gradients. */
    CK_OK(ccrnn_cortex_sync(probe, cx));
    CK_OK(ccrnn_cortex_params(probe, NULL, &g, &n));
    for (size_t i = 0; i < n; i++) ck_assert_float_eq(g[i], 0.0f);
    ccrnn_cortex *other;
    CK_OK(ccrnn_cortex_create(CCRNN_CELL_LSTM, I, H + 1, O, B, T, 4, &other));
    CK_STATUS(ccrnn_cortex_sync(other, cx), CCRNN_ERR_SHAPE);
    ccrnn_cortex_destroy(other);
    free(v0); free(g0);
    ccrnn_cortex_destroy(cx);
    ccrnn_cortex_destroy(probe);
}
END_TEST

/* ---- lesions, set_values, mask ------------------------------------------------------ */

START_TEST(test_reference_lesion_keeps_and_counts_gradients)
{
    ccrnn_cerebellum *cb;
    ccrnn_optimizer *opt;
    CK_OK(ccrnn_cerebellum_create(3, 0, 2, 1, 4, 2, 1, CCRNN_CEREBELLUM_ZERO_LAST_WEIGHT_ONLY, &cb));
    randomize_cerebellum(cb, 3, 0.5);
    CK_OK(ccrnn_optimizer_create(CCRNN_OPT_ADAM, &opt));
    CK_OK(ccrnn_optimizer_add_cerebellum(opt, cb, NULL));
    CK_OK(ccrnn_cerebellum_set_param(cb, CCRNN_PARAM_IO_LESION, 2));
    float in[6] = {1, -1, 0.5f, 0.2f, 0.3f, -0.7f}, target[4] = {1, 2, 3, 4}, out[4], before[4];
    double loss;
    CK_OK(ccrnn_cerebellum_predict(cb, 2, in, 6, NULL, 0, before, 4));
    CK_OK(ccrnn_cerebellum_learn(cb, 2, in, 6, NULL, 0, target, 4, &loss));
    ck_assert(loss > 0.0); /* still computed */
    const float *v;
    float *g;
    size_t n;
    CK_OK(ccrnn_cerebellum_params(cb, &v, &g, &n));
    float *g1 = falloc(n), *v0 = falloc(n);
    memcpy(g1, g, n * sizeof(float));
    memcpy(v0, v, n * sizeof(float));
    double sq = 0;
    for (size_t i = 0; i < n; i++) sq += (double)g1[i] * g1[i];
    CK_OK(ccrnn_optimizer_step(opt));
    double norm;
    CK_OK(ccrnn_optimizer_get_param(opt, CCRNN_PARAM_GRAD_NORM, &norm));
    ck_assert_double_eq_tol(norm, sqrt(sq), 1e-6 * sqrt(sq)); /* counted in the norm */
    ck_assert_mem_eq(v, v0, n * sizeof(float));                /* never applied */
    ck_assert_mem_eq(g, g1, n * sizeof(float));                /* never zeroed */
    CK_OK(ccrnn_cerebellum_learn(cb, 2, in, 6, NULL, 0, target, 4, NULL));
    for (size_t i = 0; i < n; i++) ck_assert_float_eq_tol(g[i], 2 * g1[i], 1e-6f * (1 + fabsf(g1[i])));
    CK_OK(ccrnn_cerebellum_predict(cb, 2, in, 6, NULL, 0, out, 4));
    ck_assert_mem_eq(out, before, sizeof out); /* still predicts, unchanged */
    free(g1); free(v0);
    ccrnn_optimizer_destroy(opt);
    ccrnn_cerebellum_destroy(cb);
}
END_TEST

START_TEST(test_masked_weights_stay_zero_under_the_optimizer)
{
    ccrnn_cerebellum *cb;
    ccrnn_optimizer *opt;
    CK_OK(ccrnn_cerebellum_create(6, 0, 2, 1, 5, 1, 1, 0, &cb));
    CK_OK(ccrnn_cerebellum_set_fibres(cb, 2, 9));
    CK_OK(ccrnn_optimizer_create(CCRNN_OPT_SGD, &opt));
    CK_OK(ccrnn_optimizer_set_param(opt, CCRNN_PARAM_LR, 1));
    CK_OK(ccrnn_optimizer_add_cerebellum(opt, cb, NULL));
    float *g;
    size_t n;
    CK_OK(ccrnn_cerebellum_params(cb, NULL, &g, &n));
    for (size_t i = 0; i < n; i++) g[i] = 1.0f; /* e.g. summed from elsewhere */
    CK_OK(ccrnn_optimizer_step(opt));
    float w[5 * 6];
    CK_OK(ccrnn_cerebellum_get_tensor(cb, "0.weight", w, 30));
    size_t zeros = 0;
    for (size_t i = 0; i < 30; i++) zeros += w[i] == 0.0f;
    ck_assert_uint_eq(zeros, 5 * 4);
    /* set_values keeps them at zero too. */
    const float *v;
    CK_OK(ccrnn_cerebellum_params(cb, &v, NULL, &n));
    float *ones = falloc(n);
    for (size_t i = 0; i < n; i++) ones[i] = 1.0f;
    CK_OK(ccrnn_cerebellum_set_values(cb, ones, n));
    zeros = 0;
    for (size_t i = 0; i < 30; i++) zeros += v[i] == 0.0f;
    ck_assert_uint_eq(zeros, 5 * 4);
    ones[0] = NAN;
    CK_STATUS(ccrnn_cerebellum_set_values(cb, ones, n), CCRNN_ERR_NUMERIC);
    CK_STATUS(ccrnn_cerebellum_set_values(cb, ones, n - 1), CCRNN_ERR_SHAPE);
    free(ones);
    ccrnn_optimizer_destroy(opt);
    ccrnn_cerebellum_destroy(cb);
}
END_TEST

START_TEST(test_param_bounds_agree_with_the_setters)
{
    ccrnn_cortex *cx;
    ccrnn_cerebellum *cb;
    ccrnn_optimizer *opt;
    CK_OK(ccrnn_cortex_create(CCRNN_CELL_TANH, 1, 2, 1, 1, 1, 1, &cx));
    CK_OK(ccrnn_cerebellum_create(2, 0, 2, 0, 0, 1, 1, 0, &cb));
    CK_OK(ccrnn_optimizer_create(CCRNN_OPT_ADAM, &opt));
    const int params[] = {CCRNN_PARAM_THREADS, CCRNN_PARAM_TRAINING, CCRNN_PARAM_ABLATED,
                          CCRNN_PARAM_IO_LESION, CCRNN_PARAM_LOSS_MEAN, CCRNN_PARAM_LR,
                          CCRNN_PARAM_BETA1, CCRNN_PARAM_BETA2, CCRNN_PARAM_EPS,
                          CCRNN_PARAM_WEIGHT_DECAY, CCRNN_PARAM_MOMENTUM, CCRNN_PARAM_ALPHA,
                          CCRNN_PARAM_CLIP_NORM};
    for (size_t i = 0; i < sizeof params / sizeof params[0]; i++) {
        double lo, hi;
        CK_OK(ccrnn_param_bounds(params[i], &lo, &hi));
        ck_assert(lo <= hi);
        int on_cx = params[i] <= CCRNN_PARAM_TRAINING, on_cb = params[i] == CCRNN_PARAM_THREADS ||
                    (params[i] >= CCRNN_PARAM_ABLATED && params[i] <= CCRNN_PARAM_LOSS_MEAN);
        double probes[4] = {lo, hi, nextafter(lo, -INFINITY), nextafter(hi, INFINITY)};
        for (int k = 0; k < 4; k++) {
            int want = k < 2 ? CCRNN_OK : CCRNN_ERR_ARG;
            if (on_cx) CK_STATUS(ccrnn_cortex_set_param(cx, params[i], probes[k]), want);
            if (on_cb) CK_STATUS(ccrnn_cerebellum_set_param(cb, params[i], probes[k]), want);
            if (!on_cx && !on_cb) CK_STATUS(ccrnn_optimizer_set_param(opt, params[i], probes[k]), want);
        }
    }
    double lo, hi;
    CK_STATUS(ccrnn_param_bounds(CCRNN_PARAM_GRAD_NORM, &lo, &hi), CCRNN_ERR_ARG);
    CK_STATUS(ccrnn_param_bounds(12345, &lo, &hi), CCRNN_ERR_ARG);
    CK_STATUS(ccrnn_param_bounds(CCRNN_PARAM_LR, NULL, &hi), CCRNN_ERR_NULL);
    ccrnn_optimizer_destroy(opt);
    ccrnn_cerebellum_destroy(cb);
    ccrnn_cortex_destroy(cx);
}
END_TEST

Suite *window_end_suite(void)
{
    Suite *s = suite_create("window_end");
    TCase *tc = tcase_create("window_end");
    tcase_add_loop_test(tc, test_window_end_equals_the_steps, 0, 4);
    tcase_add_test(tc, test_window_end_without_cerebellum_is_plain_backward);
    tcase_add_test(tc, test_window_end_checks_before_changing);
    suite_add_tcase(s, tc);
    tc = tcase_create("probe");
    tcase_add_test(tc, test_probe_gives_the_true_gradient_and_leaves_the_source);
    suite_add_tcase(s, tc);
    tc = tcase_create("lesion_mask_bounds");
    tcase_add_test(tc, test_reference_lesion_keeps_and_counts_gradients);
    tcase_add_test(tc, test_masked_weights_stay_zero_under_the_optimizer);
    tcase_add_test(tc, test_param_bounds_agree_with_the_setters);
    suite_add_tcase(s, tc);
    return s;
}
