/* Tests of the statistics module against answers computed by hand or by brute force
 * (the exact Wilcoxon p-values enumerate all 2^n sign patterns; the t-test value was
 * integrated numerically from the t density), and the fixed colour of each model. */
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "check-runner.h"
#include "stats.h"
#include "svg.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

START_TEST(mean_and_sem)
{
    const double v[] = {1, 2, 3, 4};
    ck_assert_double_eq_tol(ex_mean(v, 4), 2.5, 1e-15);
    ck_assert_double_eq_tol(ex_sem(v, 4), sqrt(5.0 / 3.0) / 2.0, 1e-15);
    ck_assert(isnan(ex_mean(v, 0)));
    ck_assert(isnan(ex_sem(v, 1)));
}
END_TEST

START_TEST(incomplete_beta)
{
    /* I_x(a, 1) = x^a, I_x(1, b) = 1 - (1 - x)^b, and for integers
     * I_x(a, b) = P(Binomial(a + b - 1, x) >= a): I_0.4(2, 3) = 1 - 0.6^4 - 4 0.4 0.6^3 */
    ck_assert_double_eq_tol(ex_betainc(3.5, 1.0, 0.3), pow(0.3, 3.5), 1e-13);
    ck_assert_double_eq_tol(ex_betainc(1.0, 2.5, 0.7), 1.0 - pow(0.3, 2.5), 1e-13);
    ck_assert_double_eq_tol(ex_betainc(2.0, 3.0, 0.4), 0.5248, 1e-13);
    ck_assert_double_eq(ex_betainc(2.0, 3.0, 0.0), 0.0);
    ck_assert_double_eq(ex_betainc(2.0, 3.0, 1.0), 1.0);
    ck_assert(isnan(ex_betainc(0.0, 3.0, 0.5)));
    ck_assert(isnan(ex_betainc(2.0, 3.0, 1.5)));
}
END_TEST

START_TEST(student_t)
{
    /* df = 1 is Cauchy: F(1) = 3/4; df = 2: F(t) = 1/2 + t / (2 sqrt(2 + t^2)) */
    ck_assert_double_eq_tol(ex_student_t_cdf(1.0, 1.0), 0.75, 1e-13);
    ck_assert_double_eq_tol(ex_student_t_cdf(-1.0, 1.0), 0.25, 1e-13);
    ck_assert_double_eq_tol(ex_student_t_cdf(2.0, 2.0), 0.5 + 1.0 / sqrt(6.0), 1e-13);
    ck_assert_double_eq_tol(ex_student_t_cdf(0.0, 7.0), 0.5, 1e-15);
    /* table quantiles: t_0.975(9) = 2.262157, t_0.005(4) = -4.604095 */
    ck_assert_double_eq_tol(ex_student_t_cdf(2.262157, 9.0), 0.975, 1e-6);
    ck_assert_double_eq_tol(ex_student_t_cdf(-4.604095, 4.0), 0.005, 1e-6);
    /* large df approaches the normal: Phi(1.959964) = 0.975 */
    ck_assert_double_eq_tol(ex_student_t_cdf(1.959964, 1e7), 0.975, 1e-6);
}
END_TEST

START_TEST(paired_t_test)
{
    /* mean 0.2333, sd 0.2160, t = sqrt(7) = 2.6458 at df 5 */
    const double d[] = {0.3, 0.1, 0.4, -0.1, 0.5, 0.2};
    ck_assert_double_eq_tol(ex_ttest_p(d, 6), 0.0456591, 1e-6);
    const double zero[] = {0, 0, 0}, same[] = {1, 1, 1};
    ck_assert_double_eq(ex_ttest_p(zero, 3), 1.0);
    ck_assert_double_eq(ex_ttest_p(same, 3), 0.0);
    ck_assert(isnan(ex_ttest_p(d, 1)));
}
END_TEST

