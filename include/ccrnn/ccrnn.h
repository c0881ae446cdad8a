/*
 * libccrnn: cortico-cerebellar recurrent networks (ccRNN) as an embeddable C library.
 *
 * A recurrent "cortex" learns online by truncated backpropagation through time
 * (BPTT); a feedforward "cerebellum" predicts the cortex's future feedback (a
 * synthetic gradient) so learning crosses truncation windows.  The host program
 * drives the loop: it steps the cortex, asks the cerebellum for a prediction, runs
 * the backward pass and steps the optimizer.  See docs/guide.md for the algorithm.
 *
 * Conventions (all functions):
 *  - Every function returns an int status: CCRNN_OK (0) or a CCRNN_ERR_* code.
 *    ccrnn_strerror() names a code; ccrnn_last_error() is a thread-local message
 *    that says which argument was wrong.  The library never prints, aborts or exits.
 *  - A failed call leaves the handle exactly as it was and writes nothing to the
 *    caller's output buffers.
 *  - Non-finite numbers: NaN or Inf in an input, or a result that would not be finite
 *    (an output, a state, a loss, an accumulated gradient, a weight or moment written by
 *    an optimizer step), is CCRNN_ERR_NUMERIC, and then nothing is written or
 *    accumulated.  Gradients are checked against a bound before they are accumulated,
 *    so a gradient within a small factor of FLT_MAX may be refused although its exact
 *    value would have fit.
 *  - Buffers are caller-owned, float32, row-major and batch-first, and are passed
 *    with their length in elements, named <buffer>_len (sizes fixed at creation, such
 *    as n_in, are feature counts); a wrong length is CCRNN_ERR_SHAPE.
 *  - Handles are opaque.  One handle is used by one thread at a time; distinct
 *    handles may be used concurrently.  _destroy accepts NULL.
 *  - No heap allocation after _create (optimizer: after the last _add_*), except
 *    ccrnn_cerebellum_set_fibres (the first mask) and the checkpoint calls (_save,
 *    _save_mem, _load: buffers); those may return CCRNN_ERR_NOMEM.
 *  - Same seed, inputs and thread count give bit-identical results.
 *
 * Stability: everything in this header is the stable API and ABI, since 0.1 unless a
 * comment says "Since 0.2".  Enum values are pinned; new values are only ever
 * appended.  The soname changes only on a declared break (docs/changelog.md).  Calls
 * still settling live in ccrnn_experimental.h, outside this promise.
 */
#ifndef CCRNN_H
#define CCRNN_H

#include <stddef.h>
#include <stdint.h>

#include "ccrnn_version.h"

#if defined(_WIN32) && defined(CCRNN_BUILDING)
#define CCRNN_API __declspec(dllexport)
#elif defined(__GNUC__) && __GNUC__ >= 4
#define CCRNN_API __attribute__((visibility("default")))
#else
#define CCRNN_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------
 * Status codes (pinned numbers)
 * ------------------------------------------------------------------------- */
enum ccrnn_status {
    CCRNN_OK = 0,
    CCRNN_ERR_NULL = 1,        /* a required pointer argument is NULL */
    CCRNN_ERR_ARG = 2,         /* an argument is out of range (size, enum, value) */
    CCRNN_ERR_SHAPE = 3,       /* a buffer length does not match the shapes */
    CCRNN_ERR_STATE = 4,       /* wrong call order (e.g. backward with no window) */
    CCRNN_ERR_NUMERIC = 5,     /* NaN or Inf in an input or produced by a step */
    CCRNN_ERR_NOMEM = 6,       /* allocation failed (_create, _clone, _add_*, set_fibres,
                                  checkpoints) */
    CCRNN_ERR_IO = 7,          /* a file could not be opened, read or written */
    CCRNN_ERR_FORMAT = 8,      /* malformed checkpoint (magic, truncation, sizes) */
    CCRNN_ERR_CHECKSUM = 9,    /* checkpoint payload CRC-32 mismatch */
    CCRNN_ERR_VERSION = 10,    /* checkpoint format version not supported */
    CCRNN_ERR_MISMATCH = 11    /* checkpoint of another object kind or shape */
};

