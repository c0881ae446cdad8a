/* Error paths of the optimizer and the loss helpers, the status strings, the last-error
 * message and the version queries. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test-errors.h"

/* ---- optimizer ------------------------------------------------------------------------ */

static const int opt_params[8] = {CCRNN_PARAM_LR, CCRNN_PARAM_BETA1, CCRNN_PARAM_BETA2,
                                  CCRNN_PARAM_EPS, CCRNN_PARAM_WEIGHT_DECAY, CCRNN_PARAM_MOMENTUM,
                                  CCRNN_PARAM_ALPHA, CCRNN_PARAM_CLIP_NORM};

static void opt_settings(const ccrnn_optimizer *opt, double *v)
{
    for (size_t i = 0; i < 8; i++) ck_assert_int_eq(ccrnn_optimizer_get_param(opt, opt_params[i], &v[i]), 0);
}

START_TEST(test_optimizer_create)
{
    ccrnn_optimizer *out = (ccrnn_optimizer *)&out;
    ccrnn_optimizer *const mark = out;
    EXPECT_ERR(ccrnn_optimizer_create(CCRNN_OPT_ADAM, NULL), CCRNN_ERR_NULL, "'out'");
    EXPECT_ERR(ccrnn_optimizer_create(3, &out), CCRNN_ERR_ARG, "kind");
    EXPECT_ERR(ccrnn_optimizer_create(-1, &out), CCRNN_ERR_ARG, "kind");
    ck_assert_ptr_eq(out, mark);
    ccrnn_optimizer_destroy(NULL);
}
END_TEST

