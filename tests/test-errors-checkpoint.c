/* Error paths of the checkpoint calls (save/load to memory and files): NULL arguments,
 * a too-small buffer, unreadable paths, foreign or damaged bytes, a checkpoint of the
 * wrong kind.  Failed saves write nothing into the caller's buffer; failed loads leave
 * *out and the optimizer alone.  (Malformed-file fuzzing lives in tests/reliability.) */
#include <stdlib.h>
#include <string.h>

#include "test-errors.h"

static ccrnn_cortex *cx;
static ccrnn_cerebellum *cb;
static ccrnn_optimizer *opt;

static void setup(void)
{
    ck_assert_int_eq(ccrnn_cortex_create(CCRNN_CELL_GRU, 2, 3, 1, 2, 2, 5, &cx), 0);
    ck_assert_int_eq(ccrnn_cerebellum_create(3, 1, 3, 1, 4, 2, 5, 0, &cb), 0);
    ck_assert_int_eq(ccrnn_optimizer_create(CCRNN_OPT_ADAM, &opt), 0);
    ck_assert_int_eq(ccrnn_optimizer_add_cortex(opt, cx, NULL), 0);
    ck_assert_int_eq(ccrnn_optimizer_add_cerebellum(opt, cb, NULL), 0);
}

static void teardown(void)
{
    ccrnn_optimizer_destroy(opt);
    ccrnn_cerebellum_destroy(cb);
    ccrnn_cortex_destroy(cx);
}

/* A saved checkpoint in a fresh allocation; *n receives its size. */
static unsigned char *saved_cortex(size_t *n)
{
    unsigned char *buf = ts_save_cortex(cx, n);
    ck_assert_msg(buf != NULL, "saving the cortex failed: %s", ccrnn_last_error());
    return buf;
}

START_TEST(test_save_mem)
{
    size_t need = 0, size = 77;
    unsigned char small[16];
    memset(small, 0xA5, sizeof small);
    EXPECT_ERR(ccrnn_cortex_save_mem(NULL, small, sizeof small, &size), CCRNN_ERR_NULL, NULL);
    EXPECT_ERR(ccrnn_cortex_save_mem(cx, small, sizeof small, NULL), CCRNN_ERR_NULL, "'size'");
    EXPECT_ERR(ccrnn_cortex_save_mem(cx, NULL, 8, &size), CCRNN_ERR_NULL, "buf");
    EXPECT_ERR(ccrnn_cerebellum_save_mem(NULL, small, sizeof small, &size), CCRNN_ERR_NULL, NULL);
    EXPECT_ERR(ccrnn_cerebellum_save_mem(cb, small, sizeof small, NULL), CCRNN_ERR_NULL, "'size'");
    EXPECT_ERR(ccrnn_optimizer_save_mem(NULL, small, sizeof small, &size), CCRNN_ERR_NULL, NULL);
    EXPECT_ERR(ccrnn_optimizer_save_mem(opt, NULL, 8, &size), CCRNN_ERR_NULL, "buf");
    ck_assert_uint_eq(size, 77);
    /* Too small: SHAPE, the size needed reported, not a byte written. */
    ck_assert_int_eq(ccrnn_cortex_save_mem(cx, NULL, 0, &need), 0);
    ck_assert_uint_gt(need, sizeof small);
    EXPECT_ERR(ccrnn_cortex_save_mem(cx, small, sizeof small, &size), CCRNN_ERR_SHAPE, NULL);
    ck_assert_uint_eq(size, need);
    EXPECT_ERR(ccrnn_cerebellum_save_mem(cb, small, sizeof small, &size), CCRNN_ERR_SHAPE, NULL);
    EXPECT_ERR(ccrnn_optimizer_save_mem(opt, small, sizeof small, &size), CCRNN_ERR_SHAPE, NULL);
    for (size_t i = 0; i < sizeof small; i++) ck_assert_uint_eq(small[i], 0xA5);
}
END_TEST

