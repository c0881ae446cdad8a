/* Error paths of every cerebellum function and of the synthetic-gradient glue; each
 * failed call leaves the cerebellum (and cortex) unchanged and writes no output. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "test-errors.h"

enum { NIN = 4, NCTX = 2, NOUT = 3, WIDTH = 5, MAXB = 3, B = 2 };

static ccrnn_cerebellum *cb, *ref, *plain; /* plain: no context input */
static float in[MAXB * NIN], ctx[MAXB * NCTX], target[MAXB * NOUT], big[1024];

static void setup(void)
{
    ts_rng rng;
    ts_rng_seed(&rng, 31);
    ck_assert_int_eq(ccrnn_cerebellum_create(NIN, NCTX, NOUT, 1, WIDTH, MAXB, 3, 0, &cb), 0);
    ck_assert_int_eq(ccrnn_cerebellum_create(NIN, 0, NOUT, 1, WIDTH, MAXB, 3, 0, &plain), 0);
    randomize_cerebellum(cb, 8, 0.5);
    ts_rng_fill(&rng, in, MAXB * NIN, -1, 1);
    ts_rng_fill(&rng, ctx, MAXB * NCTX, -1, 1);
    ts_rng_fill(&rng, target, MAXB * NOUT, -1, 1);
    /* Some history: a learn (gradients nonzero) and a predict (a cached forward). */
    ck_assert_int_eq(ccrnn_cerebellum_learn(cb, B, in, B * NIN, ctx, B * NCTX, target, B * NOUT, NULL), 0);
    ck_assert_int_eq(ccrnn_cerebellum_predict(cb, B, in, B * NIN, ctx, B * NCTX, big, B * NOUT), 0);
    ck_assert_int_eq(ccrnn_cerebellum_clone(cb, &ref), 0);
    fill_sentinel(big, 1024);
}

static void teardown(void)
{
    ccrnn_cerebellum_destroy(cb);
    ccrnn_cerebellum_destroy(ref);
    ccrnn_cerebellum_destroy(plain);
}

START_TEST(test_create)
{
    ccrnn_cerebellum *out = (ccrnn_cerebellum *)&out;
    ccrnn_cerebellum *const mark = out;
    EXPECT_ERR(ccrnn_cerebellum_create(1, 0, 1, 0, 0, 1, 0, 0, NULL), CCRNN_ERR_NULL, "'out'");
    EXPECT_ERR(ccrnn_cerebellum_create(0, 0, 1, 0, 0, 1, 0, 0, &out), CCRNN_ERR_ARG, "n_in (0)");
    EXPECT_ERR(ccrnn_cerebellum_create(1, 0, 0, 0, 0, 1, 0, 0, &out), CCRNN_ERR_ARG, "n_out (0)");
    EXPECT_ERR(ccrnn_cerebellum_create(1, 0, 1, 0, 0, 0, 0, 0, &out), CCRNN_ERR_ARG, "max_batch (0)");
    EXPECT_ERR(ccrnn_cerebellum_create(1, 0, 1, 2, 0, 1, 0, 0, &out), CCRNN_ERR_ARG, "width");
    EXPECT_ERR(ccrnn_cerebellum_create(1, 0, 1, 1000, 4, 1, 0, 0, &out), CCRNN_ERR_ARG, "n_hidden_layers");
    EXPECT_ERR(ccrnn_cerebellum_create(1, 0, 1, 1, 4, 1, 0, 2, &out), CCRNN_ERR_ARG, "flags");
    EXPECT_ERR(ccrnn_cerebellum_create(1, 0, 1, 1, 4, 1, 0, 0x80000000u, &out), CCRNN_ERR_ARG, "flags");
    int st = ccrnn_cerebellum_create((size_t)1 << 40, 0, 1, 1, 4, 1, 0, 0, &out);
    ck_assert(st == CCRNN_ERR_ARG || st == CCRNN_ERR_NOMEM);
    st = ccrnn_cerebellum_create(1, 0, 1, 1, (size_t)-1, (size_t)-1, 0, 0, &out);
    ck_assert(st == CCRNN_ERR_ARG || st == CCRNN_ERR_NOMEM);
    ck_assert_ptr_eq(out, mark);
    EXPECT_ERR(ccrnn_cerebellum_clone(NULL, &out), CCRNN_ERR_NULL, NULL);
    EXPECT_ERR(ccrnn_cerebellum_clone(cb, NULL), CCRNN_ERR_NULL, "'out'");
    ck_assert_ptr_eq(out, mark);
    ccrnn_cerebellum_destroy(NULL);
}
END_TEST