START_TEST(test_optimizer_calls)
{
    ccrnn_optimizer *opt;
    ccrnn_cortex *cx;
    ccrnn_cerebellum *cb;
    float p[2] = {1, 2}, g[2] = {0.5f, -0.5f};
    size_t group = 77;
    double v = -3, before[8], after[8];
    ck_assert_int_eq(ccrnn_optimizer_create(CCRNN_OPT_SGD, &opt), 0);
    ck_assert_int_eq(ccrnn_cortex_create(CCRNN_CELL_TANH, 1, 2, 1, 1, 1, 1, &cx), 0);
    ck_assert_int_eq(ccrnn_cerebellum_create(2, 0, 2, 0, 0, 1, 1, 0, &cb), 0);
    ck_assert_int_eq(ccrnn_optimizer_set_param(opt, CCRNN_PARAM_LR, 1.0), 0);
    ck_assert_int_eq(ccrnn_optimizer_add_params(opt, p, g, 2, NULL), 0);
    opt_settings(opt, before);

    /* NULL handles and pointers. */
    EXPECT_ERR(ccrnn_optimizer_set_param(NULL, CCRNN_PARAM_LR, 0.1), CCRNN_ERR_NULL, "'opt'");
    EXPECT_ERR(ccrnn_optimizer_get_param(NULL, CCRNN_PARAM_LR, &v), CCRNN_ERR_NULL, "'opt'");
    EXPECT_ERR(ccrnn_optimizer_get_param(opt, CCRNN_PARAM_LR, NULL), CCRNN_ERR_NULL, "'value'");
    EXPECT_ERR(ccrnn_optimizer_add_cortex(NULL, cx, &group), CCRNN_ERR_NULL, "'opt'");
    EXPECT_ERR(ccrnn_optimizer_add_cortex(opt, NULL, &group), CCRNN_ERR_NULL, "'cx'");
    EXPECT_ERR(ccrnn_optimizer_add_cerebellum(NULL, cb, &group), CCRNN_ERR_NULL, "'opt'");
    EXPECT_ERR(ccrnn_optimizer_add_cerebellum(opt, NULL, &group), CCRNN_ERR_NULL, "'cb'");
    EXPECT_ERR(ccrnn_optimizer_add_params(NULL, p, g, 2, &group), CCRNN_ERR_NULL, "'opt'");
    EXPECT_ERR(ccrnn_optimizer_add_params(opt, NULL, g, 2, &group), CCRNN_ERR_NULL, "'values'");
    EXPECT_ERR(ccrnn_optimizer_add_params(opt, p, NULL, 2, &group), CCRNN_ERR_NULL, "'grads'");
    EXPECT_ERR(ccrnn_optimizer_set_group_param(NULL, 0, CCRNN_GROUP_FROZEN, 1), CCRNN_ERR_NULL, "'opt'");
    EXPECT_ERR(ccrnn_optimizer_get_group_param(NULL, 0, CCRNN_GROUP_FROZEN, &v), CCRNN_ERR_NULL, "'opt'");
    EXPECT_ERR(ccrnn_optimizer_get_group_param(opt, 0, CCRNN_GROUP_FROZEN, NULL), CCRNN_ERR_NULL, "'value'");
    EXPECT_ERR(ccrnn_optimizer_step(NULL), CCRNN_ERR_NULL, "'opt'");
    EXPECT_ERR(ccrnn_optimizer_zero_grad(NULL), CCRNN_ERR_NULL, "'opt'");

    /* Out-of-range values, unknown or read-only parameters. */
    EXPECT_ERR(ccrnn_optimizer_set_param(opt, CCRNN_PARAM_LR, -0.1), CCRNN_ERR_ARG, "LR");
    EXPECT_ERR(ccrnn_optimizer_set_param(opt, CCRNN_PARAM_LR, NAN), CCRNN_ERR_ARG, "LR");
    EXPECT_ERR(ccrnn_optimizer_set_param(opt, CCRNN_PARAM_LR, INFINITY), CCRNN_ERR_ARG, "LR");
    EXPECT_ERR(ccrnn_optimizer_set_param(opt, CCRNN_PARAM_BETA1, 1.0), CCRNN_ERR_ARG, "BETA1");
    EXPECT_ERR(ccrnn_optimizer_set_param(opt, CCRNN_PARAM_BETA1, -0.5), CCRNN_ERR_ARG, "BETA1");
    EXPECT_ERR(ccrnn_optimizer_set_param(opt, CCRNN_PARAM_BETA2, 1.5), CCRNN_ERR_ARG, "BETA2");
    EXPECT_ERR(ccrnn_optimizer_set_param(opt, CCRNN_PARAM_EPS, 0.0), CCRNN_ERR_ARG, "EPS");
    EXPECT_ERR(ccrnn_optimizer_set_param(opt, CCRNN_PARAM_EPS, -1e-8), CCRNN_ERR_ARG, "EPS");
    EXPECT_ERR(ccrnn_optimizer_set_param(opt, CCRNN_PARAM_WEIGHT_DECAY, -1), CCRNN_ERR_ARG, "WEIGHT_DECAY");
    EXPECT_ERR(ccrnn_optimizer_set_param(opt, CCRNN_PARAM_MOMENTUM, 1.5), CCRNN_ERR_ARG, "MOMENTUM");
    EXPECT_ERR(ccrnn_optimizer_set_param(opt, CCRNN_PARAM_ALPHA, 2), CCRNN_ERR_ARG, "ALPHA");
    EXPECT_ERR(ccrnn_optimizer_set_param(opt, CCRNN_PARAM_CLIP_NORM, -1), CCRNN_ERR_ARG, "CLIP_NORM");
    EXPECT_ERR(ccrnn_optimizer_set_param(opt, CCRNN_PARAM_CLIP_NORM, NAN), CCRNN_ERR_ARG, "CLIP_NORM");
    EXPECT_ERR(ccrnn_optimizer_set_param(opt, CCRNN_PARAM_GRAD_NORM, 1), CCRNN_ERR_ARG, "read-only");
    EXPECT_ERR(ccrnn_optimizer_set_param(opt, CCRNN_PARAM_STEPS, 1), CCRNN_ERR_ARG, "read-only");
    EXPECT_ERR(ccrnn_optimizer_set_param(opt, CCRNN_PARAM_TRAINING, 1), CCRNN_ERR_ARG, "does not apply");
    EXPECT_ERR(ccrnn_optimizer_set_param(opt, CCRNN_PARAM_THREADS, 1), CCRNN_ERR_ARG, "does not apply");
    EXPECT_ERR(ccrnn_optimizer_get_param(opt, CCRNN_PARAM_ABLATED, &v), CCRNN_ERR_ARG, "does not apply");
    EXPECT_ERR(ccrnn_optimizer_add_params(opt, p, g, 0, &group), CCRNN_ERR_ARG, "count");
    EXPECT_ERR(ccrnn_optimizer_add_params(opt, p, g, 2, &group), CCRNN_ERR_ARG, "already");
    EXPECT_ERR(ccrnn_optimizer_set_group_param(opt, 1, CCRNN_GROUP_FROZEN, 1), CCRNN_ERR_ARG, "group 1");
    EXPECT_ERR(ccrnn_optimizer_set_group_param(opt, (size_t)-1, CCRNN_GROUP_FROZEN, 1), CCRNN_ERR_ARG, "does not exist");
    EXPECT_ERR(ccrnn_optimizer_set_group_param(opt, 0, 7, 1), CCRNN_ERR_ARG, "group parameter");
    EXPECT_ERR(ccrnn_optimizer_set_group_param(opt, 0, CCRNN_GROUP_FROZEN, 2), CCRNN_ERR_ARG, "FROZEN");
    EXPECT_ERR(ccrnn_optimizer_set_group_param(opt, 0, CCRNN_GROUP_LR_SCALE, -1), CCRNN_ERR_ARG, "LR_SCALE");
    EXPECT_ERR(ccrnn_optimizer_set_group_param(opt, 0, CCRNN_GROUP_LR_SCALE, NAN), CCRNN_ERR_ARG, "LR_SCALE");
    EXPECT_ERR(ccrnn_optimizer_get_group_param(opt, 1, CCRNN_GROUP_FROZEN, &v), CCRNN_ERR_ARG, "group 1");
    EXPECT_ERR(ccrnn_optimizer_get_group_param(opt, 0, -1, &v), CCRNN_ERR_ARG, "group parameter");
    ck_assert(v == -3 && group == 77);

    /* Attaching the same object twice is refused too. */
    ck_assert_int_eq(ccrnn_optimizer_add_cortex(opt, cx, &group), 0);
    ck_assert_uint_eq(group, 1);
    ck_assert_int_eq(ccrnn_optimizer_add_cerebellum(opt, cb, &group), 0);
    ck_assert_uint_eq(group, 2);
    group = 77;
    EXPECT_ERR(ccrnn_optimizer_add_cortex(opt, cx, &group), CCRNN_ERR_ARG, "already");
    EXPECT_ERR(ccrnn_optimizer_add_cerebellum(opt, cb, &group), CCRNN_ERR_ARG, "already");
    ck_assert_uint_eq(group, 77);

    /* None of it changed a setting, and the optimizer still steps as before. */
    opt_settings(opt, after);
    ck_assert_mem_eq(before, after, sizeof before);
    ck_assert_int_eq(ccrnn_optimizer_step(opt), 0);
    ck_assert_float_eq(p[0], 0.5f);
    ck_assert_float_eq(p[1], 2.5f);
    double steps;
    ck_assert_int_eq(ccrnn_optimizer_get_param(opt, CCRNN_PARAM_STEPS, &steps), 0);
    ck_assert_double_eq(steps, 1);
    ccrnn_optimizer_destroy(opt);
    ccrnn_cerebellum_destroy(cb);
    ccrnn_cortex_destroy(cx);
}
END_TEST