/* The accepted range of a settable parameter (enum ccrnn_param): a value v is accepted
 * when lo <= v <= hi and, for switches, counts and THREADS, v is an integer.  Read-only
 * parameters (GRAD_NORM, STEPS) and unknown ones give ARG.  Which handle takes which
 * parameter is stated in enum ccrnn_param.  Since 0.2. */
CCRNN_API int ccrnn_param_bounds(int param, double *lo, double *hi);

/* Name of a status code; never NULL (unknown codes give "unknown status"). */
CCRNN_API const char *ccrnn_strerror(int status);
/* Message of the last failed call on this thread ("" if none); never NULL. */
CCRNN_API const char *ccrnn_last_error(void);
/* Runtime version, CCRNN_VERSION_NUMBER of the built library (major*10000+minor*100+patch). */
CCRNN_API unsigned ccrnn_version_number(void);
/* Runtime version string, e.g. "0.1.0". */
CCRNN_API const char *ccrnn_version_string(void);

/* ---------------------------------------------------------------------------
 * Opaque handles
 * ------------------------------------------------------------------------- */
typedef struct ccrnn_cortex ccrnn_cortex;
typedef struct ccrnn_cerebellum ccrnn_cerebellum;
typedef struct ccrnn_optimizer ccrnn_optimizer;

/* Recurrent cell kinds. */
enum ccrnn_cell {
    CCRNN_CELL_LSTM = 0, /* PyTorch nn.LSTM gates i,f,g,o; state z = [h; c] (2H) */
    CCRNN_CELL_TANH = 1, /* PyTorch nn.RNN(tanh); state z = h (H)                */
    CCRNN_CELL_GRU = 2   /* PyTorch nn.GRU gates r,z,n; state z = h (H)          */
};

/* Hyperparameters and switches, set with the handle's _set_param (double value).
 * Which handle accepts which parameter is stated per entry. */
enum ccrnn_param {
    /* any handle */
    CCRNN_PARAM_THREADS = 0,        /* Threads for this handle's products (BLIS) and, from 0.3.1,
                                       its cortex's large elementwise passes (OpenMP, split by
                                       batch rows; same bits) (1..256, default 1).
                                       Above 1, worker threads start (OpenMP in the
                                       Debian builds) on first use; if the system refuses
                                       to create one then, libgomp prints a message and
                                       exits the process, which the library cannot catch.
                                       At 1 (the default) no thread is ever created. */
    /* cortex */
    CCRNN_PARAM_TRAINING = 10,      /* 1: forward records the window tape (default); 0: inference.
                                       Changing it keeps the current state and begins a new
                                       window: the tape of the current window is discarded */
    /* cerebellum */
    CCRNN_PARAM_ABLATED = 20,       /* 1: predicts exact zeros, learns nothing (ablation); default 0 */
    CCRNN_PARAM_IO_LESION = 21,     /* inferior-olive lesion; the cerebellum still predicts.
                                       0: intact (default).  1: frozen: learn computes nothing,
                                       the optimizer neither updates it nor counts it.
                                       2: the reference's lesion: learn still computes and
                                       accumulates gradients, the optimizer never applies or
                                       zeroes them, and they still count in the global clip
                                       norm (so they increasingly shrink the others' steps) */
    CCRNN_PARAM_LOSS_MEAN = 22,     /* 0: learn's output gradient 2(p-t) summed over the batch (default,
                                       as the reference); 1: divided by the batch size */
    /* 23 was FORWARD_CACHE (0.1); the forward cache is now always valid and internal. */
    /* optimizer */
    CCRNN_PARAM_LR = 30,            /* learning rate (default 1e-3) */
    CCRNN_PARAM_BETA1 = 31,         /* Adam beta1 (0.9) */
    CCRNN_PARAM_BETA2 = 32,         /* Adam beta2 (0.999) */
    CCRNN_PARAM_EPS = 33,           /* Adam/RMSprop epsilon (1e-8) */
    CCRNN_PARAM_WEIGHT_DECAY = 34,  /* L2 penalty added to the gradient, as PyTorch (0) */
    CCRNN_PARAM_MOMENTUM = 35,      /* SGD/RMSprop momentum (0) */
    CCRNN_PARAM_ALPHA = 36,         /* RMSprop smoothing constant (0.99) */
    CCRNN_PARAM_CLIP_NORM = 37,     /* global L2-norm clip over all attached gradients; 0 = off (0) */
    CCRNN_PARAM_GRAD_NORM = 38,     /* read-only: the global gradient norm seen by the last step */
    CCRNN_PARAM_STEPS = 39          /* read-only: number of optimizer steps taken */
};

