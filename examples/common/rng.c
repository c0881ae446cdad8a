#include "rng.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t ex_hash(uint64_t a, uint64_t b)
{
    uint64_t x = a;
    uint64_t h = splitmix64(&x);
    x = h ^ b;
    return splitmix64(&x);
}

void ex_rng_seed(ex_rng *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&x);
}

uint64_t ex_rng_next(ex_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double ex_rng_uniform(ex_rng *r) { return (double)(ex_rng_next(r) >> 11) * 0x1.0p-53; }

long ex_rng_int(ex_rng *r, long lo, long hi)
{
    uint64_t span = (uint64_t)(hi - lo) + 1;
    /* Rejection keeps the draw exactly uniform, not merely nearly so. */
    uint64_t limit = UINT64_MAX - UINT64_MAX % span;
    uint64_t v;
    do v = ex_rng_next(r);
    while (v >= limit);
    return lo + (long)(v % span);
}

double ex_rng_normal(ex_rng *r)
{
    double u1 = ex_rng_uniform(r), u2 = ex_rng_uniform(r);
    if (u1 < 1e-300) u1 = 1e-300;
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}