/* ---- losses ----------------------------------------------------------------------------- */

START_TEST(test_loss_mse)
{
    const float y[6] = {1, 2, 3, 4, 5, 6}, t[6] = {0, 0, 0, 0, 0, 0}, mask[3] = {1, 0, 1};
    float bad[6] = {1, 2, 3, 4, 5, 6}, bad_mask[3] = {1, NAN, 1}, dy[8];
    double loss = -3;
    fill_sentinel(dy, 8);
    EXPECT_ERR(ccrnn_loss_mse(NULL, t, 6, 2, NULL, 0, 0, dy, &loss), CCRNN_ERR_NULL, "'y'");
    EXPECT_ERR(ccrnn_loss_mse(y, NULL, 6, 2, NULL, 0, 0, dy, &loss), CCRNN_ERR_NULL, "'target'");
    EXPECT_ERR(ccrnn_loss_mse(y, t, 6, 2, NULL, 3, 0, dy, &loss), CCRNN_ERR_NULL, "mask is NULL");
    EXPECT_ERR(ccrnn_loss_mse(y, t, 6, 4, NULL, 0, 0, dy, &loss), CCRNN_ERR_SHAPE, "multiple of dim");
    EXPECT_ERR(ccrnn_loss_mse(y, t, 6, 0, NULL, 0, 0, dy, &loss), CCRNN_ERR_SHAPE, "multiple of dim");
    EXPECT_ERR(ccrnn_loss_mse(y, t, 0, 2, NULL, 0, 0, dy, &loss), CCRNN_ERR_SHAPE, "multiple of dim");
    EXPECT_ERR(ccrnn_loss_mse(y, t, 6, 2, mask, 2, 0, dy, &loss), CCRNN_ERR_SHAPE, "mask (batch)");
    EXPECT_ERR(ccrnn_loss_mse(y, t, 6, 2, mask, 3, -1, dy, &loss), CCRNN_ERR_ARG, "denom");
    EXPECT_ERR(ccrnn_loss_mse(y, t, 6, 2, mask, 3, NAN, dy, &loss), CCRNN_ERR_ARG, "denom");
    EXPECT_ERR(ccrnn_loss_mse(y, t, 6, 2, mask, 3, INFINITY, dy, &loss), CCRNN_ERR_ARG, "denom");
    bad[4] = NAN;
    EXPECT_ERR(ccrnn_loss_mse(bad, t, 6, 2, mask, 3, 0, dy, &loss), CCRNN_ERR_NUMERIC, "NaN");
    EXPECT_ERR(ccrnn_loss_mse(y, bad, 6, 2, mask, 3, 0, dy, &loss), CCRNN_ERR_NUMERIC, "NaN");
    bad[4] = -INFINITY;
    EXPECT_ERR(ccrnn_loss_mse(bad, t, 6, 2, NULL, 0, 0, dy, &loss), CCRNN_ERR_NUMERIC, "NaN or Inf");
    EXPECT_ERR(ccrnn_loss_mse(y, t, 6, 2, bad_mask, 3, 0, dy, &loss), CCRNN_ERR_NUMERIC, "mask");
    ck_assert(all_sentinel(dy, 8));
    ck_assert_double_eq(loss, -3);
}
END_TEST

