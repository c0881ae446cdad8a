/* Test support shared by every test tree (tests/, tests/reliability/ and its fuzzers,
 * examples/TASK/tests): the one test random-number generator, temporary directories and
 * files, checkpoint bytes, floating-point checks and central differences.
 *
 * Plain C11 that knows neither libccrnn nor a test framework, so the Check suites, the
 * reliability programs and the libFuzzer targets (which link their own instrumented
 * copy of the library) can all use it: helpers return a status and the caller asserts
 * in its own framework.  check-runner.h holds the one Check-specific piece. */
#ifndef CCRNN_TEST_SUPPORT_H
#define CCRNN_TEST_SUPPORT_H

#include <stddef.h>
#include <stdint.h>

/* ---- random numbers ------------------------------------------------------------------ */
/* splitmix64 (Steele, Lea & Flood 2014; the seeder of xoshiro): one 64-bit word of
 * state, every seed valid, the same stream on every platform.  Independent of the
 * library's own generator, so a test's data never move when the library's
 * initialisation changes.  (The examples' programs draw from examples/common/rng.c,
 * which is part of what they document; tests of the examples draw from this one.) */
typedef struct ts_rng {
    uint64_t s;
} ts_rng;

void ts_rng_seed(ts_rng *r, uint64_t seed);
uint64_t ts_rng_next(ts_rng *r);
/* Uniform in [lo, hi) from the top 53 bits of one draw. */
double ts_rng_uniform(ts_rng *r, double lo, double hi);
/* n floats, each (float)ts_rng_uniform(r, lo, hi). */
void ts_rng_fill(ts_rng *r, float *x, size_t n, double lo, double hi);
/* Standard normal (Box-Muller, two uniform draws). */
double ts_rng_normal(ts_rng *r);
/* A seed mixed from two words (e.g. a run's seed and a sample's index), so a stream per
 * sample needs no state shared between samples. */
uint64_t ts_seed_mix(uint64_t a, uint64_t b);
/* One synthetic sample, drawn from its own stream ts_seed_mix(seed, index) in this
 * order: nx standard-normal inputs, ny standard-normal targets (y may be NULL) and a
 * label in [0, classes) (label may be NULL). */
void ts_toy_sample(uint64_t seed, uint64_t index, float *x, size_t nx, float *y, size_t ny,
                   int32_t *label, int classes);

/* ---- temporary directories and files -------------------------------------------------- */
/* A fresh private directory $TMPDIR/PREFIX-XXXXXX (TMPDIR unset: /tmp). */
typedef struct ts_tmpdir {
    char path[256];
    char file[512]; /* ts_tmpdir_file's result */
} ts_tmpdir;

/* 0 on success, -1 when the directory could not be made (errno tells why). */
int ts_tmpdir_make(ts_tmpdir *d, const char *prefix);
/* d->path/name in d->file, which the next call overwrites. */
const char *ts_tmpdir_file(ts_tmpdir *d, const char *name);
/* The directory's remaining files, then the directory: 0 when it is gone. */
int ts_tmpdir_remove(ts_tmpdir *d);
/* Write n bytes to path (created or truncated): 0 on success, -1 otherwise. */
int ts_write_file(const char *path, const void *data, size_t n);

/* ---- bytes of checkpoints and data files --------------------------------------------- */
/* Little-endian (checkpoints) and big-endian (IDX files) integers of `bytes` bytes. */
void ts_put_le(unsigned char *p, uint64_t v, int bytes);
uint64_t ts_get_le(const unsigned char *p, int bytes);
void ts_put_be32(unsigned char *p, uint32_t v);
/* CRC-32 (IEEE) bit by bit: independent of the library's table-driven one. */
uint32_t ts_crc32(const unsigned char *p, size_t n);
/* Offset in a checkpoint of its payload CRC and of its payload. */
#define TS_CKPT_CRC_AT 24
#define TS_CKPT_PAYLOAD_AT 32
/* Recompute and store the payload CRC, so a crafted field reaches the parser. */
void ts_ckpt_fix_crc(unsigned char *buf, size_t n);
/* Offset of the first value of the entry called `name` in a checkpoint (format 2:
 * payload u32 count, then per entry u8 name length, name, u8 type, u64 rows, u64 cols,
 * values), or 0 when there is none. */
size_t ts_ckpt_entry(const unsigned char *buf, size_t n, const char *name);
/* 1 when the two buffers hold the same bytes. */
int ts_same_bytes(const void *a, size_t na, const void *b, size_t nb);

/* A fuzz target's input, consumed a byte at a time. */
typedef struct ts_input {
    const uint8_t *p;
    size_t n;
} ts_input;

/* The next byte, or 0 once the input is used up. */
unsigned ts_byte(ts_input *in);

/* ---- numbers ------------------------------------------------------------------------- */
/* 1 when no element is NaN or infinite. */
int ts_all_finite(const float *x, size_t n);
/* The central difference (f(x + h) - f(x - h)) / 2h of f with respect to *x, which is
 * perturbed in place and restored; f reads *x through ctx. */
double ts_central_diff(double (*f)(void *ctx), void *ctx, double *x, double h);
/* The same for a float: *x is set to (float)(*x ± h). */
double ts_central_diff_f(double (*f)(void *ctx), void *ctx, float *x, double h);

#endif
