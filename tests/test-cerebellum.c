/* Behaviour of the cerebellum and of the synthetic-gradient glue: tensor table,
 * zeroed last layer, hand-set exact outputs, ablation and inferior-olive lesion, the
 * forward cache, clone, the loss normalisation, threads. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test-util.h"

START_TEST(test_tensor_table)
{
    size_t n_hidden = (size_t)_i, n_in = 4, n_ctx = 2, n_out = 3, width = 5;
    ccrnn_cerebellum *cb;
    CK_OK(ccrnn_cerebellum_create(n_in, n_ctx, n_out, n_hidden, width, 2, 1, 0, &cb));
    size_t count, n, off = 0;
    const float *values;
    CK_OK(ccrnn_cerebellum_tensor_count(cb, &count));
    ck_assert_uint_eq(count, 2 * (n_hidden + 1));
    CK_OK(ccrnn_cerebellum_params(cb, &values, NULL, &n));
    for (size_t l = 0; l <= n_hidden; l++) {
        size_t fan_in = l == 0 ? n_in + n_ctx : width, fan_out = l == n_hidden ? n_out : width;
        for (size_t k = 0; k < 2; k++) {
            const char *name;
            size_t r, c, o;
            char want[32];
            snprintf(want, sizeof want, "%zu.%s", 2 * l, k ? "bias" : "weight");
            CK_OK(ccrnn_cerebellum_tensor_info(cb, 2 * l + k, &name, &r, &c, &o));
            ck_assert_str_eq(name, want);
            ck_assert_uint_eq(r, fan_out);
            ck_assert_uint_eq(c, k ? 0 : fan_in); /* biases are 1-D */
            ck_assert_uint_eq(o, off);
            size_t numel = r * (c ? c : 1);
            float *buf = falloc(numel);
            for (size_t i = 0; i < numel; i++) buf[i] = (float)(l * 10 + k) + 0.5f;
            CK_OK(ccrnn_cerebellum_set_tensor(cb, name, buf, numel));
            ck_assert_mem_eq(values + o, buf, numel * sizeof(float));
            fill_sentinel(buf, numel);
            CK_OK(ccrnn_cerebellum_get_tensor(cb, name, buf, numel));
            ck_assert_mem_eq(values + o, buf, numel * sizeof(float));
            free(buf);
            off += numel;
        }
    }
    ck_assert_uint_eq(off, n);
    ccrnn_cerebellum_destroy(cb);
}
END_TEST

START_TEST(test_shape_and_defaults)
{
    ccrnn_cerebellum *cb;
    CK_OK(ccrnn_cerebellum_create(6, 2, 6, 2, 9, 5, 1, 0, &cb));
    size_t a, b, c, d, e, f;
    CK_OK(ccrnn_cerebellum_shape(cb, &a, &b, &c, &d, &e, &f));
    ck_assert(a == 6 && b == 2 && c == 6 && d == 2 && e == 9 && f == 5);
    CK_OK(ccrnn_cerebellum_shape(cb, NULL, NULL, NULL, NULL, NULL, NULL));
    const int params[4] = {CCRNN_PARAM_THREADS, CCRNN_PARAM_ABLATED, CCRNN_PARAM_IO_LESION,
                           CCRNN_PARAM_LOSS_MEAN};
    const double want[4] = {1, 0, 0, 0};
    for (size_t i = 0; i < 4; i++) {
        double v;
        CK_OK(ccrnn_cerebellum_get_param(cb, params[i], &v));
        ck_assert_double_eq(v, want[i]);
    }
    ccrnn_cerebellum_destroy(cb);
}
END_TEST

/* The reference zeroes the last layer, so the first prediction is exactly zero;
 * ZERO_LAST_WEIGHT_ONLY keeps the bias's PyTorch initialisation. */
