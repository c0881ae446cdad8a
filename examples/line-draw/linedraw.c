#include "linedraw.h"

#include <math.h>
#include <stdio.h>

#include "rng.h"

/* Indexed by cue + 3; the reference assigns the circle points (0, 60, ..., 300 deg)
 * in reverse order to the non-zero cues -3..3. */
static const double angle_table[LD_CUES] = {300.0, 240.0, 180.0, 0.0, 120.0, 60.0, 0.0};

double ld_angle_deg(int cue) { return angle_table[cue - LD_MIN_CUE]; }

void ld_endpoint(int cue, double *ex, double *ey)
{
    if (cue == 0) {
        *ex = *ey = 0.0;
        return;
    }
    double th = ld_angle_deg(cue) * 3.14159265358979323846 / 180.0;
    *ex = 10.0 * sin(th);
    *ey = 10.0 * cos(th);
}

void ld_target_path(int cue, float *out)
{
    double ex, ey;
    ld_endpoint(cue, &ex, &ey);
    for (size_t t = 0; t < LD_STEPS; t++) {
        double f = (double)t / (double)(LD_STEPS - 1);
        out[2 * t] = (float)(f * ex);
        out[2 * t + 1] = (float)(f * ey);
    }
}

/* Each sample has its own generator, so any batch can be drawn in any order. */
static void sample_rng(const ld_data *d, int split, size_t epoch, size_t index, ex_rng *r)
{
    uint64_t stream = ex_hash(d->seed, (uint64_t)split * 0x100000000ull + (uint64_t)epoch);
    ex_rng_seed(r, ex_hash(stream, (uint64_t)index));
}

int ld_sample_cue(const ld_data *d, int split, size_t epoch, size_t index)
{
    ex_rng r;
    sample_rng(d, split, epoch, index, &r);
    return (int)ex_rng_int(&r, LD_MIN_CUE, LD_MAX_CUE);
}

int ld_fill(void *ctx, int split, size_t epoch, size_t first, size_t count, float *x, float *y,
            int32_t *labels)
{
    const ld_data *d = ctx;
    (void)labels;
    for (size_t j = 0; j < count; j++) {
        ex_rng r;
        sample_rng(d, split, epoch, first + j, &r);
        int cue = (int)ex_rng_int(&r, LD_MIN_CUE, LD_MAX_CUE);
        float *xs = x + j * LD_STEPS;
        xs[0] = (float)(0.1 * cue);
        for (size_t t = 1; t < LD_STEPS; t++)
            xs[t] = d->noise > 0 ? (float)(d->noise * ex_rng_normal(&r)) : 0.0f;
        if (y) ld_target_path(cue, y + j * LD_STEPS * 2);
    }
    return 0;
}

void ld_task_init(ex_task *task, ld_data *d, size_t sparse, size_t n_train, size_t n_valid,
                  size_t n_test)
{
    task->name = "line-draw";
    task->n_in = 1;
    task->n_out = 2;
    task->length = LD_STEPS;
    task->loss = EX_LOSS_MSE;
    task->last_only = 0;
    task->sparse = sparse;
    task->n_samples[EX_TRAIN] = n_train;
    task->n_samples[EX_VALID] = n_valid;
    task->n_samples[EX_TEST] = n_test;
    task->fill = ld_fill;
    task->ctx = d;
}

double ld_segment_distance(double px, double py, double ex, double ey)
{
    double len2 = ex * ex + ey * ey, s = len2 > 0 ? (px * ex + py * ey) / len2 : 0.0;
    if (s < 0) s = 0;
    if (s > 1) s = 1;
    return hypot(px - s * ex, py - s * ey);
}

void ld_measure(const float *y, const int *cues, size_t n, ld_measures *out)
{
    double end = 0.0, jerk = 0.0, dev = 0.0;
    for (size_t i = 0; i < n; i++) {
        const float *p = y + i * LD_STEPS * 2;
        double ex, ey;
        ld_endpoint(cues[i], &ex, &ey);
        end += hypot(p[2 * (LD_STEPS - 1)] - ex, p[2 * (LD_STEPS - 1) + 1] - ey);
        for (size_t t = 0; t + 3 < LD_STEPS; t++)
            for (size_t c = 0; c < 2; c++) {
                double j = p[2 * (t + 3) + c] - 3.0 * p[2 * (t + 2) + c] +
                           3.0 * p[2 * (t + 1) + c] - p[2 * t + c];
                jerk += j * j;
            }
        for (size_t t = 0; t < LD_STEPS; t++) dev += ld_segment_distance(p[2 * t], p[2 * t + 1], ex, ey);
    }
    out->endpoint_error = n ? end / (double)n : NAN;
    out->jerk = n ? jerk / (double)(n * (LD_STEPS - 3)) : NAN;
    out->deviation = n ? dev / (double)(n * LD_STEPS) : NAN;
}