/* ---------------------------------------------------------------------------
 * Cortex: one recurrent layer plus a linear readout y = h W^T + b.
 *
 * Training protocol for one truncation window (see docs/guide.md):
 *   ccrnn_cortex_begin_window(cx);           the current state becomes z_start (detached)
 *   for each step: ccrnn_cortex_forward(cx, x, ..., y, ...);  ccrnn_cortex_output_grad(...)
 *   ccrnn_cortex_backward(cx, dz_end, ..., dz_start, ...);   accumulates parameter gradients
 * ------------------------------------------------------------------------- */

/* Create a cortex.  cell: enum ccrnn_cell.  n_in, n_hidden, n_out >= 1; max_batch >= 1;
 * max_window >= 1 (longest window that can be recorded).  Parameters are initialised
 * as PyTorch does (U(+-1/sqrt(H)) for the recurrent tensors, U(+-1/sqrt(H)) for the
 * readout) from `seed`.  Errors: NULL, ARG, NOMEM. */
CCRNN_API int ccrnn_cortex_create(int cell, size_t n_in, size_t n_hidden, size_t n_out,
                                  size_t max_batch, size_t max_window, uint64_t seed,
                                  ccrnn_cortex **out);
CCRNN_API void ccrnn_cortex_destroy(ccrnn_cortex *cx);
/* Deep copy (parameters, gradients, state and tape).  Errors: NULL, NOMEM. */
CCRNN_API int ccrnn_cortex_clone(const ccrnn_cortex *cx, ccrnn_cortex **out);

CCRNN_API int ccrnn_cortex_set_param(ccrnn_cortex *cx, int param, double value);
CCRNN_API int ccrnn_cortex_get_param(const ccrnn_cortex *cx, int param, double *value);

/* Sizes fixed at creation.  Any out pointer may be NULL. */
CCRNN_API int ccrnn_cortex_shape(const ccrnn_cortex *cx, int *cell, size_t *n_in,
                                 size_t *n_hidden, size_t *n_out, size_t *state_size,
                                 size_t *max_batch, size_t *max_window);

/* Zero the state, set the active batch size (1..max_batch) and start an empty window. */
CCRNN_API int ccrnn_cortex_reset(ccrnn_cortex *cx, size_t batch);
/* Start a new window: the current state becomes the (detached) window-start state,
 * the tape and output gradients are cleared.  Errors: NULL. */
CCRNN_API int ccrnn_cortex_begin_window(ccrnn_cortex *cx);
/* One timestep.  x: batch*n_in values; y: batch*n_out values, or NULL with y_len = 0.
 * In training mode the step is recorded on the tape (STATE if the window already
 * holds max_window steps).  Errors: NULL, SHAPE, STATE, NUMERIC (non-finite x, or a
 * non-finite state/output produced; the step is then not taken). */
CCRNN_API int ccrnn_cortex_forward(ccrnn_cortex *cx, const float *x, size_t x_len, float *y,
                                   size_t y_len);
/* Add dL/dy (batch*n_out values) for step `step` (0-based, within the current window).
 * Errors: NULL, SHAPE, ARG (step not yet taken), STATE (inference mode), NUMERIC. */
CCRNN_API int ccrnn_cortex_output_grad(ccrnn_cortex *cx, size_t step, const float *dy,
                                       size_t dy_len);
/* Add dL/dh (batch*n_hidden values) directly at the hidden state of step `step`. */
CCRNN_API int ccrnn_cortex_hidden_grad(ccrnn_cortex *cx, size_t step, const float *dh,
                                       size_t dh_len);
/* Backpropagate through the recorded window.  dz_end: gradient injected at the
 * window-end state (batch*state_size values) or NULL with dz_end_len = 0.  Parameter
 * gradients accumulate (+=).  dz_start (optional, NULL with dz_start_len = 0) receives the
 * gradient at the window-start state.  A window is backpropagated at most once.
 * Errors: NULL, SHAPE, STATE (no steps recorded, already backpropagated, inference
 * mode), NUMERIC (non-finite dz_end or gradients; nothing accumulated then). */