START_TEST(test_zero_last_layer)
{
    ccrnn_cerebellum *cb;
    float in[2 * 4] = {1, 2, 3, 4, -1, -2, -3, -4}, out[2 * 3], bias[3];
    CK_OK(ccrnn_cerebellum_create(4, 0, 3, 1, 8, 2, 5, CCRNN_CEREBELLUM_DEFAULT, &cb));
    CK_OK(ccrnn_cerebellum_predict(cb, 2, in, 8, NULL, 0, out, 6));
    for (size_t i = 0; i < 6; i++) ck_assert(out[i] == 0.0f && !signbit(out[i]));
    ccrnn_cerebellum_destroy(cb);

    CK_OK(ccrnn_cerebellum_create(4, 0, 3, 1, 8, 2, 5, CCRNN_CEREBELLUM_ZERO_LAST_WEIGHT_ONLY, &cb));
    CK_OK(ccrnn_cerebellum_get_tensor(cb, "2.bias", bias, 3));
    CK_OK(ccrnn_cerebellum_predict(cb, 2, in, 8, NULL, 0, out, 6));
    float k = 1.0f / sqrtf(8.0f);
    for (size_t i = 0; i < 3; i++) {
        ck_assert(bias[i] != 0.0f && bias[i] >= -k && bias[i] <= k);
        ck_assert_float_eq(out[i], bias[i]);
        ck_assert_float_eq(out[3 + i], bias[i]);
    }
    ccrnn_cerebellum_destroy(cb);
}
END_TEST

/* in = 2 values, ctx = 1, one hidden ReLU layer of 2, one output. */
static ccrnn_cerebellum *hand_set(void)
{
    ccrnn_cerebellum *cb;
    CK_OK(ccrnn_cerebellum_create(2, 1, 1, 1, 2, 2, 1, 0, &cb));
    const float w0[6] = {1, 0, 0, 0, 1, 1}, b0[2] = {0, -1}, w1[2] = {2, -1}, b1[1] = {0.5f};
    CK_OK(ccrnn_cerebellum_set_tensor(cb, "0.weight", w0, 6));
    CK_OK(ccrnn_cerebellum_set_tensor(cb, "0.bias", b0, 2));
    CK_OK(ccrnn_cerebellum_set_tensor(cb, "2.weight", w1, 2));
    CK_OK(ccrnn_cerebellum_set_tensor(cb, "2.bias", b1, 1));
    return cb;
}

START_TEST(test_exact_outputs)
{
    ccrnn_cerebellum *cb = hand_set();
    /* Sample 0: h = relu(3, 1 + 1 - 1) = (3, 1), out = 6 - 1 + 0.5.
     * Sample 1: h = relu(-3, 0 + 0 - 1) = (0, 0), out = 0.5. */
    const float in[4] = {3, 1, -3, 0}, ctx[2] = {1, 0};
    float out[2], h[4];
    CK_OK(ccrnn_cerebellum_predict(cb, 2, in, 4, ctx, 2, out, 2));
    ck_assert_float_eq(out[0], 5.5f);
    ck_assert_float_eq(out[1], 0.5f);
    CK_OK(ccrnn_cerebellum_hidden(cb, 0, h, 4));
    ck_assert(h[0] == 3 && h[1] == 1 && h[2] == 0 && h[3] == 0);
    /* Learn toward 4.5 and 0.5: loss 1, gradient 2 (p - t) = (2, 0) at the output. */
    const float target[2] = {4.5f, 0.5f};
    double loss;
    float *grads;
    CK_OK(ccrnn_cerebellum_learn(cb, 2, in, 4, ctx, 2, target, 2, &loss));
    ck_assert_double_eq(loss, 1.0);
    CK_OK(ccrnn_cerebellum_params(cb, NULL, &grads, NULL));
    /* layers.1: dW = 2 * h = (6, 2), db = 2; layers.0: delta = 2 * w1 * relu' = (4, -2)
     * on sample 0, so dW0 rows = 4 * x and -2 * x with x = (3, 1, 1). */
    const float want[8] = {12, 4, 4, -6, -2, -2, 4, -2};
    for (size_t i = 0; i < 8; i++) ck_assert_float_eq(grads[i], want[i]);
    ck_assert_float_eq(grads[8], 6.0f);
    ck_assert_float_eq(grads[9], 2.0f);
    ck_assert_float_eq(grads[10], 2.0f);
    ccrnn_cerebellum_destroy(cb);
}
END_TEST