START_TEST(test_null_handle)
{
    double v = -3, loss = -3;
    size_t n = 77;
    const char *name = NULL;
    EXPECT_ERR(ccrnn_cerebellum_set_param(NULL, CCRNN_PARAM_ABLATED, 1), CCRNN_ERR_NULL, "'cb'");
    EXPECT_ERR(ccrnn_cerebellum_get_param(NULL, CCRNN_PARAM_ABLATED, &v), CCRNN_ERR_NULL, "'cb'");
    EXPECT_ERR(ccrnn_cerebellum_shape(NULL, &n, &n, &n, &n, &n, &n), CCRNN_ERR_NULL, "'cb'");
    EXPECT_ERR(ccrnn_cerebellum_set_fibres(NULL, 1, 0), CCRNN_ERR_NULL, "'cb'");
    EXPECT_ERR(ccrnn_cerebellum_predict(NULL, B, in, B * NIN, ctx, B * NCTX, big, B * NOUT), CCRNN_ERR_NULL, "'cb'");
    EXPECT_ERR(ccrnn_cerebellum_learn(NULL, B, in, B * NIN, ctx, B * NCTX, target, B * NOUT, &loss), CCRNN_ERR_NULL, "'cb'");
    EXPECT_ERR(ccrnn_cerebellum_hidden(NULL, 0, big, B * WIDTH), CCRNN_ERR_NULL, "'cb'");
    EXPECT_ERR(ccrnn_cerebellum_params(NULL, NULL, NULL, &n), CCRNN_ERR_NULL, "'cb'");
    EXPECT_ERR(ccrnn_cerebellum_zero_grad(NULL), CCRNN_ERR_NULL, "'cb'");
    EXPECT_ERR(ccrnn_cerebellum_tensor_count(NULL, &n), CCRNN_ERR_NULL, "'cb'");
    EXPECT_ERR(ccrnn_cerebellum_tensor_info(NULL, 0, &name, &n, &n, &n), CCRNN_ERR_NULL, "'cb'");
    EXPECT_ERR(ccrnn_cerebellum_get_tensor(NULL, "0.bias", big, WIDTH), CCRNN_ERR_NULL, "'cb'");
    EXPECT_ERR(ccrnn_cerebellum_set_tensor(NULL, "0.bias", in, WIDTH), CCRNN_ERR_NULL, "'cb'");
    ck_assert(v == -3 && loss == -3 && n == 77 && name == NULL);
    ck_assert(all_sentinel(big, 1024));
    cb_expect_same_future(cb, ref);
}
END_TEST

