/* A ccRNN controller that learns online at batch 1, one library call sequence per
 * simulation tick.  With truncation bptt = 1 every tick is a whole window:
 *
 *   ctl_act:   begin_window, forward(x) -> u                      (the command)
 *   (the host steps the plant and computes dL/du)
 *   ctl_learn: output_grad(dL/du); window_end (dz_end = 0.1 C(z_end) injected,
 *              backward, C(z_start) regressed toward dz_start); optimizer_step
 *
 * With bptt = T > 1 the window spans T ticks and the backward/learn/step part runs
 * at its last tick.  Without a cerebellum (cRNN) the synthetic-gradient calls are
 * skipped: the cortex learns by truncated BPTT alone. */
#ifndef ARM_CONTROLLER_H
#define ARM_CONTROLLER_H

#include <stddef.h>
#include <stdint.h>

#include <ccrnn/ccrnn.h>

typedef struct ctl_config {
    int cerebellum;           /* 0: cRNN (cortex alone); 1: ccRNN */
    size_t n_in, n_out;
    size_t hidden;            /* LSTM units */
    size_t cb_layers, cb_width;
    size_t bptt;              /* ticks per truncation window */
    double lr, clip, sg_scale;
    int threads;
    uint64_t seed;
} ctl_config;

typedef struct controller controller;

int ctl_create(const ctl_config *cfg, controller **out);
void ctl_destroy(controller *c);
/* Start a reach: zero state, batch 1, empty window. */
int ctl_begin_reach(controller *c);
/* Inference mode (no tape, no learning) when training is 0. */
int ctl_set_training(controller *c, int training);
/* One tick: the command u (n_out floats) for input x (n_in floats). */
int ctl_act(controller *c, const float *x, float *u);
/* After ctl_act and the plant step: learn from du = dL/du of this tick.  last: this
 * is the reach's final tick (the window ends and no synthetic gradient is injected,
 * because the next reach starts from a reset state). */
int ctl_learn(controller *c, const float *du, int last);

#endif
