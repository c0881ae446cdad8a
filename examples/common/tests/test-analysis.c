/* Tests of the analysis measures (examples/common/analysis.h) against answers worked
 * out by hand. */
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "analysis.h"
#include "check-runner.h"

#define TOL 1e-9

START_TEST(cosine_of_known_vectors)
{
    const float a[2] = {1, 0}, b[2] = {1, 1}, c[3] = {1, 2, 3}, d[3] = {-1, -2, -3};
    const float z[3] = {0, 0, 0}, e[3] = {3, 0, -1};
    ck_assert_double_eq_tol(ex_cosine(a, b, 2), 1.0 / sqrt(2.0), TOL);
    ck_assert_double_eq_tol(ex_cosine(c, d, 3), -1.0, TOL);
    ck_assert_double_eq_tol(ex_cosine(c, e, 3), 0.0, TOL); /* 3 - 3 = 0 */
    ck_assert(isnan(ex_cosine(c, z, 3)));
}
END_TEST

START_TEST(pearson_of_known_vectors)
{
    /* deviations (-1,0,1) and (-7/3,-1/3,8/3): r = 5 / sqrt(2 * 114/9) = 15 / sqrt(228) */
    const float a[3] = {1, 2, 3}, b[3] = {2, 4, 7}, c[3] = {5, 5, 5}, d[3] = {6, 4, 2};
    ck_assert_double_eq_tol(ex_pearson(a, b, 3), 15.0 / sqrt(228.0), TOL);
    ck_assert_double_eq_tol(ex_pearson(a, d, 3), -1.0, TOL);
    ck_assert(isnan(ex_pearson(a, c, 3)));
    /* unlike the cosine, an offset does not matter */
    const float e[3] = {101, 102, 103};
    ck_assert_double_eq_tol(ex_pearson(a, e, 3), 1.0, TOL);
    ck_assert_double_lt(ex_cosine(a, d, 3), 0.72); /* cos = 20/sqrt(14*56) = 0.714 */
}
END_TEST

START_TEST(jacobi_eigenvalues)
{
    double a2[4] = {2, 1, 1, 2}, e2[2];
    ck_assert_int_ge(ex_symmetric_eigenvalues(a2, 2, e2), 0);
    ck_assert_double_eq_tol(e2[0], 1.0, TOL);
    ck_assert_double_eq_tol(e2[1], 3.0, TOL);
    /* the 1-D Laplacian: 2 - sqrt 2, 2, 2 + sqrt 2 */
    double a3[9] = {2, -1, 0, -1, 2, -1, 0, -1, 2}, e3[3];
    ck_assert_int_ge(ex_symmetric_eigenvalues(a3, 3, e3), 0);
    ck_assert_double_eq_tol(e3[0], 2.0 - sqrt(2.0), TOL);
    ck_assert_double_eq_tol(e3[1], 2.0, TOL);
    ck_assert_double_eq_tol(e3[2], 2.0 + sqrt(2.0), TOL);
    /* n = 40 Laplacian: lambda_k = 2 - 2 cos(k pi / 41), k = 1..40 */
    size_t n = 40;
    double *a = calloc(n * n, sizeof *a), *e = malloc(n * sizeof *e);
    for (size_t i = 0; i < n; i++) {
        a[i * n + i] = 2.0;
        if (i + 1 < n) a[i * n + i + 1] = a[(i + 1) * n + i] = -1.0;
    }
    ck_assert_int_ge(ex_symmetric_eigenvalues(a, n, e), 0);
    for (size_t k = 1; k <= n; k++)
        ck_assert_double_eq_tol(e[k - 1], 2.0 - 2.0 * cos((double)k * M_PI / 41.0), 1e-9);
    free(a), free(e);
}
END_TEST

/* Four observations of two uncorrelated units with sample variances 16/3 and 4/3. */
static const float two_units[8] = {2, 1, -2, 1, 2, -1, -2, -1};