START_TEST(test_params_fibres_tensors)
{
    double v = -3;
    size_t n = 77, r = 77, c = 77, o = 77;
    const char *name = NULL;
    const int flags[3] = {CCRNN_PARAM_ABLATED, CCRNN_PARAM_IO_LESION, CCRNN_PARAM_LOSS_MEAN};
    for (size_t i = 0; i < 3; i++) {
        CB_FAIL(cb, ccrnn_cerebellum_set_param(cb, flags[i], 3), CCRNN_ERR_ARG, "must be an integer in [0,");
        CB_FAIL(cb, ccrnn_cerebellum_set_param(cb, flags[i], 0.5), CCRNN_ERR_ARG, "must be an integer in [0,");
        CB_FAIL(cb, ccrnn_cerebellum_set_param(cb, flags[i], -1), CCRNN_ERR_ARG, "must be an integer in [0,");
        CB_FAIL(cb, ccrnn_cerebellum_set_param(cb, flags[i], NAN), CCRNN_ERR_ARG, "must be an integer in [0,");
    }
    CB_FAIL(cb, ccrnn_cerebellum_set_param(cb, CCRNN_PARAM_THREADS, 0), CCRNN_ERR_ARG, "THREADS");
    CB_FAIL(cb, ccrnn_cerebellum_set_param(cb, CCRNN_PARAM_THREADS, 1e9), CCRNN_ERR_ARG, "THREADS");
    CB_FAIL(cb, ccrnn_cerebellum_set_param(cb, CCRNN_PARAM_TRAINING, 1), CCRNN_ERR_ARG, "does not apply");
    CB_FAIL(cb, ccrnn_cerebellum_set_param(cb, CCRNN_PARAM_LR, 1), CCRNN_ERR_ARG, "does not apply");
    CB_FAIL(cb, ccrnn_cerebellum_get_param(cb, CCRNN_PARAM_CLIP_NORM, &v), CCRNN_ERR_ARG, "does not apply");
    CB_FAIL(cb, ccrnn_cerebellum_get_param(cb, CCRNN_PARAM_ABLATED, NULL), CCRNN_ERR_NULL, "'value'");
    ck_assert_double_eq(v, -3);
    CB_FAIL(cb, ccrnn_cerebellum_set_fibres(cb, 0, 1), CCRNN_ERR_ARG, "n_fibres");
    CB_FAIL(cb, ccrnn_cerebellum_set_fibres(cb, NIN + NCTX + 1, 1), CCRNN_ERR_ARG, "n_fibres");
    CB_FAIL(cb, ccrnn_cerebellum_tensor_count(cb, NULL), CCRNN_ERR_NULL, "'count'");
    CB_FAIL(cb, ccrnn_cerebellum_tensor_info(cb, 4, &name, &r, &c, &o), CCRNN_ERR_ARG, "index");
    ck_assert(name == NULL && r == 77 && c == 77 && o == 77 && n == 77);
    CB_FAIL(cb, ccrnn_cerebellum_get_tensor(cb, NULL, big, WIDTH), CCRNN_ERR_NULL, "'name'");
    CB_FAIL(cb, ccrnn_cerebellum_get_tensor(cb, "0.bias", NULL, WIDTH), CCRNN_ERR_NULL, "'buf'");
    CB_FAIL(cb, ccrnn_cerebellum_get_tensor(cb, "4.bias", big, WIDTH), CCRNN_ERR_ARG, "4.bias");
    CB_FAIL(cb, ccrnn_cerebellum_get_tensor(cb, "0.bias", big, WIDTH + 1), CCRNN_ERR_SHAPE, "tensor buffer");
    ck_assert(all_sentinel(big, 1024));
    float vals[WIDTH] = {1, 2, 3, 4, 5};
    CB_FAIL(cb, ccrnn_cerebellum_set_tensor(cb, NULL, vals, WIDTH), CCRNN_ERR_NULL, "'name'");
    CB_FAIL(cb, ccrnn_cerebellum_set_tensor(cb, "0.bias", NULL, WIDTH), CCRNN_ERR_NULL, "'buf'");
    CB_FAIL(cb, ccrnn_cerebellum_set_tensor(cb, "weight", vals, WIDTH), CCRNN_ERR_ARG, "weight");
    CB_FAIL(cb, ccrnn_cerebellum_set_tensor(cb, "0.bias", vals, WIDTH - 1), CCRNN_ERR_SHAPE, "tensor buffer");
    vals[4] = NAN;
    CB_FAIL(cb, ccrnn_cerebellum_set_tensor(cb, "0.bias", vals, WIDTH), CCRNN_ERR_NUMERIC, "NaN");
    vals[4] = INFINITY;
    CB_FAIL(cb, ccrnn_cerebellum_set_tensor(cb, "0.bias", vals, WIDTH), CCRNN_ERR_NUMERIC, "NaN or Inf");
    cb_expect_same_future(cb, ref);
}
END_TEST

