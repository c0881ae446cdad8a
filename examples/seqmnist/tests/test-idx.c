/* The IDX reader on fixtures the tests make themselves: valid files (raw and gzip),
 * and every kind of damage the reader must name instead of crashing. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef SEQMNIST_HAVE_ZLIB
#include <zlib.h>
#endif

#include "idx.h"
#include "test-seqmnist.h"
#include "test-support.h"

/* ---- fixtures -------------------------------------------------------------------- */

/* An images file of n images whose pixel (i, r, c) is (i + r + c) mod 256; *len
 * receives the size.  Caller frees. */
static unsigned char *make_images(uint32_t n, uint32_t rows, uint32_t cols, size_t *len)
{
    *len = 16 + (size_t)n * rows * cols;
    unsigned char *b = malloc(*len);
    ck_assert_ptr_nonnull(b);
    ts_put_be32(b, 0x00000803u);
    ts_put_be32(b + 4, n);
    ts_put_be32(b + 8, rows);
    ts_put_be32(b + 12, cols);
    for (size_t i = 0; i < n; i++)
        for (size_t r = 0; r < rows; r++)
            for (size_t c = 0; c < cols; c++)
                b[16 + (i * rows + r) * cols + c] = (unsigned char)((i + r + c) & 0xff);
    return b;
}

/* A labels file of n labels i mod 10. */
static unsigned char *make_labels(uint32_t n, size_t *len)
{
    *len = 8 + n;
    unsigned char *b = malloc(*len);
    ck_assert_ptr_nonnull(b);
    ts_put_be32(b, 0x00000801u);
    ts_put_be32(b + 4, n);
    for (size_t i = 0; i < n; i++) b[8 + i] = (unsigned char)(i % 10);
    return b;
}

static ts_tmpdir tmp;

static void make_tmpdir(void) { ck_assert_int_eq(ts_tmpdir_make(&tmp, "seqmnist-test"), 0); }

static void remove_tmpdir(void)
{
    if (ts_tmpdir_remove(&tmp) != 0) fprintf(stderr, "could not remove %s\n", tmp.path);
}

static void write_file(const char *name, const unsigned char *b, size_t len)
{
    ck_assert_int_eq(ts_write_file(ts_tmpdir_file(&tmp, name), b, len), 0);
}

#ifdef SEQMNIST_HAVE_ZLIB
static void write_gz(const char *name, const unsigned char *b, size_t len)
{
    gzFile g = gzopen(ts_tmpdir_file(&tmp, name), "wb");
    ck_assert_ptr_nonnull(g);
    ck_assert_int_eq(gzwrite(g, b, (unsigned)len), (int)len);
    ck_assert_int_eq(gzclose(g), Z_OK);
}
#endif

/* Write a valid split PREFIX of n images and labels, raw. */
static void write_split(const char *prefix, uint32_t n)
{
    size_t il, ll;
    unsigned char *im = make_images(n, 28, 28, &il), *lb = make_labels(n, &ll);
    char name[64];
    snprintf(name, sizeof name, "%s-images-idx3-ubyte", prefix);
    write_file(name, im, il);
    snprintf(name, sizeof name, "%s-labels-idx1-ubyte", prefix);
    write_file(name, lb, ll);
    free(im);
    free(lb);
}

static void check_split(const seqmnist_set *s, size_t n)
{
    ck_assert_uint_eq(s->count, n);
    for (size_t i = 0; i < n; i++) {
        ck_assert_uint_eq(s->labels[i], i % 10);
        for (size_t r = 0; r < 28; r += 9)
            for (size_t c = 0; c < 28; c += 13)
                ck_assert_uint_eq(s->pixels[i * 784 + r * 28 + c], (i + r + c) & 0xff);
    }
}

