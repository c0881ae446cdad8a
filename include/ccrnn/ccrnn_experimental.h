/*
 * libccrnn EXPERIMENTAL API.
 *
 * Calls here may change or disappear in any minor release, without a new soname;
 * use them when you need them and pin the library version you built against.  Each
 * says since which version it exists.  They follow every convention of ccrnn.h
 * (status codes, last-error message, a failed call changes nothing, no allocation).
 * Calls move to ccrnn.h once they have settled.
 */
#ifndef CCRNN_EXPERIMENTAL_H
#define CCRNN_EXPERIMENTAL_H

#include "ccrnn.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Probe for the true gradient (since 0.2, experimental).
 *
 * `dst` takes `src`'s parameters, active batch and current state, zeroes its own
 * gradients and begins a new window.  Both must have the same cell and sizes (n_in,
 * n_hidden, n_out); dst's max_batch must hold src's active batch, and dst's max_window
 * may be longer than src's.  Typical use (gradient recording): at a window start,
 * sync a probe made with max_window = the sequence length, run the rest of the
 * sequence through it with the task's output gradients, and backward without an
 * injected gradient: the probe's dz_start is the full-BPTT gradient of the remaining
 * loss at the window-start state.  The trained cortex is only read.
 * Errors: NULL, SHAPE (sizes differ, batch too large). */
CCRNN_API int ccrnn_cortex_sync(ccrnn_cortex *dst, const ccrnn_cortex *src);

/* Several timesteps in one call (since 0.2, experimental).
 *
 * The same as `steps` calls of ccrnn_cortex_forward with the inputs xs (steps*batch*n_in
 * values, step after step) and the outputs ys (steps*batch*n_out values, or NULL with
 * ys_len = 0), but the input projection x W_ih^T of all steps is one matrix product,
 * and in training mode so is the readout: for hosts that hold a window's inputs ahead
 * (batch training).  The outputs equal the step-wise calls' up to rounding (the
 * products have other shapes).  steps is 1..max_window; in training mode the window
 * must have room for them.  Steps are taken all or none: on NUMERIC (a non-finite
 * state or output at any step) the state, the window and ys are as before the call.
 * Errors: NULL, SHAPE, ARG (steps 0 or above max_window), STATE (window full or
 * already backpropagated), NUMERIC. */
CCRNN_API int ccrnn_cortex_forward_steps(ccrnn_cortex *cx, size_t steps, const float *xs,
                                         size_t xs_len, float *ys, size_t ys_len);

#ifdef __cplusplus
}
#endif

#endif /* CCRNN_EXPERIMENTAL_H */
