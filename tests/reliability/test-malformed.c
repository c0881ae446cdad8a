/* Malformed checkpoints: every truncation, every single-bit flip, wrong magic, version
 * and kind, absurd shapes and crafted fields (with the CRC recomputed so the parser
 * itself is reached).  Each gives its precise status, leaves *out and an optimizer
 * untouched, and (under ASan/valgrind) leaks nothing and reads nothing out of bounds:
 * every load reads from a heap copy of exactly the given length.  Also: file errors
 * and atomic saves that survive a killed writer. */
#include <dirent.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "rel-util.h"

enum { OBJ_CORTEX, OBJ_CEREBELLUM, OBJ_OPTIMIZER };
static const char *obj_names[3] = {"cortex", "cerebellum", "optimizer"};

/* The optimizer loads into this one; its checkpoint must not change on failure. */
static ccrnn_optimizer *target_opt;
static ccrnn_cortex *target_cx;
static ccrnn_cerebellum *target_cb;
static unsigned char *target_before;
static size_t target_before_n;

static unsigned char *dup_bytes(const unsigned char *p, size_t n)
{
    unsigned char *q = malloc(n ? n : 1);
    if (!q) rel_die("out of memory");
    if (n) memcpy(q, p, n);
    return q;
}

/* Load n bytes (from an exact-size heap copy) as object kind `obj`; a successful load
 * is checked for usability and destroyed.  Returns the status. */
static int load_as(int obj, const unsigned char *bytes, size_t n)
{
    unsigned char *copy = dup_bytes(bytes, n);
    int st;
    if (obj == OBJ_CORTEX) {
        ccrnn_cortex *cx = (ccrnn_cortex *)&copy; /* sentinel: must stay on failure */
        ccrnn_cortex *const sentinel = cx;
        st = ccrnn_cortex_load_mem(copy, n, &cx);
        if (st) CHECK(cx == sentinel, "failed cortex load wrote *out");
        else {
            size_t B, I;
            MUST(ccrnn_cortex_shape(cx, NULL, &I, NULL, NULL, NULL, &B, NULL));
            ccrnn_cortex_destroy(cx);
        }
    } else if (obj == OBJ_CEREBELLUM) {
        ccrnn_cerebellum *cb = (ccrnn_cerebellum *)&copy;
        ccrnn_cerebellum *const sentinel = cb;
        st = ccrnn_cerebellum_load_mem(copy, n, &cb);
        if (st) CHECK(cb == sentinel, "failed cerebellum load wrote *out");
        else ccrnn_cerebellum_destroy(cb);
    } else {
        st = ccrnn_optimizer_load_mem(target_opt, copy, n);
        if (st) {
            size_t m;
            unsigned char *now = rel_save_optimizer(target_opt, &m);
            CHECK(ts_same_bytes(now, m, target_before, target_before_n),
                  "failed optimizer load changed the optimizer (status %d)", st);
            free(now);
        } else {
            /* Put the reference state back for the next case. */
            MUST(ccrnn_optimizer_load_mem(target_opt, target_before, target_before_n));
        }
    }
    free(copy);
    return st;
}

/* Small checkpoints of each kind, with a fibre mask and trained optimizer moments. */
static unsigned char *small_checkpoint(int obj, size_t *n)
{
    if (obj == OBJ_CORTEX) return rel_save_cortex(target_cx, n);
    if (obj == OBJ_CEREBELLUM) return rel_save_cerebellum(target_cb, n);
    return rel_save_optimizer(target_opt, n);
}

