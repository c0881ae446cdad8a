/* Bad input, systematically.  Every public function is called with NULL handles and
 * buffers, zero, huge (SIZE_MAX) and off-by-one sizes, NaN and Inf values, out-of-range
 * enums and in wrong call orders.  For each case the table states the documented status.
 * The runner builds two identical fixtures A and B (same setup), makes the bad call on
 * A only, and checks:
 *   1. the status is the documented one;
 *   2. nothing was written to A's output buffers (sentinel fill; handle outputs too);
 *   3. A is unchanged: its checkpoints (parameters, gradients, state, settings, fibre
 *      mask, optimizer moments), host-owned arrays and window length equal B's;
 *   4. A still works and hides no damage: continuing the current window (backward) and
 *      then a full training step on A and on B give the same statuses and bit-identical
 *      results.
 * Prints "test-badinput: N passed, M failed". */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rel-util.h"

/* Shapes: cortex LSTM 3 -> 4 -> 2 (state 8), max batch 3, max window 2, active batch 2;
 * cb 8 -> [5] -> 8; cbx 2 + ctx 1 -> [3] -> 2; cb1 like cb with max batch 1;
 * optimizer (Adam): groups cortex, cb, 4 host-owned values. */
enum { I = 3, H = 4, O = 2, Z = 8, B = 2, NX = B * I, NY = B * O, NZ = B * Z, NH = B * H };
#define BUF 64
#define SENT_F (-12345.5f)
#define SENT_D (-6789.25)
#define SENT_Z ((size_t)0xA5A5A5A5u)

typedef struct fx {
    ccrnn_cortex *cx;
    ccrnn_cerebellum *cb, *cbx, *cb1;
    ccrnn_optimizer *opt;
    float hostv[4], hostg[4];
    float in[BUF], nanb[BUF], infb[BUF];
    int32_t labels[8];
    unsigned char *ck;          /* a valid cortex checkpoint */
    size_t ck_n;
    /* outputs, sentinel-filled before each call */
    float out[BUF];
    double outd[2];
    size_t outz[4];
    const char *outs;
    float *outp[2];
    ccrnn_cortex *outcx;
    ccrnn_cerebellum *outcb;
    ccrnn_optimizer *outopt;
} fx;

static char sentinel_object; /* handle outputs point here until written */
#define SENT_P ((void *)&sentinel_object)

enum setup { S_FRESH, S_STEPPED, S_FULL, S_BACKWARDED, S_INFER, S_NAN_GRAD, S_INF_GRAD, S_PREDICTED };

/* ---- the table -------------------------------------------------------------------- */
#define IN f->in
#define NANB f->nanb
#define INFB f->infb
#define OUT f->out
#define OD f->outd
#define OZ f->outz
#define CX f->cx
#define CB f->cb
#define CBX f->cbx
#define CB1 f->cb1
#define OPT f->opt
#define BIG SIZE_MAX
#define LIM ((size_t)1 << 24)
#define OK CCRNN_OK
#define E_NULL CCRNN_ERR_NULL
#define E_ARG CCRNN_ERR_ARG
#define E_SHAPE CCRNN_ERR_SHAPE
#define E_STATE CCRNN_ERR_STATE
#define E_NUM CCRNN_ERR_NUMERIC
#define E_NOMEM CCRNN_ERR_NOMEM
#define E_IO CCRNN_ERR_IO
#define E_FORMAT CCRNN_ERR_FORMAT
#define E_MISMATCH CCRNN_ERR_MISMATCH
#define LSTM CCRNN_CELL_LSTM

