/* The loss helpers: values against hand formulas in double, and the written dL/dy
 * against central differences of the library's own loss.
 *
 * Inputs are multiples of 2^-10 so that y +- 2^-8 is exact in float: the finite
 * difference then sees exactly the step it divides by. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "test-util.h"

#define STEP (1.0f / 256.0f)

static void fill_grid(ts_rng *rng, float *x, size_t n, double lo, double hi)
{
    for (size_t i = 0; i < n; i++) x[i] = (float)(floor(ts_rng_uniform(rng, lo, hi) * 1024.0) / 1024.0);
}

/* ---- MSE ------------------------------------------------------------------------------ */

static double mse_at(const float *y, const float *t, size_t n, size_t dim, const float *mask,
                     size_t n_mask, double denom)
{
    double loss;
    CK_OK(ccrnn_loss_mse(y, t, n, dim, mask, n_mask, denom, NULL, &loss));
    return loss;
}

static void check_mse(const float *mask, size_t n_mask, double denom, double want_denom)
{
    enum { B = 4, D = 3 };
    ts_rng rng;
    ts_rng_seed(&rng, 21 + n_mask);
    float y[B * D], t[B * D], dy[B * D];
    fill_grid(&rng, y, B * D, -2, 2);
    fill_grid(&rng, t, B * D, -2, 2);
    double loss;
    CK_OK(ccrnn_loss_mse(y, t, B * D, D, mask, n_mask, denom, dy, &loss));

    double sum = 0.0;
    for (size_t b = 0; b < B; b++)
        for (size_t d = 0; d < D; d++) {
            double e = (double)y[b * D + d] - t[b * D + d];
            sum += (mask ? mask[b] : 1.0) * e * e;
        }
    ck_assert_double_eq_tol(loss, sum / want_denom, 1e-12);

    double ref[B * D];
    for (size_t i = 0; i < B * D; i++) {
        float keep = y[i];
        y[i] = keep + STEP;
        double lp = mse_at(y, t, B * D, D, mask, n_mask, denom);
        y[i] = keep - STEP;
        double lm = mse_at(y, t, B * D, D, mask, n_mask, denom);
        y[i] = keep;
        ref[i] = (lp - lm) / (2.0 * STEP);
        if (mask && mask[i / D] == 0.0f) ck_assert_msg(dy[i] == 0.0f, "masked dy[%zu] = %g", i, (double)dy[i]);
    }
    assert_close("mse dy", ref, dy, B * D, 1e-5, 1e-7);
}

START_TEST(test_mse_plain)
{
    check_mse(NULL, 0, 0.0, 12.0);
}
END_TEST

START_TEST(test_mse_mask_default_denom)
{
    /* denom 0: (unmasked rows) * dim = 3 * 3. */
    const float mask[4] = {1, 0, 1, 1};
    check_mse(mask, 4, 0.0, 9.0);
}
END_TEST

START_TEST(test_mse_mask_explicit_denom)
{
    const float mask[4] = {0, 1, 0, 1};
    check_mse(mask, 4, 7.5, 7.5);
}
END_TEST

START_TEST(test_mse_all_masked)
{
    /* Every row masked, default denom: loss 0 and a zero gradient, not a division by 0. */
    const float mask[2] = {0, 0}, y[4] = {1, 2, 3, 4}, t[4] = {0, 0, 0, 0};
    float dy[4];
    double loss = -1;
    CK_OK(ccrnn_loss_mse(y, t, 4, 2, mask, 2, 0.0, dy, &loss));
    ck_assert_double_eq(loss, 0.0);
    for (int i = 0; i < 4; i++) ck_assert_float_eq(dy[i], 0.0f);
}
END_TEST

START_TEST(test_mse_outputs_optional)
{
    const float y[2] = {1, 3}, t[2] = {0, 1};
    double loss;
    float dy[2];
    CK_OK(ccrnn_loss_mse(y, t, 2, 2, NULL, 0, 0.0, NULL, &loss));
    ck_assert_double_eq(loss, 2.5);
    CK_OK(ccrnn_loss_mse(y, t, 2, 2, NULL, 0, 0.0, dy, NULL));
    ck_assert_float_eq(dy[0], 1.0f);
    ck_assert_float_eq(dy[1], 2.0f);
    CK_OK(ccrnn_loss_mse(y, t, 2, 2, NULL, 0, 0.0, NULL, NULL));
}
END_TEST

/* ---- softmax cross-entropy ------------------------------------------------------------ */

static double xent_at(const float *z, size_t n, size_t C, const int32_t *labels, size_t B,
                      double denom)
{
    double loss;
    CK_OK(ccrnn_loss_softmax_xent(z, n, C, labels, B, denom, NULL, &loss, NULL));
    return loss;
}