static void make_targets(void)
{
    MUST(ccrnn_cortex_create(CCRNN_CELL_TANH, 1, 2, 1, 2, 2, 3, &target_cx));
    MUST(ccrnn_cortex_reset(target_cx, 1));
    MUST(ccrnn_cerebellum_create(2, 1, 2, 1, 3, 2, 4, 0, &target_cb));
    MUST(ccrnn_cerebellum_set_fibres(target_cb, 2, 5));
    MUST(ccrnn_optimizer_create(CCRNN_OPT_ADAM, &target_opt));
    MUST(ccrnn_optimizer_add_cortex(target_opt, target_cx, NULL));
    MUST(ccrnn_optimizer_add_cerebellum(target_opt, target_cb, NULL));
    /* One step with gradients so the moments are not all zero. */
    float x[1] = {0.5f}, y[1], dy[1] = {1.0f}, in[2] = {1, -1}, ctx[1] = {2}, t[2] = {1, 2};
    MUST(ccrnn_cortex_forward(target_cx, x, 1, y, 1));
    MUST(ccrnn_cortex_output_grad(target_cx, 0, dy, 1));
    MUST(ccrnn_cortex_backward(target_cx, NULL, 0, NULL, 0));
    MUST(ccrnn_cerebellum_learn(target_cb, 1, in, 2, ctx, 1, t, 2, NULL));
    MUST(ccrnn_optimizer_step(target_opt));
    target_before = rel_save_optimizer(target_opt, &target_before_n);
}

static void test_truncations(int obj)
{
    size_t n;
    unsigned char *ck = small_checkpoint(obj, &n);
    int wrong = 0;
    for (size_t len = 0; len < n; len++) {
        int st = load_as(obj, ck, len);
        if (st != CCRNN_ERR_FORMAT) {
            wrong++;
            CHECK(0, "%s truncated to %zu of %zu bytes: status %d, expected FORMAT",
                  obj_names[obj], len, n, st);
        }
    }
    CHECK(wrong == 0, "%s: %d of %zu truncations misreported", obj_names[obj], wrong, n);
    CHECK(load_as(obj, ck, n) == CCRNN_OK, "%s: the intact checkpoint does not load",
          obj_names[obj]);
    printf("%s: %zu truncations (checkpoint of %zu bytes) all FORMAT\n", obj_names[obj], n, n);
    free(ck);
}

/* The status a flip of bit `bit` must give: decided by the field it lands in. */
static int expected_for_flip(int obj, const unsigned char *flipped, size_t bit)
{
    size_t byte = bit / 8;
    if (byte < 8) return CCRNN_ERR_FORMAT;   /* magic */
    if (byte < 12) return CCRNN_ERR_VERSION; /* format version */
    if (byte < 16) {                         /* object kind */
        uint32_t kind = (uint32_t)ts_get_le(flipped + 12, 4);
        return kind >= 1 && kind <= 3 && kind != (uint32_t)obj + 1 ? CCRNN_ERR_MISMATCH
                                                                    : CCRNN_ERR_FORMAT;
    }
    if (byte < 24) return CCRNN_ERR_FORMAT;  /* payload length */
    if (byte < 28) return CCRNN_ERR_CHECKSUM;/* the CRC itself */
    if (byte < 32) return CCRNN_ERR_FORMAT;  /* reserved */
    return CCRNN_ERR_CHECKSUM;               /* payload */
}

static void test_bit_flips(int obj)
{
    size_t n;
    unsigned char *ck = small_checkpoint(obj, &n);
    int wrong = 0;
    for (size_t bit = 0; bit < 8 * n; bit++) {
        ck[bit / 8] ^= (unsigned char)(1u << (bit % 8));
        int want = expected_for_flip(obj, ck, bit), st = load_as(obj, ck, n);
        if (st != want && wrong++ < 10)
            CHECK(0, "%s bit %zu flipped: status %d (%s), expected %d (%s)", obj_names[obj], bit,
                  st, ccrnn_strerror(st), want, ccrnn_strerror(want));
        ck[bit / 8] ^= (unsigned char)(1u << (bit % 8));
    }
    CHECK(wrong == 0, "%s: %d of %zu bit flips misreported", obj_names[obj], wrong, 8 * n);
    printf("%s: %zu single-bit flips all rejected with the field's status\n", obj_names[obj],
           8 * n);
    free(ck);
}

/* Capacity fields (max_batch, max_window) are skipped by the byte sweep: a value that
 * passes the 1 GiB footprint bound makes a real (if lazily zeroed) allocation of up to
 * a gigabyte, too slow under valgrind; test_*_fields covers them. */
static unsigned char *entry_data(unsigned char *ck, size_t n, const char *name);

