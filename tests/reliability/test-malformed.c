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
            CHECK(rel_same_bytes(now, m, target_before, target_before_n),
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
        uint32_t kind = rel_get_u32(flipped + 12);
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
static int capacity_byte(int obj, size_t i)
{
    if (obj == OBJ_CORTEX) return i >= 32 + 28 && i < 32 + 44;
    if (obj == OBJ_CEREBELLUM) return i >= 32 + 40 && i < 32 + 48;
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
        if (capacity_byte(obj, i)) continue;
        unsigned char keep = ck[i];
        for (int v = 0; v < 4; v++) {
            if (vals[v] == keep) continue;
            ck[i] = vals[v];
            rel_fix_crc(ck, n);
            int st = load_as(obj, ck, n);
            cases++;
            ok += st == CCRNN_OK;
            if (st != CCRNN_OK && st != CCRNN_ERR_FORMAT && st != CCRNN_ERR_NUMERIC &&
                st != CCRNN_ERR_MISMATCH && bad++ < 5)
                CHECK(0, "%s byte %zu = 0x%02x: unexpected status %d", obj_names[obj], i, vals[v], st);
        }
        ck[i] = keep;
    }
    rel_fix_crc(ck, n);
    CHECK(bad == 0, "%s: %zu crafted payloads gave unexpected statuses", obj_names[obj], bad);
    printf("%s: %zu crafted payloads (CRC fixed): %zu loaded, the rest rejected\n",
           obj_names[obj], cases, ok);
    free(ck);
}

/* ---- specific crafted fields --------------------------------------------------------- */

static void expect_field(int obj, unsigned char *ck, size_t n, const char *what, int want)
{
    rel_fix_crc(ck, n);
    int st = load_as(obj, ck, n);
    CHECK(st == want, "%s %s: status %d (%s), expected %d (%s); %s", obj_names[obj], what, st,
          ccrnn_strerror(st), want, ccrnn_strerror(want), ccrnn_last_error());
}

#define PAY 32 /* payload offset */

static void test_cortex_fields(void)
{
    size_t n;
    unsigned char *base = small_checkpoint(OBJ_CORTEX, &n), *ck = malloc(n);
    struct { size_t off; int width; uint64_t value; const char *what; int want; } cases[] = {
        {0, 4, 7, "cell kind 7", CCRNN_ERR_FORMAT},
        {4, 8, 0, "n_in 0", CCRNN_ERR_FORMAT},
        {12, 8, (uint64_t)1 << 40, "n_hidden 2^40", CCRNN_ERR_FORMAT},
        {12, 8, UINT64_MAX, "n_hidden 2^64-1", CCRNN_ERR_FORMAT},
        {20, 8, (uint64_t)1 << 24, "n_out 2^24 (payload too short)", CCRNN_ERR_FORMAT},
        {28, 8, (uint64_t)1 << 16, "max_batch 2^16 (fits the limits)", CCRNN_OK},
        {36, 8, (uint64_t)1 << 16, "max_window 2^16 (fits the limits)", CCRNN_OK},
        {28, 8, 0, "max_batch 0", CCRNN_ERR_FORMAT},
        {44, 4, 2, "training 2", CCRNN_ERR_FORMAT},
        {48, 4, 0, "threads 0", CCRNN_ERR_FORMAT},
        {48, 4, 257, "threads 257", CCRNN_ERR_FORMAT},
        {52, 8, 0, "active batch 0", CCRNN_ERR_FORMAT},
        {52, 8, 3, "active batch above max_batch", CCRNN_ERR_FORMAT},
        {60, 4, 5, "5 tensors", CCRNN_ERR_FORMAT},
        {64, 4, 8, "first tensor name length 8", CCRNN_ERR_FORMAT},
        {68, 1, 'W', "first tensor renamed", CCRNN_ERR_FORMAT},
        {80, 8, 3, "first tensor 3 rows", CCRNN_ERR_FORMAT},
        {96, 4, 0x7FC00000u, "NaN weight", CCRNN_ERR_NUMERIC},
        {96, 4, 0x7F800000u, "Inf weight", CCRNN_ERR_NUMERIC},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memcpy(ck, base, n);
        unsigned char *p = ck + PAY + cases[i].off;
        if (cases[i].width == 8) rel_put_u64(p, cases[i].value);
        else if (cases[i].width == 4) rel_put_u32(p, (uint32_t)cases[i].value);
        else *p = (unsigned char)cases[i].value;
        expect_field(OBJ_CORTEX, ck, n, cases[i].what, cases[i].want);
    }
    /* Both capacities huge: the handle would need terabytes. */
    memcpy(ck, base, n);
    rel_put_u64(ck + PAY + 28, (uint64_t)1 << 24);
    rel_put_u64(ck + PAY + 36, (uint64_t)1 << 24);
    expect_field(OBJ_CORTEX, ck, n, "max_batch and max_window 2^24", CCRNN_ERR_FORMAT);
    /* A NaN in the state (the last 4 bytes). */
    memcpy(ck, base, n);
    rel_put_u32(ck + n - 4, 0xFFC00000u);
    expect_field(OBJ_CORTEX, ck, n, "NaN state", CCRNN_ERR_NUMERIC);
    /* A NaN gradient is allowed: gradients may legitimately be non-finite. */
    free(ck);
    free(base);
}

