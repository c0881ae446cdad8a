/* The line-drawing task against docs/model.md §line drawing: cue angles, the origin cue, the
 * input encoding, the targets, the supervised steps, and the ataxia measures. */
#include <check.h>
#include <math.h>
#include <string.h>

#include "check-runner.h"
#include "driver.h"
#include "linedraw.h"

#define S3 8.660254037844386 /* 10 sin 60 deg */

START_TEST(angles_per_cue)
{
    static const int cue[] = {-3, -2, -1, 1, 2, 3};
    static const double deg[] = {300, 240, 180, 120, 60, 0};
    /* Endpoints 10 (sin theta, cos theta), written out by hand. */
    static const double ex[] = {-S3, -S3, 0, S3, S3, 0};
    static const double ey[] = {5, -5, -10, -5, 5, 10};
    for (size_t i = 0; i < 6; i++) {
        double x, y;
        ck_assert_double_eq(ld_angle_deg(cue[i]), deg[i]);
        ld_endpoint(cue[i], &x, &y);
        ck_assert_double_eq_tol(x, ex[i], 1e-12);
        ck_assert_double_eq_tol(y, ey[i], 1e-12);
    }
}
END_TEST

START_TEST(origin_cue_draws_nothing)
{
    double x, y;
    float path[LD_STEPS * 2];
    ld_endpoint(0, &x, &y);
    ck_assert(x == 0.0 && y == 0.0);
    ld_target_path(0, path);
    for (size_t i = 0; i < LD_STEPS * 2; i++) ck_assert(path[i] == 0.0f);
}
END_TEST

START_TEST(targets_move_linearly_over_ten_steps)
{
    ck_assert_int_eq(LD_STEPS, 10);
    for (int c = LD_MIN_CUE; c <= LD_MAX_CUE; c++) {
        float path[LD_STEPS * 2];
        double x, y;
        ld_target_path(c, path);
        ld_endpoint(c, &x, &y);
        for (size_t t = 0; t < LD_STEPS; t++) {
            ck_assert_double_eq_tol(path[2 * t], t / 9.0 * x, 1e-5);
            ck_assert_double_eq_tol(path[2 * t + 1], t / 9.0 * y, 1e-5);
        }
        ck_assert(path[0] == 0.0f && path[1] == 0.0f);
    }
}
END_TEST

START_TEST(inputs_encode_the_cue_at_step_zero)
{
    ld_data d = {1243, 0.0};
    enum { N = 7000 };
    static float x[N * LD_STEPS], y[N * LD_STEPS * 2];
    size_t counts[LD_CUES] = {0};
    ck_assert_int_eq(ld_fill(&d, EX_TRAIN, 3, 0, N, x, y, NULL), 0);
    for (size_t i = 0; i < N; i++) {
        int c = ld_sample_cue(&d, EX_TRAIN, 3, i);
        float path[LD_STEPS * 2];
        ck_assert(c >= -3 && c <= 3);
        counts[c + 3]++;
        ck_assert(x[i * LD_STEPS] == (float)(0.1 * c));
        for (size_t t = 1; t < LD_STEPS; t++) ck_assert(x[i * LD_STEPS + t] == 0.0f);
        ld_target_path(c, path);
        ck_assert_int_eq(memcmp(path, y + i * LD_STEPS * 2, sizeof path), 0);
    }
    for (size_t c = 0; c < LD_CUES; c++) ck_assert(counts[c] > 850 && counts[c] < 1150);
}
END_TEST

START_TEST(noise_only_after_the_cue)
{
    ld_data d = {7, 0.5};
    float x[20 * LD_STEPS];
    ck_assert_int_eq(ld_fill(&d, EX_VALID, 0, 0, 20, x, NULL, NULL), 0);
    double ss = 0.0;
    for (size_t i = 0; i < 20; i++) {
        int c = ld_sample_cue(&d, EX_VALID, 0, i);
        ck_assert(x[i * LD_STEPS] == (float)(0.1 * c));
        for (size_t t = 1; t < LD_STEPS; t++) ss += x[i * LD_STEPS + t] * x[i * LD_STEPS + t];
    }
    ck_assert(ss > 0.0);
}
END_TEST