START_TEST(test_loss_mean)
{
    ccrnn_cerebellum *a = hand_set(), *b = hand_set();
    CK_OK(ccrnn_cerebellum_set_param(b, CCRNN_PARAM_LOSS_MEAN, 1));
    const float in[4] = {3, 1, 2, 2}, ctx[2] = {1, 1}, target[2] = {0, 1};
    double la, lb;
    CK_OK(ccrnn_cerebellum_learn(a, 2, in, 4, ctx, 2, target, 2, &la));
    CK_OK(ccrnn_cerebellum_learn(b, 2, in, 4, ctx, 2, target, 2, &lb));
    ck_assert_double_eq_tol(lb, la / 2.0, 1e-12 * la);
    float *ga, *gb;
    size_t n;
    CK_OK(ccrnn_cerebellum_params(a, NULL, &ga, &n));
    CK_OK(ccrnn_cerebellum_params(b, NULL, &gb, NULL));
    for (size_t i = 0; i < n; i++) ck_assert_float_eq_tol(gb[i], ga[i] / 2.0f, 1e-6f * (1 + fabsf(ga[i])));
    ccrnn_cerebellum_destroy(a);
    ccrnn_cerebellum_destroy(b);
}
END_TEST

/* ---- ablation and lesion ------------------------------------------------------------- */

enum { NI = 6, NO = 6, W = 8, MB = 4, BB = 3 };

static ccrnn_cerebellum *random_cerebellum(uint64_t seed)
{
    ccrnn_cerebellum *cb;
    CK_OK(ccrnn_cerebellum_create(NI, 0, NO, 1, W, MB, seed, 0, &cb));
    randomize_cerebellum(cb, seed, 0.5);
    return cb;
}

static void some_io(uint64_t seed, float *in, float *target)
{
    ts_rng rng;
    ts_rng_seed(&rng, seed);
    ts_rng_fill(&rng, in, BB * NI, -1, 1);
    ts_rng_fill(&rng, target, BB * NO, -1, 1);
}

START_TEST(test_ablated)
{
    ccrnn_cerebellum *cb = random_cerebellum(3);
    float in[BB * NI], target[BB * NO], out[BB * NO], live[BB * NO], *grads;
    size_t n;
    some_io(1, in, target);
    CK_OK(ccrnn_cerebellum_predict(cb, BB, in, BB * NI, NULL, 0, live, BB * NO));
    CK_OK(ccrnn_cerebellum_set_param(cb, CCRNN_PARAM_ABLATED, 1));
    /* Exact zeros, also where a cached forward at this input exists. */
    fill_sentinel(out, BB * NO);
    CK_OK(ccrnn_cerebellum_predict(cb, BB, in, BB * NI, NULL, 0, out, BB * NO));
    for (size_t i = 0; i < BB * NO; i++) ck_assert(out[i] == 0.0f);
    double loss = -1;
    CK_OK(ccrnn_cerebellum_learn(cb, BB, in, BB * NI, NULL, 0, target, BB * NO, &loss));
    ck_assert_double_eq(loss, 0.0);
    CK_OK(ccrnn_cerebellum_params(cb, NULL, &grads, &n));
    for (size_t i = 0; i < n; i++) ck_assert_float_eq(grads[i], 0.0f);
    /* Restored, it predicts as before. */
    CK_OK(ccrnn_cerebellum_set_param(cb, CCRNN_PARAM_ABLATED, 0));
    CK_OK(ccrnn_cerebellum_predict(cb, BB, in, BB * NI, NULL, 0, out, BB * NO));
    ck_assert_mem_eq(out, live, sizeof out);
    ccrnn_cerebellum_destroy(cb);
}
END_TEST