START_TEST(test_loss_xent)
{
    const float z[6] = {1, 2, 3, 4, 5, 6};
    float bad[6] = {1, 2, 3, 4, 5, 6}, dy[8];
    const int32_t labels[3] = {0, 1, -1}, wrong[3] = {0, 2, 1};
    double loss = -3;
    size_t correct = 77;
    fill_sentinel(dy, 8);
    EXPECT_ERR(ccrnn_loss_softmax_xent(NULL, 6, 2, labels, 3, 0, dy, &loss, &correct), CCRNN_ERR_NULL, "'logits'");
    EXPECT_ERR(ccrnn_loss_softmax_xent(z, 6, 2, NULL, 3, 0, dy, &loss, &correct), CCRNN_ERR_NULL, "'labels'");
    EXPECT_ERR(ccrnn_loss_softmax_xent(z, 6, 4, labels, 3, 0, dy, &loss, &correct), CCRNN_ERR_SHAPE, "classes");
    EXPECT_ERR(ccrnn_loss_softmax_xent(z, 6, 0, labels, 3, 0, dy, &loss, &correct), CCRNN_ERR_SHAPE, "classes");
    EXPECT_ERR(ccrnn_loss_softmax_xent(z, 0, 2, labels, 0, 0, dy, &loss, &correct), CCRNN_ERR_SHAPE, "classes");
    EXPECT_ERR(ccrnn_loss_softmax_xent(z, 6, 2, labels, 2, 0, dy, &loss, &correct), CCRNN_ERR_SHAPE, "labels (batch)");
    EXPECT_ERR(ccrnn_loss_softmax_xent(z, 6, 2, wrong, 3, 0, dy, &loss, &correct), CCRNN_ERR_ARG, "label 2");
    EXPECT_ERR(ccrnn_loss_softmax_xent(z, 6, 2, labels, 3, -2, dy, &loss, &correct), CCRNN_ERR_ARG, "denom");
    bad[5] = NAN;
    EXPECT_ERR(ccrnn_loss_softmax_xent(bad, 6, 2, labels, 3, 0, dy, &loss, &correct), CCRNN_ERR_NUMERIC, "NaN");
    bad[5] = INFINITY;
    EXPECT_ERR(ccrnn_loss_softmax_xent(bad, 6, 2, labels, 3, 0, dy, &loss, &correct), CCRNN_ERR_NUMERIC, "NaN or Inf");
    ck_assert(all_sentinel(dy, 8));
    ck_assert(loss == -3 && correct == 77);
}
END_TEST