/* Parse expecting `want`; the message must contain `needle` (if given). */
static void expect_parse(const unsigned char *b, size_t len, int kind, int want,
                         const char *needle)
{
    seqmnist_idx v;
    memset(&v, 0xab, sizeof v);
    char err[256] = "";
    int st = seqmnist_idx_parse(b, len, kind, &v, err, sizeof err);
    ck_assert_msg(st == want, "status %d (%s), expected %d; message: %s", st,
                  seqmnist_idx_strerror(st), want, err);
    if (want != SEQMNIST_IDX_OK) ck_assert_msg(strlen(err) > 0, "no error message");
    if (needle) ck_assert_msg(strstr(err, needle), "message '%s' lacks '%s'", err, needle);
}

/* ---- parsing from memory --------------------------------------------------------- */

START_TEST(parse_valid_images)
{
    size_t len;
    unsigned char *b = make_images(3, 28, 28, &len);
    seqmnist_idx v;
    ck_assert_int_eq(seqmnist_idx_parse(b, len, SEQMNIST_IDX_IMAGES, &v, NULL, 0), 0);
    ck_assert_int_eq(v.kind, SEQMNIST_IDX_IMAGES);
    ck_assert_uint_eq(v.count, 3);
    ck_assert_uint_eq(v.rows, 28);
    ck_assert_uint_eq(v.cols, 28);
    ck_assert_ptr_eq(v.data, b + 16);
    ck_assert_int_eq(seqmnist_idx_parse(b, len, SEQMNIST_IDX_ANY, &v, NULL, 0), 0);
    free(b);
}
END_TEST

START_TEST(parse_valid_labels)
{
    size_t len;
    unsigned char *b = make_labels(25, &len);
    seqmnist_idx v;
    ck_assert_int_eq(seqmnist_idx_parse(b, len, SEQMNIST_IDX_LABELS, &v, NULL, 0), 0);
    ck_assert_int_eq(v.kind, SEQMNIST_IDX_LABELS);
    ck_assert_uint_eq(v.count, 25);
    ck_assert_uint_eq(v.data[24], 4);
    free(b);
}
END_TEST

START_TEST(parse_truncated)
{
    size_t len;
    unsigned char *b = make_images(2, 28, 28, &len);
    expect_parse(b, 0, SEQMNIST_IDX_ANY, SEQMNIST_IDX_ERR_TRUNCATED, "magic");
    expect_parse(b, 3, SEQMNIST_IDX_ANY, SEQMNIST_IDX_ERR_TRUNCATED, "magic");
    expect_parse(b, 10, SEQMNIST_IDX_ANY, SEQMNIST_IDX_ERR_TRUNCATED, "header");
    expect_parse(b, len - 1, SEQMNIST_IDX_IMAGES, SEQMNIST_IDX_ERR_TRUNCATED, "truncated");
    /* A count near 2^32 with a short payload: truncated, not an overflow. */
    ts_put_be32(b + 4, 0xffffffffu);
    expect_parse(b, len, SEQMNIST_IDX_IMAGES, SEQMNIST_IDX_ERR_TRUNCATED, "truncated");
    free(b);
}
END_TEST

START_TEST(parse_every_prefix_is_rejected)
{
    size_t il, ll;
    unsigned char *im = make_images(1, 28, 28, &il), *lb = make_labels(7, &ll);
    for (size_t n = 0; n < il; n++)
        expect_parse(im, n, SEQMNIST_IDX_IMAGES, SEQMNIST_IDX_ERR_TRUNCATED, NULL);
    for (size_t n = 0; n < ll; n++)
        expect_parse(lb, n, SEQMNIST_IDX_LABELS, SEQMNIST_IDX_ERR_TRUNCATED, NULL);
    free(im);
    free(lb);
}
END_TEST

START_TEST(parse_oversized)
{
    size_t len;
    unsigned char *b = make_labels(5, &len);
    unsigned char *big = calloc(len + 3, 1);
    memcpy(big, b, len);
    expect_parse(big, len + 3, SEQMNIST_IDX_LABELS, SEQMNIST_IDX_ERR_OVERSIZED, "oversized");
    free(big);
    free(b);
}
END_TEST