/* predict and learn share their input checks; each is run on both. */
START_TEST(test_predict_learn)
{
    double loss = -3;
    float nan_in[MAXB * NIN], nan_ctx[MAXB * NCTX], nan_t[MAXB * NOUT];
    memcpy(nan_in, in, sizeof in);
    memcpy(nan_ctx, ctx, sizeof ctx);
    memcpy(nan_t, target, sizeof target);
    nan_in[1] = NAN;
    nan_ctx[0] = INFINITY;
    nan_t[2] = -INFINITY;
#define PREDICT(...) ccrnn_cerebellum_predict(cb, __VA_ARGS__)
#define LEARN(...) ccrnn_cerebellum_learn(cb, __VA_ARGS__)
    CB_FAIL(cb, PREDICT(B, NULL, B * NIN, ctx, B * NCTX, big, B * NOUT), CCRNN_ERR_NULL, "'in'");
    CB_FAIL(cb, PREDICT(B, in, B * NIN, NULL, B * NCTX, big, B * NOUT), CCRNN_ERR_NULL, "ctx is NULL");
    CB_FAIL(cb, PREDICT(B, in, B * NIN, ctx, B * NCTX, NULL, B * NOUT), CCRNN_ERR_NULL, "'out'");
    CB_FAIL(cb, PREDICT(0, in, 0, ctx, 0, big, 0), CCRNN_ERR_ARG, "batch");
    CB_FAIL(cb, PREDICT(MAXB + 1, in, (MAXB + 1) * NIN, ctx, (MAXB + 1) * NCTX, big, (MAXB + 1) * NOUT), CCRNN_ERR_ARG, "batch");
    CB_FAIL(cb, PREDICT(B, in, B * NIN + 1, ctx, B * NCTX, big, B * NOUT), CCRNN_ERR_SHAPE, "in (batch*n_in)");
    CB_FAIL(cb, PREDICT(B, in, B * NIN, ctx, B * NCTX - 1, big, B * NOUT), CCRNN_ERR_SHAPE, "ctx (batch*n_ctx)");
    CB_FAIL(cb, PREDICT(B, in, B * NIN, ctx, B * NCTX, big, B * NOUT + 1), CCRNN_ERR_SHAPE, "out (batch*n_out)");
    CB_FAIL(cb, PREDICT(B, nan_in, B * NIN, ctx, B * NCTX, big, B * NOUT), CCRNN_ERR_NUMERIC, "in contains");
    CB_FAIL(cb, PREDICT(B, in, B * NIN, nan_ctx, B * NCTX, big, B * NOUT), CCRNN_ERR_NUMERIC, "ctx contains");
    EXPECT_ERR(ccrnn_cerebellum_predict(plain, B, in, B * NIN, ctx, B * NCTX, big, B * NOUT), CCRNN_ERR_SHAPE, "ctx given");
    EXPECT_ERR(ccrnn_cerebellum_predict(plain, B, in, B * NIN, NULL, 2, big, B * NOUT), CCRNN_ERR_SHAPE, "ctx given");
    ck_assert(all_sentinel(big, 1024));

    CB_FAIL(cb, LEARN(B, NULL, B * NIN, ctx, B * NCTX, target, B * NOUT, &loss), CCRNN_ERR_NULL, "'in'");
    CB_FAIL(cb, LEARN(B, in, B * NIN, NULL, B * NCTX, target, B * NOUT, &loss), CCRNN_ERR_NULL, "ctx is NULL");
    CB_FAIL(cb, LEARN(B, in, B * NIN, ctx, B * NCTX, NULL, B * NOUT, &loss), CCRNN_ERR_NULL, "'target'");
    CB_FAIL(cb, LEARN(0, in, 0, ctx, 0, target, 0, &loss), CCRNN_ERR_ARG, "batch");
    CB_FAIL(cb, LEARN(B, in, B * NIN - 1, ctx, B * NCTX, target, B * NOUT, &loss), CCRNN_ERR_SHAPE, "in (batch*n_in)");
    CB_FAIL(cb, LEARN(B, in, B * NIN, ctx, B * NCTX + 1, target, B * NOUT, &loss), CCRNN_ERR_SHAPE, "ctx (batch*n_ctx)");
    CB_FAIL(cb, LEARN(B, in, B * NIN, ctx, B * NCTX, target, B * NOUT - 1, &loss), CCRNN_ERR_SHAPE, "target (batch*n_out)");
    CB_FAIL(cb, LEARN(B, nan_in, B * NIN, ctx, B * NCTX, target, B * NOUT, &loss), CCRNN_ERR_NUMERIC, "in contains");
    CB_FAIL(cb, LEARN(B, in, B * NIN, nan_ctx, B * NCTX, target, B * NOUT, &loss), CCRNN_ERR_NUMERIC, "ctx contains");
    CB_FAIL(cb, LEARN(B, in, B * NIN, ctx, B * NCTX, nan_t, B * NOUT, &loss), CCRNN_ERR_NUMERIC, "target contains");
    EXPECT_ERR(ccrnn_cerebellum_learn(plain, B, in, B * NIN, ctx, B * NCTX, target, B * NOUT, &loss), CCRNN_ERR_SHAPE, "ctx given");
    ck_assert_double_eq(loss, -3);
#undef PREDICT
#undef LEARN
    cb_expect_same_future(cb, ref);
}
END_TEST