/* ---- status, messages, version -------------------------------------------------------- */

START_TEST(test_strerror_never_null)
{
    for (int s = -1000; s <= 1000; s++) {
        const char *m = ccrnn_strerror(s);
        ck_assert_ptr_nonnull(m);
        ck_assert(m[0] != '\0');
    }
    const int extremes[4] = {INT_MIN, INT_MIN + 1, INT_MAX - 1, INT_MAX};
    for (int i = 0; i < 4; i++) ck_assert_ptr_nonnull(ccrnn_strerror(extremes[i]));
    /* Every pinned code has its own name; others share "unknown status". */
    ck_assert_str_eq(ccrnn_strerror(CCRNN_OK), "success");
    for (int a = 0; a <= CCRNN_ERR_MISMATCH; a++) {
        ck_assert(strcmp(ccrnn_strerror(a), "unknown status") != 0);
        for (int b = a + 1; b <= CCRNN_ERR_MISMATCH; b++)
            ck_assert_str_ne(ccrnn_strerror(a), ccrnn_strerror(b));
    }
    ck_assert_str_eq(ccrnn_strerror(CCRNN_ERR_MISMATCH + 1), "unknown status");
    ck_assert_str_eq(ccrnn_strerror(-1), "unknown status");
}
END_TEST

START_TEST(test_pinned_status_numbers)
{
    ck_assert_int_eq(CCRNN_OK, 0);
    ck_assert_int_eq(CCRNN_ERR_NULL, 1);
    ck_assert_int_eq(CCRNN_ERR_ARG, 2);
    ck_assert_int_eq(CCRNN_ERR_SHAPE, 3);
    ck_assert_int_eq(CCRNN_ERR_STATE, 4);
    ck_assert_int_eq(CCRNN_ERR_NUMERIC, 5);
    ck_assert_int_eq(CCRNN_ERR_NOMEM, 6);
    ck_assert_int_eq(CCRNN_ERR_IO, 7);
    ck_assert_int_eq(CCRNN_ERR_FORMAT, 8);
    ck_assert_int_eq(CCRNN_ERR_CHECKSUM, 9);
    ck_assert_int_eq(CCRNN_ERR_VERSION, 10);
    ck_assert_int_eq(CCRNN_ERR_MISMATCH, 11);
    ck_assert_int_eq(CCRNN_CELL_LSTM, 0);
    ck_assert_int_eq(CCRNN_CELL_TANH, 1);
    ck_assert_int_eq(CCRNN_CELL_GRU, 2);
    ck_assert_int_eq(CCRNN_PARAM_THREADS, 0);
    ck_assert_int_eq(CCRNN_PARAM_TRAINING, 10);
    ck_assert_int_eq(CCRNN_PARAM_ABLATED, 20);
    ck_assert_int_eq(CCRNN_PARAM_LOSS_MEAN, 22);
    ck_assert_int_eq(CCRNN_PARAM_LR, 30);
    ck_assert_int_eq(CCRNN_PARAM_STEPS, 39);
    ck_assert_int_eq(CCRNN_OPT_ADAM, 0);
    ck_assert_int_eq(CCRNN_OPT_RMSPROP, 2);
    ck_assert_int_eq(CCRNN_GROUP_LR_SCALE, 0);
    ck_assert_int_eq(CCRNN_GROUP_FROZEN, 1);
}
END_TEST