START_TEST(parse_wrong_magic)
{
    size_t len;
    unsigned char *b = make_images(1, 28, 28, &len);
    b[0] = 0x12;
    expect_parse(b, len, SEQMNIST_IDX_ANY, SEQMNIST_IDX_ERR_MAGIC, "not an IDX");
    b[0] = 0;
    b[2] = 0x0d; /* float elements */
    expect_parse(b, len, SEQMNIST_IDX_ANY, SEQMNIST_IDX_ERR_MAGIC, "unsigned byte");
    b[2] = 0x08;
    b[3] = 2; /* two dimensions */
    expect_parse(b, len, SEQMNIST_IDX_ANY, SEQMNIST_IDX_ERR_MAGIC, "dimensions");
    b[3] = 3;
    /* An images file where labels were expected, and the other way round. */
    expect_parse(b, len, SEQMNIST_IDX_LABELS, SEQMNIST_IDX_ERR_MAGIC, "expected");
    free(b);
    b = make_labels(4, &len);
    expect_parse(b, len, SEQMNIST_IDX_IMAGES, SEQMNIST_IDX_ERR_MAGIC, "expected");
    b[0] = 0x1f;
    b[1] = 0x8b;
    expect_parse(b, len, SEQMNIST_IDX_ANY, SEQMNIST_IDX_ERR_MAGIC, "gzip");
    free(b);
}
END_TEST

START_TEST(parse_wrong_dims)
{
    size_t len;
    unsigned char *b = make_images(2, 27, 28, &len);
    expect_parse(b, len, SEQMNIST_IDX_IMAGES, SEQMNIST_IDX_ERR_DIMS, "27x28");
    free(b);
    b = make_images(1, 28, 28, &len);
    ts_put_be32(b + 4, 0);
    expect_parse(b, 16, SEQMNIST_IDX_IMAGES, SEQMNIST_IDX_ERR_DIMS, "0 items");
    free(b);
}
END_TEST

START_TEST(parse_bad_label)
{
    size_t len;
    unsigned char *b = make_labels(12, &len);
    b[8 + 11] = 10;
    expect_parse(b, len, SEQMNIST_IDX_LABELS, SEQMNIST_IDX_ERR_LABEL, "index 11");
    b[8 + 11] = 255;
    expect_parse(b, len, SEQMNIST_IDX_LABELS, SEQMNIST_IDX_ERR_LABEL, "label 255");
    free(b);
}
END_TEST

START_TEST(parse_bad_arguments)
{
    seqmnist_idx v;
    unsigned char b[8] = {0};
    ck_assert_int_eq(seqmnist_idx_parse(NULL, 8, 0, &v, NULL, 0), SEQMNIST_IDX_ERR_ARG);
    ck_assert_int_eq(seqmnist_idx_parse(b, 8, 0, NULL, NULL, 0), SEQMNIST_IDX_ERR_ARG);
    ck_assert_int_eq(seqmnist_idx_parse(b, 8, 7, &v, NULL, 0), SEQMNIST_IDX_ERR_ARG);
    /* A NULL buffer of length 0 is simply too short. */
    ck_assert_int_eq(seqmnist_idx_parse(NULL, 0, 0, &v, NULL, 0), SEQMNIST_IDX_ERR_TRUNCATED);
}
END_TEST

/* ---- files ----------------------------------------------------------------------- */

START_TEST(load_raw_split)
{
    make_tmpdir();
    write_split("train", 13);
    seqmnist_set s;
    char err[512] = "";
    int st = seqmnist_set_load(tmp.path, "train", &s, err, sizeof err);
    ck_assert_msg(st == 0, "%s", err);
    check_split(&s, 13);
    seqmnist_set_free(&s);
    remove_tmpdir();
}
END_TEST

START_TEST(load_dot_spelling)
{
    make_tmpdir();
    size_t il, ll;
    unsigned char *im = make_images(4, 28, 28, &il), *lb = make_labels(4, &ll);
    write_file("t10k-images.idx3-ubyte", im, il);
    write_file("t10k-labels.idx1-ubyte", lb, ll);
    seqmnist_set s;
    char err[512] = "";
    ck_assert_msg(seqmnist_set_load(tmp.path, "t10k", &s, err, sizeof err) == 0, "%s", err);
    check_split(&s, 4);
    seqmnist_set_free(&s);
    free(im);
    free(lb);
    remove_tmpdir();
}
END_TEST

