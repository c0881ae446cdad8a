/* The header's promises under attack (docs/reliability.md, "Round two"): finite
 * inputs whose results overflow, failed calls that must change nothing, optimizer
 * steps that must never leave non-finite weights, the mossy-fibre mask under a step,
 * the clip norm of huge gradients, NaN weights in the vectorised activations, and the
 * checkpoint codec's range checks and file handling.  Each test failed on the library
 * before its fix (docs/reliability.md, section 9). */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../lib/activation.h"
#include "test-errors.h"

/* ---- helpers ------------------------------------------------------------------------ */

static const char *cx_tensor(ccrnn_cortex *cx, size_t index, size_t *n)
{
    const char *name;
    size_t rows, cols;
    CK_OK(ccrnn_cortex_tensor_info(cx, index, &name, &rows, &cols, NULL));
    *n = rows * (cols ? cols : 1);
    return name;
}

static const char *cb_tensor(ccrnn_cerebellum *cb, size_t index, size_t *n)
{
    const char *name;
    size_t rows, cols;
    CK_OK(ccrnn_cerebellum_tensor_info(cb, index, &name, &rows, &cols, NULL));
    *n = rows * (cols ? cols : 1);
    return name;
}

/* Set every value of tensor `index` to v. */
static void cx_fill(ccrnn_cortex *cx, size_t index, float v)
{
    size_t n;
    const char *name = cx_tensor(cx, index, &n);
    float *buf = falloc(n);
    for (size_t i = 0; i < n; i++) buf[i] = v;
    CK_OK(ccrnn_cortex_set_tensor(cx, name, buf, n));
    free(buf);
}

static void cb_fill(ccrnn_cerebellum *cb, size_t index, float v)
{
    size_t n;
    const char *name = cb_tensor(cb, index, &n);
    float *buf = falloc(n);
    for (size_t i = 0; i < n; i++) buf[i] = v;
    CK_OK(ccrnn_cerebellum_set_tensor(cb, name, buf, n));
    free(buf);
}

typedef struct bytes {
    unsigned char *p;
    size_t n;
} bytes;

static bytes cb_bytes(const ccrnn_cerebellum *cb)
{
    bytes b;
    b.p = ts_save_cerebellum(cb, &b.n);
    ck_assert_msg(b.p != NULL, "saving the cerebellum failed: %s", ccrnn_last_error());
    return b;
}

static bytes opt_bytes(const ccrnn_optimizer *opt)
{
    bytes b;
    b.p = ts_save_optimizer(opt, &b.n);
    ck_assert_msg(b.p != NULL, "saving the optimizer failed: %s", ccrnn_last_error());
    return b;
}

/* a == b, then both freed. */
static void expect_same_bytes(bytes a, bytes b, const char *what)
{
    ck_assert_msg(a.n == b.n && !memcmp(a.p, b.p, a.n), "%s changed", what);
    free(a.p);
    free(b.p);
}

/* The value view as a writable pointer whether the header's view is `float **` (0.1)
 * or `const float **` (0.2): the test writes through it to plant a NaN weight. */
static float *cx_values(ccrnn_cortex *cx, float **grads, size_t *n)
{
    float *v;
    CK_OK(ccrnn_cortex_params(cx, (void *)&v, grads, n));
    return v;
}

/* ---- 1. a failed cerebellum forward keeps the reported hidden activity ----------------- */

enum { CB_IN = 3, CB_OUT = 2, CB_W = 4, CB_B = 2 };

/* Every sequence of up to four good predicts and learns at two inputs, then a predict
 * and a learn whose forward overflows: ccrnn_cerebellum_hidden reports the activity of
 * the last good forward after each failure (it once showed the failed one when the
 * failing forward reused the slot of the last good one). */
