/* The readers on small files made here: the features matrix, the captions file (and a
 * corpus from both), and MNIST glyphs from tiny IDX files; malformed files give errors
 * that name the problem. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "data.h"
#include "scenes.h"
#include "test-caption.h"
#include "test-support.h"

static ts_tmpdir tmp;
static const char *dir = tmp.path;

static void make_dir(void) { ck_assert_int_eq(ts_tmpdir_make(&tmp, "test-caption"), 0); }

static void remove_dir(void) { ts_tmpdir_remove(&tmp); }

static const char *path(const char *name) { return ts_tmpdir_file(&tmp, name); }

static void write_bytes(const char *p, const void *data, size_t n)
{
    ck_assert_int_eq(ts_write_file(p, data, n), 0);
}

static void write_text(const char *p, const char *text) { write_bytes(p, text, strlen(text)); }

/* A features file: header (rows, cols as given) and n float values 0.5 * i. */
static void write_features_raw(const char *p, const char *magic, uint32_t rows, uint32_t cols,
                               size_t n, float bad)
{
    unsigned char buf[16 + 4 * 64];
    memcpy(buf, magic, 8);
    for (int i = 0; i < 4; i++) {
        buf[8 + i] = (unsigned char)(rows >> (8 * i));
        buf[12 + i] = (unsigned char)(cols >> (8 * i));
    }
    for (size_t i = 0; i < n; i++) {
        float v = i == 1 ? bad : 0.5f * (float)i;
        uint32_t u;
        memcpy(&u, &v, 4);
        for (int k = 0; k < 4; k++) buf[16 + 4 * i + k] = (unsigned char)(u >> (8 * k));
    }
    write_bytes(p, buf, 16 + 4 * n);
}

static void expect_features_error(const char *what)
{
    char err[256] = "";
    float *d = NULL;
    size_t r = 0, c = 0;
    ck_assert_int_eq(cap_features_read(path("f.bin"), &d, &r, &c, err, sizeof err), -1);
    ck_assert_ptr_null(d);
    ck_assert_msg(strstr(err, what) != NULL, "error '%s' lacks '%s'", err, what);
}

START_TEST(features_round_trip)
{
    make_dir();
    float v[6] = {1.5f, -2.0f, 0.0f, 3.25f, 1e-20f, -7.0f}, *d = NULL;
    char err[256];
    ck_assert_int_eq(cap_features_write(path("f.bin"), v, 2, 3, err, sizeof err), 0);
    size_t r = 0, c = 0;
    ck_assert_int_eq(cap_features_read(path("f.bin"), &d, &r, &c, err, sizeof err), 0);
    ck_assert_uint_eq(r, 2);
    ck_assert_uint_eq(c, 3);
    ck_assert_mem_eq(d, v, sizeof v);
    free(d);
    /* The documented layout, written by hand, reads the same. */
    write_features_raw(path("f.bin"), "CCRNNF32", 1, 3, 3, 0.5f);
    ck_assert_int_eq(cap_features_read(path("f.bin"), &d, &r, &c, err, sizeof err), 0);
    ck_assert_float_eq(d[0], 0.0f);
    ck_assert_float_eq(d[2], 1.0f);
    free(d);
    remove_dir();
}
END_TEST

START_TEST(malformed_features_files_are_named)
{
    make_dir();
    write_features_raw(path("f.bin"), "CCRNNF64", 1, 3, 3, 0.5f);
    expect_features_error("not a features file");
    write_bytes(path("f.bin"), "CCRNNF32\1\0\0", 11);
    expect_features_error("header cut short");
    write_features_raw(path("f.bin"), "CCRNNF32", 0, 3, 0, 0.5f);
    expect_features_error("0 rows");
    write_features_raw(path("f.bin"), "CCRNNF32", 2, 3, 5, 0.5f);
    expect_features_error("truncated");
    write_features_raw(path("f.bin"), "CCRNNF32", 1, 3, 4, 0.5f);
    expect_features_error("oversized");
    write_features_raw(path("f.bin"), "CCRNNF32", 1, 3, 3, NAN);
    expect_features_error("not finite");
    unlink(path("f.bin"));
    expect_features_error("cannot open");
    remove_dir();
}
END_TEST

static void expect_captions_error(const char *text, size_t n_images, const char *what)
{
    write_text(path("c.tsv"), text);
    size_t *im = NULL, n = 0;
    char **tx = NULL, err[256] = "";
    ck_assert_int_eq(cap_captions_read(path("c.tsv"), n_images, &im, &tx, &n, err, sizeof err),
                     -1);
    ck_assert_msg(strstr(err, what) != NULL, "error '%s' lacks '%s'", err, what);
}