#define CASES(X)                                                                                  \
    /* status and version: total functions */                                                      \
    X(strerror_unknown, S_FRESH, OK, ccrnn_strerror(-1) && ccrnn_strerror(999) ? OK : -1)           \
    X(strerror_all_named, S_FRESH, OK, strerror_all_named())                                       \
    X(last_error_not_null, S_FRESH, OK, ccrnn_last_error() ? OK : -1)                               \
    X(version_consistent, S_FRESH, OK, ccrnn_version_number() == CCRNN_VERSION_NUMBER &&            \
                                           ccrnn_version_string() ? OK : -1)                         \
    X(destroy_null, S_FRESH, OK, (ccrnn_cortex_destroy(NULL), ccrnn_cerebellum_destroy(NULL),       \
                                  ccrnn_optimizer_destroy(NULL), OK))                               \
    /* cortex_create */                                                                            \
    X(cx_create_null_out, S_FRESH, E_NULL, ccrnn_cortex_create(LSTM, 1, 1, 1, 1, 1, 1, NULL))       \
    X(cx_create_cell_3, S_FRESH, E_ARG, ccrnn_cortex_create(3, 1, 1, 1, 1, 1, 1, &f->outcx))        \
    X(cx_create_cell_neg, S_FRESH, E_ARG, ccrnn_cortex_create(-1, 1, 1, 1, 1, 1, 1, &f->outcx))     \
    X(cx_create_in_0, S_FRESH, E_ARG, ccrnn_cortex_create(LSTM, 0, 1, 1, 1, 1, 1, &f->outcx))       \
    X(cx_create_hidden_0, S_FRESH, E_ARG, ccrnn_cortex_create(LSTM, 1, 0, 1, 1, 1, 1, &f->outcx))   \
    X(cx_create_out_0, S_FRESH, E_ARG, ccrnn_cortex_create(LSTM, 1, 1, 0, 1, 1, 1, &f->outcx))      \
    X(cx_create_batch_0, S_FRESH, E_ARG, ccrnn_cortex_create(LSTM, 1, 1, 1, 0, 1, 1, &f->outcx))    \
    X(cx_create_window_0, S_FRESH, E_ARG, ccrnn_cortex_create(LSTM, 1, 1, 1, 1, 0, 1, &f->outcx))   \
    X(cx_create_in_huge, S_FRESH, E_ARG, ccrnn_cortex_create(LSTM, BIG, 1, 1, 1, 1, 1, &f->outcx))  \
    X(cx_create_hidden_huge, S_FRESH, E_ARG, ccrnn_cortex_create(LSTM, 1, BIG, 1, 1, 1, 1, &f->outcx)) \
    X(cx_create_batch_huge, S_FRESH, E_ARG, ccrnn_cortex_create(LSTM, 1, 1, 1, BIG, 1, 1, &f->outcx)) \
    X(cx_create_window_over, S_FRESH, E_ARG, ccrnn_cortex_create(LSTM, 1, 1, 1, 1, LIM + 1, 1, &f->outcx)) \
    X(cx_create_too_big, S_FRESH, E_NOMEM, ccrnn_cortex_create(LSTM, LIM, LIM, LIM, LIM, LIM, 1, &f->outcx)) \
    /* cortex handle functions with a NULL handle */                                               \
    X(cx_clone_null, S_FRESH, E_NULL, ccrnn_cortex_clone(NULL, &f->outcx))                          \
    X(cx_clone_null_out, S_FRESH, E_NULL, ccrnn_cortex_clone(CX, NULL))                             \
    X(cx_set_param_null, S_FRESH, E_NULL, ccrnn_cortex_set_param(NULL, CCRNN_PARAM_TRAINING, 0))    \
    X(cx_get_param_null, S_FRESH, E_NULL, ccrnn_cortex_get_param(NULL, CCRNN_PARAM_TRAINING, OD))   \
    X(cx_get_param_null_value, S_FRESH, E_NULL, ccrnn_cortex_get_param(CX, CCRNN_PARAM_TRAINING, NULL)) \
    X(cx_shape_null, S_FRESH, E_NULL, ccrnn_cortex_shape(NULL, NULL, OZ, NULL, NULL, NULL, NULL, NULL)) \
    X(cx_reset_null, S_FRESH, E_NULL, ccrnn_cortex_reset(NULL, 1))                                  \
    X(cx_begin_null, S_FRESH, E_NULL, ccrnn_cortex_begin_window(NULL))                              \
    X(cx_forward_null, S_FRESH, E_NULL, ccrnn_cortex_forward(NULL, IN, NX, OUT, NY))                \
    X(cx_output_grad_null, S_STEPPED, E_NULL, ccrnn_cortex_output_grad(NULL, 0, IN, NY))            \
    X(cx_hidden_grad_null, S_STEPPED, E_NULL, ccrnn_cortex_hidden_grad(NULL, 0, IN, NH))            \
    X(cx_backward_null, S_STEPPED, E_NULL, ccrnn_cortex_backward(NULL, NULL, 0, OUT, NZ))           \
    X(cx_input_grad_null, S_BACKWARDED, E_NULL, ccrnn_cortex_input_grad(NULL, OUT, NX))             \
    X(cx_window_length_null, S_FRESH, E_NULL, ccrnn_cortex_window_length(NULL, OZ))                 \
    X(cx_window_length_null_out, S_FRESH, E_NULL, ccrnn_cortex_window_length(CX, NULL))             \
    X(cx_get_state_null, S_FRESH, E_NULL, ccrnn_cortex_get_state(NULL, OUT, NZ))                    \
    X(cx_set_state_null, S_FRESH, E_NULL, ccrnn_cortex_set_state(NULL, IN, NZ))                     \
    X(cx_start_state_null, S_FRESH, E_NULL, ccrnn_cortex_window_start_state(NULL, OUT, NZ))         \
    X(cx_hidden_null, S_STEPPED, E_NULL, ccrnn_cortex_hidden(NULL, 0, OUT, NH))                     \
    X(cx_params_null, S_FRESH, E_NULL, ccrnn_cortex_params(NULL, (const float **)f->outp, f->outp + 1, OZ))         \
    X(cx_zero_grad_null, S_FRESH, E_NULL, ccrnn_cortex_zero_grad(NULL))                             \
    X(cx_tensor_count_null, S_FRESH, E_NULL, ccrnn_cortex_tensor_count(NULL, OZ))                   \
    X(cx_tensor_count_null_out, S_FRESH, E_NULL, ccrnn_cortex_tensor_count(CX, NULL))               \
    X(cx_tensor_info_null, S_FRESH, E_NULL, ccrnn_cortex_tensor_info(NULL, 0, &f->outs, OZ, OZ + 1, OZ + 2)) \
    X(cx_get_tensor_null, S_FRESH, E_NULL, ccrnn_cortex_get_tensor(NULL, "weight_ih_l0", OUT, 48))     \
    X(cx_set_tensor_null, S_FRESH, E_NULL, ccrnn_cortex_set_tensor(NULL, "weight_ih_l0", IN, 48))      \
    /* cortex NULL buffers */                                                                      \
    X(cx_forward_null_x, S_FRESH, E_NULL, ccrnn_cortex_forward(CX, NULL, NX, OUT, NY))              \
    X(cx_forward_null_y_with_len, S_FRESH, E_NULL, ccrnn_cortex_forward(CX, IN, NX, NULL, NY))      \
    X(cx_output_grad_null_dy, S_STEPPED, E_NULL, ccrnn_cortex_output_grad(CX, 0, NULL, NY))         \
    X(cx_hidden_grad_null_dh, S_STEPPED, E_NULL, ccrnn_cortex_hidden_grad(CX, 0, NULL, NH))         \
    X(cx_backward_null_end_with_len, S_STEPPED, E_NULL, ccrnn_cortex_backward(CX, NULL, NZ, OUT, NZ)) \
    X(cx_backward_null_start_with_len, S_STEPPED, E_NULL, ccrnn_cortex_backward(CX, IN, NZ, NULL, NZ)) \
    X(cx_input_grad_null_dx, S_BACKWARDED, E_NULL, ccrnn_cortex_input_grad(CX, NULL, NX))           \
    X(cx_get_state_null_z, S_FRESH, E_NULL, ccrnn_cortex_get_state(CX, NULL, NZ))                   \
    X(cx_set_state_null_z, S_FRESH, E_NULL, ccrnn_cortex_set_state(CX, NULL, NZ))                   \
    X(cx_start_state_null_z, S_FRESH, E_NULL, ccrnn_cortex_window_start_state(CX, NULL, NZ))        \
    X(cx_hidden_null_h, S_STEPPED, E_NULL, ccrnn_cortex_hidden(CX, 0, NULL, NH))                    \
    X(cx_get_tensor_null_name, S_FRESH, E_NULL, ccrnn_cortex_get_tensor(CX, NULL, OUT, 48))         \
    X(cx_get_tensor_null_buf, S_FRESH, E_NULL, ccrnn_cortex_get_tensor(CX, "weight_ih_l0", NULL, 48))  \
    X(cx_set_tensor_null_name, S_FRESH, E_NULL, ccrnn_cortex_set_tensor(CX, NULL, IN, 48))          \
    X(cx_set_tensor_null_buf, S_FRESH, E_NULL, ccrnn_cortex_set_tensor(CX, "weight_ih_l0", NULL, 48))  \
    /* cortex sizes */                                                                             \
    X(cx_forward_nx_0, S_FRESH, E_SHAPE, ccrnn_cortex_forward(CX, IN, 0, OUT, NY))                  \
    X(cx_forward_nx_short, S_FRESH, E_SHAPE, ccrnn_cortex_forward(CX, IN, NX - 1, OUT, NY))         \
    X(cx_forward_nx_long, S_FRESH, E_SHAPE, ccrnn_cortex_forward(CX, IN, NX + 1, OUT, NY))          \
    X(cx_forward_nx_huge, S_FRESH, E_SHAPE, ccrnn_cortex_forward(CX, IN, BIG, OUT, NY))             \
    X(cx_forward_nx_max_batch, S_FRESH, E_SHAPE, ccrnn_cortex_forward(CX, IN, 3 * I, OUT, NY))      \
    X(cx_forward_ny_short, S_FRESH, E_SHAPE, ccrnn_cortex_forward(CX, IN, NX, OUT, NY - 1))         \
    X(cx_forward_ny_huge, S_FRESH, E_SHAPE, ccrnn_cortex_forward(CX, IN, NX, OUT, BIG))             \
    X(cx_output_grad_n_short, S_STEPPED, E_SHAPE, ccrnn_cortex_output_grad(CX, 0, IN, NY - 1))      \
    X(cx_output_grad_n_huge, S_STEPPED, E_SHAPE, ccrnn_cortex_output_grad(CX, 0, IN, BIG))          \
    X(cx_hidden_grad_n_long, S_STEPPED, E_SHAPE, ccrnn_cortex_hidden_grad(CX, 0, IN, NH + 1))       \
    X(cx_backward_end_short, S_STEPPED, E_SHAPE, ccrnn_cortex_backward(CX, IN, NZ - 1, OUT, NZ))    \
    X(cx_backward_end_huge, S_STEPPED, E_SHAPE, ccrnn_cortex_backward(CX, IN, BIG, OUT, NZ))        \
    X(cx_backward_start_long, S_STEPPED, E_SHAPE, ccrnn_cortex_backward(CX, IN, NZ, OUT, NZ + 1))   \
    X(cx_backward_start_hidden_len, S_STEPPED, E_SHAPE, ccrnn_cortex_backward(CX, NULL, 0, OUT, NH)) \
    X(cx_input_grad_n_short, S_BACKWARDED, E_SHAPE, ccrnn_cortex_input_grad(CX, OUT, NX - 1))       \
    X(cx_input_grad_n_huge, S_BACKWARDED, E_SHAPE, ccrnn_cortex_input_grad(CX, OUT, BIG))           \
    X(cx_get_state_n_0, S_FRESH, E_SHAPE, ccrnn_cortex_get_state(CX, OUT, 0))                       \
    X(cx_get_state_n_max_batch, S_FRESH, E_SHAPE, ccrnn_cortex_get_state(CX, OUT, 3 * Z))           \
    X(cx_get_state_n_hidden_only, S_FRESH, E_SHAPE, ccrnn_cortex_get_state(CX, OUT, NH))            \
    X(cx_set_state_n_short, S_FRESH, E_SHAPE, ccrnn_cortex_set_state(CX, IN, NZ - 1))               \
    X(cx_set_state_n_huge, S_FRESH, E_SHAPE, ccrnn_cortex_set_state(CX, IN, BIG))                   \
    X(cx_start_state_n_long, S_FRESH, E_SHAPE, ccrnn_cortex_window_start_state(CX, OUT, NZ + 1))    \
    X(cx_hidden_n_short, S_STEPPED, E_SHAPE, ccrnn_cortex_hidden(CX, 0, OUT, NH - 1))               \
    X(cx_get_tensor_n_short, S_FRESH, E_SHAPE, ccrnn_cortex_get_tensor(CX, "weight_ih_l0", OUT, 47))   \
    X(cx_get_tensor_n_huge, S_FRESH, E_SHAPE, ccrnn_cortex_get_tensor(CX, "weight_ih_l0", OUT, BIG))   \
    X(cx_set_tensor_n_long, S_FRESH, E_SHAPE, ccrnn_cortex_set_tensor(CX, "weight_ih_l0", IN, 49))     \
    X(cx_set_tensor_n_0, S_FRESH, E_SHAPE, ccrnn_cortex_set_tensor(CX, "readout.bias", IN, 0))      \
    /* cortex values out of range */                                                               \
    X(cx_reset_0, S_STEPPED, E_ARG, ccrnn_cortex_reset(CX, 0))                                      \
    X(cx_reset_over, S_STEPPED, E_ARG, ccrnn_cortex_reset(CX, 4))                                   \
    X(cx_reset_huge, S_STEPPED, E_ARG, ccrnn_cortex_reset(CX, BIG))                                 \
    X(cx_set_param_unknown, S_FRESH, E_ARG, ccrnn_cortex_set_param(CX, 999, 1))                     \
    X(cx_set_param_negative_id, S_FRESH, E_ARG, ccrnn_cortex_set_param(CX, -1, 1))                  \
    X(cx_set_param_optimizer_param, S_FRESH, E_ARG, ccrnn_cortex_set_param(CX, CCRNN_PARAM_LR, 0.1)) \
    X(cx_set_param_training_half, S_STEPPED, E_ARG, ccrnn_cortex_set_param(CX, CCRNN_PARAM_TRAINING, 0.5)) \
    X(cx_set_param_training_nan, S_STEPPED, E_ARG, ccrnn_cortex_set_param(CX, CCRNN_PARAM_TRAINING, NAN)) \
    X(cx_set_param_threads_0, S_FRESH, E_ARG, ccrnn_cortex_set_param(CX, CCRNN_PARAM_THREADS, 0))   \
    X(cx_set_param_threads_257, S_FRESH, E_ARG, ccrnn_cortex_set_param(CX, CCRNN_PARAM_THREADS, 257)) \
    X(cx_set_param_threads_frac, S_FRESH, E_ARG, ccrnn_cortex_set_param(CX, CCRNN_PARAM_THREADS, 1.5)) \
    X(cx_set_param_threads_inf, S_FRESH, E_ARG, ccrnn_cortex_set_param(CX, CCRNN_PARAM_THREADS, INFINITY)) \
    X(cx_set_param_threads_nan, S_FRESH, E_ARG, ccrnn_cortex_set_param(CX, CCRNN_PARAM_THREADS, NAN)) \
    X(cx_get_param_unknown, S_FRESH, E_ARG, ccrnn_cortex_get_param(CX, CCRNN_PARAM_ABLATED, OD))    \
    X(cx_tensor_info_index_6, S_FRESH, E_ARG, ccrnn_cortex_tensor_info(CX, 6, &f->outs, OZ, OZ + 1, OZ + 2)) \
    X(cx_tensor_info_index_huge, S_FRESH, E_ARG, ccrnn_cortex_tensor_info(CX, BIG, &f->outs, OZ, OZ + 1, OZ + 2)) \
    X(cx_get_tensor_unknown, S_FRESH, E_ARG, ccrnn_cortex_get_tensor(CX, "weight", OUT, 48))        \
    X(cx_get_tensor_empty_name, S_FRESH, E_ARG, ccrnn_cortex_get_tensor(CX, "", OUT, 48))           \
    X(cx_set_tensor_unknown, S_FRESH, E_ARG, ccrnn_cortex_set_tensor(CX, "0.weight", IN, 48)) \
    X(cx_output_grad_step_not_taken, S_STEPPED, E_ARG, ccrnn_cortex_output_grad(CX, 1, IN, NY))     \
    X(cx_output_grad_step_huge, S_STEPPED, E_ARG, ccrnn_cortex_output_grad(CX, BIG, IN, NY))        \
    X(cx_hidden_grad_step_not_taken, S_STEPPED, E_ARG, ccrnn_cortex_hidden_grad(CX, 1, IN, NH))     \
    X(cx_hidden_step_not_taken, S_STEPPED, E_ARG, ccrnn_cortex_hidden(CX, 1, OUT, NH))              \
    X(cx_hidden_empty_window, S_FRESH, E_ARG, ccrnn_cortex_hidden(CX, 0, OUT, NH))                  \
    /* cortex NaN and Inf */                                                                       \
    X(cx_forward_nan_x, S_STEPPED, E_NUM, ccrnn_cortex_forward(CX, NANB, NX, OUT, NY))              \
    X(cx_forward_inf_x, S_STEPPED, E_NUM, ccrnn_cortex_forward(CX, INFB, NX, OUT, NY))              \
    X(cx_forward_nan_x_inference, S_INFER, E_NUM, ccrnn_cortex_forward(CX, NANB, NX, OUT, NY))      \
    X(cx_output_grad_nan, S_STEPPED, E_NUM, ccrnn_cortex_output_grad(CX, 0, NANB, NY))              \
    X(cx_output_grad_inf, S_STEPPED, E_NUM, ccrnn_cortex_output_grad(CX, 0, INFB, NY))              \
    X(cx_hidden_grad_nan, S_STEPPED, E_NUM, ccrnn_cortex_hidden_grad(CX, 0, NANB, NH))              \
    X(cx_backward_nan_end, S_STEPPED, E_NUM, ccrnn_cortex_backward(CX, NANB, NZ, OUT, NZ))          \
    X(cx_backward_inf_end, S_STEPPED, E_NUM, ccrnn_cortex_backward(CX, INFB, NZ, OUT, NZ))          \
    X(cx_backward_huge_end, S_STEPPED, E_NUM, backward_overflow(f))                                 \
    X(cx_set_state_nan, S_STEPPED, E_NUM, ccrnn_cortex_set_state(CX, NANB, NZ))                     \
    X(cx_set_state_inf, S_STEPPED, E_NUM, ccrnn_cortex_set_state(CX, INFB, NZ))                     \
    X(cx_set_tensor_nan, S_FRESH, E_NUM, ccrnn_cortex_set_tensor(CX, "weight_ih_l0", NANB, 48))        \
    X(cx_set_tensor_inf, S_FRESH, E_NUM, ccrnn_cortex_set_tensor(CX, "bias_hh_l0", INFB, 16))          \
    X(cx_forward_overflowing_state, S_FRESH, E_NUM, forward_overflow(f))                            \
    /* cortex call order */                                                                        \
    X(cx_backward_empty_window, S_FRESH, E_STATE, ccrnn_cortex_backward(CX, NULL, 0, OUT, NZ))      \
    X(cx_backward_twice, S_BACKWARDED, E_STATE, ccrnn_cortex_backward(CX, NULL, 0, OUT, NZ))        \
    X(cx_backward_inference, S_INFER, E_STATE, ccrnn_cortex_backward(CX, NULL, 0, OUT, NZ))         \
    X(cx_forward_window_full, S_FULL, E_STATE, ccrnn_cortex_forward(CX, IN, NX, OUT, NY))           \
    X(cx_forward_after_backward, S_BACKWARDED, E_STATE, ccrnn_cortex_forward(CX, IN, NX, OUT, NY))  \
    X(cx_output_grad_inference, S_INFER, E_STATE, ccrnn_cortex_output_grad(CX, 0, IN, NY))          \
    X(cx_output_grad_after_backward, S_BACKWARDED, E_STATE, ccrnn_cortex_output_grad(CX, 0, IN, NY)) \
    X(cx_hidden_grad_after_backward, S_BACKWARDED, E_STATE, ccrnn_cortex_hidden_grad(CX, 0, IN, NH)) \
    X(cx_input_grad_before_backward, S_STEPPED, E_STATE, ccrnn_cortex_input_grad(CX, OUT, NX))      \
    X(cx_input_grad_empty, S_FRESH, E_STATE, ccrnn_cortex_input_grad(CX, OUT, NX))                  \
    /* cerebellum_create */                                                                        \
    X(cb_create_null_out, S_FRESH, E_NULL, ccrnn_cerebellum_create(1, 0, 1, 1, 1, 1, 1, 0, NULL))   \
    X(cb_create_in_0, S_FRESH, E_ARG, ccrnn_cerebellum_create(0, 0, 1, 1, 1, 1, 1, 0, &f->outcb))   \
    X(cb_create_out_0, S_FRESH, E_ARG, ccrnn_cerebellum_create(1, 0, 0, 1, 1, 1, 1, 0, &f->outcb))  \
    X(cb_create_batch_0, S_FRESH, E_ARG, ccrnn_cerebellum_create(1, 0, 1, 1, 1, 0, 1, 0, &f->outcb)) \
    X(cb_create_width_0, S_FRESH, E_ARG, ccrnn_cerebellum_create(1, 0, 1, 1, 0, 1, 1, 0, &f->outcb)) \
    X(cb_create_layers_17, S_FRESH, E_ARG, ccrnn_cerebellum_create(1, 0, 1, 17, 1, 1, 1, 0, &f->outcb)) \
    X(cb_create_layers_huge, S_FRESH, E_ARG, ccrnn_cerebellum_create(1, 0, 1, BIG, 1, 1, 1, 0, &f->outcb)) \
    X(cb_create_ctx_huge, S_FRESH, E_ARG, ccrnn_cerebellum_create(1, BIG, 1, 1, 1, 1, 1, 0, &f->outcb)) \
    X(cb_create_width_huge, S_FRESH, E_ARG, ccrnn_cerebellum_create(1, 0, 1, 1, BIG, 1, 1, 0, &f->outcb)) \
    X(cb_create_flags_2, S_FRESH, E_ARG, ccrnn_cerebellum_create(1, 0, 1, 1, 1, 1, 1, 2, &f->outcb)) \
    X(cb_create_too_big, S_FRESH, E_NOMEM, ccrnn_cerebellum_create(LIM, LIM, LIM, 16, LIM, LIM, 1, 0, &f->outcb)) \
    /* cerebellum NULL handle */                                                                   \
    X(cb_clone_null, S_FRESH, E_NULL, ccrnn_cerebellum_clone(NULL, &f->outcb))                      \
    X(cb_clone_null_out, S_FRESH, E_NULL, ccrnn_cerebellum_clone(CB, NULL))                         \
    X(cb_set_param_null, S_FRESH, E_NULL, ccrnn_cerebellum_set_param(NULL, CCRNN_PARAM_ABLATED, 1)) \
    X(cb_get_param_null, S_FRESH, E_NULL, ccrnn_cerebellum_get_param(NULL, CCRNN_PARAM_ABLATED, OD)) \
    X(cb_get_param_null_value, S_FRESH, E_NULL, ccrnn_cerebellum_get_param(CB, CCRNN_PARAM_ABLATED, NULL)) \
    X(cb_shape_null, S_FRESH, E_NULL, ccrnn_cerebellum_shape(NULL, OZ, NULL, NULL, NULL, NULL, NULL)) \
    X(cb_set_fibres_null, S_FRESH, E_NULL, ccrnn_cerebellum_set_fibres(NULL, 2, 1))                 \
    X(cb_predict_null, S_FRESH, E_NULL, ccrnn_cerebellum_predict(NULL, B, IN, NZ, NULL, 0, OUT, NZ)) \
    X(cb_learn_null, S_FRESH, E_NULL, ccrnn_cerebellum_learn(NULL, B, IN, NZ, NULL, 0, IN, NZ, OD)) \
    X(cb_hidden_null, S_PREDICTED, E_NULL, ccrnn_cerebellum_hidden(NULL, 0, OUT, B * 5))            \
    X(cb_params_null, S_FRESH, E_NULL, ccrnn_cerebellum_params(NULL, (const float **)f->outp, f->outp + 1, OZ))     \
    X(cb_zero_grad_null, S_FRESH, E_NULL, ccrnn_cerebellum_zero_grad(NULL))                         \
    X(cb_tensor_count_null, S_FRESH, E_NULL, ccrnn_cerebellum_tensor_count(NULL, OZ))               \
    X(cb_tensor_count_null_out, S_FRESH, E_NULL, ccrnn_cerebellum_tensor_count(CB, NULL))           \
    X(cb_tensor_info_null, S_FRESH, E_NULL, ccrnn_cerebellum_tensor_info(NULL, 0, &f->outs, OZ, OZ + 1, OZ + 2)) \
    X(cb_get_tensor_null, S_FRESH, E_NULL, ccrnn_cerebellum_get_tensor(NULL, "0.weight", OUT, 40)) \
    X(cb_set_tensor_null, S_FRESH, E_NULL, ccrnn_cerebellum_set_tensor(NULL, "0.weight", IN, 40)) \
    /* cerebellum NULL buffers */                                                                  \
    X(cb_predict_null_in, S_FRESH, E_NULL, ccrnn_cerebellum_predict(CB, B, NULL, NZ, NULL, 0, OUT, NZ)) \
    X(cb_predict_null_out, S_FRESH, E_NULL, ccrnn_cerebellum_predict(CB, B, IN, NZ, NULL, 0, NULL, NZ)) \
    X(cb_predict_null_ctx, S_FRESH, E_NULL, ccrnn_cerebellum_predict(CBX, B, IN, 4, NULL, 2, OUT, 4)) \
    X(cb_learn_null_in, S_FRESH, E_NULL, ccrnn_cerebellum_learn(CB, B, NULL, NZ, NULL, 0, IN, NZ, OD)) \
    X(cb_learn_null_target, S_FRESH, E_NULL, ccrnn_cerebellum_learn(CB, B, IN, NZ, NULL, 0, NULL, NZ, OD)) \
    X(cb_learn_null_ctx, S_FRESH, E_NULL, ccrnn_cerebellum_learn(CBX, B, IN, 4, NULL, 2, IN, 4, OD)) \
    X(cb_hidden_null_h, S_PREDICTED, E_NULL, ccrnn_cerebellum_hidden(CB, 0, NULL, B * 5))           \
    X(cb_get_tensor_null_name, S_FRESH, E_NULL, ccrnn_cerebellum_get_tensor(CB, NULL, OUT, 40))     \
    X(cb_set_tensor_null_buf, S_FRESH, E_NULL, ccrnn_cerebellum_set_tensor(CB, "0.weight", NULL, 40)) \
    /* cerebellum sizes and ranges */                                                              \
    X(cb_predict_batch_0, S_FRESH, E_ARG, ccrnn_cerebellum_predict(CB, 0, IN, 0, NULL, 0, OUT, 0))  \
    X(cb_predict_batch_over, S_FRESH, E_ARG, ccrnn_cerebellum_predict(CB, 4, IN, 32, NULL, 0, OUT, 32)) \
    X(cb_predict_batch_huge, S_FRESH, E_ARG, ccrnn_cerebellum_predict(CB, BIG, IN, NZ, NULL, 0, OUT, NZ)) \
    X(cb_predict_in_short, S_FRESH, E_SHAPE, ccrnn_cerebellum_predict(CB, B, IN, NZ - 1, NULL, 0, OUT, NZ)) \
    X(cb_predict_in_huge, S_FRESH, E_SHAPE, ccrnn_cerebellum_predict(CB, B, IN, BIG, NULL, 0, OUT, NZ)) \
    X(cb_predict_out_long, S_FRESH, E_SHAPE, ccrnn_cerebellum_predict(CB, B, IN, NZ, NULL, 0, OUT, NZ + 1)) \
    X(cb_predict_out_huge, S_FRESH, E_SHAPE, ccrnn_cerebellum_predict(CB, B, IN, NZ, NULL, 0, OUT, BIG)) \
    X(cb_predict_ctx_without_ctx, S_FRESH, E_SHAPE, ccrnn_cerebellum_predict(CB, B, IN, NZ, IN, 2, OUT, NZ)) \
    X(cb_predict_ctx_short, S_FRESH, E_SHAPE, ccrnn_cerebellum_predict(CBX, B, IN, 4, IN, 1, OUT, 4)) \
    X(cb_learn_target_short, S_FRESH, E_SHAPE, ccrnn_cerebellum_learn(CB, B, IN, NZ, NULL, 0, IN, NZ - 1, OD)) \
    X(cb_learn_target_huge, S_FRESH, E_SHAPE, ccrnn_cerebellum_learn(CB, B, IN, NZ, NULL, 0, IN, BIG, OD)) \
    X(cb_learn_batch_over, S_FRESH, E_ARG, ccrnn_cerebellum_learn(CB, 4, IN, 32, NULL, 0, IN, 32, OD)) \
    X(cb_hidden_layer_1, S_PREDICTED, E_ARG, ccrnn_cerebellum_hidden(CB, 1, OUT, B * 5))            \
    X(cb_hidden_layer_huge, S_PREDICTED, E_ARG, ccrnn_cerebellum_hidden(CB, BIG, OUT, B * 5))       \
    X(cb_hidden_n_long, S_PREDICTED, E_SHAPE, ccrnn_cerebellum_hidden(CB, 0, OUT, B * 5 + 1))       \
    X(cb_hidden_before_forward, S_FRESH, E_STATE, ccrnn_cerebellum_hidden(CB, 0, OUT, B * 5))       \
    X(cb_set_fibres_0, S_FRESH, E_ARG, ccrnn_cerebellum_set_fibres(CB, 0, 1))                       \
    X(cb_set_fibres_over, S_FRESH, E_ARG, ccrnn_cerebellum_set_fibres(CB, Z + 1, 1))                \
    X(cb_set_fibres_huge, S_FRESH, E_ARG, ccrnn_cerebellum_set_fibres(CB, BIG, 1))                  \
    X(cb_set_param_unknown, S_FRESH, E_ARG, ccrnn_cerebellum_set_param(CB, 999, 1))                 \
    X(cb_set_param_cortex_param, S_FRESH, E_ARG, ccrnn_cerebellum_set_param(CB, CCRNN_PARAM_TRAINING, 1)) \
    X(cb_set_param_ablated_2, S_FRESH, E_ARG, ccrnn_cerebellum_set_param(CB, CCRNN_PARAM_ABLATED, 2)) \
    X(cb_set_param_lesion_nan, S_FRESH, E_ARG, ccrnn_cerebellum_set_param(CB, CCRNN_PARAM_IO_LESION, NAN)) \
    X(cb_set_param_loss_mean_neg, S_FRESH, E_ARG, ccrnn_cerebellum_set_param(CB, CCRNN_PARAM_LOSS_MEAN, -1)) \
    X(cb_set_param_lesion_3, S_FRESH, E_ARG, ccrnn_cerebellum_set_param(CB, CCRNN_PARAM_IO_LESION, 3)) \
    X(cb_set_param_threads_0, S_FRESH, E_ARG, ccrnn_cerebellum_set_param(CB, CCRNN_PARAM_THREADS, 0)) \
    X(cb_get_param_unknown, S_FRESH, E_ARG, ccrnn_cerebellum_get_param(CB, CCRNN_PARAM_LR, OD))     \
    X(cb_tensor_info_index_4, S_FRESH, E_ARG, ccrnn_cerebellum_tensor_info(CB, 4, &f->outs, OZ, OZ + 1, OZ + 2)) \
    X(cb_get_tensor_unknown, S_FRESH, E_ARG, ccrnn_cerebellum_get_tensor(CB, "weight_ih_l0", OUT, 40)) \
    X(cb_get_tensor_n_short, S_FRESH, E_SHAPE, ccrnn_cerebellum_get_tensor(CB, "0.weight", OUT, 39)) \
    X(cb_set_tensor_n_huge, S_FRESH, E_SHAPE, ccrnn_cerebellum_set_tensor(CB, "2.bias", IN, BIG)) \
    /* cerebellum NaN and Inf */                                                                   \
    X(cb_predict_nan_in, S_FRESH, E_NUM, ccrnn_cerebellum_predict(CB, B, NANB, NZ, NULL, 0, OUT, NZ)) \
    X(cb_predict_inf_in, S_FRESH, E_NUM, ccrnn_cerebellum_predict(CB, B, INFB, NZ, NULL, 0, OUT, NZ)) \
    X(cb_predict_nan_ctx, S_FRESH, E_NUM, ccrnn_cerebellum_predict(CBX, B, IN, 4, NANB, 2, OUT, 4)) \
    X(cb_learn_nan_in, S_PREDICTED, E_NUM, ccrnn_cerebellum_learn(CB, B, NANB, NZ, NULL, 0, IN, NZ, OD)) \
    X(cb_learn_nan_target, S_PREDICTED, E_NUM, ccrnn_cerebellum_learn(CB, B, IN, NZ, NULL, 0, NANB, NZ, OD)) \
    X(cb_learn_inf_target, S_PREDICTED, E_NUM, ccrnn_cerebellum_learn(CB, B, IN, NZ, NULL, 0, INFB, NZ, OD)) \
    X(cb_learn_inf_ctx, S_FRESH, E_NUM, ccrnn_cerebellum_learn(CBX, B, IN, 4, INFB, 2, IN, 4, OD))  \
    X(cb_set_tensor_nan, S_FRESH, E_NUM, ccrnn_cerebellum_set_tensor(CB, "0.weight", NANB, 40)) \
    X(cb_predict_overflow, S_FRESH, E_NUM, predict_overflow(f))                                     \
    /* synthetic-gradient glue */                                                                  \
    X(sg_null_cb, S_STEPPED, E_NULL, ccrnn_synthetic_gradient(NULL, CX, NULL, 0, 0.1, OUT, NZ))     \
    X(sg_null_cx, S_STEPPED, E_NULL, ccrnn_synthetic_gradient(CB, NULL, NULL, 0, 0.1, OUT, NZ))     \
    X(sg_null_dz, S_STEPPED, E_NULL, ccrnn_synthetic_gradient(CB, CX, NULL, 0, 0.1, NULL, NZ))      \
    X(sg_n_short, S_STEPPED, E_SHAPE, ccrnn_synthetic_gradient(CB, CX, NULL, 0, 0.1, OUT, NZ - 1))  \
    X(sg_n_huge, S_STEPPED, E_SHAPE, ccrnn_synthetic_gradient(CB, CX, NULL, 0, 0.1, OUT, BIG))      \
    X(sg_wrong_cerebellum, S_STEPPED, E_SHAPE, ccrnn_synthetic_gradient(CBX, CX, IN, 2, 0.1, OUT, NZ)) \
    X(sg_batch_over_cb, S_STEPPED, E_SHAPE, ccrnn_synthetic_gradient(CB1, CX, NULL, 0, 0.1, OUT, NZ)) \
    X(sg_scale_nan, S_STEPPED, E_ARG, ccrnn_synthetic_gradient(CB, CX, NULL, 0, NAN, OUT, NZ))      \
    X(sg_scale_inf, S_STEPPED, E_ARG, ccrnn_synthetic_gradient(CB, CX, NULL, 0, -INFINITY, OUT, NZ)) \
    X(sg_ctx_without_ctx, S_STEPPED, E_SHAPE, ccrnn_synthetic_gradient(CB, CX, IN, 2, 0.1, OUT, NZ)) \
    X(sgl_null_cb, S_BACKWARDED, E_NULL, ccrnn_synthetic_gradient_learn(NULL, CX, NULL, 0, IN, NZ, OD)) \
    X(sgl_null_cx, S_BACKWARDED, E_NULL, ccrnn_synthetic_gradient_learn(CB, NULL, NULL, 0, IN, NZ, OD)) \
    X(sgl_null_dz, S_BACKWARDED, E_NULL, ccrnn_synthetic_gradient_learn(CB, CX, NULL, 0, NULL, NZ, OD)) \
    X(sgl_n_long, S_BACKWARDED, E_SHAPE, ccrnn_synthetic_gradient_learn(CB, CX, NULL, 0, IN, NZ + 1, OD)) \
    X(sgl_wrong_cerebellum, S_BACKWARDED, E_SHAPE, ccrnn_synthetic_gradient_learn(CBX, CX, IN, 2, IN, NZ, OD)) \
    X(sgl_batch_over_cb, S_BACKWARDED, E_SHAPE, ccrnn_synthetic_gradient_learn(CB1, CX, NULL, 0, IN, NZ, OD)) \
    X(sgl_nan_dz, S_BACKWARDED, E_NUM, ccrnn_synthetic_gradient_learn(CB, CX, NULL, 0, NANB, NZ, OD)) \
    /* optimizer */                                                                                \
    X(opt_create_kind_3, S_FRESH, E_ARG, ccrnn_optimizer_create(3, &f->outopt))                     \
    X(opt_create_kind_neg, S_FRESH, E_ARG, ccrnn_optimizer_create(-1, &f->outopt))                  \
    X(opt_create_null_out, S_FRESH, E_NULL, ccrnn_optimizer_create(CCRNN_OPT_ADAM, NULL))           \
    X(opt_set_param_null, S_FRESH, E_NULL, ccrnn_optimizer_set_param(NULL, CCRNN_PARAM_LR, 0.1))    \
    X(opt_get_param_null, S_FRESH, E_NULL, ccrnn_optimizer_get_param(NULL, CCRNN_PARAM_LR, OD))     \
    X(opt_get_param_null_value, S_FRESH, E_NULL, ccrnn_optimizer_get_param(OPT, CCRNN_PARAM_LR, NULL)) \
    X(opt_add_cortex_null, S_FRESH, E_NULL, ccrnn_optimizer_add_cortex(NULL, CX, OZ))               \
    X(opt_add_cortex_null_cx, S_FRESH, E_NULL, ccrnn_optimizer_add_cortex(OPT, NULL, OZ))           \
    X(opt_add_cortex_twice, S_FRESH, E_ARG, ccrnn_optimizer_add_cortex(OPT, CX, OZ))                \
    X(opt_add_cerebellum_null, S_FRESH, E_NULL, ccrnn_optimizer_add_cerebellum(NULL, CB, OZ))       \
    X(opt_add_cerebellum_null_cb, S_FRESH, E_NULL, ccrnn_optimizer_add_cerebellum(OPT, NULL, OZ))   \
    X(opt_add_cerebellum_twice, S_FRESH, E_ARG, ccrnn_optimizer_add_cerebellum(OPT, CB, OZ))        \
    X(opt_add_params_null, S_FRESH, E_NULL, ccrnn_optimizer_add_params(NULL, IN, OUT, 4, OZ))       \
    X(opt_add_params_null_values, S_FRESH, E_NULL, ccrnn_optimizer_add_params(OPT, NULL, OUT, 4, OZ)) \
    X(opt_add_params_null_grads, S_FRESH, E_NULL, ccrnn_optimizer_add_params(OPT, IN, NULL, 4, OZ)) \
    X(opt_add_params_count_0, S_FRESH, E_ARG, ccrnn_optimizer_add_params(OPT, IN, OUT, 0, OZ))      \
    X(opt_add_params_twice, S_FRESH, E_ARG, ccrnn_optimizer_add_params(OPT, f->hostv, f->hostg, 4, OZ)) \
    X(opt_add_params_huge, S_FRESH, E_NOMEM, ccrnn_optimizer_add_params(OPT, IN, OUT, BIG, OZ))     \
    X(opt_set_group_null, S_FRESH, E_NULL, ccrnn_optimizer_set_group_param(NULL, 0, CCRNN_GROUP_FROZEN, 1)) \
    X(opt_set_group_index_3, S_FRESH, E_ARG, ccrnn_optimizer_set_group_param(OPT, 3, CCRNN_GROUP_FROZEN, 1)) \
    X(opt_set_group_index_huge, S_FRESH, E_ARG, ccrnn_optimizer_set_group_param(OPT, BIG, CCRNN_GROUP_FROZEN, 1)) \
    X(opt_set_group_param_unknown, S_FRESH, E_ARG, ccrnn_optimizer_set_group_param(OPT, 0, 7, 1))   \
    X(opt_set_group_frozen_2, S_FRESH, E_ARG, ccrnn_optimizer_set_group_param(OPT, 0, CCRNN_GROUP_FROZEN, 2)) \
    X(opt_set_group_scale_neg, S_FRESH, E_ARG, ccrnn_optimizer_set_group_param(OPT, 0, CCRNN_GROUP_LR_SCALE, -1)) \
    X(opt_set_group_scale_nan, S_FRESH, E_ARG, ccrnn_optimizer_set_group_param(OPT, 0, CCRNN_GROUP_LR_SCALE, NAN)) \
    X(opt_set_group_scale_inf, S_FRESH, E_ARG, ccrnn_optimizer_set_group_param(OPT, 0, CCRNN_GROUP_LR_SCALE, INFINITY)) \
    X(opt_get_group_null, S_FRESH, E_NULL, ccrnn_optimizer_get_group_param(NULL, 0, CCRNN_GROUP_FROZEN, OD)) \
    X(opt_get_group_null_value, S_FRESH, E_NULL, ccrnn_optimizer_get_group_param(OPT, 0, CCRNN_GROUP_FROZEN, NULL)) \
    X(opt_get_group_index_3, S_FRESH, E_ARG, ccrnn_optimizer_get_group_param(OPT, 3, CCRNN_GROUP_FROZEN, OD)) \
    X(opt_get_group_param_unknown, S_FRESH, E_ARG, ccrnn_optimizer_get_group_param(OPT, 0, -1, OD)) \
    X(opt_set_param_unknown, S_FRESH, E_ARG, ccrnn_optimizer_set_param(OPT, 999, 1))                \
    X(opt_set_param_cortex_param, S_FRESH, E_ARG, ccrnn_optimizer_set_param(OPT, CCRNN_PARAM_TRAINING, 1)) \
    X(opt_set_param_threads, S_FRESH, E_ARG, ccrnn_optimizer_set_param(OPT, CCRNN_PARAM_THREADS, 2)) \
    X(opt_set_param_grad_norm_ro, S_FRESH, E_ARG, ccrnn_optimizer_set_param(OPT, CCRNN_PARAM_GRAD_NORM, 1)) \
    X(opt_set_param_steps_ro, S_FRESH, E_ARG, ccrnn_optimizer_set_param(OPT, CCRNN_PARAM_STEPS, 1)) \
    X(opt_set_param_lr_neg, S_FRESH, E_ARG, ccrnn_optimizer_set_param(OPT, CCRNN_PARAM_LR, -1e-3))  \
    X(opt_set_param_lr_nan, S_FRESH, E_ARG, ccrnn_optimizer_set_param(OPT, CCRNN_PARAM_LR, NAN))    \
    X(opt_set_param_lr_inf, S_FRESH, E_ARG, ccrnn_optimizer_set_param(OPT, CCRNN_PARAM_LR, INFINITY)) \
    X(opt_set_param_beta1_1, S_FRESH, E_ARG, ccrnn_optimizer_set_param(OPT, CCRNN_PARAM_BETA1, 1.0)) \
    X(opt_set_param_beta2_neg, S_FRESH, E_ARG, ccrnn_optimizer_set_param(OPT, CCRNN_PARAM_BETA2, -0.5)) \
    X(opt_set_param_eps_0, S_FRESH, E_ARG, ccrnn_optimizer_set_param(OPT, CCRNN_PARAM_EPS, 0))      \
    X(opt_set_param_eps_nan, S_FRESH, E_ARG, ccrnn_optimizer_set_param(OPT, CCRNN_PARAM_EPS, NAN))  \
    X(opt_set_param_momentum_2, S_FRESH, E_ARG, ccrnn_optimizer_set_param(OPT, CCRNN_PARAM_MOMENTUM, 2)) \
    X(opt_set_param_alpha_nan, S_FRESH, E_ARG, ccrnn_optimizer_set_param(OPT, CCRNN_PARAM_ALPHA, NAN)) \
    X(opt_set_param_decay_neg, S_FRESH, E_ARG, ccrnn_optimizer_set_param(OPT, CCRNN_PARAM_WEIGHT_DECAY, -1)) \
    X(opt_set_param_clip_neg, S_FRESH, E_ARG, ccrnn_optimizer_set_param(OPT, CCRNN_PARAM_CLIP_NORM, -1)) \
    X(opt_set_param_clip_inf, S_FRESH, E_ARG, ccrnn_optimizer_set_param(OPT, CCRNN_PARAM_CLIP_NORM, INFINITY)) \
    X(opt_get_param_unknown, S_FRESH, E_ARG, ccrnn_optimizer_get_param(OPT, CCRNN_PARAM_ABLATED, OD)) \
    X(opt_step_null, S_FRESH, E_NULL, ccrnn_optimizer_step(NULL))                                   \
    X(opt_step_nan_grad, S_NAN_GRAD, E_NUM, ccrnn_optimizer_step(OPT))                              \
    X(opt_step_inf_grad, S_INF_GRAD, E_NUM, ccrnn_optimizer_step(OPT))                              \
    X(opt_zero_grad_null, S_FRESH, E_NULL, ccrnn_optimizer_zero_grad(NULL))                         \
    /* losses */                                                                                   \
    X(mse_null_y, S_FRESH, E_NULL, ccrnn_loss_mse(NULL, IN, 4, 2, NULL, 0, 0, OUT, OD))             \
    X(mse_null_target, S_FRESH, E_NULL, ccrnn_loss_mse(IN, NULL, 4, 2, NULL, 0, 0, OUT, OD))        \
    X(mse_null_mask_with_len, S_FRESH, E_NULL, ccrnn_loss_mse(IN, IN, 4, 2, NULL, 2, 0, OUT, OD))   \
    X(mse_n_0, S_FRESH, E_SHAPE, ccrnn_loss_mse(IN, IN, 0, 2, NULL, 0, 0, OUT, OD))                 \
    X(mse_dim_0, S_FRESH, E_SHAPE, ccrnn_loss_mse(IN, IN, 4, 0, NULL, 0, 0, OUT, OD))               \
    X(mse_n_not_multiple, S_FRESH, E_SHAPE, ccrnn_loss_mse(IN, IN, 5, 2, NULL, 0, 0, OUT, OD))      \
    X(mse_dim_huge, S_FRESH, E_SHAPE, ccrnn_loss_mse(IN, IN, 4, BIG, NULL, 0, 0, OUT, OD))          \
    X(mse_mask_short, S_FRESH, E_SHAPE, ccrnn_loss_mse(IN, IN, 4, 2, IN, 1, 0, OUT, OD))            \
    X(mse_mask_huge, S_FRESH, E_SHAPE, ccrnn_loss_mse(IN, IN, 4, 2, IN, BIG, 0, OUT, OD))           \
    X(mse_denom_neg, S_FRESH, E_ARG, ccrnn_loss_mse(IN, IN, 4, 2, NULL, 0, -1, OUT, OD))            \
    X(mse_denom_nan, S_FRESH, E_ARG, ccrnn_loss_mse(IN, IN, 4, 2, NULL, 0, NAN, OUT, OD))           \
    X(mse_denom_inf, S_FRESH, E_ARG, ccrnn_loss_mse(IN, IN, 4, 2, NULL, 0, INFINITY, OUT, OD))      \
    X(mse_nan_y, S_FRESH, E_NUM, ccrnn_loss_mse(NANB, IN, 4, 2, NULL, 0, 0, OUT, OD))               \
    X(mse_inf_target, S_FRESH, E_NUM, ccrnn_loss_mse(IN, INFB, 4, 2, NULL, 0, 0, OUT, OD))          \
    X(mse_nan_mask, S_FRESH, E_NUM, ccrnn_loss_mse(IN, IN, 4, 2, NANB, 2, 0, OUT, OD))              \
    X(xent_null_logits, S_FRESH, E_NULL, ccrnn_loss_softmax_xent(NULL, 4, 2, f->labels, 2, 0, OUT, OD, OZ)) \
    X(xent_null_labels, S_FRESH, E_NULL, ccrnn_loss_softmax_xent(IN, 4, 2, NULL, 2, 0, OUT, OD, OZ)) \
    X(xent_classes_0, S_FRESH, E_SHAPE, ccrnn_loss_softmax_xent(IN, 4, 0, f->labels, 2, 0, OUT, OD, OZ)) \
    X(xent_n_0, S_FRESH, E_SHAPE, ccrnn_loss_softmax_xent(IN, 0, 2, f->labels, 0, 0, OUT, OD, OZ))  \
    X(xent_n_not_multiple, S_FRESH, E_SHAPE, ccrnn_loss_softmax_xent(IN, 5, 2, f->labels, 2, 0, OUT, OD, OZ)) \
    X(xent_labels_short, S_FRESH, E_SHAPE, ccrnn_loss_softmax_xent(IN, 4, 2, f->labels, 1, 0, OUT, OD, OZ)) \
    X(xent_labels_huge, S_FRESH, E_SHAPE, ccrnn_loss_softmax_xent(IN, 4, 2, f->labels, BIG, 0, OUT, OD, OZ)) \
    X(xent_label_too_big, S_FRESH, E_ARG, ccrnn_loss_softmax_xent(IN, 8, 2, f->labels + 4, 4, 0, OUT, OD, OZ)) \
    X(xent_denom_neg, S_FRESH, E_ARG, ccrnn_loss_softmax_xent(IN, 4, 2, f->labels, 2, -2, OUT, OD, OZ)) \
    X(xent_denom_nan, S_FRESH, E_ARG, ccrnn_loss_softmax_xent(IN, 4, 2, f->labels, 2, NAN, OUT, OD, OZ)) \
    X(xent_nan_logits, S_FRESH, E_NUM, ccrnn_loss_softmax_xent(NANB, 4, 2, f->labels, 2, 0, OUT, OD, OZ)) \
    X(xent_inf_logits, S_FRESH, E_NUM, ccrnn_loss_softmax_xent(INFB, 4, 2, f->labels, 2, 0, OUT, OD, OZ)) \
    /* checkpoints */                                                                              \
    X(ck_cx_save_mem_null, S_FRESH, E_NULL, ccrnn_cortex_save_mem(NULL, OUT, sizeof f->out, OZ))    \
    X(ck_cx_save_mem_null_size, S_FRESH, E_NULL, ccrnn_cortex_save_mem(CX, OUT, sizeof f->out, NULL)) \
    X(ck_cx_save_mem_null_buf_cap, S_FRESH, E_NULL, ccrnn_cortex_save_mem(CX, NULL, 8, OZ))         \
    X(ck_cx_save_mem_small, S_FRESH, E_SHAPE, ccrnn_cortex_save_mem(CX, OUT, 16, OZ + 3))           \
    X(ck_cx_save_null_path, S_FRESH, E_NULL, ccrnn_cortex_save(CX, NULL))                           \
    X(ck_cx_save_null, S_FRESH, E_NULL, ccrnn_cortex_save(NULL, "/tmp/never-written.ckpt"))         \
    X(ck_cx_save_bad_dir, S_FRESH, E_IO, ccrnn_cortex_save(CX, "/nonexistent-dir/x.ckpt"))          \
    X(ck_cx_load_null_path, S_FRESH, E_NULL, ccrnn_cortex_load(NULL, &f->outcx))                    \
    X(ck_cx_load_null_out, S_FRESH, E_NULL, ccrnn_cortex_load("/tmp/x.ckpt", NULL))                 \
    X(ck_cx_load_missing, S_FRESH, E_IO, ccrnn_cortex_load("/nonexistent-dir/x.ckpt", &f->outcx))  \
    X(ck_cx_load_mem_null, S_FRESH, E_NULL, ccrnn_cortex_load_mem(NULL, 100, &f->outcx))            \
    X(ck_cx_load_mem_null_out, S_FRESH, E_NULL, ccrnn_cortex_load_mem(f->ck, f->ck_n, NULL))        \
    X(ck_cx_load_mem_size_0, S_FRESH, E_FORMAT, ccrnn_cortex_load_mem(f->ck, 0, &f->outcx))         \
    X(ck_cx_load_mem_short, S_FRESH, E_FORMAT, ccrnn_cortex_load_mem(f->ck, f->ck_n - 1, &f->outcx)) \
    X(ck_cx_load_mem_floats, S_FRESH, E_FORMAT, ccrnn_cortex_load_mem(IN, sizeof f->in, &f->outcx)) \
    X(ck_cb_save_mem_null, S_FRESH, E_NULL, ccrnn_cerebellum_save_mem(NULL, OUT, sizeof f->out, OZ)) \
    X(ck_cb_save_mem_small, S_FRESH, E_SHAPE, ccrnn_cerebellum_save_mem(CB, OUT, 31, OZ + 3))       \
    X(ck_cb_save_null_path, S_FRESH, E_NULL, ccrnn_cerebellum_save(CB, NULL))                       \
    X(ck_cb_load_null_out, S_FRESH, E_NULL, ccrnn_cerebellum_load("/tmp/x.ckpt", NULL))             \
    X(ck_cb_load_mem_cortex, S_FRESH, E_MISMATCH, ccrnn_cerebellum_load_mem(f->ck, f->ck_n, &f->outcb)) \
    X(ck_cb_load_mem_null, S_FRESH, E_NULL, ccrnn_cerebellum_load_mem(NULL, 8, &f->outcb))          \
    X(ck_opt_save_mem_null, S_FRESH, E_NULL, ccrnn_optimizer_save_mem(NULL, OUT, sizeof f->out, OZ)) \
    X(ck_opt_save_mem_small, S_FRESH, E_SHAPE, ccrnn_optimizer_save_mem(OPT, OUT, 1, OZ + 3))       \
    X(ck_opt_save_null_path, S_FRESH, E_NULL, ccrnn_optimizer_save(OPT, NULL))                      \
    X(ck_opt_load_null, S_FRESH, E_NULL, ccrnn_optimizer_load(NULL, "/tmp/x.ckpt"))                 \
    X(ck_opt_load_null_path, S_FRESH, E_NULL, ccrnn_optimizer_load(OPT, NULL))                      \
    X(ck_opt_load_missing, S_FRESH, E_IO, ccrnn_optimizer_load(OPT, "/nonexistent-dir/x.ckpt"))    \
    X(ck_opt_load_mem_null, S_FRESH, E_NULL, ccrnn_optimizer_load_mem(NULL, f->ck, f->ck_n))        \
    X(ck_opt_load_mem_null_buf, S_FRESH, E_NULL, ccrnn_optimizer_load_mem(OPT, NULL, 10))           \
    X(ck_opt_load_mem_cortex, S_FRESH, E_MISMATCH, ccrnn_optimizer_load_mem(OPT, f->ck, f->ck_n))

