/* The cells' branch-free exp, sigmoid and tanh (lib/activation.h) against double
 * precision over [-20, 20]: the accuracy docs/guide.md states. */
#include <check.h>
#include <math.h>

#include "../lib/activation.h"
#include "test-util.h"

/* Largest relative error of f against ref on a fine grid of [-20, 20). */
static double worst_relative(float (*f)(float), double (*ref)(double))
{
    double worst = 0.0;
    for (float x = -20.0f; x < 20.0f; x += 1e-4f) {
        double r = ref((double)x), e = fabs((double)f(x) - r) / fmax(fabs(r), 1e-30);
        if (e > worst) worst = e;
    }
    return worst;
}

static double sigmoid_ref(double x) { return 1.0 / (1.0 + exp(-x)); }
static float exp_f(float x) { return ccrnn_exp(x); }
static float sigmoid_f(float x) { return ccrnn_sigmoid(x); }
static float tanh_f(float x) { return ccrnn_tanh(x); }

START_TEST(test_exp_accuracy)
{
    ck_assert_double_le(worst_relative(exp_f, exp), 1.0e-7);
}
END_TEST

START_TEST(test_sigmoid_accuracy)
{
    ck_assert_double_le(worst_relative(sigmoid_f, sigmoid_ref), 1.5e-7);
}
END_TEST

START_TEST(test_tanh_accuracy)
{
    ck_assert_double_le(worst_relative(tanh_f, tanh), 3.0e-7);
    /* Odd, exact at zero, and saturating without overflow. */
    ck_assert(ccrnn_tanh(0.0f) == 0.0f);
    ck_assert(ccrnn_tanh(-0.7f) == -ccrnn_tanh(0.7f));
    ck_assert(ccrnn_tanh(100.0f) == 1.0f && ccrnn_tanh(-100.0f) == -1.0f);
}
END_TEST

START_TEST(test_extremes_stay_finite)
{
    ck_assert(isfinite(ccrnn_exp(1000.0f)) && ccrnn_exp(-1000.0f) >= 0.0f);
    ck_assert(ccrnn_sigmoid(1000.0f) == 1.0f && ccrnn_sigmoid(-1000.0f) < 1e-30f);
}
END_TEST

Suite *activation_suite(void)
{
    Suite *s = suite_create("activation");
    TCase *tc = tcase_create("accuracy");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_exp_accuracy);
    tcase_add_test(tc, test_sigmoid_accuracy);
    tcase_add_test(tc, test_tanh_accuracy);
    tcase_add_test(tc, test_extremes_stay_finite);
    suite_add_tcase(s, tc);
    return s;
}
