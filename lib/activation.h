/* Branch-free exp, sigmoid and tanh that the compiler can vectorise (no libm calls),
 * for the recurrent cells' elementwise passes.  Accuracy, measured against double
 * precision over [-20, 20]: tests/test-activation.c (exp 1e-7, sigmoid 1.5e-7, tanh 3e-7). */
#ifndef CCRNN_ACTIVATION_H
#define CCRNN_ACTIVATION_H

#include <stdint.h>
#include <string.h>

/* exp(x) = 2^n * exp(r), n = round(x / ln 2), |r| <= ln(2)/2, with ln 2 split in two
 * parts so r is exact, and exp(r) by its Taylor series to r^7 (truncation < 1e-8
 * relative).  Inputs are clamped to the finite range of float; NaN gives NaN. */
static inline float ccrnn_exp(float x)
{
    const float round_magic = 12582912.0f; /* 1.5 * 2^23: adding it rounds to integer */
    x = x < -87.0f ? -87.0f : x > 88.0f ? 88.0f : x;
    float n = (x * 1.44269504f + round_magic) - round_magic;
    float r = (x - n * 0.693145752f) - n * 1.42860677e-6f;
    float p = 1.0f / 5040.0f;
    p = p * r + 1.0f / 720.0f;
    p = p * r + 1.0f / 120.0f;
    p = p * r + 1.0f / 24.0f;
    p = p * r + 1.0f / 6.0f;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    /* A NaN input stays NaN through p; n is then NaN too, and converting a NaN to an
     * integer is undefined: take 0 for it (a select, so the loop still vectorises). */
    n = n == n ? n : 0.0f;
    int32_t e = ((int32_t)n + 127) << 23;
    float scale;
    memcpy(&scale, &e, sizeof scale);
    return p * scale;
}

static inline float ccrnn_sigmoid(float x) { return 1.0f / (1.0f + ccrnn_exp(-x)); }

/* tanh: 1 - 2/(exp(2|x|) + 1) with the sign restored, and near zero (|x| < 0.25, where
 * that form cancels) the Taylor series to x^9; both are computed and one selected. */
static inline float ccrnn_tanh(float x)
{
    float a = x < 0.0f ? -x : x;
    float z = x * x;
    float series = x + x * z * (-1.0f / 3.0f + z * (2.0f / 15.0f + z * (-17.0f / 315.0f + z * (62.0f / 2835.0f))));
    float t = 1.0f - 2.0f / (ccrnn_exp(2.0f * a) + 1.0f);
    float far = x < 0.0f ? -t : t;
    return a < 0.25f ? series : far;
}

#endif