CCRNN_API int ccrnn_cortex_backward(ccrnn_cortex *cx, const float *dz_end, size_t dz_end_len,
                                    float *dz_start, size_t dz_start_len);
/* After ccrnn_cortex_backward: dL/dx for every step of the window, laid out
 * [step][batch][n_in] (window_length*batch*n_in values).  Errors: NULL, SHAPE, STATE. */
CCRNN_API int ccrnn_cortex_input_grad(ccrnn_cortex *cx, float *dx, size_t dx_len);

/* Number of steps recorded in the current window. */
CCRNN_API int ccrnn_cortex_window_length(const ccrnn_cortex *cx, size_t *steps);
/* The active batch size set by the last ccrnn_cortex_reset (max_batch after create). */
CCRNN_API int ccrnn_cortex_batch(const ccrnn_cortex *cx, size_t *batch);
/* Current state z (batch*state_size values: per sample h then, for LSTM, c). */
CCRNN_API int ccrnn_cortex_get_state(const ccrnn_cortex *cx, float *z, size_t z_len);
/* Set the current state (batch*state_size values); this also begins a new window. */
CCRNN_API int ccrnn_cortex_set_state(ccrnn_cortex *cx, const float *z, size_t z_len);
/* The state the current window started from. */
CCRNN_API int ccrnn_cortex_window_start_state(const ccrnn_cortex *cx, float *z, size_t z_len);
/* Hidden activity h of step `step` of the current window (batch*n_hidden values). */
CCRNN_API int ccrnn_cortex_hidden(const ccrnn_cortex *cx, size_t step, float *h, size_t h_len);

/* Flat views of all parameters and their gradients (same layout, the tensors of
 * ccrnn_cortex_tensor_info back to back).  The pointers stay valid until destroy.
 * The value view is read-only: write weights with ccrnn_cortex_set_tensor or
 * ccrnn_cortex_set_values, so every cache stays valid.  The gradient view may be
 * written between calls (e.g. summed across processes before the optimizer step). */
CCRNN_API int ccrnn_cortex_params(ccrnn_cortex *cx, const float **values, float **grads,
                                  size_t *count);
/* Write all parameters at once (count values, layout as the view).  Errors: NULL,
 * SHAPE, NUMERIC.  Since 0.2. */
CCRNN_API int ccrnn_cortex_set_values(ccrnn_cortex *cx, const float *values, size_t values_len);
CCRNN_API int ccrnn_cortex_zero_grad(ccrnn_cortex *cx);

/* ---------------------------------------------------------------------------
 * Named tensors (both objects): PyTorch's names and layouts, so weights move between
 * the two.  Cortex: weight_ih_l0 (G x n_in), weight_hh_l0 (G x H), bias_ih_l0 (G),
 * bias_hh_l0 (G) as torch.nn.LSTM / RNN / GRU name them (G = 4H, H or 3H), then
 * readout.weight (n_out x H) and readout.bias (n_out).  Cerebellum: an nn.Sequential
 * of Linear layers with a ReLU between each two: 0.weight, 0.bias, 2.weight, 2.bias, ...
 * index runs 0..count-1; offset is the tensor's start in the flat view; a 1-D tensor
 * (a bias) has cols = 0 and rows elements.  Since 0.2 (0.1 had other names).
 * ------------------------------------------------------------------------- */
CCRNN_API int ccrnn_cortex_tensor_count(const ccrnn_cortex *cx, size_t *count);
CCRNN_API int ccrnn_cortex_tensor_info(const ccrnn_cortex *cx, size_t index, const char **name,
                                       size_t *rows, size_t *cols, size_t *offset);
CCRNN_API int ccrnn_cortex_get_tensor(const ccrnn_cortex *cx, const char *name, float *buf,
                                      size_t buf_len);
CCRNN_API int ccrnn_cortex_set_tensor(ccrnn_cortex *cx, const char *name, const float *buf,
                                      size_t buf_len);