START_TEST(test_load_mem)
{
    size_t n;
    unsigned char *buf = saved_cortex(&n);
    ccrnn_cortex *out = (ccrnn_cortex *)&out;
    ccrnn_cortex *const mark = out;
    ccrnn_cerebellum *cout = (ccrnn_cerebellum *)&cout;
    ccrnn_cerebellum *const cmark = cout;
    EXPECT_ERR(ccrnn_cortex_load_mem(NULL, n, &out), CCRNN_ERR_NULL, "'buf'");
    EXPECT_ERR(ccrnn_cortex_load_mem(buf, n, NULL), CCRNN_ERR_NULL, NULL);
    EXPECT_ERR(ccrnn_cerebellum_load_mem(NULL, n, &cout), CCRNN_ERR_NULL, "'buf'");
    EXPECT_ERR(ccrnn_optimizer_load_mem(NULL, buf, n), CCRNN_ERR_NULL, "'opt'");
    EXPECT_ERR(ccrnn_optimizer_load_mem(opt, NULL, n), CCRNN_ERR_NULL, "'buf'");
    /* Someone else's bytes, a truncated checkpoint, a damaged payload, another kind. */
    const char junk[64] = "this is not a checkpoint of anything at all";
    EXPECT_ERR(ccrnn_cortex_load_mem(junk, sizeof junk, &out), CCRNN_ERR_FORMAT, "magic");
    EXPECT_ERR(ccrnn_cortex_load_mem(buf, 0, &out), CCRNN_ERR_FORMAT, NULL);
    EXPECT_ERR(ccrnn_cortex_load_mem(buf, n - 1, &out), CCRNN_ERR_FORMAT, NULL);
    buf[n - 1] ^= 0x40;
    EXPECT_ERR(ccrnn_cortex_load_mem(buf, n, &out), CCRNN_ERR_CHECKSUM, "CRC");
    buf[n - 1] ^= 0x40;
    EXPECT_ERR(ccrnn_cerebellum_load_mem(buf, n, &cout), CCRNN_ERR_MISMATCH, NULL);
    EXPECT_ERR(ccrnn_optimizer_load_mem(opt, buf, n), CCRNN_ERR_MISMATCH, NULL);
    ck_assert_ptr_eq(out, mark);
    ck_assert_ptr_eq(cout, cmark);
    /* The untouched bytes still load, to an equal cortex. */
    ck_assert_int_eq(ccrnn_cortex_load_mem(buf, n, &out), 0);
    const float *pa, *pb;
    size_t np;
    ck_assert_int_eq(ccrnn_cortex_params(cx, &pa, NULL, &np), 0);
    ck_assert_int_eq(ccrnn_cortex_params(out, &pb, NULL, NULL), 0);
    ck_assert_mem_eq(pa, pb, np * sizeof(float));
    ccrnn_cortex_destroy(out);
    free(buf);
}
END_TEST

START_TEST(test_optimizer_load_other_groups)
{
    /* An optimizer checkpoint loads only into an optimizer with the same groups; a
     * refused load leaves the settings and the update count alone. */
    ccrnn_optimizer *other;
    float p[3] = {0}, g[3] = {0};
    size_t n;
    ck_assert_int_eq(ccrnn_optimizer_set_param(opt, CCRNN_PARAM_LR, 0.5), 0);
    unsigned char *buf = ts_save_optimizer(opt, &n);
    ck_assert_ptr_nonnull(buf);
    ck_assert_int_eq(ccrnn_optimizer_create(CCRNN_OPT_ADAM, &other), 0);
    ck_assert_int_eq(ccrnn_optimizer_add_params(other, p, g, 3, NULL), 0);
    EXPECT_ERR(ccrnn_optimizer_load_mem(other, buf, n), CCRNN_ERR_MISMATCH, NULL);
    double lr;
    ck_assert_int_eq(ccrnn_optimizer_get_param(other, CCRNN_PARAM_LR, &lr), 0);
    ck_assert_double_eq(lr, 1e-3);
    ck_assert_int_eq(ccrnn_optimizer_set_param(opt, CCRNN_PARAM_LR, 0.25), 0);
    ck_assert_int_eq(ccrnn_optimizer_load_mem(opt, buf, n), 0);
    ck_assert_int_eq(ccrnn_optimizer_get_param(opt, CCRNN_PARAM_LR, &lr), 0);
    ck_assert_double_eq(lr, 0.5);
    ccrnn_optimizer_destroy(other);
    free(buf);
}
END_TEST