START_TEST(test_failed_forward_keeps_hidden)
{
    float x[2][CB_B * CB_IN], t[CB_B * CB_OUT], out[CB_B * CB_OUT], huge[CB_B * CB_IN];
    float before[CB_B * CB_W], after[CB_B * CB_W];
    ts_rng rng;
    ts_rng_seed(&rng, 16);
    ts_rng_fill(&rng, x[0], CB_B * CB_IN, -1, 1);
    ts_rng_fill(&rng, x[1], CB_B * CB_IN, -1, 1);
    ts_rng_fill(&rng, t, CB_B * CB_OUT, -1, 1);
    for (size_t i = 0; i < CB_B * CB_IN; i++) huge[i] = 3e38f;
    size_t sequences = 0;
    for (unsigned len = 1; len <= 4; len++) {
        unsigned combos = 1u << (2 * len);
        for (unsigned code = 0; code < combos; code++) {
            ccrnn_cerebellum *cb;
            CK_OK(ccrnn_cerebellum_create(CB_IN, 0, CB_OUT, 1, CB_W, CB_B, 5, 0, &cb));
            /* All-positive weights: 3e38 inputs overflow the hidden layer. */
            cb_fill(cb, 0, 0.5f);
            cb_fill(cb, 2, 0.25f);
            for (unsigned k = 0; k < len; k++) {
                unsigned op = (code >> (2 * k)) & 3u;
                const float *in = x[op >> 1];
                if (op & 1u)
                    CK_OK(ccrnn_cerebellum_learn(cb, CB_B, in, CB_B * CB_IN, NULL, 0, t, CB_B * CB_OUT, NULL));
                else
                    CK_OK(ccrnn_cerebellum_predict(cb, CB_B, in, CB_B * CB_IN, NULL, 0, out, CB_B * CB_OUT));
            }
            CK_OK(ccrnn_cerebellum_hidden(cb, 0, before, CB_B * CB_W));
            for (int learn = 0; learn < 2; learn++) {
                int st = learn ? ccrnn_cerebellum_learn(cb, CB_B, huge, CB_B * CB_IN, NULL, 0, t, CB_B * CB_OUT, NULL)
                               : ccrnn_cerebellum_predict(cb, CB_B, huge, CB_B * CB_IN, NULL, 0, out, CB_B * CB_OUT);
                ck_assert_int_eq(st, CCRNN_ERR_NUMERIC);
                CK_OK(ccrnn_cerebellum_hidden(cb, 0, after, CB_B * CB_W));
                ck_assert_msg(!memcmp(before, after, sizeof before),
                              "sequence %u of length %u: a failed %s changed the hidden activity", code,
                              len, learn ? "learn" : "predict");
            }
            ccrnn_cerebellum_destroy(cb);
            sequences++;
        }
    }
    ck_assert_uint_eq(sequences, 4 + 16 + 64 + 256);
}
END_TEST

/* ---- 2. finite inputs whose results overflow: NUMERIC, nothing written -------------- */

/* tanh cortex 2 -> 1 -> 1: weight_ih (1, -1) cancels inputs (3e38, 3e38), so the state
 * is finite but dL/dW_ih = sum over steps and rows of dg * 3e38 overflows. */
START_TEST(test_backward_gradient_overflow)
{
    ccrnn_cortex *cx;
    CK_OK(ccrnn_cortex_create(CCRNN_CELL_TANH, 2, 1, 1, 2, 4, 3, &cx));
    float w[2] = {1.0f, -1.0f}, x[4] = {3e38f, 3e38f, 3e38f, 3e38f}, y[2], dy[2] = {1, 1};
    size_t n;
    const char *name = cx_tensor(cx, 0, &n);
    ck_assert_uint_eq(n, 2);
    CK_OK(ccrnn_cortex_set_tensor(cx, name, w, 2));
    cx_fill(cx, 4, 1.0f); /* readout weight */
    for (size_t t = 0; t < 2; t++) {
        CK_OK(ccrnn_cortex_forward(cx, x, 4, y, 2));
        CK_OK(ccrnn_cortex_output_grad(cx, t, dy, 2));
    }
    float dz[2] = {SENTINEL, SENTINEL};
    CX_FAIL(cx, ccrnn_cortex_backward(cx, NULL, 0, dz, 2), CCRNN_ERR_NUMERIC, NULL);
    ck_assert(all_sentinel(dz, 2));
    ccrnn_cortex_destroy(cx);
}
END_TEST

/* dL/dx = dg W_ih overflows although every gradient of the backward pass is finite. */
START_TEST(test_input_grad_overflow)
{
    ccrnn_cortex *cx;
    CK_OK(ccrnn_cortex_create(CCRNN_CELL_TANH, 2, 1, 1, 1, 2, 3, &cx));
    float w[2] = {3e38f, -3e38f}, x[2] = {1.0f, 1.0f}, dy[1] = {4.0f}, dx[2];
    size_t n;
    const char *name = cx_tensor(cx, 0, &n);
    CK_OK(ccrnn_cortex_set_tensor(cx, name, w, 2));
    cx_fill(cx, 1, 0.0f);
    cx_fill(cx, 2, 0.0f);
    cx_fill(cx, 3, 0.0f);
    cx_fill(cx, 4, 1.0f);
    CK_OK(ccrnn_cortex_forward(cx, x, 2, NULL, 0));
    CK_OK(ccrnn_cortex_output_grad(cx, 0, dy, 1));
    CK_OK(ccrnn_cortex_backward(cx, NULL, 0, NULL, 0));
    fill_sentinel(dx, 2);
    CX_FAIL(cx, ccrnn_cortex_input_grad(cx, dx, 2), CCRNN_ERR_NUMERIC, NULL);
    ck_assert(all_sentinel(dx, 2));
    ccrnn_cortex_destroy(cx);
}
END_TEST