START_TEST(test_io_lesion)
{
    ccrnn_cerebellum *cb = random_cerebellum(4);
    float in[BB * NI], target[BB * NO], out[BB * NO], live[BB * NO], *grads;
    const float *values;
    size_t n;
    some_io(2, in, target);
    CK_OK(ccrnn_cerebellum_predict(cb, BB, in, BB * NI, NULL, 0, live, BB * NO));
    CK_OK(ccrnn_cerebellum_set_param(cb, CCRNN_PARAM_IO_LESION, 1));
    CK_OK(ccrnn_cerebellum_params(cb, &values, &grads, &n));
    float *before = falloc(n);
    memcpy(before, values, n * sizeof(float));
    /* Still predicts, the same as before the lesion. */
    CK_OK(ccrnn_cerebellum_predict(cb, BB, in, BB * NI, NULL, 0, out, BB * NO));
    ck_assert_mem_eq(out, live, sizeof out);
    double loss = -1;
    CK_OK(ccrnn_cerebellum_learn(cb, BB, in, BB * NI, NULL, 0, target, BB * NO, &loss));
    ck_assert_double_eq(loss, 0.0);
    for (size_t i = 0; i < n; i++) ck_assert_float_eq(grads[i], 0.0f);
    ck_assert_mem_eq(values, before, n * sizeof(float));
    /* Lifted, it learns again. */
    CK_OK(ccrnn_cerebellum_set_param(cb, CCRNN_PARAM_IO_LESION, 0));
    CK_OK(ccrnn_cerebellum_learn(cb, BB, in, BB * NI, NULL, 0, target, BB * NO, &loss));
    ck_assert(loss > 0.0);
    free(before);
    ccrnn_cerebellum_destroy(cb);
}
END_TEST

/* ---- forward cache, clone, threads --------------------------------------------------- */

/* Rewrite the weights with themselves: a write, so any cached forward is dropped and
 * the next learn recomputes (the reference for the cache tests). */
static void drop_cache(ccrnn_cerebellum *cb)
{
    const float *v;
    size_t n;
    CK_OK(ccrnn_cerebellum_params(cb, &v, NULL, &n));
    float *copy = falloc(n);
    memcpy(copy, v, n * sizeof(float));
    CK_OK(ccrnn_cerebellum_set_values(cb, copy, n));
    free(copy);
}

/* predict / learn / optimizer steps in the pattern of a ccRNN loop: the prediction at
 * a window end is the regression input of the next window. */
static void cache_pattern(ccrnn_cerebellum *cb, float *trace, int recompute)
{
    ccrnn_optimizer *opt;
    CK_OK(ccrnn_optimizer_create(CCRNN_OPT_ADAM, &opt));
    CK_OK(ccrnn_optimizer_set_param(opt, CCRNN_PARAM_LR, 0.01));
    CK_OK(ccrnn_optimizer_add_cerebellum(opt, cb, NULL));
    float z[3][BB * NI], out[BB * NO];
    ts_rng rng;
    ts_rng_seed(&rng, 6);
    size_t k = 0;
    for (int it = 0; it < 4; it++) {
        for (int w = 0; w < 3; w++) ts_rng_fill(&rng, z[w], BB * NI, -1, 1);
        for (int w = 1; w < 3; w++) {
            CK_OK(ccrnn_cerebellum_predict(cb, BB, z[w], BB * NI, NULL, 0, out, BB * NO));
            memcpy(trace + k, out, sizeof out);
            k += BB * NO;
            for (size_t i = 0; i < BB * NO; i++) out[i] = 0.5f * out[i] + 0.1f;
            if (recompute) drop_cache(cb);
            CK_OK(ccrnn_cerebellum_learn(cb, BB, z[w - 1], BB * NI, NULL, 0, out, BB * NO, NULL));
        }
        CK_OK(ccrnn_optimizer_step(opt));
    }
    const float *v;
    size_t n;
    CK_OK(ccrnn_cerebellum_params(cb, &v, NULL, &n));
    memcpy(trace + k, v, n * sizeof(float));
    ccrnn_optimizer_destroy(opt);
}


START_TEST(test_forward_cache_same_results)
{
    ccrnn_cerebellum *on = random_cerebellum(8), *off = random_cerebellum(8);
    float *a = falloc(4096), *b = falloc(4096);
    cache_pattern(on, a, 0);
    cache_pattern(off, b, 1);
    ck_assert_mem_eq(a, b, 4096 * sizeof(float));
    free(a);
    free(b);
    ccrnn_cerebellum_destroy(on);
    ccrnn_cerebellum_destroy(off);
}
END_TEST