START_TEST(test_nonfinite_prediction)
{
    /* Finite weights whose output overflows: NUMERIC, nothing written or learned. */
    float huge[NOUT * WIDTH];
    double loss = -3;
    for (size_t i = 0; i < NOUT * WIDTH; i++) huge[i] = 3e38f;
    ck_assert_int_eq(ccrnn_cerebellum_set_tensor(cb, "2.weight", huge, NOUT * WIDTH), 0);
    ck_assert_int_eq(ccrnn_cerebellum_set_tensor(ref, "2.weight", huge, NOUT * WIDTH), 0);
    float big_in[B * NIN];
    for (size_t i = 0; i < B * NIN; i++) big_in[i] = 100.0f;
    CB_FAIL(cb, ccrnn_cerebellum_predict(cb, B, big_in, B * NIN, ctx, B * NCTX, big, B * NOUT), CCRNN_ERR_NUMERIC, "not finite");
    CB_FAIL(cb, ccrnn_cerebellum_learn(cb, B, big_in, B * NIN, ctx, B * NCTX, target, B * NOUT, &loss), CCRNN_ERR_NUMERIC, "not finite");
    ck_assert(all_sentinel(big, 1024));
    ck_assert_double_eq(loss, -3);
}
END_TEST

START_TEST(test_hidden)
{
    ccrnn_cerebellum *fresh;
    ck_assert_int_eq(ccrnn_cerebellum_create(NIN, 0, NOUT, 2, WIDTH, MAXB, 3, 0, &fresh), 0);
    EXPECT_ERR(ccrnn_cerebellum_hidden(fresh, 0, big, B * WIDTH), CCRNN_ERR_STATE, "no forward");
    ccrnn_cerebellum_destroy(fresh);
    CB_FAIL(cb, ccrnn_cerebellum_hidden(cb, 0, NULL, B * WIDTH), CCRNN_ERR_NULL, "'h'");
    CB_FAIL(cb, ccrnn_cerebellum_hidden(cb, 1, big, B * WIDTH), CCRNN_ERR_ARG, "layer");
    CB_FAIL(cb, ccrnn_cerebellum_hidden(cb, 0, big, MAXB * WIDTH), CCRNN_ERR_SHAPE, "hidden buffer");
    ck_assert(all_sentinel(big, 1024));
    /* A network without hidden layers has no hidden activity to give. */
    EXPECT_ERR(ccrnn_cerebellum_hidden(plain, 1, big, B * WIDTH), CCRNN_ERR_ARG, "layer");
    cb_expect_same_future(cb, ref);
}
END_TEST

