/* The shared test support of test-support.h. */
#include "test-support.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- random numbers ------------------------------------------------------------------ */

void ts_rng_seed(ts_rng *r, uint64_t seed) { r->s = seed; }

uint64_t ts_rng_next(ts_rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

double ts_rng_uniform(ts_rng *r, double lo, double hi)
{
    return lo + (hi - lo) * ((double)(ts_rng_next(r) >> 11) * 0x1.0p-53);
}

void ts_rng_fill(ts_rng *r, float *x, size_t n, double lo, double hi)
{
    for (size_t i = 0; i < n; i++) x[i] = (float)ts_rng_uniform(r, lo, hi);
}

double ts_rng_normal(ts_rng *r)
{
    double u1 = ts_rng_uniform(r, 0.0, 1.0), u2 = ts_rng_uniform(r, 0.0, 1.0);
    if (u1 < 1e-300) u1 = 1e-300; /* log(0) */
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

uint64_t ts_seed_mix(uint64_t a, uint64_t b)
{
    ts_rng r = {a};
    r.s = ts_rng_next(&r) ^ b;
    return ts_rng_next(&r);
}

void ts_toy_sample(uint64_t seed, uint64_t index, float *x, size_t nx, float *y, size_t ny,
                   int32_t *label, int classes)
{
    ts_rng r;
    ts_rng_seed(&r, ts_seed_mix(seed, index));
    for (size_t i = 0; i < nx; i++) x[i] = (float)ts_rng_normal(&r);
    for (size_t i = 0; y && i < ny; i++) y[i] = (float)ts_rng_normal(&r);
    if (label) *label = (int32_t)ts_rng_uniform(&r, 0.0, (double)classes);
}

/* ---- temporary directories and files -------------------------------------------------- */

int ts_tmpdir_make(ts_tmpdir *d, const char *prefix)
{
    const char *root = getenv("TMPDIR");
    if (!root || !*root) root = "/tmp";
    int len = snprintf(d->path, sizeof d->path, "%s/%s-XXXXXX", root, prefix);
    d->file[0] = '\0';
    if (len < 0 || (size_t)len >= sizeof d->path) return -1;
    return mkdtemp(d->path) ? 0 : -1;
}

const char *ts_tmpdir_file(ts_tmpdir *d, const char *name)
{
    snprintf(d->file, sizeof d->file, "%s/%s", d->path, name);
    return d->file;
}

/* Everything below `path`, then path itself; a test's directories are shallow. */
static int remove_tree(const char *path, int depth)
{
    struct stat sb;
    if (lstat(path, &sb) != 0) return -1;
    if (!S_ISDIR(sb.st_mode)) return unlink(path);
    DIR *dir = depth < 8 ? opendir(path) : NULL;
    if (!dir) return -1;
    struct dirent *e;
    char sub[1024];
    while ((e = readdir(dir))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        int len = snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
        if (len > 0 && (size_t)len < sizeof sub) remove_tree(sub, depth + 1);
    }
    closedir(dir);
    return rmdir(path);
}

int ts_tmpdir_remove(ts_tmpdir *d) { return remove_tree(d->path, 0); }

int ts_write_file(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    size_t put = fwrite(data, 1, n, f);
    return fclose(f) == 0 && put == n ? 0 : -1;
}

/* ---- bytes of checkpoints and data files --------------------------------------------- */

void ts_put_le(unsigned char *p, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++) p[i] = (unsigned char)(v >> (8 * i));
}

uint64_t ts_get_le(const unsigned char *p, int bytes)
{
    uint64_t v = 0;
    for (int i = bytes; i-- > 0;) v = v << 8 | p[i];
    return v;
}

void ts_put_be32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (24 - 8 * i));
}

uint32_t ts_crc32(const unsigned char *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
    }
    return ~c;
}

void ts_ckpt_fix_crc(unsigned char *buf, size_t n)
{
    if (n < TS_CKPT_PAYLOAD_AT) return;
    ts_put_le(buf + TS_CKPT_CRC_AT,
              ts_crc32(buf + TS_CKPT_PAYLOAD_AT, n - TS_CKPT_PAYLOAD_AT), 4);
}

size_t ts_ckpt_entry(const unsigned char *buf, size_t n, const char *name)
{
    size_t at = TS_CKPT_PAYLOAD_AT + 4, len = strlen(name);
    if (n < at) return 0;
    uint64_t count = ts_get_le(buf + TS_CKPT_PAYLOAD_AT, 4);
    for (uint64_t k = 0; k < count && at < n; k++) {
        size_t name_len = buf[at];
        if (at + 1 + name_len + 17 > n) return 0;
        int match = name_len == len && !memcmp(buf + at + 1, name, len);
        at += 1 + name_len;
        int type = buf[at];
        uint64_t rows = ts_get_le(buf + at + 1, 8), cols = ts_get_le(buf + at + 9, 8);
        at += 17;
        if (match) return at;
        at += (size_t)(rows * (cols ? cols : 1)) * (type == 3 ? 4 : 8);
    }
    return 0;
}

int ts_same_bytes(const void *a, size_t na, const void *b, size_t nb)
{
    return na == nb && memcmp(a, b, na) == 0;
}

unsigned ts_byte(ts_input *in)
{
    if (!in->n) return 0;
    in->n--;
    return *in->p++;
}

/* ---- numbers ------------------------------------------------------------------------- */

int ts_all_finite(const float *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i])) return 0;
    return 1;
}

double ts_central_diff(double (*f)(void *ctx), void *ctx, double *x, double h)
{
    double keep = *x;
    *x = keep + h;
    double up = f(ctx);
    *x = keep - h;
    double down = f(ctx);
    *x = keep;
    return (up - down) / (2.0 * h);
}

double ts_central_diff_f(double (*f)(void *ctx), void *ctx, float *x, double h)
{
    float keep = *x;
    *x = (float)(keep + h);
    double up = f(ctx);
    *x = (float)(keep - h);
    double down = f(ctx);
    *x = keep;
    return (up - down) / (2.0 * h);
}