START_TEST(test_optimizer_load_other_kind)
{
    /* Same groups, another kind of optimizer: the moments would mean something else. */
    ccrnn_optimizer *sgd;
    size_t n;
    unsigned char *buf = ts_save_optimizer(opt, &n);
    ck_assert_ptr_nonnull(buf);
    ck_assert_int_eq(ccrnn_optimizer_create(CCRNN_OPT_SGD, &sgd), 0);
    ck_assert_int_eq(ccrnn_optimizer_add_cortex(sgd, cx, NULL), 0);
    ck_assert_int_eq(ccrnn_optimizer_add_cerebellum(sgd, cb, NULL), 0);
    EXPECT_ERR(ccrnn_optimizer_load_mem(sgd, buf, n), CCRNN_ERR_MISMATCH, "kind");
    ccrnn_optimizer_destroy(sgd);
    free(buf);
}
END_TEST

START_TEST(test_files)
{
    const char *missing = "/nonexistent-ccrnn-dir/sub/ckpt.bin";
    ccrnn_cortex *out = (ccrnn_cortex *)&out;
    ccrnn_cortex *const mark = out;
    ccrnn_cerebellum *cout = (ccrnn_cerebellum *)&cout;
    ccrnn_cerebellum *const cmark = cout;
    EXPECT_ERR(ccrnn_cortex_save(NULL, "x.bin"), CCRNN_ERR_NULL, NULL);
    EXPECT_ERR(ccrnn_cortex_save(cx, NULL), CCRNN_ERR_NULL, "path");
    EXPECT_ERR(ccrnn_cerebellum_save(NULL, "x.bin"), CCRNN_ERR_NULL, NULL);
    EXPECT_ERR(ccrnn_cerebellum_save(cb, NULL), CCRNN_ERR_NULL, "path");
    EXPECT_ERR(ccrnn_optimizer_save(NULL, "x.bin"), CCRNN_ERR_NULL, NULL);
    EXPECT_ERR(ccrnn_optimizer_save(opt, NULL), CCRNN_ERR_NULL, "path");
    EXPECT_ERR(ccrnn_cortex_load(NULL, &out), CCRNN_ERR_NULL, "path");
    EXPECT_ERR(ccrnn_cortex_load("x.bin", NULL), CCRNN_ERR_NULL, NULL);
    EXPECT_ERR(ccrnn_cerebellum_load(NULL, &cout), CCRNN_ERR_NULL, "path");
    EXPECT_ERR(ccrnn_optimizer_load(NULL, "x.bin"), CCRNN_ERR_NULL, "'opt'");
    EXPECT_ERR(ccrnn_optimizer_load(opt, NULL), CCRNN_ERR_NULL, "'path'");
    EXPECT_ERR(ccrnn_cortex_save(cx, missing), CCRNN_ERR_IO, NULL);
    EXPECT_ERR(ccrnn_cerebellum_save(cb, missing), CCRNN_ERR_IO, NULL);
    EXPECT_ERR(ccrnn_optimizer_save(opt, missing), CCRNN_ERR_IO, NULL);
    EXPECT_ERR(ccrnn_cortex_load(missing, &out), CCRNN_ERR_IO, NULL);
    EXPECT_ERR(ccrnn_cerebellum_load(missing, &cout), CCRNN_ERR_IO, NULL);
    EXPECT_ERR(ccrnn_optimizer_load(opt, missing), CCRNN_ERR_IO, NULL);
    ck_assert_ptr_eq(out, mark);
    ck_assert_ptr_eq(cout, cmark);
}
END_TEST

Suite *errors_checkpoint_suite(void)
{
    Suite *s = suite_create("errors_checkpoint");
    TCase *tc = tcase_create("checkpoint");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_save_mem);
    tcase_add_test(tc, test_load_mem);
    tcase_add_test(tc, test_optimizer_load_other_groups);
    tcase_add_test(tc, test_optimizer_load_other_kind);
    tcase_add_test(tc, test_files);
    suite_add_tcase(s, tc);
    return s;
}