START_TEST(test_forward_cache_sees_set_tensor)
{
    /* predict, change a weight by name, learn at the same input: the gradient is the
     * new weights' one (compared with a forced recomputation). */
    ccrnn_cerebellum *on = random_cerebellum(9), *off = random_cerebellum(9);
    float in[BB * NI], target[BB * NO], out[BB * NO], bias[W];
    some_io(3, in, target);
    for (size_t i = 0; i < W; i++) bias[i] = 0.3f;
    ccrnn_cerebellum *both[2] = {on, off};
    for (int k = 0; k < 2; k++) {
        CK_OK(ccrnn_cerebellum_predict(both[k], BB, in, BB * NI, NULL, 0, out, BB * NO));
        CK_OK(ccrnn_cerebellum_set_tensor(both[k], "0.bias", bias, W));
        if (k == 1) drop_cache(both[k]);
        CK_OK(ccrnn_cerebellum_learn(both[k], BB, in, BB * NI, NULL, 0, target, BB * NO, NULL));
    }
    float *ga, *gb;
    size_t n;
    CK_OK(ccrnn_cerebellum_params(on, NULL, &ga, &n));
    CK_OK(ccrnn_cerebellum_params(off, NULL, &gb, NULL));
    ck_assert_mem_eq(ga, gb, n * sizeof(float));
    ccrnn_cerebellum_destroy(on);
    ccrnn_cerebellum_destroy(off);
}
END_TEST

/* Weights written with set_values between a predict and a learn at the same input are
 * seen by the learn (once a stale-cache bug with writes through the value view, which
 * is read-only since 0.2). */
START_TEST(test_forward_cache_sees_set_values)
{
    ccrnn_cerebellum *cb;
    float in[2] = {1, 2}, target = 1.0f, out, *g;
    size_t n;
    CK_OK(ccrnn_cerebellum_create(2, 0, 1, 0, 1, 1, 1, 0, &cb));
    CK_OK(ccrnn_cerebellum_params(cb, NULL, &g, &n));
    ck_assert_uint_eq(n, 3);
    CK_OK(ccrnn_cerebellum_predict(cb, 1, in, 2, NULL, 0, &out, 1));
    ck_assert_float_eq(out, 0.0f);
    const float w[3] = {1, 1, 0.5f}; /* weight (1, 1), bias 0.5: prediction 3.5 */
    CK_OK(ccrnn_cerebellum_set_values(cb, w, 3));
    CK_OK(ccrnn_cerebellum_learn(cb, 1, in, 2, NULL, 0, &target, 1, NULL));
    /* d loss / d bias = 2 (3.5 - 1) = 5 with the written weights. */
    ck_assert_float_eq(g[2], 5.0f);
    ccrnn_cerebellum_destroy(cb);
}
END_TEST

