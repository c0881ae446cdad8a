#include "targets.h"

#include <math.h>

#include "rng.h"

/* Corner points (x, y) of each digit in the unit square, as docs/model.md §digit templates
 * lists them. */
static const double digit0[] = {0, 1, 0, .5, 0, 0, .5, 0, 1, 0, 1, .5, 1, 1, .5, 1, 0, 1};
static const double digit1[] = {.25, .75, .5, 1, .5, .5, .5, 0};
static const double digit2[] = {0, 1, .5, 1, 1, 1, .5, .5, 0, 0, .5, 0, 1, 0};
static const double digit3[] = {0, 1, .5, 1, 1, 1, 1, .5, .5, .5, 1, .5, 1, 0, .5, 0, 0, 0};
static const double digit4[] = {0, 1, 0, .5, .5, .5, 1, .5, .5, .5, .5, 1, .5, .5, .5, 0};
static const double digit5[] = {0, 1, .5, 1, 1,  1,  .5, 1, 0, 1, 0,
                                 .5, .5, .5, 1, .5, 1,  0, .5, 0, 0, 0};
static const double digit6[] = {0, 1, 0, .5, 0, 0, .5, 0, 1, 0, 1, .5, .5, .5, 0, .5};
static const double digit7[] = {0, 1, .5, 1, 1, 1, .5, .5, 0, 0};
static const double digit8[] = {0, 1, .5, .5, 1, 0, .5, 0, 0, 0, .5, .5, 1, 1, .5, 1, 0, 1};
static const double digit9[] = {0, 1, 0,  .5, .5, .5, 1, .5, 1, 1, .5,
                                 1, 0, 1, .5, 1,  1,  1, 1, .5, 1, 0};

static const struct {
    const double *xy;
    size_t n;
} digits[10] = {
    {digit0, sizeof digit0 / sizeof(double) / 2}, {digit1, sizeof digit1 / sizeof(double) / 2},
    {digit2, sizeof digit2 / sizeof(double) / 2}, {digit3, sizeof digit3 / sizeof(double) / 2},
    {digit4, sizeof digit4 / sizeof(double) / 2}, {digit5, sizeof digit5 / sizeof(double) / 2},
    {digit6, sizeof digit6 / sizeof(double) / 2}, {digit7, sizeof digit7 / sizeof(double) / 2},
    {digit8, sizeof digit8 / sizeof(double) / 2}, {digit9, sizeof digit9 / sizeof(double) / 2},
};

/* Segment lengths: q each; the first r-1 get one more if r > 0, else the last one
 * fewer (the reference's rule, kept as it is: it always sums to L-1). */
static void segment_lengths(size_t length, size_t n_seg, size_t *seg)
{
    size_t q = length / n_seg, r = length % n_seg;
    for (size_t i = 0; i < n_seg; i++) seg[i] = q;
    if (r > 0)
        for (size_t i = 0; i + 1 < r; i++) seg[i] += 1;
    else
        seg[n_seg - 1] -= 1;
}

int seqmnist_fit_points(size_t length, const double *pts, size_t n_pts, double *out,
                        size_t *seg)
{
    if (n_pts < 2 || n_pts > SEQMNIST_MAX_POINTS || length < n_pts) return -1;
    size_t m[SEQMNIST_MAX_POINTS - 1], n_seg = n_pts - 1, t = 0;
    segment_lengths(length, n_seg, m);
    for (size_t i = 0; i < n_seg; i++) {
        const double *a = pts + 2 * i, *b = a + 2;
        for (size_t k = 0; k < m[i]; k++, t++) {
            double f = (double)k / (double)m[i];
            out[2 * t] = a[0] + f * (b[0] - a[0]);
            out[2 * t + 1] = a[1] + f * (b[1] - a[1]);
        }
        if (seg) seg[i] = m[i];
    }
    out[2 * t] = pts[2 * n_seg];
    out[2 * t + 1] = pts[2 * n_seg + 1];
    return 0;
}

size_t seqmnist_digit_points(int digit, const double **pts)
{
    if (digit < 0 || digit > 9) return 0;
    if (pts) *pts = digits[digit].xy;
    return digits[digit].n;
}

int seqmnist_digit_template(int digit, size_t length, double *out)
{
    const double *pts = NULL;
    size_t n = seqmnist_digit_points(digit, &pts);
    if (n == 0) return -1;
    return seqmnist_fit_points(length, pts, n, out, NULL);
}

void seqmnist_line_path(const double end[2], size_t length, double *out)
{
    for (size_t t = 0; t < length; t++) {
        double f = length > 1 ? (double)t / (double)(length - 1) : 1.0;
        out[2 * t] = f * end[0];
        out[2 * t + 1] = f * end[1];
    }
}

void seqmnist_line_endpoints_circle(double *ends)
{
    const double two_pi = 6.283185307179586;
    for (int d = 0; d < 10; d++) {
        ends[2 * d] = 10.0 * sin(two_pi * d / 10.0);
        ends[2 * d + 1] = 10.0 * cos(two_pi * d / 10.0);
    }
}

void seqmnist_line_endpoints_grid(uint64_t seed, double *ends)
{
    int cell[16];
    ex_rng rng;
    ex_rng_seed(&rng, seed);
    for (int i = 0; i < 16; i++) cell[i] = i;
    /* Partial Fisher-Yates: the first 10 cells are a draw without replacement. */
    for (int i = 0; i < 10; i++) {
        int j = (int)ex_rng_int(&rng, i, 15), tmp = cell[i];
        cell[i] = cell[j];
        cell[j] = tmp;
    }
    for (int d = 0; d < 10; d++) {
        ends[2 * d] = 10.0 * (cell[d] % 4) / 3.0;
        ends[2 * d + 1] = 10.0 * (cell[d] / 4) / 3.0;
    }
}