static void test_header_fields(void)
{
    size_t n;
    unsigned char *base = small_checkpoint(OBJ_CORTEX, &n), *ck = malloc(n + 1);
    memcpy(ck, base, n);
    rel_put_u32(ck + 8, 2);
    expect_field(OBJ_CORTEX, ck, n, "format version 2", CCRNN_ERR_VERSION);
    rel_put_u32(ck + 8, 0);
    expect_field(OBJ_CORTEX, ck, n, "format version 0", CCRNN_ERR_VERSION);
    memcpy(ck, base, n);
    memcpy(ck, "CCRNNCKP", 8);
    expect_field(OBJ_CORTEX, ck, n, "wrong magic", CCRNN_ERR_FORMAT);
    memcpy(ck, base, n);
    CHECK(load_as(OBJ_CEREBELLUM, ck, n) == CCRNN_ERR_MISMATCH, "cortex loaded as cerebellum");
    CHECK(load_as(OBJ_OPTIMIZER, ck, n) == CCRNN_ERR_MISMATCH, "cortex loaded as optimizer");
    rel_put_u32(ck + 12, 4);
    expect_field(OBJ_CORTEX, ck, n, "object kind 4", CCRNN_ERR_FORMAT);
    memcpy(ck, base, n);
    ck[n] = 0;
    rel_put_u64(ck + 16, n + 1 - 32);
    expect_field(OBJ_CORTEX, ck, n + 1, "one trailing payload byte", CCRNN_ERR_FORMAT);
    memcpy(ck, base, n);
    ck[n] = 0;
    expect_field(OBJ_CORTEX, ck, n + 1, "one byte after the declared payload", CCRNN_ERR_FORMAT);
    memcpy(ck, base, n);
    rel_put_u64(ck + 16, UINT64_MAX);
    expect_field(OBJ_CORTEX, ck, n, "payload length 2^64-1", CCRNN_ERR_FORMAT);
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
    size_t n;
    unsigned char *base = small_checkpoint(OBJ_CEREBELLUM, &n), *ck = malloc(n);
    /* payload: 6 x u64 shapes (n_in n_ctx n_out layers width max_batch), 5 x u32 flags,
     * u32 has_mask @68, mask rows @72, cols @80, bytes @88 (3 x 3). */
    struct { size_t off; int width; uint64_t value; const char *what; int want; } cases[] = {
        {0, 8, 0, "n_in 0", CCRNN_ERR_FORMAT},
        {8, 8, (uint64_t)1 << 25, "n_ctx 2^25", CCRNN_ERR_FORMAT},
        {24, 8, 17, "17 hidden layers", CCRNN_ERR_FORMAT},
        {24, 8, 0, "0 hidden layers with a width", CCRNN_ERR_FORMAT},
        {32, 8, 0, "width 0 with a hidden layer", CCRNN_ERR_FORMAT},
        {32, 8, (uint64_t)1 << 24, "width 2^24 (payload too short)", CCRNN_ERR_FORMAT},
        {40, 8, (uint64_t)1 << 16, "max_batch 2^16 (fits the limits)", CCRNN_OK},
        {40, 8, (uint64_t)1 << 24, "max_batch 2^24 (handle above 1 GiB)", CCRNN_ERR_FORMAT},
        {48, 4, 2, "ABLATED 2", CCRNN_ERR_FORMAT},
        {64, 4, 0, "THREADS 0", CCRNN_ERR_FORMAT},
        {68, 4, 2, "mask flag 2", CCRNN_ERR_FORMAT},
        {72, 8, 4, "mask rows 4", CCRNN_ERR_FORMAT},
        {88, 1, 2, "mask byte 2", CCRNN_ERR_FORMAT},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memcpy(ck, base, n);
        unsigned char *p = ck + PAY + cases[i].off;
        if (cases[i].width == 8) rel_put_u64(p, cases[i].value);
        else if (cases[i].width == 4) rel_put_u32(p, (uint32_t)cases[i].value);
        else *p = (unsigned char)cases[i].value;
        expect_field(OBJ_CEREBELLUM, ck, n, cases[i].what, cases[i].want);
    }
    free(ck);
    free(base);
}

