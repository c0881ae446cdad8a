/* libFuzzer target for the semantic fields of an optimizer checkpoint.  Byte-level
 * fuzzing (fuzz-checkpoint.c) rarely builds a payload whose numbers are valid floats
 * of interesting sizes; here the input chooses values for the fields themselves, from
 * a palette of edge cases (0, -0, denormals, 1e-30, 1, 1e19, 3e38, NaN, Inf, 2^64 - 1,
 * huge counts), and the checkpoint is re-encoded with a correct CRC (format 2,
 * docs/reliability.md).  Properties:
 *   - a refused load changes nothing (the optimizer's own checkpoint is unchanged);
 *   - an accepted load is a fixed point: save(load(x)) loads and saves to itself;
 *   - a step after it returns OK or NUMERIC and never leaves a non-finite weight;
 *   - what that step leaves is saved and loaded back (training resumes from its file).
 *   - a step with unit gradients after an accepted load succeeds: every scalar field
 *     the loader accepts gives a usable optimizer.  (Edited moments may make that step
 *     NUMERIC: a first moment of 3e38 over a second moment of 1e-30 asks for an update
 *     of 1e68.  The step then changes nothing, which the previous properties check.) */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rel-util.h"

static float v0[5], g0[5], v1[3], g1[3];

static ccrnn_optimizer *make(int kind)
{
    ccrnn_optimizer *opt;
    if (ccrnn_optimizer_create(kind, &opt)) abort();
    if (ccrnn_optimizer_add_params(opt, v0, g0, 5, NULL)) abort();
    if (ccrnn_optimizer_add_params(opt, v1, g1, 3, NULL)) abort();
    return opt;
}

static double pick_double(ts_input *in, double keep)
{
    static const double palette[16] = {0.0, -0.0, 1e-45, 1e-30, 1e-8, 0.5, 0.9, 0.999, 1.0,
                                       1.5, 1e6, 1e19, 3e38, 1e300, 0x1p-1074, -1.0};
    unsigned b = ts_byte(in);
    if (b < 128) return keep;
    if (b < 144) return palette[b - 128];
    if (b == 144) return NAN;
    if (b == 145) return INFINITY;
    if (b == 146) return -INFINITY;
    return (double)(b - 147) / 16.0;
}

static uint64_t pick_u64(ts_input *in, uint64_t keep)
{
    static const uint64_t palette[8] = {0, 1, 2, 1000, UINT64_MAX, UINT64_MAX - 1,
                                        (uint64_t)1 << 53, (uint64_t)1 << 63};
    unsigned b = ts_byte(in);
    return b < 128 ? keep : b < 136 ? palette[b - 128] : (uint64_t)b;
}

static void put_f64(unsigned char *p, double v)
{
    uint64_t u;
    memcpy(&u, &v, 8);
    ts_put_le(p, u, 8);
}

static double get_f64(const unsigned char *p)
{
    uint64_t u = ts_get_le(p, 8);
    double v;
    memcpy(&v, &u, 8);
    return v;
}

static unsigned char *save(const ccrnn_optimizer *opt, size_t *n)
{
    unsigned char *buf = ts_save_optimizer(opt, n);
    if (!buf) abort();
    return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ts_input in = {data, size};
    int kind = (int)(ts_byte(&in) % 3);
    for (size_t i = 0; i < 5; i++) v0[i] = 0.1f * (float)i - 0.2f, g0[i] = 0.05f;
    for (size_t i = 0; i < 3; i++) v1[i] = 1.0f - (float)i, g1[i] = -0.1f;
    ccrnn_optimizer *opt = make(kind);
    for (unsigned s = ts_byte(&in) % 3; s > 0; s--) {
        if (ccrnn_optimizer_step(opt)) abort();
        for (size_t i = 0; i < 5; i++) g0[i] = 0.05f;
        for (size_t i = 0; i < 3; i++) g1[i] = -0.1f;
    }
    size_t n;
    unsigned char *ck = save(opt, &n);
    /* Format 2 (docs/reliability.md): u32 entry count, then per entry u8 name length,
     * name, u8 type (1 u64, 2 f64, 3 f32), u64 rows, u64 cols, values.  Every value of
     * every entry may be replaced. */
    size_t off = 36, count = (size_t)ts_get_le(ck + 32, 4);
    int moments_edited = 0;
    for (size_t k = 0; k < count; k++) {
        if (off + 1 > n) abort();
        off += 1 + ck[off];
        int type = ck[off];
        uint64_t rows = ts_get_le(ck + off + 1, 8), cols = ts_get_le(ck + off + 9, 8);
        off += 17;
        for (uint64_t i = 0; i < rows * (cols ? cols : 1); i++) {
            if (type == 1) {
                ts_put_le(ck + off, pick_u64(&in, ts_get_le(ck + off, 8)), 8);
                off += 8;
            } else if (type == 2) {
                put_f64(ck + off, pick_double(&in, get_f64(ck + off)));
                off += 8;
            } else {
                unsigned b = ts_byte(&in);
                if (b >= 128) {
                    moments_edited = 1;
                    float f = (float)pick_double(&in, 0.0);
                    memcpy(ck + off, &f, 4);
                    if (b >= 250) ts_put_le(ck + off, 0x7f800001u, 4); /* a NaN */
                }
                off += 4;
            }
        }
    }
    if (off != n) abort(); /* the walk above is format 2's layout */
    ts_ckpt_fix_crc(ck, n);

    size_t n0;
    unsigned char *before = save(opt, &n0);
    if (ccrnn_optimizer_load_mem(opt, ck, n) != CCRNN_OK) {
        size_t n1;
        unsigned char *after = save(opt, &n1);
        if (n0 != n1 || memcmp(before, after, n0)) abort();
        free(after);
    } else {
        size_t n1, n2;
        unsigned char *once = save(opt, &n1);
        if (ccrnn_optimizer_load_mem(opt, once, n1)) abort();
        unsigned char *twice = save(opt, &n2);
        if (n1 != n2 || memcmp(once, twice, n1)) abort();
        free(once);
        free(twice);
        for (size_t i = 0; i < 5; i++) g0[i] = 1.0f;
        for (size_t i = 0; i < 3; i++) g1[i] = -1.0f;
        int st = ccrnn_optimizer_step(opt);
        if (st != CCRNN_OK && !(moments_edited && st == CCRNN_ERR_NUMERIC)) {
            fprintf(stderr, "step after an accepted load: %s\n", ccrnn_last_error());
            abort();
        }
        if (!ts_all_finite(v0, 5) || !ts_all_finite(v1, 3)) abort();
        unsigned char *resumed = save(opt, &n1);
        if (ccrnn_optimizer_load_mem(opt, resumed, n1)) abort();
        free(resumed);
    }
    free(before);
    free(ck);
    ccrnn_optimizer_destroy(opt);
    return 0;
}