/* ---------------------------------------------------------------------------
 * Cerebellum: MLP predictor  out = C([in, ctx]).
 * Layers: Linear(n_in+n_ctx -> width) ReLU ... Linear(width -> n_out), with
 * n_hidden_layers hidden ReLU layers of `width` units (0 = a single Linear).
 * ------------------------------------------------------------------------- */

/* Creation flags. */
enum ccrnn_cerebellum_flag {
    CCRNN_CEREBELLUM_DEFAULT = 0,
    CCRNN_CEREBELLUM_ZERO_LAST_WEIGHT_ONLY = 1 /* zero only the last weight, keep its bias init */
};

/* Create a cerebellum.  n_in, n_out >= 1; n_ctx >= 0; width >= 1 when
 * n_hidden_layers > 0; max_batch >= 1.  PyTorch Linear initialisation, then the last
 * layer's weight and bias are zeroed.  Errors: NULL, ARG, NOMEM. */
CCRNN_API int ccrnn_cerebellum_create(size_t n_in, size_t n_ctx, size_t n_out,
                                      size_t n_hidden_layers, size_t width, size_t max_batch,
                                      uint64_t seed, unsigned flags, ccrnn_cerebellum **out);
CCRNN_API void ccrnn_cerebellum_destroy(ccrnn_cerebellum *cb);
/* Copy of parameters, gradients, settings and fibre mask.  Cached forwards are not
 * copied: ccrnn_cerebellum_hidden on the copy is STATE until its first predict or
 * learn.  Errors: NULL, NOMEM. */
CCRNN_API int ccrnn_cerebellum_clone(const ccrnn_cerebellum *cb, ccrnn_cerebellum **out);
CCRNN_API int ccrnn_cerebellum_set_param(ccrnn_cerebellum *cb, int param, double value);
CCRNN_API int ccrnn_cerebellum_get_param(const ccrnn_cerebellum *cb, int param, double *value);
CCRNN_API int ccrnn_cerebellum_shape(const ccrnn_cerebellum *cb, size_t *n_in, size_t *n_ctx,
                                     size_t *n_out, size_t *n_hidden_layers, size_t *width,
                                     size_t *max_batch);

/* Mossy-fibre sparsity: each row of the input layer's weight keeps n_fibres randomly
 * chosen inputs (out of n_in + n_ctx, drawn from seed); the others are set to zero
 * and stay exactly zero through training.  n_fibres = n_in + n_ctx removes the mask.
 * Errors: NULL, ARG. */
CCRNN_API int ccrnn_cerebellum_set_fibres(ccrnn_cerebellum *cb, size_t n_fibres,
                                          uint64_t seed);

/* Prediction, no learning.  in: batch*n_in; ctx: batch*n_ctx (NULL with ctx_len 0 when n_ctx = 0);
 * out: batch*n_out.  Ablated: out is all zeros.  Errors: NULL, ARG, SHAPE, NUMERIC. */
CCRNN_API int ccrnn_cerebellum_predict(ccrnn_cerebellum *cb, size_t batch, const float *in,
                                       size_t in_len, const float *ctx, size_t ctx_len,
                                       float *out, size_t out_len);
/* Regress the prediction at `in` toward `target` (batch*n_out): loss = sum (p - t)^2
 * (over batch and outputs; divided by batch when CCRNN_PARAM_LOSS_MEAN), output
 * gradient 2(p - t) (/batch).  Gradients accumulate.  loss may be NULL.  Ablated or
 * lesioned: nothing is learned and *loss = 0.  Errors: NULL, ARG, SHAPE, NUMERIC. */
CCRNN_API int ccrnn_cerebellum_learn(ccrnn_cerebellum *cb, size_t batch, const float *in,
                                     size_t in_len, const float *ctx, size_t ctx_len,
                                     const float *target, size_t target_len, double *loss);
/* Activity of hidden layer `layer` (0-based) at the last predict or learn
 * (batch*width values, post-ReLU).  Errors: NULL, ARG, SHAPE, STATE (nothing run). */
CCRNN_API int ccrnn_cerebellum_hidden(const ccrnn_cerebellum *cb, size_t layer, float *h,
                                      size_t h_len);

/* Flat views, as ccrnn_cortex_params: values read-only, gradients writable. */
CCRNN_API int ccrnn_cerebellum_params(ccrnn_cerebellum *cb, const float **values, float **grads,
                                      size_t *count);