static int in_entry(unsigned char *ck, size_t n, const char *name, size_t i)
{
    size_t at = (size_t)(entry_data(ck, n, name) - ck);
    return i >= at && i < at + 8;
}

static int capacity_byte(int obj, unsigned char *ck, size_t n, size_t i)
{
    if (obj == OBJ_CORTEX) return in_entry(ck, n, "max_batch", i) || in_entry(ck, n, "max_window", i);
    if (obj == OBJ_CEREBELLUM) return in_entry(ck, n, "max_batch", i) || in_entry(ck, n, "width", i);
    return 0;
}

/* Overwrite every payload byte with a few values, fix the CRC, load: the parser must
 * answer a documented status (or load a usable object) and never misbehave. */
static void test_crafted_bytes(int obj)
{
    static const unsigned char vals[4] = {0x00, 0xFF, 0x7F, 0x80};
    size_t n;
    unsigned char *ck = small_checkpoint(obj, &n);
    size_t cases = 0, ok = 0, bad = 0;
    for (size_t i = 32; i < n; i++) {
        if (capacity_byte(obj, ck, n, i)) continue;
        unsigned char keep = ck[i];
        for (int v = 0; v < 4; v++) {
            if (vals[v] == keep) continue;
            ck[i] = vals[v];
            ts_ckpt_fix_crc(ck, n);
            int st = load_as(obj, ck, n);
            cases++;
            ok += st == CCRNN_OK;
            if (st != CCRNN_OK && st != CCRNN_ERR_FORMAT && st != CCRNN_ERR_NUMERIC &&
                st != CCRNN_ERR_MISMATCH && bad++ < 5)
                CHECK(0, "%s byte %zu = 0x%02x: unexpected status %d", obj_names[obj], i, vals[v], st);
        }
        ck[i] = keep;
    }
    ts_ckpt_fix_crc(ck, n);
    CHECK(bad == 0, "%s: %zu crafted payloads gave unexpected statuses", obj_names[obj], bad);
    printf("%s: %zu crafted payloads (CRC fixed): %zu loaded, the rest rejected\n",
           obj_names[obj], cases, ok);
    free(ck);
}

/* ---- specific crafted fields --------------------------------------------------------- */

static void expect_field(int obj, unsigned char *ck, size_t n, const char *what, int want)
{
    ts_ckpt_fix_crc(ck, n);
    int st = load_as(obj, ck, n);
    CHECK(st == want, "%s %s: status %d (%s), expected %d (%s); %s", obj_names[obj], what, st,
          ccrnn_strerror(st), want, ccrnn_strerror(want), ccrnn_last_error());
}

/* The values of the entry called `name` in a format-2 checkpoint (payload: u32 count,
 * then u8 name length, name, u8 type, u64 rows, u64 cols, values).  The tests find
 * fields by name, so they need no byte offsets. */
static unsigned char *entry_data(unsigned char *ck, size_t n, const char *name)
{
    size_t at = ts_ckpt_entry(ck, n, name);
    if (!at) rel_die("no entry '%s' in the checkpoint", name);
    return ck + at;
}

typedef struct field_case {
    const char *entry;
    int width; /* bytes written at the entry's first value: 8 (u64/f64) or 4 (f32) */
    uint64_t value;
    const char *what;
    int want;
} field_case;

static void run_field_cases(int obj, const field_case *cases, size_t count)
{
    size_t n;
    unsigned char *base = small_checkpoint(obj, &n), *ck = malloc(n);
    for (size_t i = 0; i < count; i++) {
        memcpy(ck, base, n);
        unsigned char *p = entry_data(ck, n, cases[i].entry);
        if (cases[i].width == 8) ts_put_le(p, cases[i].value, 8);
        else ts_put_le(p, (uint32_t)cases[i].value, 4);
        expect_field(obj, ck, n, cases[i].what, cases[i].want);
    }
    free(ck);
    free(base);
}

static uint64_t f64_bits(double v)
{
    uint64_t b;
    memcpy(&b, &v, 8);
    return b;
}