/* ---- helpers used by the table ----------------------------------------------------- */

static int strerror_all_named(void)
{
    for (int s = 0; s <= CCRNN_ERR_MISMATCH; s++)
        if (!ccrnn_strerror(s) || strcmp(ccrnn_strerror(s), ccrnn_strerror(-1)) == 0) return -1;
    return OK;
}

/* A finite but huge window-end gradient that overflows float arithmetic inside BPTT. */
static int backward_overflow(fx *f)
{
    float big[NZ];
    for (int i = 0; i < NZ; i++) big[i] = 3e38f;
    return ccrnn_cortex_backward(f->cx, big, NZ, f->out, NZ);
}

/* Finite weights so large that the readout overflows to Inf: a tanh cortex whose
 * hidden state is tanh(1) > 0 everywhere and whose readout weights and bias are 3e38.
 * The step must not be taken and y must not be written. */
static int forward_overflow(fx *f)
{
    float zero[BUF] = {0}, one[BUF], huge[BUF];
    for (int i = 0; i < BUF; i++) {
        one[i] = 1.0f;
        huge[i] = 3e38f;
    }
    ccrnn_cortex *cx;
    if (ccrnn_cortex_create(CCRNN_CELL_TANH, I, H, O, 3, 2, 1, &cx)) return -1;
    int st = ccrnn_cortex_reset(cx, B);
    if (!st) st = ccrnn_cortex_set_tensor(cx, "weight_ih_l0", zero, H * I);
    if (!st) st = ccrnn_cortex_set_tensor(cx, "weight_hh_l0", zero, H * H);
    if (!st) st = ccrnn_cortex_set_tensor(cx, "bias_ih_l0", one, H);
    if (!st) st = ccrnn_cortex_set_tensor(cx, "bias_hh_l0", zero, H);
    if (!st) st = ccrnn_cortex_set_tensor(cx, "readout.weight", huge, O * H);
    if (!st) st = ccrnn_cortex_set_tensor(cx, "readout.bias", huge, O);
    if (st) {
        ccrnn_cortex_destroy(cx);
        return -1;
    }
    st = ccrnn_cortex_forward(cx, f->in, NX, f->out, NY);
    size_t steps = 99;
    ccrnn_cortex_window_length(cx, &steps);
    ccrnn_cortex_destroy(cx);
    return steps == 0 ? st : -1;
}