START_TEST(samples_are_reproducible_and_fresh_each_epoch)
{
    ld_data d = {1, 0.0};
    float a[50 * LD_STEPS], b[50 * LD_STEPS], c[50 * LD_STEPS];
    ld_fill(&d, EX_TRAIN, 1, 100, 50, a, NULL, NULL);
    ld_fill(&d, EX_TRAIN, 1, 100, 50, b, NULL, NULL);
    ld_fill(&d, EX_TRAIN, 2, 100, 50, c, NULL, NULL);
    ck_assert_int_eq(memcmp(a, b, sizeof a), 0);
    ck_assert_int_ne(memcmp(a, c, sizeof a), 0);
}
END_TEST

START_TEST(feedback_at_even_steps_only)
{
    ld_data d = {1, 0.0};
    ex_task task;
    ld_task_init(&task, &d, 2, 800, 200, 10000);
    ck_assert_uint_eq(task.length, 10);
    ck_assert_uint_eq(task.n_in, 1);
    ck_assert_uint_eq(task.n_out, 2);
    for (size_t t = 0; t < 10; t++)
        ck_assert_int_eq(ex_step_supervised(&task, t), t == 0 || t == 2 || t == 4 || t == 6 || t == 8);
    ck_assert_int_eq(ex_step_supervised(&task, 9), 0); /* the endpoint is never supervised */
    ck_assert_uint_eq(ex_supervised_count(&task, 0, 10), 5);
    ck_assert_uint_eq(ex_window_count(10, 1), 10);
}
END_TEST

START_TEST(measures_of_perfect_and_bent_paths)
{
    int cues[2] = {3, 1};
    float y[2 * LD_STEPS * 2];
    ld_target_path(3, y);
    ld_target_path(1, y + LD_STEPS * 2);
    ld_measures m;
    ld_measure(y, cues, 2, &m);
    ck_assert_double_eq_tol(m.endpoint_error, 0.0, 1e-5);
    ck_assert_double_eq_tol(m.jerk, 0.0, 1e-8);
    ck_assert_double_eq_tol(m.deviation, 0.0, 1e-5);
    /* Cue 3 (target (0, t*10/9)): push step 5 sideways by 1 and step 9 short by 2. */
    ld_target_path(3, y);
    y[2 * 5] += 1.0f;
    y[2 * 9 + 1] -= 2.0f;
    ld_measure(y, cues, 1, &m);
    ck_assert_double_eq_tol(m.endpoint_error, 2.0, 1e-5);
    ck_assert_double_eq_tol(m.deviation, 1.0 / 10.0, 1e-5);
    /* third differences: a unit bump meets 4 windows with coefficients 1,3,3,1 in x;
     * the shortened endpoint meets one window with coefficient 1 in y. */
    ck_assert_double_eq_tol(m.jerk, (1 + 9 + 9 + 1 + 4) / 7.0, 1e-5);
    ck_assert_double_eq_tol(ld_segment_distance(3, 4, 0, 0), 5.0, 1e-12);
    ck_assert_double_eq_tol(ld_segment_distance(0, 12, 0, 10), 2.0, 1e-12);
    ck_assert_double_eq_tol(ld_segment_distance(-1, 5, 0, 10), 1.0, 1e-12);
}
END_TEST

static Suite *linedraw_suite(void)
{
    Suite *s = suite_create("line-draw");
    TCase *t = tcase_create("task");
    tcase_add_test(t, angles_per_cue);
    tcase_add_test(t, origin_cue_draws_nothing);
    tcase_add_test(t, targets_move_linearly_over_ten_steps);
    tcase_add_test(t, inputs_encode_the_cue_at_step_zero);
    tcase_add_test(t, noise_only_after_the_cue);
    tcase_add_test(t, samples_are_reproducible_and_fresh_each_epoch);
    tcase_add_test(t, feedback_at_even_steps_only);
    tcase_add_test(t, measures_of_perfect_and_bent_paths);
    suite_add_tcase(s, t);
    return s;
}

int main(int argc, char **argv)
{
    static const ts_suite_fn suites[] = {linedraw_suite};
    return ts_check_main(argc, argv, suites, 1);
}