static void test_cortex_fields(void)
{
    const field_case cases[] = {
        {"cell", 8, 7, "cell kind 7", CCRNN_ERR_FORMAT},
        {"n_in", 8, 0, "n_in 0", CCRNN_ERR_FORMAT},
        {"n_hidden", 8, (uint64_t)1 << 40, "n_hidden 2^40", CCRNN_ERR_FORMAT},
        {"n_hidden", 8, UINT64_MAX, "n_hidden 2^64-1", CCRNN_ERR_FORMAT},
        {"n_out", 8, (uint64_t)1 << 24, "n_out 2^24 (tensors do not match)", CCRNN_ERR_FORMAT},
        {"max_batch", 8, (uint64_t)1 << 16, "max_batch 2^16 (fits the limits)", CCRNN_OK},
        {"max_window", 8, (uint64_t)1 << 16, "max_window 2^16 (fits the limits)", CCRNN_OK},
        {"max_batch", 8, 0, "max_batch 0", CCRNN_ERR_FORMAT},
        {"TRAINING", 8, f64_bits(2), "training 2", CCRNN_ERR_FORMAT},
        {"THREADS", 8, f64_bits(0), "threads 0", CCRNN_ERR_FORMAT},
        {"THREADS", 8, f64_bits(257), "threads 257", CCRNN_ERR_FORMAT},
        {"THREADS", 8, f64_bits(1.5), "threads 1.5", CCRNN_ERR_FORMAT},
        {"batch", 8, 0, "active batch 0", CCRNN_ERR_FORMAT},
        {"batch", 8, 3, "active batch above max_batch", CCRNN_ERR_FORMAT},
        {"weight_ih_l0", 4, 0x7FC00000u, "NaN weight", CCRNN_ERR_NUMERIC},
        {"weight_ih_l0", 4, 0x7F800000u, "Inf weight", CCRNN_ERR_NUMERIC},
        {"state", 4, 0xFFC00000u, "NaN state", CCRNN_ERR_NUMERIC},
    };
    run_field_cases(OBJ_CORTEX, cases, sizeof cases / sizeof cases[0]);
    size_t n;
    unsigned char *ck = small_checkpoint(OBJ_CORTEX, &n);
    /* Both capacities huge: the handle would need terabytes. */
    ts_put_le(entry_data(ck, n, "max_batch"), (uint64_t)1 << 24, 8);
    ts_put_le(entry_data(ck, n, "max_window"), (uint64_t)1 << 24, 8);
    expect_field(OBJ_CORTEX, ck, n, "max_batch and max_window 2^24", CCRNN_ERR_FORMAT);
    free(ck);
    /* An entry renamed: missing for the loader. */
    ck = small_checkpoint(OBJ_CORTEX, &n);
    entry_data(ck, n, "weight_hh_l0")[-17 - 12] = 'W';
    expect_field(OBJ_CORTEX, ck, n, "a tensor renamed", CCRNN_ERR_FORMAT);
    free(ck);
    /* A NaN gradient is allowed: gradients may legitimately be non-finite. */
}