/* Load dir/name as `kind`, expect status `want` and a message naming the file. */
static void expect_load(const char *name, int kind, int want, const char *needle)
{
    char err[512] = "";
    const char *path = ts_tmpdir_file(&tmp, name);
    seqmnist_idx v;
    unsigned char *data = (unsigned char *)1;
    int st = seqmnist_idx_load(path, kind, &v, &data, err, sizeof err);
    ck_assert_msg(st == want, "%s: status %d (%s), expected %d: %s", name, st,
                  seqmnist_idx_strerror(st), want, err);
    if (want == 0) {
        free(data);
        return;
    }
    ck_assert_msg(strstr(err, path), "message '%s' does not name the file", err);
    if (needle) ck_assert_msg(strstr(err, needle), "message '%s' lacks '%s'", err, needle);
}

START_TEST(load_damaged_files)
{
    make_tmpdir();
    size_t il, ll;
    unsigned char *im = make_images(3, 28, 28, &il), *lb = make_labels(9, &ll);
    write_file("short", im, il - 5);
    expect_load("short", SEQMNIST_IDX_IMAGES, SEQMNIST_IDX_ERR_TRUNCATED, "truncated");
    write_file("empty", im, 0);
    expect_load("empty", SEQMNIST_IDX_IMAGES, SEQMNIST_IDX_ERR_TRUNCATED, NULL);
    unsigned char *big = calloc(il + 100, 1);
    memcpy(big, im, il);
    write_file("long", big, il + 100);
    expect_load("long", SEQMNIST_IDX_IMAGES, SEQMNIST_IDX_ERR_OVERSIZED, "oversized");
    write_file("labels-as-images", lb, ll);
    expect_load("labels-as-images", SEQMNIST_IDX_IMAGES, SEQMNIST_IDX_ERR_MAGIC, "labels");
    lb[8] = 42;
    write_file("bad-label", lb, ll);
    expect_load("bad-label", SEQMNIST_IDX_LABELS, SEQMNIST_IDX_ERR_LABEL, "42");
    expect_load("does-not-exist", SEQMNIST_IDX_LABELS, SEQMNIST_IDX_ERR_IO, "cannot open");
    /* A header that declares 2^32-1 images in a small file: truncated, and cheap. */
    ts_put_be32(im + 4, 0xffffffffu);
    write_file("huge-count", im, il);
    expect_load("huge-count", SEQMNIST_IDX_IMAGES, SEQMNIST_IDX_ERR_TRUNCATED, "truncated");
    free(big);
    free(im);
    free(lb);
    remove_tmpdir();
}
END_TEST

START_TEST(load_count_mismatch)
{
    make_tmpdir();
    size_t il, ll;
    unsigned char *im = make_images(5, 28, 28, &il), *lb = make_labels(6, &ll);
    write_file("train-images-idx3-ubyte", im, il);
    write_file("train-labels-idx1-ubyte", lb, ll);
    seqmnist_set s;
    char err[512] = "";
    ck_assert_int_eq(seqmnist_set_load(tmp.path, "train", &s, err, sizeof err),
                     SEQMNIST_IDX_ERR_MISMATCH);
    ck_assert_msg(strstr(err, "5 images") && strstr(err, "6 labels"), "%s", err);
    free(im);
    free(lb);
    remove_tmpdir();
}
END_TEST