START_TEST(covariance_and_coding_space)
{
    double cov[4];
    ck_assert_int_eq(ex_covariance(two_units, 4, 2, cov), 0);
    ck_assert_double_eq_tol(cov[0], 16.0 / 3.0, TOL);
    ck_assert_double_eq_tol(cov[1], 0.0, TOL);
    ck_assert_double_eq_tol(cov[2], 0.0, TOL);
    ck_assert_double_eq_tol(cov[3], 4.0 / 3.0, TOL);
    ck_assert_double_eq_tol(ex_coding_space(two_units, 4, 2), 20.0 / 3.0, TOL);
    ck_assert_int_eq(ex_covariance(two_units, 1, 2, cov), -1);
}
END_TEST

START_TEST(population_correlation)
{
    /* sqrt(lambda) = 4/sqrt3, 2/sqrt3: 2 (2/3 - 1/2) = 1/3 */
    ck_assert_double_eq_tol(ex_population_correlation(two_units, 4, 2), 1.0 / 3.0, TOL);
    /* equal variances, uncorrelated: 0 */
    const float flat[8] = {1, 1, -1, 1, 1, -1, -1, -1};
    ck_assert_double_eq_tol(ex_population_correlation(flat, 4, 2), 0.0, TOL);
    /* three units along one direction (x_i = a_i s): rank one, 1 */
    float line[5 * 3];
    for (int o = 0; o < 5; o++)
        for (int i = 0; i < 3; i++) line[o * 3 + i] = (float)((i + 1) * (o * o - 2));
    ck_assert_double_eq_tol(ex_population_correlation(line, 5, 3), 1.0, 1e-6);
}
END_TEST

START_TEST(mean_absolute_pairwise_correlation)
{
    /* u1 = (1,-1,1,-1), u2 = (1,1,-1,-1), u3 = -u1: |r| = 0, 1, 0 -> 1/3 */
    const float x[12] = {1, 1, -1, -1, 1, 1, 1, -1, -1, -1, -1, 1};
    ck_assert_double_eq_tol(ex_mean_abs_correlation(x, 4, 3), 1.0 / 3.0, TOL);
    /* a constant fourth unit has no correlation: its pairs are skipped */
    const float y[16] = {1, 1, -1, 7, -1, 1, 1, 7, 1, -1, -1, 7, -1, -1, 1, 7};
    ck_assert_double_eq_tol(ex_mean_abs_correlation(y, 4, 4), 1.0 / 3.0, TOL);
}
END_TEST

START_TEST(sparsity)
{
    const float one[4] = {1, 0, 0, 0}, all[4] = {1, 1, 1, 1}, half[4] = {1, -1, 0, 0};
    ck_assert_double_eq_tol(ex_sparsity(one, 1, 4), 1.0, TOL);
    ck_assert_double_eq_tol(ex_sparsity(all, 1, 4), 0.0, TOL);
    ck_assert_double_eq_tol(ex_sparsity(half, 1, 4), 2.0 / 3.0, TOL); /* (4 - 2) / 3 */
    /* mean ratio over (1,0,0,0), (0,0,0,0) skipped, (1,1,0,0): 1.5 -> (4 - 1.5) / 3 */
    const float rows[12] = {1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0};
    ck_assert_double_eq_tol(ex_sparsity(rows, 3, 4), 5.0 / 6.0, TOL);
}
END_TEST

static Suite *analysis_suite(void)
{
    Suite *s = suite_create("analysis");
    TCase *t = tcase_create("gradients");
    tcase_add_test(t, cosine_of_known_vectors);
    tcase_add_test(t, pearson_of_known_vectors);
    suite_add_tcase(s, t);
    t = tcase_create("populations");
    tcase_add_test(t, jacobi_eigenvalues);
    tcase_add_test(t, covariance_and_coding_space);
    tcase_add_test(t, population_correlation);
    tcase_add_test(t, mean_absolute_pairwise_correlation);
    tcase_add_test(t, sparsity);
    suite_add_tcase(s, t);
    return s;
}

int main(int argc, char **argv)
{
    static const ts_suite_fn suites[] = {analysis_suite};
    return ts_check_main(argc, argv, suites, 1);
}