START_TEST(test_clone_equals_original)
{
    ccrnn_cerebellum *cb, *cl;
    CK_OK(ccrnn_cerebellum_create(NI, 2, NO, 2, W, MB, 3, 0, &cb));
    randomize_cerebellum(cb, 11, 0.5);
    CK_OK(ccrnn_cerebellum_set_fibres(cb, 3, 5));
    CK_OK(ccrnn_cerebellum_set_param(cb, CCRNN_PARAM_LOSS_MEAN, 1));
    CK_OK(ccrnn_cerebellum_set_param(cb, CCRNN_PARAM_THREADS, 2));
    float in[BB * NI], ctx[BB * 2], target[BB * NO];
    some_io(4, in, target);
    for (size_t i = 0; i < BB * 2; i++) ctx[i] = 0.25f * (float)i;
    CK_OK(ccrnn_cerebellum_learn(cb, BB, in, BB * NI, ctx, BB * 2, target, BB * NO, NULL));
    CK_OK(ccrnn_cerebellum_clone(cb, &cl));
    const int params[4] = {CCRNN_PARAM_THREADS, CCRNN_PARAM_ABLATED, CCRNN_PARAM_IO_LESION,
                           CCRNN_PARAM_LOSS_MEAN};
    for (size_t i = 0; i < 4; i++) {
        double a, b;
        CK_OK(ccrnn_cerebellum_get_param(cb, params[i], &a));
        CK_OK(ccrnn_cerebellum_get_param(cl, params[i], &b));
        ck_assert_double_eq(a, b);
    }
    /* Same parameters and gradients; the same future, mask included. */
    const float *pa, *pb;
    float *ga, *gb;
    size_t n;
    CK_OK(ccrnn_cerebellum_params(cb, &pa, &ga, &n));
    CK_OK(ccrnn_cerebellum_params(cl, &pb, &gb, NULL));
    ck_assert_ptr_ne(pa, pb);
    ck_assert_mem_eq(pa, pb, n * sizeof(float));
    ck_assert_mem_eq(ga, gb, n * sizeof(float));
    for (int k = 0; k < 2; k++) {
        ccrnn_cerebellum *c = k ? cl : cb;
        CK_OK(ccrnn_cerebellum_zero_grad(c));
        float shifted[W * (NI + 2)];
        CK_OK(ccrnn_cerebellum_get_tensor(c, "0.weight", shifted, W * (NI + 2)));
        for (size_t i = 0; i < W * (NI + 2); i++) shifted[i] += 0.125f; /* would revive masked weights */
        CK_OK(ccrnn_cerebellum_set_tensor(c, "0.weight", shifted, W * (NI + 2)));
        CK_OK(ccrnn_cerebellum_learn(c, BB, in, BB * NI, ctx, BB * 2, target, BB * NO, NULL));
    }
    ck_assert_mem_eq(pa, pb, n * sizeof(float));
    ck_assert_mem_eq(ga, gb, n * sizeof(float));
    size_t zeros = 0;
    for (size_t i = 0; i < W * (NI + 2); i++) zeros += pb[i] == 0.0f;
    ck_assert_uint_eq(zeros, W * (NI + 2 - 3)); /* the clone kept the mask */
    ccrnn_cerebellum_destroy(cb);
    ccrnn_cerebellum_destroy(cl);
}
END_TEST

START_TEST(test_threads_bit_identical)
{
    enum { BIG_IN = 40, BIG_W = 64, BIG_B = 32 };
    float *in = falloc(BIG_B * BIG_IN), *target = falloc(BIG_B * BIG_IN);
    float *out[2], *grad[2];
    ts_rng rng;
    ts_rng_seed(&rng, 12);
    ts_rng_fill(&rng, in, BIG_B * BIG_IN, -1, 1);
    ts_rng_fill(&rng, target, BIG_B * BIG_IN, -1, 1);
    ccrnn_cerebellum *cb[2];
    size_t n = 0;
    for (int k = 0; k < 2; k++) {
        CK_OK(ccrnn_cerebellum_create(BIG_IN, 0, BIG_IN, 2, BIG_W, BIG_B, 3, 0, &cb[k]));
        randomize_cerebellum(cb[k], 5, 0.3);
        CK_OK(ccrnn_cerebellum_set_param(cb[k], CCRNN_PARAM_THREADS, k + 1));
        out[k] = falloc(BIG_B * BIG_IN);
        CK_OK(ccrnn_cerebellum_predict(cb[k], BIG_B, in, BIG_B * BIG_IN, NULL, 0, out[k], BIG_B * BIG_IN));
        CK_OK(ccrnn_cerebellum_learn(cb[k], BIG_B, in, BIG_B * BIG_IN, NULL, 0, target, BIG_B * BIG_IN, NULL));
        CK_OK(ccrnn_cerebellum_params(cb[k], NULL, &grad[k], &n));
    }
    ck_assert_mem_eq(out[0], out[1], BIG_B * BIG_IN * sizeof(float));
    ck_assert_mem_eq(grad[0], grad[1], n * sizeof(float));
    for (int k = 0; k < 2; k++) {
        free(out[k]);
        ccrnn_cerebellum_destroy(cb[k]);
    }
    free(in);
    free(target);
}
END_TEST

/* ---- synthetic-gradient glue --------------------------------------------------------- */

