/* The simple line-drawing task (docs/model.md §line drawing) and its ataxia-like measures.
 *
 * A cue c in -3..3 is shown at step 0 (x_0 = 0.1 c, then x_t = 0 plus optional
 * noise); the network must draw, over L = 10 steps, the straight line from the origin
 * to the endpoint E(c) = 10 (sin theta, cos theta): y*_t = (t/9) E(c).  Cue 0 means
 * "stay at the origin". */
#ifndef LINEDRAW_H
#define LINEDRAW_H

#include <stddef.h>
#include <stdint.h>

#include "driver.h"

#define LD_STEPS 10
#define LD_MIN_CUE (-3)
#define LD_MAX_CUE 3
#define LD_CUES 7

typedef struct ld_data {
    uint64_t seed;   /* data seed: samples are a pure function of (seed, split, epoch, index) */
    double noise;    /* std of Gaussian noise added to x_t, t >= 1 (0 = none) */
} ld_data;

/* Angle of the endpoint in degrees (c != 0): -3 300, -2 240, -1 180, 1 120, 2 60, 3 0. */
double ld_angle_deg(int cue);
/* Endpoint E(c); (0, 0) for cue 0. */
void ld_endpoint(int cue, double *ex, double *ey);
/* Target y*_t = (t / (L-1)) E(c) for t = 0..L-1: out[2L]. */
void ld_target_path(int cue, float *out);
/* The cue of sample `index` of a split (and epoch, for training). */
int ld_sample_cue(const ld_data *d, int split, size_t epoch, size_t index);

/* The task for the driver: input 1, output 2, L = 10, MSE with sparse feedback every
 * `sparse` steps, and the three split sizes.  d must outlive the task. */
void ld_task_init(ex_task *task, ld_data *d, size_t sparse, size_t n_train, size_t n_valid,
                  size_t n_test);
/* ex_task.fill for this task. */
int ld_fill(void *ctx, int split, size_t epoch, size_t first, size_t count, float *x, float *y,
            int32_t *labels);

/* Ataxia-like measures of drawn paths y[n][L][2] against their cues. */
typedef struct ld_measures {
    double endpoint_error; /* mean ||y_{L-1} - E(c)||: dysmetria */
    double jerk;           /* mean over samples and t of ||third difference of y||^2 */
    double deviation;      /* mean distance of y_t from the target segment [0, E(c)] */
} ld_measures;

void ld_measure(const float *y, const int *cues, size_t n, ld_measures *out);
/* Distance from (px, py) to the segment from the origin to (ex, ey). */
double ld_segment_distance(double px, double py, double ex, double ey);

#endif