/* Output and hidden gradients add up: two finite 3e38 additions overflow. */
START_TEST(test_step_gradient_sum_overflow)
{
    ccrnn_cortex *cx;
    CK_OK(ccrnn_cortex_create(CCRNN_CELL_GRU, 1, 2, 1, 1, 2, 3, &cx));
    float x[1] = {0.5f}, dy[1] = {3e38f}, dh[2] = {3e38f, 0.0f};
    CK_OK(ccrnn_cortex_forward(cx, x, 1, NULL, 0));
    CK_OK(ccrnn_cortex_output_grad(cx, 0, dy, 1));
    CX_FAIL(cx, ccrnn_cortex_output_grad(cx, 0, dy, 1), CCRNN_ERR_NUMERIC, NULL);
    CK_OK(ccrnn_cortex_hidden_grad(cx, 0, dh, 2));
    CX_FAIL(cx, ccrnn_cortex_hidden_grad(cx, 0, dh, 2), CCRNN_ERR_NUMERIC, NULL);
    ccrnn_cortex_destroy(cx);
}
END_TEST

START_TEST(test_learn_overflow)
{
    ccrnn_cerebellum *cb;
    float in[CB_B * CB_IN], t[CB_B * CB_OUT], h0[CB_B * CB_W], h1[CB_B * CB_W];
    double loss = -3;
    ts_rng rng;
    ts_rng_seed(&rng, 7);
    ts_rng_fill(&rng, in, CB_B * CB_IN, -1, 1);
    CK_OK(ccrnn_cerebellum_create(CB_IN, 0, CB_OUT, 1, CB_W, CB_B, 5, 0, &cb));
    randomize_cerebellum(cb, 3, 0.5);
    CK_OK(ccrnn_cerebellum_learn(cb, CB_B, in, CB_B * CB_IN, NULL, 0, in, CB_B * CB_OUT, NULL));
    CK_OK(ccrnn_cerebellum_hidden(cb, 0, h0, CB_B * CB_W));
    /* A target of 3e38: the output gradient 2(p - t) overflows. */
    for (size_t i = 0; i < CB_B * CB_OUT; i++) t[i] = 3e38f;
    bytes before = cb_bytes(cb);
    EXPECT_ERR(ccrnn_cerebellum_learn(cb, CB_B, in, CB_B * CB_IN, NULL, 0, t, CB_B * CB_OUT, &loss),
               CCRNN_ERR_NUMERIC, NULL);
    expect_same_bytes(before, cb_bytes(cb), "a failed learn");
    CK_OK(ccrnn_cerebellum_hidden(cb, 0, h1, CB_B * CB_W));
    ck_assert(!memcmp(h0, h1, sizeof h0));
    ck_assert_double_eq(loss, -3);

    /* Finite output gradient, but dL/dW0 = sum_b delta * 3e38 overflows. */
    cb_fill(cb, 0, 0.0f);
    cb_fill(cb, 1, 1.0f);
    cb_fill(cb, 2, 1.0f);
    float big[CB_B * CB_IN];
    for (size_t i = 0; i < CB_B * CB_IN; i++) big[i] = 3e38f;
    for (size_t i = 0; i < CB_B * CB_OUT; i++) t[i] = -10.0f;
    CK_OK(ccrnn_cerebellum_learn(cb, CB_B, in, CB_B * CB_IN, NULL, 0, t, CB_B * CB_OUT, NULL));
    CK_OK(ccrnn_cerebellum_hidden(cb, 0, h0, CB_B * CB_W));
    before = cb_bytes(cb);
    EXPECT_ERR(ccrnn_cerebellum_learn(cb, CB_B, big, CB_B * CB_IN, NULL, 0, t, CB_B * CB_OUT, &loss),
               CCRNN_ERR_NUMERIC, NULL);
    expect_same_bytes(before, cb_bytes(cb), "a learn whose gradient overflows");
    CK_OK(ccrnn_cerebellum_hidden(cb, 0, h1, CB_B * CB_W));
    ck_assert(!memcmp(h0, h1, sizeof h0));
    ck_assert_double_eq(loss, -3);
    ccrnn_cerebellum_destroy(cb);
}
END_TEST