static void test_header_fields(void)
{
    size_t n;
    unsigned char *base = small_checkpoint(OBJ_CORTEX, &n), *ck = malloc(n + 1);
    memcpy(ck, base, n);
    ts_put_le(ck + 8, 3, 4);
    expect_field(OBJ_CORTEX, ck, n, "format version 3", CCRNN_ERR_VERSION);
    ts_put_le(ck + 8, 1, 4);
    expect_field(OBJ_CORTEX, ck, n, "format version 1 (libccrnn 0.1)", CCRNN_ERR_VERSION);
    ts_put_le(ck + 8, 0, 4);
    expect_field(OBJ_CORTEX, ck, n, "format version 0", CCRNN_ERR_VERSION);
    memcpy(ck, base, n);
    memcpy(ck, "CCRNNCKP", 8);
    expect_field(OBJ_CORTEX, ck, n, "wrong magic", CCRNN_ERR_FORMAT);
    memcpy(ck, base, n);
    CHECK(load_as(OBJ_CEREBELLUM, ck, n) == CCRNN_ERR_MISMATCH, "cortex loaded as cerebellum");
    CHECK(load_as(OBJ_OPTIMIZER, ck, n) == CCRNN_ERR_MISMATCH, "cortex loaded as optimizer");
    ts_put_le(ck + 12, 4, 4);
    expect_field(OBJ_CORTEX, ck, n, "object kind 4", CCRNN_ERR_FORMAT);
    memcpy(ck, base, n);
    ck[n] = 0;
    ts_put_le(ck + 16, n + 1 - 32, 8);
    expect_field(OBJ_CORTEX, ck, n + 1, "one trailing payload byte", CCRNN_ERR_FORMAT);
    memcpy(ck, base, n);
    ck[n] = 0;
    expect_field(OBJ_CORTEX, ck, n + 1, "one byte after the declared payload", CCRNN_ERR_FORMAT);
    memcpy(ck, base, n);
    ts_put_le(ck + 16, UINT64_MAX, 8);
    expect_field(OBJ_CORTEX, ck, n, "payload length 2^64-1", CCRNN_ERR_FORMAT);
    memcpy(ck, base, n);
    ts_put_le(ck + 32, 0xFFFFFFFFu, 4);
    expect_field(OBJ_CORTEX, ck, n, "entry count 2^32-1", CCRNN_ERR_FORMAT);
    free(ck);
    free(base);
    /* A cerebellum checkpoint offered to the other loaders. */
    base = small_checkpoint(OBJ_CEREBELLUM, &n);
    CHECK(load_as(OBJ_CORTEX, base, n) == CCRNN_ERR_MISMATCH, "cerebellum loaded as cortex");
    free(base);
    base = small_checkpoint(OBJ_OPTIMIZER, &n);
    CHECK(load_as(OBJ_CORTEX, base, n) == CCRNN_ERR_MISMATCH, "optimizer loaded as cortex");
    free(base);
}

static void test_cerebellum_fields(void)
{
    const field_case cases[] = {
        {"n_in", 8, 0, "n_in 0", CCRNN_ERR_FORMAT},
        {"n_ctx", 8, (uint64_t)1 << 25, "n_ctx 2^25", CCRNN_ERR_FORMAT},
        {"n_hidden_layers", 8, 17, "17 hidden layers", CCRNN_ERR_FORMAT},
        {"n_hidden_layers", 8, 0, "0 hidden layers with a width", CCRNN_ERR_FORMAT},
        {"width", 8, 0, "width 0 with a hidden layer", CCRNN_ERR_FORMAT},
        {"width", 8, (uint64_t)1 << 24, "width 2^24 (handle above 1 GiB)", CCRNN_ERR_FORMAT},
        {"max_batch", 8, (uint64_t)1 << 16, "max_batch 2^16 (fits the limits)", CCRNN_OK},
        {"max_batch", 8, (uint64_t)1 << 24, "max_batch 2^24 (handle above 1 GiB)", CCRNN_ERR_FORMAT},
        {"ABLATED", 8, f64_bits(2), "ABLATED 2", CCRNN_ERR_FORMAT},
        {"IO_LESION", 8, f64_bits(3), "IO_LESION 3", CCRNN_ERR_FORMAT},
        {"THREADS", 8, f64_bits(0), "THREADS 0", CCRNN_ERR_FORMAT},
        {"fibre_mask", 4, 0x40000000u, "mask value 2", CCRNN_ERR_FORMAT},
        {"fibre_mask", 4, 0x3F000000u, "mask value 0.5", CCRNN_ERR_FORMAT},
        {"0.weight", 4, 0x7F800000u, "Inf weight", CCRNN_ERR_NUMERIC},
    };
    run_field_cases(OBJ_CEREBELLUM, cases, sizeof cases / sizeof cases[0]);
}

