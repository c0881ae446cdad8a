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

#ifdef __cplusplus
}
#endif

#endif /* CCRNN_EXPERIMENTAL_H */