START_TEST(test_synthetic_gradient_overflow)
{
    ccrnn_cortex *cx;
    ccrnn_cerebellum *cb;
    CK_OK(ccrnn_cortex_create(CCRNN_CELL_TANH, 1, 3, 1, 1, 2, 3, &cx));
    CK_OK(ccrnn_cerebellum_create(3, 0, 3, 1, 4, 1, 5, 0, &cb));
    randomize_cerebellum(cb, 9, 0.5);
    float x[1] = {0.7f}, dz[3], h0[4], h1[4];
    CK_OK(ccrnn_cortex_forward(cx, x, 1, NULL, 0));
    CK_OK(ccrnn_synthetic_gradient(cb, cx, NULL, 0, 1.0, dz, 3));
    ck_assert(dz[0] != 0.0f || dz[1] != 0.0f || dz[2] != 0.0f);
    CK_OK(ccrnn_cerebellum_hidden(cb, 0, h0, 4));
    CK_OK(ccrnn_cortex_forward(cx, x, 1, NULL, 0)); /* a new state: a new forward */
    fill_sentinel(dz, 3);
    CB_FAIL(cb, ccrnn_synthetic_gradient(cb, cx, NULL, 0, 1e300, dz, 3), CCRNN_ERR_NUMERIC, NULL);
    ck_assert(all_sentinel(dz, 3));
    CK_OK(ccrnn_cerebellum_hidden(cb, 0, h1, 4));
    ck_assert(!memcmp(h0, h1, sizeof h0));
    ccrnn_cerebellum_destroy(cb);
    ccrnn_cortex_destroy(cx);
}
END_TEST

START_TEST(test_loss_overflow)
{
    float y[2] = {3e38f, 1.0f}, t[2] = {-3e38f, 0.0f}, dy[2], one[2] = {1.0f, 0.0f};
    float zero[2] = {0.0f, 0.0f}, mask[2] = {3e38f, 1.0f};
    double loss = -3;
    fill_sentinel(dy, 2);
    /* (y - t) = 6e38: the gradient overflows float. */
    EXPECT_ERR(ccrnn_loss_mse(y, t, 2, 1, NULL, 0, 1.0, dy, &loss), CCRNN_ERR_NUMERIC, NULL);
    /* Tiny denominators: the gradient (and with 1e-320 the loss) overflows. */
    EXPECT_ERR(ccrnn_loss_mse(one, zero, 2, 1, NULL, 0, 1e-300, dy, &loss), CCRNN_ERR_NUMERIC, NULL);
    EXPECT_ERR(ccrnn_loss_mse(one, zero, 2, 1, NULL, 0, 1e-320, NULL, &loss), CCRNN_ERR_NUMERIC, NULL);
    /* A huge mask weight. */
    EXPECT_ERR(ccrnn_loss_mse(one, zero, 2, 1, mask, 2, 1.0, dy, &loss), CCRNN_ERR_NUMERIC, NULL);
    ck_assert(all_sentinel(dy, 2));
    ck_assert_double_eq(loss, -3);
    /* The same values with sane scales still work. */
    CK_OK(ccrnn_loss_mse(one, zero, 2, 1, NULL, 0, 0.0, dy, &loss));
    ck_assert_double_eq(loss, 0.5);

    float logits[4] = {1.0f, 2.0f, -1.0f, 0.5f}, g[4];
    int32_t labels[2] = {0, 1};
    size_t correct = 77;
    fill_sentinel(g, 4);
    loss = -3;
    EXPECT_ERR(ccrnn_loss_softmax_xent(logits, 4, 2, labels, 2, 1e-300, g, &loss, &correct), CCRNN_ERR_NUMERIC, NULL);
    EXPECT_ERR(ccrnn_loss_softmax_xent(logits, 4, 2, labels, 2, 1e-320, NULL, &loss, &correct), CCRNN_ERR_NUMERIC, NULL);
    ck_assert(all_sentinel(g, 4));
    ck_assert_double_eq(loss, -3);
    ck_assert_uint_eq(correct, 77);
    /* Extreme but finite logits are fine: the loss is large, the gradient bounded. */
    float wide[2] = {3e38f, -3e38f};
    CK_OK(ccrnn_loss_softmax_xent(wide, 2, 2, labels + 1, 1, 0.0, g, &loss, NULL));
    ck_assert(isfinite(loss) && loss > 1e38);
    ck_assert(ts_all_finite(g, 2));
}
END_TEST

/* ---- 3. an optimizer step never leaves non-finite weights or moments ---------------- */

static void expect_failed_step(ccrnn_optimizer *opt, float *p, float *g, size_t n)
{
    float *p0 = falloc(n), *g0 = falloc(n);
    memcpy(p0, p, n * sizeof(float));
    memcpy(g0, g, n * sizeof(float));
    bytes before = opt_bytes(opt);
    EXPECT_ERR(ccrnn_optimizer_step(opt), CCRNN_ERR_NUMERIC, NULL);
    expect_same_bytes(before, opt_bytes(opt), "a failed optimizer step");
    ck_assert_msg(!memcmp(p0, p, n * sizeof(float)), "a failed step changed the weights");
    ck_assert_msg(!memcmp(g0, g, n * sizeof(float)), "a failed step changed the gradients");
    free(p0);
    free(g0);
}