/* A cerebellum whose hidden units are all 3e38 (zero input weights, huge bias) and whose
 * output weights are 3e38: the prediction overflows from finite input. */
static int predict_overflow(fx *f)
{
    float zero[40] = {0}, huge[40];
    for (int i = 0; i < 40; i++) huge[i] = 3e38f;
    ccrnn_cerebellum *copy;
    if (ccrnn_cerebellum_clone(f->cb, &copy)) return -1;
    int st = ccrnn_cerebellum_set_tensor(copy, "0.weight", zero, 40);
    if (!st) st = ccrnn_cerebellum_set_tensor(copy, "0.bias", huge, 5);
    if (!st) st = ccrnn_cerebellum_set_tensor(copy, "2.weight", huge, 40);
    if (!st) st = ccrnn_cerebellum_predict(copy, B, f->in, NZ, NULL, 0, f->out, NZ);
    ccrnn_cerebellum_destroy(copy);
    return st;
}

enum case_id {
#define X(name, setup, want, expr) C_##name,
    CASES(X)
#undef X
    N_CASES
};

typedef struct case_info {
    const char *name;
    int setup, want;
} case_info;

static const case_info cases[N_CASES] = {
#define X(name, setup, want, expr) {#name, setup, want},
    CASES(X)
#undef X
};