START_TEST(wilcoxon_exact)
{
    /* all n differences positive: p = 2 / 2^n */
    const double pos5[] = {0.1, 0.2, 0.3, 0.4, 0.5};
    const double pos10[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    ck_assert_double_eq_tol(ex_wilcoxon_p(pos5, 5), 0.0625, 1e-15);
    ck_assert_double_eq_tol(ex_wilcoxon_p(pos10, 10), 2.0 / 1024.0, 1e-15);
    const double neg6[] = {-1, -2, -3, -4, -5, -6};
    ck_assert_double_eq_tol(ex_wilcoxon_p(neg6, 6), 2.0 / 64.0, 1e-15);
    /* W+ = 10 of 15 at n = 5: P(W+ >= 10) = 10/32, p = 20/32 */
    const double mixed[] = {1, 2, 3, 4, -5};
    ck_assert_double_eq_tol(ex_wilcoxon_p(mixed, 5), 0.625, 1e-15);
    /* zeros are dropped: the same answer */
    const double zeros[] = {0, 1, 2, 0, 3, 4, -5};
    ck_assert_double_eq_tol(ex_wilcoxon_p(zeros, 7), 0.625, 1e-15);
    /* ties get mid-ranks; brute force over 2^n sign patterns gives these */
    const double ties1[] = {1, 1, 2, -2, 3};
    ck_assert_double_eq_tol(ex_wilcoxon_p(ties1, 5), 0.375, 1e-15);
    const double ties2[] = {0.5, -0.5, 1.5, 2, 2, 2, -3, 4};
    ck_assert_double_eq_tol(ex_wilcoxon_p(ties2, 8), 0.2109375, 1e-15);
    const double none[] = {0, 0};
    ck_assert_double_eq(ex_wilcoxon_p(none, 2), 1.0);
    ck_assert(isnan(ex_wilcoxon_p(none, 0)));
}
END_TEST

START_TEST(wilcoxon_normal)
{
    /* 25 positive distinct differences: z = (325 - 162.5) / sqrt(1381.25) */
    double d[30];
    for (int i = 0; i < 25; i++) d[i] = i + 1.0;
    ck_assert_double_eq_tol(ex_wilcoxon_p(d, 25), 1.2290322210248443e-05, 1e-12);
    /* 30 values, (i mod 7) - 2: four zeros dropped (26 left), heavy ties */
    for (int i = 0; i < 30; i++) d[i] = (i % 7) - 2.0;
    ck_assert_double_eq_tol(ex_wilcoxon_p(d, 30), 0.038799091136863986, 1e-12);
}
END_TEST

START_TEST(paired_summary)
{
    /* losses (lower is better) of models A and B on 6 seeds; seed 4 diverged for B */
    const double a[] = {1.0, 2.0, 3.0, 4.0, 5.0, 6.0};
    const double b[] = {1.5, 2.5, 2.5, NAN, 6.0, 6.0};
    ex_paired p;
    ck_assert_int_eq(ex_paired_summary(a, b, 6, 1, &p), 0);
    ck_assert_uint_eq(p.n, 5);
    ck_assert_uint_eq(p.n_dropped, 1);
    ck_assert_double_eq_tol(p.mean_a, 17.0 / 5.0, 1e-14);
    ck_assert_double_eq_tol(p.mean_b, 18.5 / 5.0, 1e-14);
    ck_assert_double_eq_tol(p.diff_mean, -0.3, 1e-14); /* -0.5 -0.5 0.5 -1 0 */
    const double d[] = {-0.5, -0.5, 0.5, -1.0, 0.0};
    ck_assert_double_eq_tol(p.diff_sem, ex_sem(d, 5), 1e-15);
    ck_assert_double_eq_tol(p.p_wilcoxon, ex_wilcoxon_p(d, 5), 1e-15);
    ck_assert_double_eq_tol(p.p_t, ex_ttest_p(d, 5), 1e-15);
    ck_assert_uint_eq(p.wins_a, 3);
    ck_assert_uint_eq(p.wins_b, 1);
    /* the same numbers as accuracies: the wins swap */
    ck_assert_int_eq(ex_paired_summary(a, b, 6, 0, &p), 0);
    ck_assert_uint_eq(p.wins_a, 1);
    ck_assert_uint_eq(p.wins_b, 3);
    char buf[256];
    ex_paired_format(&p, "A", 3, buf, sizeof buf);
    ck_assert_str_eq(buf, "-0.3 ± 0.25 (Wilcoxon p = 0.5000, t-test p = 0.3046; "
                          "A better in 1/5 seeds)");
    ck_assert_int_eq(ex_paired_summary(a, b, 6, 0, NULL), -1);
}
END_TEST

START_TEST(one_colour_per_model)
{
    ck_assert_str_eq(ex_model_color("crnn"), "#1f77b4");
    ck_assert_str_eq(ex_model_color("cRNN"), "#1f77b4");
    ck_assert_str_eq(ex_model_color("ccRNN"), "#d62728");
    ck_assert_str_eq(ex_model_color("ccrnn-ablated"), "#7f7f7f");
    ck_assert_str_eq(ex_model_color("ablated"), "#7f7f7f");
    ck_assert_str_eq(ex_model_color("ccrnn-lesioned"), "#9467bd");
    ck_assert_str_eq(ex_model_color("variant1"), "#2ca02c");
    ck_assert_str_eq(ex_model_color("variant2"), "#ff7f0e");
    ck_assert_str_eq(ex_model_color(NULL), "#2ca02c");
}
END_TEST

static Suite *stats_suite(void)
{
    Suite *s = suite_create("stats");
    TCase *tc = tcase_create("stats");
    tcase_add_test(tc, mean_and_sem);
    tcase_add_test(tc, incomplete_beta);
    tcase_add_test(tc, student_t);
    tcase_add_test(tc, paired_t_test);
    tcase_add_test(tc, wilcoxon_exact);
    tcase_add_test(tc, wilcoxon_normal);
    tcase_add_test(tc, paired_summary);
    tcase_add_test(tc, one_colour_per_model);
    suite_add_tcase(s, tc);
    return s;
}

int main(int argc, char **argv)
{
    static const ts_suite_fn suites[] = {stats_suite};
    return ts_check_main(argc, argv, suites, 1);
}
