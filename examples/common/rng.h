/* A small deterministic random-number generator for the example tasks (xoshiro256**
 * seeded through splitmix64), so every data set is reproducible from a seed on any
 * platform, independent of the C library's rand(). */
#ifndef EX_RNG_H
#define EX_RNG_H

#include <stdint.h>

typedef struct ex_rng {
    uint64_t s[4];
} ex_rng;

/* Mix two 64-bit values into one well-spread seed (e.g. run seed and split id). */
uint64_t ex_hash(uint64_t a, uint64_t b);
void ex_rng_seed(ex_rng *r, uint64_t seed);
uint64_t ex_rng_next(ex_rng *r);
/* Uniform in [0, 1). */
double ex_rng_uniform(ex_rng *r);
/* Uniform integer in [lo, hi] (inclusive); lo <= hi. */
long ex_rng_int(ex_rng *r, long lo, long hi);
/* Standard normal (Box-Muller). */
double ex_rng_normal(ex_rng *r);

#endif