START_TEST(load_gzip)
{
    make_tmpdir();
    size_t il, ll;
    unsigned char *im = make_images(11, 28, 28, &il), *lb = make_labels(11, &ll);
#ifdef SEQMNIST_HAVE_ZLIB
    ck_assert_int_eq(seqmnist_idx_has_zlib(), 1);
    write_gz("train-images-idx3-ubyte.gz", im, il);
    write_gz("train-labels-idx1-ubyte.gz", lb, ll);
    seqmnist_set s;
    char err[512] = "";
    ck_assert_msg(seqmnist_set_load(tmp.path, "train", &s, err, sizeof err) == 0, "%s", err);
    check_split(&s, 11);
    seqmnist_set_free(&s);
    /* Decompressed content one byte short, and a compressed stream cut in half. */
    write_gz("short.gz", im, il - 1);
    expect_load("short.gz", SEQMNIST_IDX_IMAGES, SEQMNIST_IDX_ERR_TRUNCATED, "truncated");
    char path[sizeof tmp.file];
    strcpy(path, ts_tmpdir_file(&tmp, "train-images-idx3-ubyte.gz"));
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    unsigned char gz[4096];
    size_t n = fread(gz, 1, sizeof gz, f);
    fclose(f);
    ck_assert_uint_gt(n, 40);
    write_file("cut.gz", gz, n / 2);
    seqmnist_idx v;
    unsigned char *data = NULL;
    strcpy(path, ts_tmpdir_file(&tmp, "cut.gz"));
    int st = seqmnist_idx_load(path, SEQMNIST_IDX_IMAGES, &v, &data, err, sizeof err);
    ck_assert_msg(st == SEQMNIST_IDX_ERR_GZIP || st == SEQMNIST_IDX_ERR_TRUNCATED,
                  "cut gzip: status %d: %s", st, err);
    ck_assert_msg(strstr(err, path), "message '%s' does not name the file", err);
#else
    ck_assert_int_eq(seqmnist_idx_has_zlib(), 0);
    /* Without zlib a gzip file (by its magic) is refused with a clear message. */
    unsigned char fake[64] = {0x1f, 0x8b, 0x08, 0};
    write_file("fake.gz", fake, sizeof fake);
    expect_load("fake.gz", SEQMNIST_IDX_IMAGES, SEQMNIST_IDX_ERR_NOZLIB, "zlib");
#endif
    free(im);
    free(lb);
    remove_tmpdir();
}
END_TEST

/* Debian's dataset-fashion-mnist, when installed, is read by the same reader. */
START_TEST(load_fashion_mnist_if_installed)
{
    const char *dir = "/usr/share/datasets/fashion-mnist";
    if (!seqmnist_idx_has_zlib() || access(dir, R_OK) != 0) {
        fprintf(stderr, "fashion-mnist check skipped (package or zlib absent)\n");
        return;
    }
    seqmnist_set s;
    char err[512] = "";
    ck_assert_msg(seqmnist_set_load(dir, "t10k", &s, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(s.count, 10000);
    size_t per_class[10] = {0};
    for (size_t i = 0; i < s.count; i++) per_class[s.labels[i]]++;
    for (int c = 0; c < 10; c++) ck_assert_uint_eq(per_class[c], 1000);
    seqmnist_set_free(&s);
}
END_TEST

Suite *idx_suite(void)
{
    Suite *s = suite_create("idx");
    TCase *mem = tcase_create("memory");
    tcase_add_test(mem, parse_valid_images);
    tcase_add_test(mem, parse_valid_labels);
    tcase_add_test(mem, parse_truncated);
    tcase_add_test(mem, parse_every_prefix_is_rejected);
    tcase_add_test(mem, parse_oversized);
    tcase_add_test(mem, parse_wrong_magic);
    tcase_add_test(mem, parse_wrong_dims);
    tcase_add_test(mem, parse_bad_label);
    tcase_add_test(mem, parse_bad_arguments);
    suite_add_tcase(s, mem);
    TCase *files = tcase_create("files");
    tcase_set_timeout(files, 30);
    tcase_add_test(files, load_raw_split);
    tcase_add_test(files, load_dot_spelling);
    tcase_add_test(files, load_damaged_files);
    tcase_add_test(files, load_count_mismatch);
    tcase_add_test(files, load_gzip);
    tcase_add_test(files, load_fashion_mnist_if_installed);
    suite_add_tcase(s, files);
    return s;
}
