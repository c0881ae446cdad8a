/* Drawing targets: the fit_points rule and its segment-length table at L = 28
 * (docs/model.md §the fit_points rule), template points worked out by hand, and the line
 * endpoints (§online line drawing). */
#include <check.h>
#include <math.h>

#include "targets.h"
#include "test-seqmnist.h"

#define TOL 1e-12
#define PI 3.14159265358979323846

START_TEST(segment_table_at_28)
{
    /* docs/model.md §the fit_points rule, the table at L = 28. */
    static const size_t want[10][10] = {
        {4, 4, 4, 3, 3, 3, 3, 3},       {9, 9, 9},
        {5, 5, 5, 4, 4, 4},             {4, 4, 4, 3, 3, 3, 3, 3},
        {4, 4, 4, 4, 4, 4, 3},          {3, 3, 3, 3, 3, 3, 3, 2, 2, 2},
        {4, 4, 4, 4, 4, 4, 3},          {7, 7, 7, 6},
        {4, 4, 4, 3, 3, 3, 3, 3},       {3, 3, 3, 3, 3, 3, 3, 2, 2, 2},
    };
    static const size_t n_seg[10] = {8, 3, 6, 8, 7, 10, 7, 4, 8, 10};
    for (int d = 0; d < 10; d++) {
        const double *pts = NULL;
        size_t n = seqmnist_digit_points(d, &pts);
        ck_assert_uint_eq(n, n_seg[d] + 1);
        double path[28 * 2];
        size_t seg[SEQMNIST_MAX_POINTS];
        ck_assert_int_eq(seqmnist_fit_points(28, pts, n, path, seg), 0);
        size_t sum = 0;
        for (size_t i = 0; i < n_seg[d]; i++) {
            ck_assert_msg(seg[i] == want[d][i], "digit %d segment %zu: %zu, expected %zu", d,
                          i, seg[i], want[d][i]);
            sum += seg[i];
        }
        ck_assert_uint_eq(sum, 27);
    }
}
END_TEST

static void check_point(const double *path, size_t t, double x, double y)
{
    ck_assert_msg(fabs(path[2 * t] - x) < TOL && fabs(path[2 * t + 1] - y) < TOL,
                  "point %zu is (%g, %g), expected (%g, %g)", t, path[2 * t], path[2 * t + 1],
                  x, y);
}

START_TEST(template_points_by_hand)
{
    double p[28 * 2];
    /* 1: (.25,.75)(.5,1)(.5,.5)(.5,0), segments of 9. */
    ck_assert_int_eq(seqmnist_digit_template(1, 28, p), 0);
    check_point(p, 0, .25, .75);
    check_point(p, 1, .25 + .25 / 9, .75 + .25 / 9);
    check_point(p, 9, .5, 1);
    check_point(p, 18, .5, .5);
    check_point(p, 22, .5, .5 - 4 * .5 / 9);
    check_point(p, 27, .5, 0);
    /* 7: (0,1)(.5,1)(1,1)(.5,.5)(0,0), segments 7,7,7,6. */
    ck_assert_int_eq(seqmnist_digit_template(7, 28, p), 0);
    check_point(p, 0, 0, 1);
    check_point(p, 3, 1.5 / 7, 1);
    check_point(p, 7, .5, 1);
    check_point(p, 14, 1, 1);
    check_point(p, 21, .5, .5);
    check_point(p, 22, .5 - .5 / 6, .5 - .5 / 6);
    check_point(p, 27, 0, 0);
    /* 0: segments 4,4,4,3,3,3,3,3 starting at t = 0,4,8,12,15,18,21,24. */
    ck_assert_int_eq(seqmnist_digit_template(0, 28, p), 0);
    check_point(p, 2, 0, .75);
    check_point(p, 12, .5, 0);
    check_point(p, 13, .5 + .5 / 3, 0);
    check_point(p, 15, 1, 0);
    check_point(p, 16, 1, .5 / 3);
    check_point(p, 24, .5, 1);
    check_point(p, 26, .5 - 2 * .5 / 3, 1);
    check_point(p, 27, 0, 1);
    /* 5: 10 segments 3,3,3,3,3,3,3,2,2,2: the last corners at t = 21, 23, 25, 27. */
    ck_assert_int_eq(seqmnist_digit_template(5, 28, p), 0);
    check_point(p, 21, 1, .5);
    check_point(p, 22, 1, .25);
    check_point(p, 23, 1, 0);
    check_point(p, 25, .5, 0);
    check_point(p, 27, 0, 0);
}
END_TEST

START_TEST(templates_any_length)
{
    for (int d = 0; d < 10; d++) {
        const double *pts = NULL;
        size_t n = seqmnist_digit_points(d, &pts);
        for (size_t L = n; L <= 64; L++) {
            double p[64 * 2];
            ck_assert_int_eq(seqmnist_digit_template(d, L, p), 0);
            check_point(p, 0, pts[0], pts[1]);
            check_point(p, L - 1, pts[2 * (n - 1)], pts[2 * (n - 1) + 1]);
            for (size_t t = 0; t < L; t++)
                ck_assert(p[2 * t] >= 0 && p[2 * t] <= 1 && p[2 * t + 1] >= 0 &&
                          p[2 * t + 1] <= 1);
        }
        double p[64 * 2];
        ck_assert_int_eq(seqmnist_digit_template(d, n - 1, p), -1);
    }
    double p[4];
    ck_assert_int_eq(seqmnist_digit_template(10, 28, p), -1);
    ck_assert_int_eq(seqmnist_digit_template(-1, 28, p), -1);
}
END_TEST

START_TEST(line_endpoints_and_paths)
{
    double ends[20], path[28 * 2];
    seqmnist_line_endpoints_circle(ends);
    check_point(ends, 0, 0, 10);
    check_point(ends, 5, 0 + 10 * sin(PI), -10);
    check_point(ends, 2, 10 * sin(0.4 * PI), 10 * cos(0.4 * PI));
    for (int d = 0; d < 10; d++)
        ck_assert_double_eq_tol(hypot(ends[2 * d], ends[2 * d + 1]), 10, 1e-12);
    seqmnist_line_path(ends + 4, 28, path);
    check_point(path, 0, 0, 0);
    check_point(path, 9, ends[4] / 3, ends[5] / 3);
    check_point(path, 27, ends[4], ends[5]);
}
END_TEST

START_TEST(grid_endpoints)
{
    double ends[20];
    seqmnist_line_endpoints_grid(42, ends);
    for (int d = 0; d < 10; d++) {
        for (int k = 0; k < 2; k++) {
            double g = ends[2 * d + k] * 3 / 10;
            ck_assert_double_eq_tol(g, round(g), 1e-12);
            ck_assert(g >= 0 && g <= 3);
        }
        for (int e = 0; e < d; e++)
            ck_assert_msg(ends[2 * d] != ends[2 * e] || ends[2 * d + 1] != ends[2 * e + 1],
                          "labels %d and %d share an endpoint", d, e);
    }
    double again[20];
    seqmnist_line_endpoints_grid(42, again);
    for (int i = 0; i < 20; i++) ck_assert_double_eq(ends[i], again[i]);
}
END_TEST

Suite *targets_suite(void)
{
    Suite *s = suite_create("targets");
    TCase *tc = tcase_create("targets");
    tcase_add_test(tc, segment_table_at_28);
    tcase_add_test(tc, template_points_by_hand);
    tcase_add_test(tc, templates_any_length);
    tcase_add_test(tc, line_endpoints_and_paths);
    tcase_add_test(tc, grid_endpoints);
    suite_add_tcase(s, tc);
    return s;
}