START_TEST(test_synthetic_gradient_is_scaled_prediction)
{
    /* dz = scale * C(z_now); learn regresses C(z_start) toward dz_start: the same as
     * predict and learn by hand on get_state / window_start_state. */
    ccrnn_cortex *cx;
    CK_OK(ccrnn_cortex_create(CCRNN_CELL_LSTM, 2, 3, 1, MB, 3, 1, &cx));
    ccrnn_cerebellum *cb, *manual;
    CK_OK(ccrnn_cerebellum_create(NI, 0, NO, 1, W, MB, 3, 0, &cb));
    randomize_cerebellum(cb, 17, 0.5);
    CK_OK(ccrnn_cerebellum_clone(cb, &manual));
    CK_OK(ccrnn_cortex_reset(cx, BB));
    float x[BB * 2] = {1, -1, 0.5f, 0.25f, -0.75f, 0}, z[BB * NI], zs[BB * NI];
    float dz[BB * NI], p[BB * NI], dz_start[BB * NI];
    for (int w = 0; w < 2; w++) {
        CK_OK(ccrnn_cortex_begin_window(cx));
        CK_OK(ccrnn_cortex_forward(cx, x, BB * 2, NULL, 0));
        CK_OK(ccrnn_cortex_forward(cx, x, BB * 2, NULL, 0));
        CK_OK(ccrnn_synthetic_gradient(cb, cx, NULL, 0, 0.1, dz, BB * NI));
        CK_OK(ccrnn_cortex_get_state(cx, z, BB * NI));
        CK_OK(ccrnn_cerebellum_predict(manual, BB, z, BB * NI, NULL, 0, p, BB * NO));
        for (size_t i = 0; i < BB * NI; i++) ck_assert(dz[i] == (float)(0.1 * (double)p[i]));
        CK_OK(ccrnn_cortex_backward(cx, dz, BB * NI, dz_start, BB * NI));
        double la, lb;
        CK_OK(ccrnn_synthetic_gradient_learn(cb, cx, NULL, 0, dz_start, BB * NI, &la));
        CK_OK(ccrnn_cortex_window_start_state(cx, zs, BB * NI));
        CK_OK(ccrnn_cerebellum_learn(manual, BB, zs, BB * NI, NULL, 0, dz_start, BB * NO, &lb));
        ck_assert(la == lb);
    }
    float *ga, *gb;
    size_t n;
    CK_OK(ccrnn_cerebellum_params(cb, NULL, &ga, &n));
    CK_OK(ccrnn_cerebellum_params(manual, NULL, &gb, NULL));
    ck_assert_mem_eq(ga, gb, n * sizeof(float));
    /* Ablated, the synthetic gradient is exactly zero. */
    CK_OK(ccrnn_cerebellum_set_param(cb, CCRNN_PARAM_ABLATED, 1));
    CK_OK(ccrnn_synthetic_gradient(cb, cx, NULL, 0, 0.1, dz, BB * NI));
    for (size_t i = 0; i < BB * NI; i++) ck_assert(dz[i] == 0.0f);
    ccrnn_cerebellum_destroy(cb);
    ccrnn_cerebellum_destroy(manual);
    ccrnn_cortex_destroy(cx);
}
END_TEST

Suite *cerebellum_suite(void)
{
    Suite *s = suite_create("cerebellum");
    TCase *tc = tcase_create("model");
    tcase_add_loop_test(tc, test_tensor_table, 0, 3);
    tcase_add_test(tc, test_shape_and_defaults);
    tcase_add_test(tc, test_zero_last_layer);
    tcase_add_test(tc, test_exact_outputs);
    tcase_add_test(tc, test_loss_mean);
    suite_add_tcase(s, tc);
    tc = tcase_create("ablation_and_lesion");
    tcase_add_test(tc, test_ablated);
    tcase_add_test(tc, test_io_lesion);
    suite_add_tcase(s, tc);
    tc = tcase_create("cache_clone_threads");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_forward_cache_same_results);
    tcase_add_test(tc, test_forward_cache_sees_set_tensor);
    tcase_add_test(tc, test_forward_cache_sees_set_values);
    tcase_add_test(tc, test_clone_equals_original);
    tcase_add_test(tc, test_threads_bit_identical);
    suite_add_tcase(s, tc);
    tc = tcase_create("synthetic_gradient");
    tcase_add_test(tc, test_synthetic_gradient_is_scaled_prediction);
    suite_add_tcase(s, tc);
    return s;
}