static int run_case(int id, fx *f)
{
    switch (id) {
#define X(name, setup, want, expr) case C_##name: return (expr);
        CASES(X)
#undef X
    default: return -1;
    }
}

/* ---- fixtures ---------------------------------------------------------------------- */

static void fx_create(fx *f)
{
    memset(f, 0, sizeof *f);
    MUST(ccrnn_cortex_create(CCRNN_CELL_LSTM, I, H, O, 3, 2, 7, &f->cx));
    MUST(ccrnn_cortex_reset(f->cx, B));
    MUST(ccrnn_cerebellum_create(Z, 0, Z, 1, 5, 3, 8, 0, &f->cb));
    MUST(ccrnn_cerebellum_create(2, 1, 2, 1, 3, 3, 9, 0, &f->cbx));
    MUST(ccrnn_cerebellum_create(Z, 0, Z, 1, 5, 1, 10, 0, &f->cb1));
    MUST(ccrnn_cerebellum_set_fibres(f->cb, 5, 3));
    /* Non-zero last layers, so predictions and their gradients are not trivially 0. */
    float w[40];
    ts_rng s = {77};
    for (int i = 0; i < 40; i++) w[i] = (float)ts_rng_uniform(&s, -0.5, 0.5);
    MUST(ccrnn_cerebellum_set_tensor(f->cb, "2.weight", w, 40));
    MUST(ccrnn_cerebellum_set_tensor(f->cbx, "2.weight", w, 6));
    MUST(ccrnn_optimizer_create(CCRNN_OPT_ADAM, &f->opt));
    MUST(ccrnn_optimizer_add_cortex(f->opt, f->cx, NULL));
    MUST(ccrnn_optimizer_add_cerebellum(f->opt, f->cb, NULL));
    for (int i = 0; i < 4; i++) f->hostv[i] = 0.25f * (float)(i + 1);
    MUST(ccrnn_optimizer_add_params(f->opt, f->hostv, f->hostg, 4, NULL));
    for (int i = 0; i < BUF; i++) {
        f->in[i] = (float)ts_rng_uniform(&s, -1.0, 1.0);
        f->nanb[i] = f->infb[i] = f->in[i];
    }
    /* One non-finite value early (index 1) and more further on. */
    for (int i = 1; i < BUF; i += 7) f->nanb[i] = NAN;
    for (int i = 1; i < BUF; i += 5) f->infb[i] = INFINITY;
    static const int32_t labels[8] = {0, 1, 1, -1, 0, 1, 2, 0}; /* [4..7]: 2 is out of range */
    memcpy(f->labels, labels, sizeof labels);
    f->ck = rel_save_cortex(f->cx, &f->ck_n);
}

