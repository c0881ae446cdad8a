/* Status names, the thread-local error message, version queries and small helpers. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#if defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L && !defined(__STDC_NO_THREADS__)
#define CCRNN_THREAD_LOCAL _Thread_local
#else
#define CCRNN_THREAD_LOCAL __thread
#endif

static CCRNN_THREAD_LOCAL char last_message[256];

const char *ccrnn_strerror(int status)
{
    switch (status) {
    case CCRNN_OK: return "success";
    case CCRNN_ERR_NULL: return "required pointer argument is NULL";
    case CCRNN_ERR_ARG: return "argument out of range";
    case CCRNN_ERR_SHAPE: return "buffer length does not match the shapes";
    case CCRNN_ERR_STATE: return "call not valid in the current state";
    case CCRNN_ERR_NUMERIC: return "non-finite value (NaN or Inf)";
    case CCRNN_ERR_NOMEM: return "out of memory";
    case CCRNN_ERR_IO: return "input/output error";
    case CCRNN_ERR_FORMAT: return "malformed checkpoint";
    case CCRNN_ERR_CHECKSUM: return "checkpoint checksum mismatch";
    case CCRNN_ERR_VERSION: return "unsupported checkpoint version";
    case CCRNN_ERR_MISMATCH: return "checkpoint of another object kind or shape";
    default: return "unknown status";
    }
}

const char *ccrnn_last_error(void) { return last_message; }

unsigned ccrnn_version_number(void) { return CCRNN_VERSION_NUMBER; }

const char *ccrnn_version_string(void) { return CCRNN_VERSION_STRING; }

int ccrnn__fail(int status, const char *func, const char *fmt, ...)
{
    int used = snprintf(last_message, sizeof last_message, "%s: ", func);
    if (used < 0 || (size_t)used >= sizeof last_message) return status;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_message + used, sizeof last_message - (size_t)used, fmt, ap);
    va_end(ap);
    return status;
}

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

void ccrnn__rng_seed(ccrnn_rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t ccrnn__rng_next(ccrnn_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

float ccrnn__rng_uniform(ccrnn_rng *r, float lo, float hi)
{
    double u = (double)(ccrnn__rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
    return (float)(lo + (hi - lo) * u);
}

CCRNN_SIMD_CLONES
static float block_squares(const float *x, size_t n)
{
    float acc[8] = {0};
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (size_t j = 0; j < 8; j++) acc[j] += x[i + j] * x[i + j];
    for (; i < n; i++) acc[0] += x[i] * x[i];
    return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

double ccrnn__sum_squares(const float *x, size_t n)
{
    double total = 0.0;
    for (size_t i = 0; i < n; i += 256) total += block_squares(x + i, n - i < 256 ? n - i : 256);
    return total;
}

double ccrnn__norm2(const float *x, size_t n)
{
    double fast = ccrnn__sum_squares(x, n);
    if (fast - fast == 0.0) return sqrt(fast);
    /* A square overflowed float: the same sum in double, element by element. */
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) sum += (double)x[i] * x[i];
    return sqrt(sum);
}

/* (The clones live in static functions: a global one's ifunc resolver would be
 * exported by the version script's ccrnn_* pattern.) */
CCRNN_SIMD_CLONES
static float max_abs_finite(const float *x, size_t n)
{
    /* For non-negative floats the bit patterns order as the values: an integer max
     * vectorises where a float one would not; NaN and Inf count as 0. */
    uint32_t m = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t u;
        memcpy(&u, &x[i], sizeof u);
        u &= 0x7fffffffu;
        u &= 0u - (uint32_t)(u < 0x7f800000u); /* NaN and Inf count as 0 */
        m = u > m ? u : m;
    }
    float f;
    memcpy(&f, &m, sizeof f);
    return f;
}

float ccrnn__max_abs_finite(const float *x, size_t n) { return max_abs_finite(x, n); }

CCRNN_SIMD_CLONES
static int all_finite(const float *x, size_t n)
{
    /* A float is NaN or Inf exactly when its exponent bits are all ones; the integer
     * OR-reduction vectorises where a floating-point test would not. */
    uint32_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t u;
        memcpy(&u, &x[i], sizeof u);
        bad |= (uint32_t)((u & 0x7f800000u) == 0x7f800000u);
    }
    return bad == 0;
}

int ccrnn__all_finite(const float *x, size_t n) { return all_finite(x, n); }

void *ccrnn__calloc(size_t count, size_t size)
{
    if (count == 0 || size == 0) count = size = 1;
    if (count > (size_t)-1 / size) return NULL;
    return calloc(count, size);
}

const ccrnn_tensor *ccrnn__tensor_find(const ccrnn_tensor *t, size_t count, const char *name)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp(t[i].name, name) == 0) return &t[i];
    return NULL;
}