START_TEST(test_step_overflow)
{
    for (int kind = 0; kind < 3; kind++) {
        ccrnn_optimizer *opt;
        float p[3] = {0.5f, 1e34f, -2.0f}, g[3] = {0.1f, 0.0f, -0.1f};
        CK_OK(ccrnn_optimizer_create(kind, &opt));
        CK_OK(ccrnn_optimizer_add_params(opt, p, g, 3, NULL));
        /* Two good steps first: moments and counters are not at their initial values. */
        CK_OK(ccrnn_optimizer_step(opt));
        g[0] = 0.2f;
        CK_OK(ccrnn_optimizer_step(opt));
        /* SGD, lr 1 and weight decay 1e6: the decay term 1e40 overflows; Adam and
         * RMSprop square 1e34 * decay. */
        CK_OK(ccrnn_optimizer_set_param(opt, CCRNN_PARAM_LR, 1.0));
        CK_OK(ccrnn_optimizer_set_param(opt, CCRNN_PARAM_WEIGHT_DECAY, kind == CCRNN_OPT_SGD ? 1e6 : 1.0));
        g[0] = 0.3f;
        expect_failed_step(opt, p, g, 3);
        /* A step that is finite after all still works, and its checkpoint loads. */
        p[1] = 1.0f;
        CK_OK(ccrnn_optimizer_step(opt));
        ck_assert(ts_all_finite(p, 3));
        bytes b = opt_bytes(opt);
        CK_OK(ccrnn_optimizer_load_mem(opt, b.p, b.n));
        free(b.p);
        ccrnn_optimizer_destroy(opt);
    }
}
END_TEST

/* Whatever a run of steps over extreme but finite weights (the decay term of 1e38
 * squares to Inf in Adam's and RMSprop's second moment) leaves behind is saved and
 * loaded back: training can resume from its own checkpoint. */
START_TEST(test_step_then_resume)
{
    const float grads[] = {0.1f, -0.2f, 1e-40f, 0.0f, 1e-3f, -1e-3f};
    for (int kind = 0; kind < 3; kind++) {
        ccrnn_optimizer *opt;
        float p[4] = {1e38f, -1e38f, 1.0f, 0.0f}, g[4];
        CK_OK(ccrnn_optimizer_create(kind, &opt));
        CK_OK(ccrnn_optimizer_add_params(opt, p, g, 4, NULL));
        CK_OK(ccrnn_optimizer_set_param(opt, CCRNN_PARAM_LR, kind == CCRNN_OPT_SGD ? 1e-30 : 1.0));
        CK_OK(ccrnn_optimizer_set_param(opt, CCRNN_PARAM_MOMENTUM, kind == CCRNN_OPT_ADAM ? 0.0 : 0.9));
        CK_OK(ccrnn_optimizer_set_param(opt, CCRNN_PARAM_WEIGHT_DECAY, 1e-3));
        for (size_t s = 0; s < 12; s++) {
            for (size_t i = 0; i < 4; i++) g[i] = grads[(s + i) % 6];
            int st = ccrnn_optimizer_step(opt);
            ck_assert(st == CCRNN_OK || st == CCRNN_ERR_NUMERIC);
            ck_assert_msg(ts_all_finite(p, 4), "kind %d step %zu left non-finite weights", kind, s);
            CK_OK(ccrnn_optimizer_zero_grad(opt));
            bytes b = opt_bytes(opt);
            CK_OK(ccrnn_optimizer_load_mem(opt, b.p, b.n));
            free(b.p);
        }
        ccrnn_optimizer_destroy(opt);
    }
}
END_TEST

/* ---- 4. NaN weights never reach undefined behaviour ---------------------------------- */

/* The vectorised exp once converted a NaN to int and shifted it (UBSan aborts; run
 * tests/reliability/run-sanitizers.sh).  NaN must come out as NaN, infinities clamp. */
START_TEST(test_activations_nonfinite)
{
    volatile float nan = NAN, inf = INFINITY;
    ck_assert(isnan(ccrnn_exp(nan)));
    ck_assert(isnan(ccrnn_sigmoid(nan)));
    ck_assert(isnan(ccrnn_tanh(nan)));
    ck_assert(isfinite(ccrnn_exp(inf)) && ccrnn_exp(inf) > 1e38f);
    ck_assert(ccrnn_exp(-inf) >= 0.0f && ccrnn_exp(-inf) < 1e-37f);
    ck_assert_float_eq(ccrnn_sigmoid(inf), 1.0f);
    ck_assert(ccrnn_sigmoid(-inf) >= 0.0f && ccrnn_sigmoid(-inf) < 1e-37f);
    ck_assert_float_eq(ccrnn_tanh(inf), 1.0f);
    ck_assert_float_eq(ccrnn_tanh(-inf), -1.0f);
}
END_TEST