/* Write all parameters at once; masked input weights stay zero.  Since 0.2. */
CCRNN_API int ccrnn_cerebellum_set_values(ccrnn_cerebellum *cb, const float *values,
                                          size_t values_len);
CCRNN_API int ccrnn_cerebellum_zero_grad(ccrnn_cerebellum *cb);
CCRNN_API int ccrnn_cerebellum_tensor_count(const ccrnn_cerebellum *cb, size_t *count);
CCRNN_API int ccrnn_cerebellum_tensor_info(const ccrnn_cerebellum *cb, size_t index,
                                           const char **name, size_t *rows, size_t *cols,
                                           size_t *offset);
CCRNN_API int ccrnn_cerebellum_get_tensor(const ccrnn_cerebellum *cb, const char *name,
                                          float *buf, size_t buf_len);
CCRNN_API int ccrnn_cerebellum_set_tensor(ccrnn_cerebellum *cb, const char *name,
                                          const float *buf, size_t buf_len);

/* ---------------------------------------------------------------------------
 * Synthetic-gradient glue between the two.
 * The cerebellum's input size must equal the cortex's state size and its output
 * size the same; ctx/n_ctx as for predict.
 * ------------------------------------------------------------------------- */

/* dz = scale * C(z_now): the cerebellum's prediction of dL/dz at the cortex's current
 * state (batch*state_size values), ready to pass as dz_end to ccrnn_cortex_backward.
 * Errors: NULL, SHAPE, ARG (scale not finite), NUMERIC. */
CCRNN_API int ccrnn_synthetic_gradient(ccrnn_cerebellum *cb, const ccrnn_cortex *cx,
                                       const float *ctx, size_t ctx_len, double scale,
                                       float *dz, size_t dz_len);
/* Teach the cerebellum: regress C(z_start) toward the true gradient dz_start that
 * ccrnn_cortex_backward returned for the current window.  loss may be NULL. */
CCRNN_API int ccrnn_synthetic_gradient_learn(ccrnn_cerebellum *cb, const ccrnn_cortex *cx,
                                             const float *ctx, size_t ctx_len,
                                             const float *dz_start, size_t dz_start_len,
                                             double *loss);

/* The whole window end of a ccRNN (or cRNN) in one call, a thin composition of the
 * step-wise calls above (the host still owns the loop):
 *   1. unless cb is NULL, ablated, scale is 0 or flags has CCRNN_WINDOW_NO_SYNTHETIC:
 *      dz_end = scale * C(z_end)                    (ccrnn_synthetic_gradient)
 *   2. ccrnn_cortex_backward(cx, dz_end or nothing) -> dz_start
 *   3. unless cb is NULL or flags has CCRNN_WINDOW_NO_LEARN:
 *      regress C(z_start) toward dz_start            (ccrnn_synthetic_gradient_learn)
 * dz_start (optional: NULL with dz_start_len 0) receives the gradient at the window
 * start (batch*state_size values); cb_loss (optional) the cerebellum's loss (0 when it
 * did not learn).  The scratch lives in the cortex: no allocation.
 * Errors: as the calls composed; everything that can be checked up front (NULL, SHAPE,
 * STATE, ARG) is checked before anything changes.  A NUMERIC failure in step 3 leaves
 * step 2's cortex gradients accumulated (each step is atomic on its own); the message
 * names the step.  Since 0.2. */
enum ccrnn_window_flag {
    CCRNN_WINDOW_DEFAULT = 0,
    CCRNN_WINDOW_NO_SYNTHETIC = 1, /* inject nothing at the window end (e.g. at the sequence end) */
    CCRNN_WINDOW_NO_LEARN = 2      /* do not teach the cerebellum in this window */
};
CCRNN_API int ccrnn_window_end(ccrnn_cortex *cx, ccrnn_cerebellum *cb, const float *ctx,
                               size_t ctx_len, double scale, unsigned flags, float *dz_start,
                               size_t dz_start_len, double *cb_loss);

/* ---------------------------------------------------------------------------
 * Optimizer: one object updates any number of parameter groups.
 * ------------------------------------------------------------------------- */