static void test_optimizer_fields(void)
{
    size_t n;
    unsigned char *base = small_checkpoint(OBJ_OPTIMIZER, &n), *ck = malloc(n);
    /* payload: u32 kind, 8 x f64 hyper @4, u64 steps @68, f64 norm @76, u64 groups @84,
     * group 0 @92: u64 n, f64 lr_scale @100, u32 frozen @108, u64 steps @112, m @120. */
    double neg = -1.0, nan_v = NAN;
    uint64_t neg_bits, nan_bits;
    memcpy(&neg_bits, &neg, 8);
    memcpy(&nan_bits, &nan_v, 8);
    struct { size_t off; int width; uint64_t value; const char *what; int want; } cases[] = {
        {0, 4, 5, "optimizer kind 5", CCRNN_ERR_FORMAT},
        {4, 8, neg_bits, "learning rate -1", CCRNN_ERR_FORMAT},
        {4, 8, nan_bits, "learning rate NaN", CCRNN_ERR_FORMAT},
        {76, 8, nan_bits, "last norm NaN", CCRNN_ERR_FORMAT},
        {84, 8, 3, "3 groups", CCRNN_ERR_MISMATCH},
        {84, 8, UINT64_MAX, "2^64-1 groups", CCRNN_ERR_MISMATCH},
        {92, 8, 1, "group of 1 value", CCRNN_ERR_MISMATCH},
        {100, 8, neg_bits, "lr scale -1", CCRNN_ERR_FORMAT},
        {108, 4, 2, "frozen 2", CCRNN_ERR_FORMAT},
        {120, 4, 0x7F800000u, "Inf moment", CCRNN_ERR_NUMERIC},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memcpy(ck, base, n);
        unsigned char *p = ck + PAY + cases[i].off;
        if (cases[i].width == 8) rel_put_u64(p, cases[i].value);
        else rel_put_u32(p, (uint32_t)cases[i].value);
        expect_field(OBJ_OPTIMIZER, ck, n, cases[i].what, cases[i].want);
    }
    free(ck);
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

static char dir[256];

static size_t count_temp_files(void)
{
    DIR *d = opendir(dir);
    size_t k = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (strstr(e->d_name, ".tmp.")) k++;
    if (d) closedir(d);
    return k;
}

static void remove_temp_files(void)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char p[600];
    while (d && (e = readdir(d)))
        if (strstr(e->d_name, ".tmp.")) {
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
 * always one of the two, whole (a kill can leave a stray path.tmp.*, never a torn file). */
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
    uint64_t seed = (uint64_t)time(NULL);
    int kills = 0, whole = 0;
    for (int round = 0; round < 12; round++) {
        pid_t pid = fork();
        if (pid < 0) rel_die("fork failed");
        if (pid == 0) {
            for (unsigned i = 0;; i++) ccrnn_cortex_save(i % 2 ? a : b, path);
        }
        struct timespec ts = {0, (long)(rel_rand(&seed) % 30000000u)};
        nanosleep(&ts, NULL);
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        kills++;
        FILE *f = fopen(path, "rb");
        unsigned char *got = malloc(na + nb);
        size_t k = f ? fread(got, 1, na + nb, f) : 0;
        if (f) fclose(f);
        whole += rel_same_bytes(got, k, ca, na) || rel_same_bytes(got, k, cb, nb);
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
    snprintf(dir, sizeof dir, "/tmp/ccrnn-malformed-XXXXXX");
    if (!mkdtemp(dir)) rel_die("mkdtemp failed");
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