START_TEST(test_nan_weight_forward)
{
    for (int cell = 0; cell < 3; cell++) {
        ccrnn_cortex *cx;
        float *g, x[2] = {0.5f, -0.5f}, y[1] = {SENTINEL};
        size_t n;
        CK_OK(ccrnn_cortex_create(cell, 2, 3, 1, 1, 2, 3, &cx));
        float *v = cx_values(cx, &g, &n);
        v[0] = NAN;
        CX_FAIL(cx, ccrnn_cortex_forward(cx, x, 2, y, 1), CCRNN_ERR_NUMERIC, NULL);
        ck_assert(all_sentinel(y, 1));
        ccrnn_cortex_destroy(cx);
    }
}
END_TEST

/* ---- 8. masked weights stay exactly zero through an optimizer step -------------------- */

START_TEST(test_mask_survives_step)
{
    for (int kind = 0; kind < 3; kind++) {
        ccrnn_cerebellum *cb;
        ccrnn_optimizer *opt;
        float *g, w[CB_W * CB_IN];
        size_t n, nw;
        CK_OK(ccrnn_cerebellum_create(CB_IN, 0, CB_OUT, 1, CB_W, 1, 5, 0, &cb));
        CK_OK(ccrnn_cerebellum_set_fibres(cb, 1, 11));
        const char *w0 = cb_tensor(cb, 0, &nw);
        ck_assert_uint_eq(nw, CB_W * CB_IN);
        CK_OK(ccrnn_cerebellum_get_tensor(cb, w0, w, nw));
        size_t masked = 0;
        for (size_t i = 0; i < nw; i++) masked += w[i] == 0.0f;
        ck_assert_uint_eq(masked, CB_W * (CB_IN - 1));
        CK_OK(ccrnn_optimizer_create(kind, &opt));
        CK_OK(ccrnn_optimizer_add_cerebellum(opt, cb, NULL));
        CK_OK(ccrnn_optimizer_set_param(opt, CCRNN_PARAM_WEIGHT_DECAY, 0.5));
        /* A host (or a checkpoint) puts gradient into every weight, masked ones too. */
        CK_OK(ccrnn_cerebellum_params(cb, NULL, &g, &n));
        for (size_t i = 0; i < n; i++) g[i] = 0.25f;
        CK_OK(ccrnn_optimizer_step(opt));
        for (size_t i = 0; i < n; i++) g[i] = -0.5f;
        CK_OK(ccrnn_optimizer_step(opt));
        float after[CB_W * CB_IN];
        CK_OK(ccrnn_cerebellum_get_tensor(cb, w0, after, nw));
        for (size_t i = 0; i < nw; i++)
            if (w[i] == 0.0f)
                ck_assert_msg(after[i] == 0.0f, "optimizer %d: masked weight %zu became %g", kind, i,
                              (double)after[i]);
            else
                ck_assert_msg(after[i] != w[i], "optimizer %d: weight %zu did not move", kind, i);
        ccrnn_optimizer_destroy(opt);
        ccrnn_cerebellum_destroy(cb);
    }
}
END_TEST

/* ---- 12. the clip norm of huge and tiny gradients ----------------------------------- */

START_TEST(test_clip_huge_gradient)
{
    ccrnn_optimizer *opt;
    float p[4] = {0, 0, 0, 0}, g[4] = {2e19f, 2e19f, -2e19f, 2e19f};
    double norm;
    CK_OK(ccrnn_optimizer_create(CCRNN_OPT_SGD, &opt));
    CK_OK(ccrnn_optimizer_add_params(opt, p, g, 4, NULL));
    CK_OK(ccrnn_optimizer_set_param(opt, CCRNN_PARAM_LR, 1.0));
    CK_OK(ccrnn_optimizer_set_param(opt, CCRNN_PARAM_CLIP_NORM, 1.0));
    CK_OK(ccrnn_optimizer_step(opt));
    CK_OK(ccrnn_optimizer_get_param(opt, CCRNN_PARAM_GRAD_NORM, &norm));
    ck_assert_double_eq_tol(norm, 4e19, 4e19 * 1e-6);
    /* Clipped to norm 1: each weight moved by 0.5. */
    for (size_t i = 0; i < 4; i++) ck_assert_float_eq_tol(fabsf(p[i]), 0.5f, 1e-6f);
    /* A tiny gradient's norm does not vanish in the squares. */
    for (size_t i = 0; i < 4; i++) g[i] = 1e-30f;
    CK_OK(ccrnn_optimizer_step(opt));
    CK_OK(ccrnn_optimizer_get_param(opt, CCRNN_PARAM_GRAD_NORM, &norm));
    ck_assert_double_eq_tol(norm, 2e-30, 2e-30 * 1e-5);
    /* Infinity and NaN are still refused. */
    g[1] = INFINITY;
    EXPECT_ERR(ccrnn_optimizer_step(opt), CCRNN_ERR_NUMERIC, NULL);
    g[1] = NAN;
    EXPECT_ERR(ccrnn_optimizer_step(opt), CCRNN_ERR_NUMERIC, NULL);
    ccrnn_optimizer_destroy(opt);
}
END_TEST