static void fx_destroy(fx *f)
{
    ccrnn_optimizer_destroy(f->opt);
    ccrnn_cerebellum_destroy(f->cb);
    ccrnn_cerebellum_destroy(f->cbx);
    ccrnn_cerebellum_destroy(f->cb1);
    ccrnn_cortex_destroy(f->cx);
    free(f->ck);
}

static void step(fx *f)
{
    MUST(ccrnn_cortex_forward(f->cx, f->in, NX, f->out, NY));
    size_t t;
    MUST(ccrnn_cortex_window_length(f->cx, &t));
    MUST(ccrnn_cortex_output_grad(f->cx, t - 1, f->in + 10, NY));
}

static void fx_setup(fx *f, int setup)
{
    switch (setup) {
    case S_STEPPED: step(f); break;
    case S_FULL: step(f); step(f); break;
    case S_BACKWARDED:
        step(f);
        MUST(ccrnn_cortex_backward(f->cx, f->in + 20, NZ, f->out, NZ));
        break;
    case S_INFER:
        MUST(ccrnn_cortex_set_param(f->cx, CCRNN_PARAM_TRAINING, 0));
        MUST(ccrnn_cortex_forward(f->cx, f->in, NX, f->out, NY));
        break;
    case S_NAN_GRAD: f->hostg[1] = NAN; break;
    case S_INF_GRAD:
        step(f);
        MUST(ccrnn_cortex_backward(f->cx, NULL, 0, NULL, 0));
        f->hostg[2] = -INFINITY;
        break;
    case S_PREDICTED:
        MUST(ccrnn_cerebellum_predict(f->cb, B, f->in, NZ, NULL, 0, f->out, NZ));
        break;
    default: break;
    }
}