START_TEST(test_last_error)
{
    ck_assert_ptr_nonnull(ccrnn_last_error());
    /* A message names the function and the argument. */
    ck_assert_int_eq(ccrnn_cortex_reset(NULL, 1), CCRNN_ERR_NULL);
    ck_assert_ptr_nonnull(strstr(ccrnn_last_error(), "ccrnn_cortex_reset"));
    ck_assert_ptr_nonnull(strstr(ccrnn_last_error(), "cx"));
    /* A successful call does not invent a failure message, and messages are bounded. */
    const char *before = ccrnn_last_error();
    char copy[512];
    snprintf(copy, sizeof copy, "%s", before);
    ck_assert_int_eq(ccrnn_loss_mse((float[]){1}, (float[]){1}, 1, 1, NULL, 0, 0, NULL, NULL), 0);
    ck_assert_str_eq(ccrnn_last_error(), copy);
    char longname[600];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    ccrnn_cortex *cx;
    ck_assert_int_eq(ccrnn_cortex_create(CCRNN_CELL_TANH, 1, 1, 1, 1, 1, 0, &cx), 0);
    float buf[1];
    ck_assert_int_eq(ccrnn_cortex_get_tensor(cx, longname, buf, 1), CCRNN_ERR_ARG);
    ck_assert_uint_lt(strlen(ccrnn_last_error()), sizeof longname);
    ccrnn_cortex_destroy(cx);
}
END_TEST

START_TEST(test_version)
{
    char want[64];
    snprintf(want, sizeof want, "%d.%d.%d", CCRNN_VERSION_MAJOR, CCRNN_VERSION_MINOR,
             CCRNN_VERSION_PATCH);
    ck_assert_uint_eq(ccrnn_version_number(), CCRNN_VERSION_NUMBER);
    ck_assert_uint_eq(CCRNN_VERSION_NUMBER,
                      CCRNN_VERSION_MAJOR * 10000 + CCRNN_VERSION_MINOR * 100 + CCRNN_VERSION_PATCH);
    ck_assert_ptr_nonnull(ccrnn_version_string());
    ck_assert_str_eq(ccrnn_version_string(), CCRNN_VERSION_STRING);
    ck_assert_str_eq(ccrnn_version_string(), want);
}
END_TEST

Suite *errors_misc_suite(void)
{
    Suite *s = suite_create("errors_misc");
    TCase *tc = tcase_create("optimizer");
    tcase_add_test(tc, test_optimizer_create);
    tcase_add_test(tc, test_optimizer_calls);
    suite_add_tcase(s, tc);
    tc = tcase_create("loss");
    tcase_add_test(tc, test_loss_mse);
    tcase_add_test(tc, test_loss_xent);
    suite_add_tcase(s, tc);
    tc = tcase_create("status_and_version");
    tcase_add_test(tc, test_strerror_never_null);
    tcase_add_test(tc, test_pinned_status_numbers);
    tcase_add_test(tc, test_last_error);
    tcase_add_test(tc, test_version);
    suite_add_tcase(s, tc);
    return s;
}