/* ---- 5, 6, 7, 10: the checkpoint codec ---------------------------------------------- */

/* Offset of the first value of the entry called `name` (format 2, docs/reliability.md). */
static size_t entry_offset(const unsigned char *buf, size_t n, const char *name)
{
    size_t off = ts_ckpt_entry(buf, n, name);
    ck_assert_msg(off != 0, "no entry '%s' in the checkpoint", name);
    return off;
}

/* An optimizer's group update count of 2^64 - 1 (valid CRC): the next Adam step's bias
 * correction divides by zero.  Must be refused as out of range. */
START_TEST(test_codec_update_count_range)
{
    ccrnn_optimizer *opt;
    float p[2] = {1, 2}, g[2] = {0.5f, -0.5f};
    CK_OK(ccrnn_optimizer_create(CCRNN_OPT_ADAM, &opt));
    CK_OK(ccrnn_optimizer_add_params(opt, p, g, 2, NULL));
    CK_OK(ccrnn_optimizer_step(opt));
    bytes b = opt_bytes(opt);
    size_t off = entry_offset(b.p, b.n, "group.0.steps");
    ck_assert_uint_eq(ts_get_le(b.p + off, 8), 1);
    ts_put_le(b.p + off, UINT64_MAX, 8);
    ts_ckpt_fix_crc(b.p, b.n);
    bytes before = opt_bytes(opt);
    EXPECT_ERR(ccrnn_optimizer_load_mem(opt, b.p, b.n), CCRNN_ERR_FORMAT, "group.0.steps");
    expect_same_bytes(before, opt_bytes(opt), "a refused optimizer load");
    CK_OK(ccrnn_optimizer_step(opt));
    ck_assert(ts_all_finite(p, 2));
    free(b.p);
    ccrnn_optimizer_destroy(opt);
}
END_TEST

/* Found by fuzz-cerebellum on the format 2 codec: a 597-byte cerebellum checkpoint
 * declaring n_ctx = 16,121,856 (under the 2^24 size limit and the 1 GiB bound) but
 * holding tensors for n_ctx = 0.  The loader creates the whole cerebellum (128 MB of
 * weights, initialised, and a mask of ones) before it finds the tensors missing; the
 * 0.1 loader checked that the payload holds what the shapes imply before allocating.
 * The load must fail without touching more memory than the file could fill (fixed: the
 * tensor entries are checked against the shapes before anything is allocated). */
START_TEST(test_codec_shapes_before_allocating)
{
    ccrnn_cerebellum *cb, *out = NULL;
    CK_OK(ccrnn_cerebellum_create(3, 0, 2, 0, 0, 2, 5, 0, &cb));
    bytes b = cb_bytes(cb);
    size_t off = entry_offset(b.p, b.n, "n_ctx");
    ts_put_le(b.p + off, 16121856, 8);
    ts_ckpt_fix_crc(b.p, b.n);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    long peak0 = ru.ru_maxrss;
    EXPECT_ERR(ccrnn_cerebellum_load_mem(b.p, b.n, &out), CCRNN_ERR_FORMAT, NULL);
    getrusage(RUSAGE_SELF, &ru);
    ck_assert_ptr_null(out);
    ck_assert_msg(ru.ru_maxrss - peak0 < 16 * 1024, "loading %zu bytes raised the peak resident "
                  "size by %ld KiB", b.n, ru.ru_maxrss - peak0);
    free(b.p);
    ccrnn_cerebellum_destroy(cb);
}
END_TEST

static ts_tmpdir tmp;

static void make_tmpdir(void) { ck_assert_int_eq(ts_tmpdir_make(&tmp, "ccrnn-attack"), 0); }

START_TEST(test_codec_fifo)
{
    ccrnn_cortex *cx = NULL;
    make_tmpdir();
    const char *path = ts_tmpdir_file(&tmp, "fifo");
    ck_assert_int_eq(mkfifo(path, 0600), 0);
    /* Blocked forever before the fix (the test's timeout fails it). */
    EXPECT_ERR(ccrnn_cortex_load(path, &cx), CCRNN_ERR_IO, NULL);
    ck_assert_ptr_null(cx);
    unlink(path);
    ts_tmpdir_remove(&tmp);
}
END_TEST