static void fill_outputs(fx *f)
{
    for (int i = 0; i < BUF; i++) f->out[i] = SENT_F;
    f->outd[0] = f->outd[1] = SENT_D;
    for (int i = 0; i < 4; i++) f->outz[i] = SENT_Z;
    f->outs = SENT_P;
    f->outp[0] = f->outp[1] = SENT_P;
    f->outcx = SENT_P;
    f->outcb = SENT_P;
    f->outopt = SENT_P;
}

/* 1 when no output was written.  outz[3] receives save_mem's required size, which the
 * header documents as written on SHAPE; it is not checked. */
static int outputs_untouched(const fx *f)
{
    for (int i = 0; i < BUF; i++)
        if (memcmp(&f->out[i], &(float){SENT_F}, sizeof(float))) return 0;
    return f->outd[0] == SENT_D && f->outd[1] == SENT_D && f->outz[0] == SENT_Z &&
           f->outz[1] == SENT_Z && f->outz[2] == SENT_Z && f->outs == SENT_P &&
           f->outp[0] == SENT_P && f->outp[1] == SENT_P && f->outcx == SENT_P &&
           f->outcb == SENT_P && f->outopt == SENT_P;
}

/* Free any handle a call created (a failed call must not have created one). */
static int release_outputs(fx *f)
{
    int created = 0;
    if (f->outcx != SENT_P) { ccrnn_cortex_destroy(f->outcx); created = 1; }
    if (f->outcb != SENT_P) { ccrnn_cerebellum_destroy(f->outcb); created = 1; }
    if (f->outopt != SENT_P) { ccrnn_optimizer_destroy(f->outopt); created = 1; }
    f->outcx = SENT_P;
    f->outcb = SENT_P;
    f->outopt = SENT_P;
    return created;
}