enum ccrnn_optimizer_kind {
    CCRNN_OPT_ADAM = 0,    /* torch.optim.Adam (L2 weight decay added to the gradient) */
    CCRNN_OPT_SGD = 1,     /* torch.optim.SGD with momentum (dampening 0, no Nesterov) */
    CCRNN_OPT_RMSPROP = 2  /* torch.optim.RMSprop (not centered) */
};

/* Per-group settings for ccrnn_optimizer_set_group_param. */
enum ccrnn_group_param {
    CCRNN_GROUP_LR_SCALE = 0, /* multiplies the learning rate (default 1) */
    CCRNN_GROUP_FROZEN = 1    /* 1: not updated (its gradients still count in the clip norm
                                 and are still zeroed by step) */
};

CCRNN_API int ccrnn_optimizer_create(int kind, ccrnn_optimizer **out);
CCRNN_API void ccrnn_optimizer_destroy(ccrnn_optimizer *opt);
CCRNN_API int ccrnn_optimizer_set_param(ccrnn_optimizer *opt, int param, double value);
CCRNN_API int ccrnn_optimizer_get_param(const ccrnn_optimizer *opt, int param, double *value);
/* Attach parameters as a new group; *group (may be NULL) receives its index.
 * The attached object must outlive the optimizer: the optimizer keeps pointers into
 * it, and a step, zero_grad or save after the object was destroyed reads freed memory
 * (undefined behaviour, not detected).  Destroy the optimizer first.  A cerebellum
 * attached this way is not updated while it is ablated or lesioned.  Errors: NULL, ARG, NOMEM. */
CCRNN_API int ccrnn_optimizer_add_cortex(ccrnn_optimizer *opt, ccrnn_cortex *cx,
                                         size_t *group);
CCRNN_API int ccrnn_optimizer_add_cerebellum(ccrnn_optimizer *opt, ccrnn_cerebellum *cb,
                                             size_t *group);
/* Host-owned parameters: values and grads arrays of `count` floats. */
CCRNN_API int ccrnn_optimizer_add_params(ccrnn_optimizer *opt, float *values, float *grads,
                                         size_t count, size_t *group);
CCRNN_API int ccrnn_optimizer_set_group_param(ccrnn_optimizer *opt, size_t group, int param,
                                              double value);
CCRNN_API int ccrnn_optimizer_get_group_param(const ccrnn_optimizer *opt, size_t group,
                                              int param, double *value);
/* Clip all attached gradients to the global L2 norm CCRNN_PARAM_CLIP_NORM (if > 0,
 * as torch.nn.utils.clip_grad_norm_), update every unfrozen group, then zero all
 * gradients.  Errors: NULL, NUMERIC (non-finite gradient norm: nothing is updated
 * and the gradients are kept for inspection). */
CCRNN_API int ccrnn_optimizer_step(ccrnn_optimizer *opt);
/* Zero the gradients of every attached group. */
CCRNN_API int ccrnn_optimizer_zero_grad(ccrnn_optimizer *opt);

/* ---------------------------------------------------------------------------
 * Loss helpers: write the loss and dL/dy.
 * ------------------------------------------------------------------------- */

/* Squared error: loss = sum_b mask_b sum_d (y - t)^2 / denom, dy = 2 mask_b (y - t) / denom.
 * y, target, dy: len values (len = batch*dim); mask: batch values or NULL with mask_len = 0,
 * usually 0 or 1, but any finite value weights its row (denom 0 counts the rows whose
 * weight is not 0); denom > 0, or 0 for (number of such rows)*dim.  dy and loss may
 * be NULL.  Errors: NULL, ARG, SHAPE, NUMERIC. */
CCRNN_API int ccrnn_loss_mse(const float *y, const float *target, size_t len, size_t dim,
                             const float *mask, size_t mask_len, double denom, float *dy,
                             double *loss);
/* Softmax cross-entropy: logits_len values (batch*classes); labels batch values
 * (a negative label ignores that row); loss = sum of -log softmax[label] / denom,
 * denom 0 = number of labelled rows; dy = (softmax - onehot)/denom.  n_correct
 * (may be NULL) receives the count of labelled rows whose argmax is the label.
 * Errors: NULL, ARG (label >= classes), SHAPE, NUMERIC. */