START_TEST(captions_file_reads_and_names_its_errors)
{
    make_dir();
    write_text(path("c.tsv"), "# image<TAB>caption\n0\tA dog runs.\r\n\n2\ttwo cats\n0\ta dog sits");
    size_t *im = NULL, n = 0;
    char **tx = NULL, err[256];
    ck_assert_int_eq(cap_captions_read(path("c.tsv"), 3, &im, &tx, &n, err, sizeof err), 0);
    ck_assert_uint_eq(n, 3);
    ck_assert_uint_eq(im[0], 0);
    ck_assert_str_eq(tx[0], "A dog runs.");
    ck_assert_uint_eq(im[1], 2);
    ck_assert_str_eq(tx[2], "a dog sits");
    cap_captions_free(im, tx, n);

    expect_captions_error("0 a dog\n", 3, ":1: no tab");
    expect_captions_error("0\tok\nx\ta dog\n", 3, ":2: image index 'x'");
    expect_captions_error("-1\ta dog\n", 3, "not a non-negative integer");
    expect_captions_error("3\ta dog\n", 3, "the features file has 3 rows");
    expect_captions_error("1\t ... \n", 3, "no words");
    expect_captions_error("# nothing\n\n", 3, "no captions");
    char *longline = malloc(CAP_MAX_LINE + 100);
    ck_assert_ptr_nonnull(longline);
    memset(longline, 'a', CAP_MAX_LINE + 98);
    memcpy(longline, "0\t", 2);
    longline[CAP_MAX_LINE + 98] = '\n';
    longline[CAP_MAX_LINE + 99] = 0;
    expect_captions_error(longline, 3, "longer than");
    free(longline);
    remove_dir();
}
END_TEST

START_TEST(a_corpus_from_files_splits_its_images)
{
    make_dir();
    enum { N = 40 };
    float f[N * 2];
    char text[N * 40], err[256];
    size_t used = 0;
    for (int i = 0; i < N; i++) {
        f[2 * i] = (float)i;
        f[2 * i + 1] = 1.0f;
        used += (size_t)snprintf(text + used, sizeof text - used, "%d\tpicture number %d\n", i, i);
    }
    ck_assert_int_eq(cap_features_write(path("f.bin"), f, N, 2, err, sizeof err), 0);
    write_text(path("c.tsv"), text);
    cap_corpus c;
    char fpath[128], cpath[128];
    snprintf(fpath, sizeof fpath, "%s", path("f.bin"));
    snprintf(cpath, sizeof cpath, "%s", path("c.tsv"));
    ck_assert_int_eq(cap_corpus_files(fpath, cpath, 0.1, 0.2, 7, &c, err, sizeof err), 0);
    ck_assert_uint_eq(c.n_images, N);
    ck_assert_uint_eq(c.feat_dim, 2);
    ck_assert_uint_eq(c.n_caps, N);
    size_t count[3] = {0};
    for (int i = 0; i < N; i++) count[c.split[i]]++;
    ck_assert_uint_eq(count[1], 4);
    ck_assert_uint_eq(count[2], 8);
    ck_assert_uint_eq(count[0], 28);
    cap_corpus_free(&c);
    remove_dir();
}
END_TEST

START_TEST(mnist_glyphs_come_from_idx_files)
{
    make_dir();
    enum { N = 5 };
    static unsigned char img[16 + N * 784], lab[8 + N];
    ts_put_be32(img, 0x803), ts_put_be32(img + 4, N), ts_put_be32(img + 8, 28);
    ts_put_be32(img + 12, 28), ts_put_be32(lab, 0x801), ts_put_be32(lab + 4, N);
    for (int i = 0; i < N; i++) {
        memset(img + 16 + i * 784, 10 * i, 784);
        lab[8 + i] = (unsigned char)(9 - i);
    }
    write_bytes(path("train-images-idx3-ubyte"), img, sizeof img);
    write_bytes(path("train-labels-idx1-ubyte"), lab, sizeof lab);
    cap_glyphs g;
    char err[512];
    ck_assert_int_eq(cap_glyphs_mnist(dir, "train", 3, SIZE_MAX, &g, err, sizeof err), 0);
    ck_assert_uint_eq(g.count, 2);
    ck_assert_uint_eq(g.labels[0], 6);
    ck_assert_uint_eq(g.pixels[0], 30);
    ck_assert_uint_eq(g.pixels[784], 40);
    cap_glyphs_free(&g);
    ck_assert_int_eq(cap_glyphs_mnist(dir, "train", 5, 1, &g, err, sizeof err), -1);
    ck_assert_int_eq(cap_glyphs_mnist(dir, "t10k", 0, 1, &g, err, sizeof err), -1);
    remove_dir();
}
END_TEST

Suite *readers_suite(void)
{
    Suite *s = suite_create("readers");
    TCase *tc = tcase_create("files");
    tcase_add_test(tc, features_round_trip);
    tcase_add_test(tc, malformed_features_files_are_named);
    tcase_add_test(tc, captions_file_reads_and_names_its_errors);
    tcase_add_test(tc, a_corpus_from_files_splits_its_images);
    tcase_add_test(tc, mnist_glyphs_come_from_idx_files);
    suite_add_tcase(s, tc);
    return s;
}
