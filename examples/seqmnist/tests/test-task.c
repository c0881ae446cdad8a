/* The task objects: what the driver is fed.  A small data set is written as IDX files,
 * then the splits, the inputs (row t of the image at step t, pixels / 255), the
 * targets per label and the per-epoch shuffle are checked. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "targets.h"
#include "task.h"
#include "test-seqmnist.h"
#include "test-support.h"

static ts_tmpdir tmp;
static const char *dir = tmp.path;

/* Image i has pixel (r, c) = (7 i + r + c) mod 256 and pixel (0, 0) = i mod 256, so an
 * image is identified by its first pixel; label i mod 10. */
static void write_split(const char *prefix, uint32_t n)
{
    char name[64];
    size_t len = 16 + (size_t)n * 784;
    unsigned char *b = malloc(len);
    ck_assert_ptr_nonnull(b);
    ts_put_be32(b, 0x803), ts_put_be32(b + 4, n), ts_put_be32(b + 8, 28), ts_put_be32(b + 12, 28);
    for (size_t i = 0; i < n; i++)
        for (size_t p = 0; p < 784; p++)
            b[16 + i * 784 + p] = p == 0 ? (unsigned char)i : (unsigned char)(7 * i + p / 28 + p % 28);
    snprintf(name, sizeof name, "%s-images-idx3-ubyte", prefix);
    ck_assert_int_eq(ts_write_file(ts_tmpdir_file(&tmp, name), b, len), 0);
    ts_put_be32(b, 0x801), ts_put_be32(b + 4, n);
    for (size_t i = 0; i < n; i++) b[8 + i] = (unsigned char)(i % 10);
    snprintf(name, sizeof name, "%s-labels-idx1-ubyte", prefix);
    ck_assert_int_eq(ts_write_file(ts_tmpdir_file(&tmp, name), b, 8 + n), 0);
    free(b);
}

static void setup(void)
{
    ck_assert_int_eq(ts_tmpdir_make(&tmp, "seqmnist-task"), 0);
    write_split("train", 200);
    write_split("t10k", 30);
}

static void teardown(void)
{
    if (ts_tmpdir_remove(&tmp) != 0) fprintf(stderr, "could not remove %s\n", dir);
}

static void init(seqmnist_task *t, int kind, size_t max_train)
{
    seqmnist_task_options o = {kind, dir, 0.2, max_train, 0, 0, kind == SEQMNIST_LINE ? 4 : 1,
                               0, 0};
    char err[512] = "";
    ck_assert_msg(seqmnist_task_init(t, &o, err, sizeof err) == 0, "%s", err);
}

START_TEST(splits_are_disjoint_and_fixed)
{
    seqmnist_task t, u;
    init(&t, SEQMNIST_CLASS, 0);
    ck_assert_uint_eq(t.n_valid, 40); /* floor(200 * 0.2) */
    ck_assert_uint_eq(t.n_train, 160);
    ck_assert_uint_eq(t.n_test, 30);
    char seen[200] = {0};
    for (size_t i = 0; i < t.n_train; i++) seen[t.train_idx[i]]++;
    for (size_t i = 0; i < t.n_valid; i++) seen[t.valid_idx[i]]++;
    for (size_t i = 0; i < 200; i++) ck_assert_msg(seen[i] == 1, "image %zu used %d times", i, seen[i]);
    init(&u, SEQMNIST_CLASS, 50); /* same split seed: same split; the cap takes a prefix */
    ck_assert_uint_eq(u.n_train, 50);
    ck_assert_mem_eq(u.valid_idx, t.valid_idx, t.n_valid * sizeof(size_t));
    ck_assert_mem_eq(u.train_idx, t.train_idx, 50 * sizeof(size_t));
    seqmnist_task_free(&t);
    seqmnist_task_free(&u);
}
END_TEST

START_TEST(inputs_are_rows_and_labels_match)
{
    seqmnist_task t;
    init(&t, SEQMNIST_CLASS, 0);
    ck_assert_uint_eq(t.task.n_in, 28);
    ck_assert_uint_eq(t.task.length, 28);
    ck_assert_uint_eq(t.task.n_out, 10);
    ck_assert_int_eq(t.task.loss, EX_LOSS_XENT);
    ck_assert_int_eq(t.task.last_only, 1);
    float x[3 * 784];
    int32_t lab[3];
    ck_assert_int_eq(seqmnist_task_fill(&t, EX_TEST, 0, 5, 3, x, NULL, lab), 0);
    for (size_t s = 0; s < 3; s++) {
        size_t i = 5 + s;
        ck_assert_int_eq(lab[s], (int)(i % 10));
        ck_assert_float_eq_tol(x[s * 784], (float)i / 255.0f, 1e-7);
        /* step t, input c = pixel (row t, column c) */
        for (size_t tt = 0; tt < 28; tt += 5)
            for (size_t c = 1; c < 28; c += 6)
                ck_assert_float_eq_tol(x[s * 784 + tt * 28 + c],
                                       (float)((7 * i + tt + c) % 256) / 255.0f, 1e-7);
    }
    /* Validation samples come from the training file, in the split's order. */
    ck_assert_int_eq(seqmnist_task_fill(&t, EX_VALID, 0, 0, 1, x, NULL, lab), 0);
    ck_assert_int_eq(lab[0], (int)(t.valid_idx[0] % 10));
    ck_assert_float_eq_tol(x[0], (float)(t.valid_idx[0] % 256) / 255.0f, 1e-7);
    /* Out of range is refused, not read. */
    ck_assert_int_ne(seqmnist_task_fill(&t, EX_TEST, 0, 29, 2, x, NULL, lab), 0);
    seqmnist_task_free(&t);
}
END_TEST