/* A predict that fails with NUMERIC leaves the activity reported by
 * ccrnn_cerebellum_hidden as it was (once a bug: it showed the failed forward). */
START_TEST(test_failed_predict_keeps_hidden)
{
    float before[B * WIDTH], after[B * WIDTH], huge[NOUT * WIDTH], big_in[B * NIN];
    ck_assert_int_eq(ccrnn_cerebellum_hidden(cb, 0, before, B * WIDTH), 0);
    for (size_t i = 0; i < NOUT * WIDTH; i++) huge[i] = 3e38f;
    for (size_t i = 0; i < B * NIN; i++) big_in[i] = 100.0f;
    ck_assert_int_eq(ccrnn_cerebellum_set_tensor(cb, "2.weight", huge, NOUT * WIDTH), 0);
    EXPECT_ERR(ccrnn_cerebellum_predict(cb, B, big_in, B * NIN, ctx, B * NCTX, big, B * NOUT), CCRNN_ERR_NUMERIC, NULL);
    ck_assert_int_eq(ccrnn_cerebellum_hidden(cb, 0, after, B * WIDTH), 0);
    ck_assert_mem_eq(before, after, sizeof before);
}
END_TEST

/* ---- synthetic-gradient glue ---------------------------------------------------------- */

START_TEST(test_synthetic)
{
    /* A cortex whose state (LSTM, H = 2: Z = 4 = NIN) matches the cerebellum's input and
     * a cerebellum whose output is NOUT = 3 != 4 (mismatched), one matching, and one
     * with too small a batch. */
    ccrnn_cortex *cx;
    ccrnn_cerebellum *ok, *small;
    ck_assert_int_eq(ccrnn_cortex_create(CCRNN_CELL_LSTM, 1, 2, 1, MAXB, 2, 1, &cx), 0);
    ck_assert_int_eq(ccrnn_cortex_reset(cx, B), 0);
    ck_assert_int_eq(ccrnn_cerebellum_create(4, 0, 4, 1, 6, MAXB, 1, 0, &ok), 0);
    ck_assert_int_eq(ccrnn_cerebellum_create(4, 0, 4, 1, 6, 1, 1, 0, &small), 0);
    randomize_cerebellum(ok, 3, 0.5);
    float xx[B] = {0.5f, -0.5f}, dz[B * 4];
    ck_assert_int_eq(ccrnn_cortex_forward(cx, xx, B, NULL, 0), 0);
    const size_t n = B * 4;
    cx_snap cs;
    cx_snap_take(cx, &cs);
    EXPECT_ERR(ccrnn_synthetic_gradient(NULL, cx, NULL, 0, 0.1, big, n), CCRNN_ERR_NULL, "'cb'");
    EXPECT_ERR(ccrnn_synthetic_gradient(ok, NULL, NULL, 0, 0.1, big, n), CCRNN_ERR_NULL, "'cx'");
    CB_FAIL(ok, ccrnn_synthetic_gradient(ok, cx, NULL, 0, 0.1, NULL, n), CCRNN_ERR_NULL, "'dz'");
    CB_FAIL(ok, ccrnn_synthetic_gradient(ok, cx, NULL, 0, 0.1, big, n - 1), CCRNN_ERR_SHAPE, "gradient buffer");
    CB_FAIL(ok, ccrnn_synthetic_gradient(ok, cx, NULL, 0, NAN, big, n), CCRNN_ERR_ARG, "scale");
    CB_FAIL(ok, ccrnn_synthetic_gradient(ok, cx, NULL, 0, INFINITY, big, n), CCRNN_ERR_ARG, "scale");
    CB_FAIL(ok, ccrnn_synthetic_gradient(ok, cx, in, 2, 0.1, big, n), CCRNN_ERR_SHAPE, "ctx");
    EXPECT_ERR(ccrnn_synthetic_gradient(cb, cx, ctx, B * NCTX, 0.1, big, n), CCRNN_ERR_SHAPE, "cerebellum maps");
    EXPECT_ERR(ccrnn_synthetic_gradient(small, cx, NULL, 0, 0.1, big, n), CCRNN_ERR_SHAPE, "max_batch");
    ck_assert(all_sentinel(big, 1024));
    cx_snap_expect_same(cx, &cs, "the failed synthetic_gradient calls", __LINE__);

    ck_assert_int_eq(ccrnn_synthetic_gradient(ok, cx, NULL, 0, 0.1, dz, n), 0);
    ck_assert_int_eq(ccrnn_cortex_backward(cx, dz, n, dz, n), 0);
    double loss = -3;
    float bad[B * 4];
    memcpy(bad, dz, sizeof bad);
    bad[0] = NAN;
    EXPECT_ERR(ccrnn_synthetic_gradient_learn(NULL, cx, NULL, 0, dz, n, &loss), CCRNN_ERR_NULL, "'cb'");
    EXPECT_ERR(ccrnn_synthetic_gradient_learn(ok, NULL, NULL, 0, dz, n, &loss), CCRNN_ERR_NULL, "'cx'");
    CB_FAIL(ok, ccrnn_synthetic_gradient_learn(ok, cx, NULL, 0, NULL, n, &loss), CCRNN_ERR_NULL, "'dz_start'");
    CB_FAIL(ok, ccrnn_synthetic_gradient_learn(ok, cx, NULL, 0, dz, n + 1, &loss), CCRNN_ERR_SHAPE, "gradient buffer");
    CB_FAIL(ok, ccrnn_synthetic_gradient_learn(ok, cx, NULL, 0, bad, n, &loss), CCRNN_ERR_NUMERIC, "target contains");
    EXPECT_ERR(ccrnn_synthetic_gradient_learn(cb, cx, ctx, B * NCTX, dz, n, &loss), CCRNN_ERR_SHAPE, "cerebellum maps");
    EXPECT_ERR(ccrnn_synthetic_gradient_learn(small, cx, NULL, 0, dz, n, &loss), CCRNN_ERR_SHAPE, "max_batch");
    ck_assert_double_eq(loss, -3);
    ck_assert_int_eq(ccrnn_synthetic_gradient_learn(ok, cx, NULL, 0, dz, n, &loss), 0);
    ck_assert(loss >= 0);
    cx_snap_free(&cs);
    ccrnn_cerebellum_destroy(ok);
    ccrnn_cerebellum_destroy(small);
    ccrnn_cortex_destroy(cx);
}
END_TEST

Suite *errors_cerebellum_suite(void)
{
    Suite *s = suite_create("errors_cerebellum");
    TCase *tc = tcase_create("cerebellum");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_create);
    tcase_add_test(tc, test_null_handle);
    tcase_add_test(tc, test_params_fibres_tensors);
    tcase_add_test(tc, test_predict_learn);
    tcase_add_test(tc, test_nonfinite_prediction);
    tcase_add_test(tc, test_hidden);
    tcase_add_test(tc, test_failed_predict_keeps_hidden);
    tcase_add_test(tc, test_synthetic);
    suite_add_tcase(s, tc);
    return s;
}