/* A 1-input cerebellum with a width-8 hidden layer and max_batch 6.5e6: a checkpoint of
 * a few hundred bytes whose handle needs 3 forward slots of 260 MB, 416 MB of backward
 * scratch and more: over the loaders' 1 GiB limit. */
START_TEST(test_codec_memory_limit)
{
    ccrnn_cerebellum *cb, *out = NULL;
    CK_OK(ccrnn_cerebellum_create(1, 0, 1, 1, 8, 1, 5, 0, &cb));
    bytes b = cb_bytes(cb);
    size_t off = entry_offset(b.p, b.n, "max_batch");
    ck_assert_uint_eq(ts_get_le(b.p + off, 8), 1);
    ts_put_le(b.p + off, 6500000, 8);
    ts_ckpt_fix_crc(b.p, b.n);
    EXPECT_ERR(ccrnn_cerebellum_load_mem(b.p, b.n, &out), CCRNN_ERR_FORMAT, "1073741824");
    ck_assert_ptr_null(out);
    free(b.p);
    ccrnn_cerebellum_destroy(cb);
}
END_TEST

START_TEST(test_codec_files)
{
    ccrnn_cortex *cx, *back;
    char name[300], path[sizeof tmp.file], link[sizeof tmp.file];
    struct stat sb;
    CK_OK(ccrnn_cortex_create(CCRNN_CELL_TANH, 1, 2, 1, 1, 1, 3, &cx));
    make_tmpdir();
    /* A 250-character file name (NAME_MAX is 255): the temporary name must fit too. */
    memset(name, 'a', 250);
    name[250] = '\0';
    strcpy(path, ts_tmpdir_file(&tmp, name));
    CK_OK(ccrnn_cortex_save(cx, path));
    CK_OK(ccrnn_cortex_load(path, &back));
    ccrnn_cortex_destroy(back);
    unlink(path);
    /* Overwriting a 0600 file keeps 0600. */
    strcpy(path, ts_tmpdir_file(&tmp, "private"));
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    ck_assert_int_ge(fd, 0);
    close(fd);
    ck_assert_int_eq(chmod(path, 0600), 0);
    CK_OK(ccrnn_cortex_save(cx, path));
    ck_assert_int_eq(stat(path, &sb), 0);
    ck_assert_uint_eq(sb.st_mode & 0777, 0600);
    /* Saving through a symlink writes its target and leaves the link a link. */
    strcpy(link, ts_tmpdir_file(&tmp, "link"));
    ck_assert_int_eq(symlink("private", link), 0);
    CK_OK(ccrnn_cortex_set_param(cx, CCRNN_PARAM_TRAINING, 0));
    CK_OK(ccrnn_cortex_save(cx, link));
    ck_assert_int_eq(lstat(link, &sb), 0);
    ck_assert(S_ISLNK(sb.st_mode));
    CK_OK(ccrnn_cortex_load(path, &back));
    double training;
    CK_OK(ccrnn_cortex_get_param(back, CCRNN_PARAM_TRAINING, &training));
    ck_assert_double_eq(training, 0);
    ccrnn_cortex_destroy(back);
    unlink(link);
    unlink(path);
    ts_tmpdir_remove(&tmp);
    ccrnn_cortex_destroy(cx);
}
END_TEST

Suite *errors_attack_suite(void)
{
    Suite *s = suite_create("errors_attack");
    TCase *tc = tcase_create("attack");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_failed_forward_keeps_hidden);
    tcase_add_test(tc, test_backward_gradient_overflow);
    tcase_add_test(tc, test_input_grad_overflow);
    tcase_add_test(tc, test_step_gradient_sum_overflow);
    tcase_add_test(tc, test_learn_overflow);
    tcase_add_test(tc, test_synthetic_gradient_overflow);
    tcase_add_test(tc, test_loss_overflow);
    tcase_add_test(tc, test_step_overflow);
    tcase_add_test(tc, test_step_then_resume);
    tcase_add_test(tc, test_activations_nonfinite);
    tcase_add_test(tc, test_nan_weight_forward);
    tcase_add_test(tc, test_mask_survives_step);
    tcase_add_test(tc, test_clip_huge_gradient);
    tcase_add_test(tc, test_codec_update_count_range);
    tcase_add_test(tc, test_codec_fifo);
    tcase_add_test(tc, test_codec_memory_limit);
    tcase_add_test(tc, test_codec_files);
    tcase_add_test(tc, test_codec_shapes_before_allocating);
    suite_add_tcase(s, tc);
    return s;
}