static void check_xent(double denom, double want_denom, double spread)
{
    enum { B = 5, C = 4 };
    const int32_t labels[B] = {2, -1, 0, 3, -7};
    ts_rng rng;
    ts_rng_seed(&rng, 8 + (uint64_t)spread);
    float z[B * C], dy[B * C];
    fill_grid(&rng, z, B * C, -spread, spread);
    double loss;
    size_t correct = 99;
    CK_OK(ccrnn_loss_softmax_xent(z, B * C, C, labels, B, denom, dy, &loss, &correct));

    double sum = 0.0;
    size_t want_correct = 0;
    for (size_t b = 0; b < B; b++) {
        if (labels[b] < 0) continue;
        const float *r = z + b * C;
        double mx = r[0], norm = 0.0;
        size_t arg = 0;
        for (size_t c = 1; c < C; c++)
            if (r[c] > r[arg]) arg = c;
        mx = r[arg];
        for (size_t c = 0; c < C; c++) norm += exp((double)r[c] - mx);
        sum += mx + log(norm) - r[labels[b]];
        want_correct += arg == (size_t)labels[b];
    }
    ck_assert_double_eq_tol(loss, sum / want_denom, 1e-12);
    ck_assert_uint_eq(correct, want_correct);

    double ref[B * C];
    for (size_t i = 0; i < B * C; i++) {
        float keep = z[i];
        z[i] = keep + STEP;
        double lp = xent_at(z, B * C, C, labels, B, denom);
        z[i] = keep - STEP;
        double lm = xent_at(z, B * C, C, labels, B, denom);
        z[i] = keep;
        ref[i] = (lp - lm) / (2.0 * STEP);
        if (labels[i / C] < 0) ck_assert_msg(dy[i] == 0.0f, "ignored row dy[%zu] = %g", i, (double)dy[i]);
    }
    assert_close("xent dy", ref, dy, B * C, 1e-3, 1e-5);
}

START_TEST(test_xent_default_denom)
{
    check_xent(0.0, 3.0, 3.0);
}
END_TEST

START_TEST(test_xent_explicit_denom)
{
    check_xent(10.0, 10.0, 3.0);
}
END_TEST

START_TEST(test_xent_large_logits)
{
    /* Logits around +-80: the loss stays finite (log-sum-exp), dy still exact. */
    check_xent(0.0, 3.0, 80.0);
}
END_TEST

START_TEST(test_xent_known_value)
{
    /* Uniform logits: -log(1/4) per labelled row; argmax ties go to class 0. */
    const float z[8] = {0, 0, 0, 0, 5, 5, 5, 5};
    const int32_t labels[2] = {0, 1};
    double loss;
    size_t correct;
    float dy[8];
    CK_OK(ccrnn_loss_softmax_xent(z, 8, 4, labels, 2, 0.0, dy, &loss, &correct));
    ck_assert_double_eq_tol(loss, log(4.0), 1e-12);
    ck_assert_uint_eq(correct, 1);
    ck_assert_float_eq_tol(dy[0], (0.25f - 1.0f) / 2.0f, 1e-7f);
    ck_assert_float_eq_tol(dy[1], 0.25f / 2.0f, 1e-7f);
}
END_TEST

START_TEST(test_xent_all_ignored)
{
    const float z[4] = {1, 2, 3, 4};
    const int32_t labels[2] = {-1, -1};
    double loss = -1;
    size_t correct = 5;
    float dy[4];
    CK_OK(ccrnn_loss_softmax_xent(z, 4, 2, labels, 2, 0.0, dy, &loss, &correct));
    ck_assert_double_eq(loss, 0.0);
    ck_assert_uint_eq(correct, 0);
    for (int i = 0; i < 4; i++) ck_assert_float_eq(dy[i], 0.0f);
}
END_TEST

Suite *loss_suite(void)
{
    Suite *s = suite_create("loss");
    TCase *tc = tcase_create("mse");
    tcase_add_test(tc, test_mse_plain);
    tcase_add_test(tc, test_mse_mask_default_denom);
    tcase_add_test(tc, test_mse_mask_explicit_denom);
    tcase_add_test(tc, test_mse_all_masked);
    tcase_add_test(tc, test_mse_outputs_optional);
    suite_add_tcase(s, tc);
    tc = tcase_create("softmax_xent");
    tcase_add_test(tc, test_xent_default_denom);
    tcase_add_test(tc, test_xent_explicit_denom);
    tcase_add_test(tc, test_xent_large_logits);
    tcase_add_test(tc, test_xent_known_value);
    tcase_add_test(tc, test_xent_all_ignored);
    suite_add_tcase(s, tc);
    return s;
}