static void test_optimizer_fields(void)
{
    const field_case cases[] = {
        {"kind", 8, 5, "optimizer kind 5", CCRNN_ERR_FORMAT},
        {"kind", 8, 1, "optimizer kind SGD", CCRNN_ERR_MISMATCH},
        {"LR", 8, f64_bits(-1), "learning rate -1", CCRNN_ERR_FORMAT},
        {"LR", 8, f64_bits(NAN), "learning rate NaN", CCRNN_ERR_FORMAT},
        {"BETA2", 8, f64_bits(1), "beta2 1", CCRNN_ERR_FORMAT},
        {"last_norm", 8, f64_bits(NAN), "last norm NaN", CCRNN_ERR_FORMAT},
        {"steps", 8, UINT64_MAX, "2^64-1 steps", CCRNN_ERR_FORMAT},
        {"groups", 8, 3, "3 groups", CCRNN_ERR_MISMATCH},
        {"groups", 8, UINT64_MAX, "2^64-1 groups", CCRNN_ERR_FORMAT},
        {"group.0.size", 8, 1, "group of 1 value", CCRNN_ERR_MISMATCH},
        {"group.0.LR_SCALE", 8, f64_bits(-1), "lr scale -1", CCRNN_ERR_FORMAT},
        {"group.0.FROZEN", 8, f64_bits(2), "frozen 2", CCRNN_ERR_FORMAT},
        {"group.0.FROZEN", 8, f64_bits(0.5), "frozen 0.5", CCRNN_ERR_FORMAT},
        {"group.0.steps", 8, UINT64_MAX, "update count 2^64-1", CCRNN_ERR_FORMAT},
        {"group.1.steps", 8, (uint64_t)1 << 53, "update count 2^53 (the limit)", CCRNN_OK},
        {"group.0.m", 4, 0x7F800000u, "Inf moment", CCRNN_ERR_NUMERIC},
        {"group.0.v", 4, 0xBF800000u, "negative second moment", CCRNN_ERR_FORMAT},
    };
    run_field_cases(OBJ_OPTIMIZER, cases, sizeof cases / sizeof cases[0]);
    size_t n;
    unsigned char *base = small_checkpoint(OBJ_OPTIMIZER, &n);
    /* Optimizers of another structure refuse the checkpoint and stay as they were. */
    ccrnn_optimizer *other;
    MUST(ccrnn_optimizer_create(CCRNN_OPT_ADAM, &other));
    MUST(ccrnn_optimizer_add_cortex(other, target_cx, NULL));
    CHECK_STATUS(ccrnn_optimizer_load_mem(other, base, n), CCRNN_ERR_MISMATCH);
    ccrnn_optimizer_destroy(other);
    MUST(ccrnn_optimizer_create(CCRNN_OPT_ADAM, &other));
    MUST(ccrnn_optimizer_add_cerebellum(other, target_cb, NULL));
    MUST(ccrnn_optimizer_add_cortex(other, target_cx, NULL));
    CHECK_STATUS(ccrnn_optimizer_load_mem(other, base, n), CCRNN_ERR_MISMATCH);
    ccrnn_optimizer_destroy(other);
    free(base);
}

/* ---- files ------------------------------------------------------------------------- */

static ts_tmpdir tmp;
static const char *dir = tmp.path;

static size_t count_temp_files(void)
{
    DIR *d = opendir(dir);
    size_t k = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (strstr(e->d_name, ".ccrnn-tmp.")) k++;
    if (d) closedir(d);
    return k;
}

static void remove_temp_files(void)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char p[600];
    while (d && (e = readdir(d)))
        if (strstr(e->d_name, ".ccrnn-tmp.")) {
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            unlink(p);
        }
    if (d) closedir(d);
}