CCRNN_API int ccrnn_loss_softmax_xent(const float *logits, size_t logits_len, size_t classes,
                                      const int32_t *labels, size_t labels_len, double denom,
                                      float *dy, double *loss, size_t *n_correct);

/* ---------------------------------------------------------------------------
 * Checkpoints (since 0.1)
 *
 * Versioned, checksummed binary snapshots (format 2: docs/reliability.md): magic,
 * format version, object kind, then named, typed entries with shapes (sizes,
 * settings, every tensor by its PyTorch name, state), and a CRC-32 over the payload.
 * 0.2 reads format 2 only; a 0.1 file (format 1) gives VERSION.
 *
 * What is saved.  Cortex: shapes, TRAINING and THREADS, every parameter tensor and its
 * gradient, the active batch and the current state; the window tape is not saved, so
 * the loaded cortex begins a new window from the saved current state.  Cerebellum:
 * shapes, ABLATED, IO_LESION, LOSS_MEAN and THREADS, the mossy-fibre
 * mask, every parameter tensor and its gradient (not the cached forwards).  Optimizer:
 * its hyperparameters, step counters, each group's LR_SCALE, FROZEN, update count and
 * moments; not the attached parameters (save those with their objects).
 *
 * Memory: _save_mem(h, buf, cap, &size).  buf NULL with cap 0 is a size query: OK and
 * *size = the checkpoint's size.  Otherwise the checkpoint is written to buf when
 * cap >= that size (OK, *size = bytes written); when cap is too small the call fails
 * with SHAPE, writes nothing to buf and still sets *size to the size needed.
 * Files: _save(h, path) writes a temporary file beside path, flushes it to the disk
 * (fsync) and renames it over path, so a crash leaves either the old file or the new
 * one; a symbolic link is followed (its target is replaced) and an existing file keeps
 * its permissions.
 *
 * Loading.  Cortex and cerebellum loads create a new handle (*out, set only on
 * success).  An optimizer checkpoint is loaded into an existing optimizer with the same
 * groups (count and sizes, in the same order, attached as before); it restores state,
 * not the attached parameters.  A failed load changes nothing and leaks nothing.
 * Errors: NULL; IO (file cannot be opened, read, created or renamed); FORMAT (bad
 * magic, truncated or padded, unknown kind, an entry missing, extra or of another shape,
 * a field out of range, implausible shapes: a size above 2^24 or a handle needing more
 * than 1 GiB; every range is checked, update counts included); VERSION (another format
 * version); CHECKSUM (payload CRC mismatch); MISMATCH (a checkpoint of another object
 * kind, of another optimizer kind, or optimizer groups that differ); NUMERIC (NaN or Inf in parameters, state,
 * mask or moments); NOMEM; SHAPE (save_mem: cap too small).
 * ------------------------------------------------------------------------- */
CCRNN_API int ccrnn_cortex_save(const ccrnn_cortex *cx, const char *path);
CCRNN_API int ccrnn_cortex_load(const char *path, ccrnn_cortex **out);
CCRNN_API int ccrnn_cortex_save_mem(const ccrnn_cortex *cx, void *buf, size_t cap,
                                    size_t *size);
CCRNN_API int ccrnn_cortex_load_mem(const void *buf, size_t size, ccrnn_cortex **out);

CCRNN_API int ccrnn_cerebellum_save(const ccrnn_cerebellum *cb, const char *path);
CCRNN_API int ccrnn_cerebellum_load(const char *path, ccrnn_cerebellum **out);
CCRNN_API int ccrnn_cerebellum_save_mem(const ccrnn_cerebellum *cb, void *buf, size_t cap,
                                        size_t *size);
CCRNN_API int ccrnn_cerebellum_load_mem(const void *buf, size_t size, ccrnn_cerebellum **out);

CCRNN_API int ccrnn_optimizer_save(const ccrnn_optimizer *opt, const char *path);
CCRNN_API int ccrnn_optimizer_load(ccrnn_optimizer *opt, const char *path);
CCRNN_API int ccrnn_optimizer_save_mem(const ccrnn_optimizer *opt, void *buf, size_t cap,
                                       size_t *size);
CCRNN_API int ccrnn_optimizer_load_mem(ccrnn_optimizer *opt, const void *buf, size_t size);

#ifdef __cplusplus
}
#endif

#endif /* CCRNN_H */