/* Everything observable about a fixture's objects, as bytes. */
typedef struct snapshot {
    unsigned char *part[5];
    size_t n[5];
    float hostv[4], hostg[4];
    size_t window;
    double training;
} snapshot;

static void take_snapshot(fx *f, snapshot *s)
{
    s->part[0] = rel_save_cortex(f->cx, &s->n[0]);
    s->part[1] = rel_save_cerebellum(f->cb, &s->n[1]);
    s->part[2] = rel_save_cerebellum(f->cbx, &s->n[2]);
    s->part[3] = rel_save_cerebellum(f->cb1, &s->n[3]);
    s->part[4] = rel_save_optimizer(f->opt, &s->n[4]);
    memcpy(s->hostv, f->hostv, sizeof s->hostv);
    memcpy(s->hostg, f->hostg, sizeof s->hostg);
    MUST(ccrnn_cortex_window_length(f->cx, &s->window));
    MUST(ccrnn_cortex_get_param(f->cx, CCRNN_PARAM_TRAINING, &s->training));
}

static void free_snapshot(snapshot *s)
{
    for (int i = 0; i < 5; i++) free(s->part[i]);
}

static int same_snapshot(fx *a, fx *b)
{
    snapshot sa, sb;
    take_snapshot(a, &sa);
    take_snapshot(b, &sb);
    int same = sa.window == sb.window && sa.training == sb.training &&
               memcmp(sa.hostv, sb.hostv, sizeof sa.hostv) == 0 &&
               memcmp(sa.hostg, sb.hostg, sizeof sa.hostg) == 0;
    for (int i = 0; i < 5; i++)
        same = same && ts_same_bytes(sa.part[i], sa.n[i], sb.part[i], sb.n[i]);
    free_snapshot(&sa);
    free_snapshot(&sb);
    return same;
}

/* Continue the current window: backpropagate whatever it holds (STATE if nothing). */
static int smoke(fx *f, float *dz_start)
{
    for (int i = 0; i < NZ; i++) dz_start[i] = 0.0f;
    return ccrnn_cortex_backward(f->cx, f->in + 30, NZ, dz_start, NZ);
}

/* One full training step (docs/model.md §learning procedure) with every object.
 * Statuses go to st[];
 * returns how many were written. */
static int smoke_train(fx *f, int *st)
{
    int k = 0;
    float dz[NZ], dzs[NZ], y[NY], dy[NY], p[4];
    st[k++] = ccrnn_optimizer_zero_grad(f->opt);
    st[k++] = ccrnn_cortex_set_param(f->cx, CCRNN_PARAM_TRAINING, 1);
    st[k++] = ccrnn_cortex_reset(f->cx, B);
    st[k++] = ccrnn_cortex_begin_window(f->cx);
    st[k++] = ccrnn_cortex_forward(f->cx, f->in, NX, y, NY);
    st[k++] = ccrnn_loss_mse(y, f->in + 40, NY, O, NULL, 0, 0, dy, NULL);
    st[k++] = ccrnn_cortex_output_grad(f->cx, 0, dy, NY);
    st[k++] = ccrnn_synthetic_gradient(f->cb, f->cx, NULL, 0, 0.1, dz, NZ);
    st[k++] = ccrnn_cortex_backward(f->cx, dz, NZ, dzs, NZ);
    st[k++] = ccrnn_synthetic_gradient_learn(f->cb, f->cx, NULL, 0, dzs, NZ, NULL);
    st[k++] = ccrnn_cerebellum_learn(f->cbx, B, f->in, 4, f->in + 4, 2, f->in + 8, 4, NULL);
    st[k++] = ccrnn_cerebellum_predict(f->cbx, B, f->in, 4, f->in + 4, 2, p, 4);
    st[k++] = ccrnn_cerebellum_predict(f->cb1, 1, f->in, Z, NULL, 0, dz, Z);
    st[k++] = ccrnn_optimizer_step(f->opt);
    return k;
}

static void run_one(int id)
{
    const case_info *c = &cases[id];
    fx a, b;
    fx_create(&a);
    fx_create(&b);
    fx_setup(&a, c->setup);
    fx_setup(&b, c->setup);
    fill_outputs(&a);
    fill_outputs(&b);
    int st = run_case(id, &a);
    if (c->want == CCRNN_OK) run_case(id, &b); /* a valid call happens on both */
    CHECK(st == c->want, "%s: status %d (%s), documented %d (%s); message: %s", c->name, st,
          st >= 0 ? ccrnn_strerror(st) : "check failed", c->want, ccrnn_strerror(c->want),
          ccrnn_last_error());
    if (c->want != CCRNN_OK) {
        CHECK(outputs_untouched(&a), "%s: the failed call wrote to an output", c->name);
        CHECK(strlen(ccrnn_last_error()) > 0, "%s: no error message", c->name);
    }
    CHECK(!release_outputs(&a) || c->want == CCRNN_OK, "%s: a failed call created a handle",
          c->name);
    release_outputs(&b);
    CHECK(same_snapshot(&a, &b), "%s: the call changed a handle", c->name);
    /* The handles still work, and identically: continue the window, then train. */
    int sa[32], sb[32];
    float za[NZ], zb[NZ];
    int ca = smoke(&a, za), cb = smoke(&b, zb);
    CHECK(ca == cb && memcmp(za, zb, sizeof za) == 0 && same_snapshot(&a, &b),
          "%s: continuing the window differs after the failed call", c->name);
    int ka = smoke_train(&a, sa), kb = smoke_train(&b, sb), all_ok = ka == kb;
    for (int i = 0; i < ka; i++) all_ok = all_ok && sa[i] == CCRNN_OK && sb[i] == CCRNN_OK;
    CHECK(all_ok, "%s: a valid training step fails afterwards (last error: %s)", c->name,
          ccrnn_last_error());
    CHECK(same_snapshot(&a, &b), "%s: training after the call gives different results", c->name);
    fx_destroy(&a);
    fx_destroy(&b);
}

int main(int argc, char **argv)
{
    int only = -1;
    if (argc > 1)
        for (int i = 0; i < N_CASES; i++)
            if (strcmp(argv[1], cases[i].name) == 0) only = i;
    for (int i = 0; i < N_CASES; i++)
        if (only < 0 || only == i) run_one(i);
    printf("%d bad-input cases over the public API\n", only < 0 ? N_CASES : 1);
    return rel_summary("test-badinput");
}