static void test_file_errors(void)
{
    char path[400], sub[400];
    ccrnn_cortex *cx = (ccrnn_cortex *)dir;
    snprintf(path, sizeof path, "%s/missing.ckpt", dir);
    CHECK_STATUS(ccrnn_cortex_load(path, &cx), CCRNN_ERR_IO);
    CHECK_STATUS(ccrnn_cortex_load(dir, &cx), CCRNN_ERR_IO);
    CHECK(cx == (ccrnn_cortex *)dir, "failed file load wrote *out");
    FILE *f = fopen(path, "wb");
    fclose(f);
    CHECK_STATUS(ccrnn_cortex_load(path, &cx), CCRNN_ERR_FORMAT);
    snprintf(sub, sizeof sub, "%s/no/such/dir/x.ckpt", dir);
    CHECK_STATUS(ccrnn_cortex_save(target_cx, sub), CCRNN_ERR_IO);
    /* Saving over a directory fails at the rename: nothing is left behind. */
    snprintf(sub, sizeof sub, "%s/adir", dir);
    mkdir(sub, 0700);
    CHECK_STATUS(ccrnn_cortex_save(target_cx, sub), CCRNN_ERR_IO);
    struct stat sb;
    CHECK(stat(sub, &sb) == 0 && S_ISDIR(sb.st_mode), "the directory was replaced");
    CHECK(count_temp_files() == 0, "a failed save left a temporary file");
    rmdir(sub);
    /* A truncated file on disk. */
    size_t n;
    unsigned char *ck = rel_save_cortex(target_cx, &n);
    f = fopen(path, "wb");
    fwrite(ck, 1, n - 3, f);
    fclose(f);
    CHECK_STATUS(ccrnn_cortex_load(path, &cx), CCRNN_ERR_FORMAT);
    /* Saving over an old checkpoint replaces it whole. */
    CHECK_STATUS(ccrnn_cortex_save(target_cx, path), CCRNN_OK);
    CHECK_STATUS(ccrnn_cortex_load(path, &cx), CCRNN_OK);
    ccrnn_cortex_destroy(cx);
    CHECK(count_temp_files() == 0, "a successful save left a temporary file");
    unlink(path);
    free(ck);
}

/* A writer saving two alternating checkpoints is killed at random moments: the file is
 * always one of the two, whole (a kill can leave a stray .ccrnn-tmp.* beside it, never a torn file). */
static void test_killed_writer(void)
{
    char path[400];
    snprintf(path, sizeof path, "%s/atomic.ckpt", dir);
    ccrnn_cortex *a, *b;
    MUST(ccrnn_cortex_create(CCRNN_CELL_LSTM, 16, 64, 8, 8, 4, 1, &a));
    MUST(ccrnn_cortex_create(CCRNN_CELL_LSTM, 16, 64, 8, 8, 4, 2, &b));
    size_t na, nb;
    unsigned char *ca = rel_save_cortex(a, &na), *cb = rel_save_cortex(b, &nb);
    MUST(ccrnn_cortex_save(a, path));
    ts_rng seed = {(uint64_t)time(NULL)};
    int kills = 0, whole = 0;
    for (int round = 0; round < 12; round++) {
        pid_t pid = fork();
        if (pid < 0) rel_die("fork failed");
        if (pid == 0) {
            for (unsigned i = 0;; i++) ccrnn_cortex_save(i % 2 ? a : b, path);
        }
        struct timespec ts = {0, (long)(ts_rng_next(&seed) % 30000000u)};
        nanosleep(&ts, NULL);
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        kills++;
        FILE *f = fopen(path, "rb");
        unsigned char *got = malloc(na + nb);
        size_t k = f ? fread(got, 1, na + nb, f) : 0;
        if (f) fclose(f);
        whole += ts_same_bytes(got, k, ca, na) || ts_same_bytes(got, k, cb, nb);
        free(got);
        remove_temp_files();
    }
    CHECK(whole == kills, "after %d kills the file was whole %d times", kills, whole);
    printf("atomic save: writer killed %d times, checkpoint whole every time: %s\n", kills,
           whole == kills ? "yes" : "NO");
    unlink(path);
    free(ca); free(cb);
    ccrnn_cortex_destroy(a);
    ccrnn_cortex_destroy(b);
}

int main(void)
{
    if (ts_tmpdir_make(&tmp, "ccrnn-malformed")) rel_die("cannot make a temporary directory");
    make_targets();
    for (int obj = 0; obj < 3; obj++) {
        test_truncations(obj);
        test_bit_flips(obj);
        test_crafted_bytes(obj);
    }
    test_header_fields();
    test_cortex_fields();
    test_cerebellum_fields();
    test_optimizer_fields();
    test_file_errors();
    if (!getenv("CCRNN_SKIP_FORK_TESTS")) test_killed_writer();
    remove_temp_files();
    rmdir(dir);
    ccrnn_optimizer_destroy(target_opt);
    ccrnn_cerebellum_destroy(target_cb);
    ccrnn_cortex_destroy(target_cx);
    free(target_before);
    return rel_summary("test-malformed");
}