START_TEST(targets_follow_labels)
{
    seqmnist_task line, digit;
    init(&line, SEQMNIST_LINE, 0);
    init(&digit, SEQMNIST_DIGIT, 0);
    ck_assert_uint_eq(line.task.sparse, 4);
    ck_assert_uint_eq(digit.task.sparse, 1);
    ck_assert_int_eq(line.task.loss, EX_LOSS_MSE);
    float x[2 * 784], y[2 * 56], yd[2 * 56];
    int32_t lab[2];
    ck_assert_int_eq(seqmnist_task_fill(&line, EX_TEST, 0, 12, 2, x, y, lab), 0);
    ck_assert_int_eq(seqmnist_task_fill(&digit, EX_TEST, 0, 12, 2, x, yd, lab), 0);
    double ends[20], path[56];
    seqmnist_line_endpoints_circle(ends);
    for (size_t s = 0; s < 2; s++) {
        ck_assert_int_eq(lab[s], (int)((12 + s) % 10));
        seqmnist_line_path(ends + 2 * lab[s], 28, path);
        for (size_t k = 0; k < 56; k++) ck_assert_float_eq_tol(y[s * 56 + k], (float)path[k], 1e-6);
        seqmnist_digit_template(lab[s], 28, path);
        for (size_t k = 0; k < 56; k++) ck_assert_float_eq_tol(yd[s * 56 + k], (float)path[k], 1e-6);
    }
    seqmnist_task_free(&line);
    seqmnist_task_free(&digit);
}
END_TEST

/* First pixel of each training sample of an epoch identifies the image. */
static void epoch_order(seqmnist_task *t, size_t epoch, size_t *ids)
{
    float x[784];
    int32_t lab;
    for (size_t i = 0; i < t->n_train; i++) {
        ck_assert_int_eq(seqmnist_task_fill(t, EX_TRAIN, epoch, i, 1, x, NULL, &lab), 0);
        ids[i] = (size_t)lroundf(x[0] * 255.0f);
    }
}

START_TEST(training_order_is_a_fresh_permutation_each_epoch)
{
    seqmnist_task t;
    init(&t, SEQMNIST_CLASS, 0);
    seqmnist_task_set_seed(&t, 77);
    size_t a[160], b[160], c[160];
    epoch_order(&t, 1, a);
    epoch_order(&t, 2, b);
    seqmnist_task_set_seed(&t, 77);
    epoch_order(&t, 1, c);
    ck_assert_mem_eq(a, c, sizeof a); /* reproducible from the seed */
    ck_assert_int_ne(memcmp(a, b, sizeof a), 0);
    char in_train[200] = {0};
    for (size_t i = 0; i < t.n_train; i++) in_train[t.train_idx[i]] = 1;
    size_t count_a[200] = {0}, count_b[200] = {0};
    for (size_t i = 0; i < 160; i++) count_a[a[i]]++, count_b[b[i]]++;
    for (size_t i = 0; i < 200; i++) {
        ck_assert_uint_eq(count_a[i], (size_t)in_train[i]);
        ck_assert_uint_eq(count_b[i], (size_t)in_train[i]);
    }
    seqmnist_task_free(&t);
}
END_TEST

START_TEST(missing_data_is_a_clear_error)
{
    seqmnist_task t;
    seqmnist_task_options o = {SEQMNIST_CLASS, "/nonexistent-seqmnist", 0.2, 0, 0, 0, 1, 0, 0};
    char err[512] = "";
    ck_assert_int_eq(seqmnist_task_init(&t, &o, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "/nonexistent-seqmnist/train-images-idx3-ubyte"), "%s", err);
    o.data_dir = dir;
    o.val_frac = 0.0;
    ck_assert_int_eq(seqmnist_task_init(&t, &o, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "val-frac"), "%s", err);
}
END_TEST

Suite *task_suite(void)
{
    Suite *s = suite_create("task");
    TCase *tc = tcase_create("task");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, splits_are_disjoint_and_fixed);
    tcase_add_test(tc, inputs_are_rows_and_labels_match);
    tcase_add_test(tc, targets_follow_labels);
    tcase_add_test(tc, training_order_is_a_fresh_permutation_each_epoch);
    tcase_add_test(tc, missing_data_is_a_clear_error);
    suite_add_tcase(s, tc);
    return s;
}
