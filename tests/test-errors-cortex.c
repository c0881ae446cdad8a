/* Error paths of every cortex function: NULL -> CCRNN_ERR_NULL, wrong lengths ->
 * SHAPE, bad values -> ARG, wrong call order -> STATE, NaN/Inf -> NUMERIC.  Each failed
 * call leaves the cortex unchanged (every observable compared before and after; at the
 * end the cortex must behave bit-identically to a clone taken before the failures) and
 * writes nothing into output buffers (pre-filled with a sentinel). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "test-errors.h"

enum { I = 2, H = 3, O = 2, Z = 2 * H, MAXB = 3, MAXT = 3, B = 2 };

/* The message of a NULL dy/dh names the argument (once a bug: it said 'd'). */
#define DY_NAME "'dy'"
#define DH_NAME "'dh'"

static ccrnn_cortex *cx, *ref;
static float x[B * I], y[MAXB * O], z[MAXB * Z], big[1024];

/* An LSTM mid-window: batch 2 of 3, a random start state, one step with its output
 * gradient recorded.  ref is its clone. */
static void setup(void)
{
    ts_rng rng;
    ts_rng_seed(&rng, 2024);
    ck_assert_int_eq(ccrnn_cortex_create(CCRNN_CELL_LSTM, I, H, O, MAXB, MAXT, 7, &cx), 0);
    ck_assert_int_eq(ccrnn_cortex_reset(cx, B), 0);
    ts_rng_fill(&rng, z, B * Z, -0.5, 0.5);
    ts_rng_fill(&rng, x, B * I, -1, 1);
    ck_assert_int_eq(ccrnn_cortex_set_state(cx, z, B * Z), 0);
    ck_assert_int_eq(ccrnn_cortex_forward(cx, x, B * I, y, B * O), 0);
    ck_assert_int_eq(ccrnn_cortex_output_grad(cx, 0, y, B * O), 0);
    ck_assert_int_eq(ccrnn_cortex_clone(cx, &ref), 0);
    fill_sentinel(big, 1024);
}

static void teardown(void)
{
    ccrnn_cortex_destroy(cx);
    ccrnn_cortex_destroy(ref);
    cx = ref = NULL;
}

/* ---- create, NULL handles ------------------------------------------------------------- */

START_TEST(test_create)
{
    ccrnn_cortex *out = (ccrnn_cortex *)&out; /* a value create must not overwrite */
    ccrnn_cortex *const mark = out;
    EXPECT_ERR(ccrnn_cortex_create(CCRNN_CELL_LSTM, 1, 1, 1, 1, 1, 0, NULL), CCRNN_ERR_NULL, "'out'");
    EXPECT_ERR(ccrnn_cortex_create(3, 1, 1, 1, 1, 1, 0, &out), CCRNN_ERR_ARG, "cell");
    EXPECT_ERR(ccrnn_cortex_create(-1, 1, 1, 1, 1, 1, 0, &out), CCRNN_ERR_ARG, "cell");
    EXPECT_ERR(ccrnn_cortex_create(CCRNN_CELL_LSTM, 0, 1, 1, 1, 1, 0, &out), CCRNN_ERR_ARG, "n_in 0");
    EXPECT_ERR(ccrnn_cortex_create(CCRNN_CELL_TANH, 1, 0, 1, 1, 1, 0, &out), CCRNN_ERR_ARG, "n_hidden 0");
    EXPECT_ERR(ccrnn_cortex_create(CCRNN_CELL_GRU, 1, 1, 0, 1, 1, 0, &out), CCRNN_ERR_ARG, "n_out 0");
    EXPECT_ERR(ccrnn_cortex_create(CCRNN_CELL_LSTM, 1, 1, 1, 0, 1, 0, &out), CCRNN_ERR_ARG, "max_batch 0");
    EXPECT_ERR(ccrnn_cortex_create(CCRNN_CELL_LSTM, 1, 1, 1, 1, 0, 0, &out), CCRNN_ERR_ARG, "max_window 0");
    /* An absurd size is refused up front rather than attempted. */
    int st = ccrnn_cortex_create(CCRNN_CELL_LSTM, 1, (size_t)1 << 40, 1, 1, 1, 0, &out);
    ck_assert(st == CCRNN_ERR_ARG || st == CCRNN_ERR_NOMEM);
    st = ccrnn_cortex_create(CCRNN_CELL_LSTM, 1, 1, 1, (size_t)-1, (size_t)-1, 0, &out);
    ck_assert(st == CCRNN_ERR_ARG || st == CCRNN_ERR_NOMEM);
    ck_assert_ptr_eq(out, mark);
    ccrnn_cortex_destroy(NULL);
    EXPECT_ERR(ccrnn_cortex_clone(NULL, &out), CCRNN_ERR_NULL, NULL);
    ck_assert_ptr_eq(out, mark);
}
END_TEST

START_TEST(test_null_handle)
{
    double v = -3;
    size_t n = 77;
    int cell = -5;
    const char *name = NULL;
    ccrnn_cortex *out = NULL;
    EXPECT_ERR(ccrnn_cortex_clone(cx, NULL), CCRNN_ERR_NULL, "'out'");
    EXPECT_ERR(ccrnn_cortex_set_param(NULL, CCRNN_PARAM_THREADS, 1), CCRNN_ERR_NULL, "'cx'");
    EXPECT_ERR(ccrnn_cortex_get_param(NULL, CCRNN_PARAM_THREADS, &v), CCRNN_ERR_NULL, "'cx'");
    EXPECT_ERR(ccrnn_cortex_shape(NULL, &cell, &n, &n, &n, &n, &n, &n), CCRNN_ERR_NULL, "'cx'");
    EXPECT_ERR(ccrnn_cortex_reset(NULL, 1), CCRNN_ERR_NULL, "'cx'");
    EXPECT_ERR(ccrnn_cortex_begin_window(NULL), CCRNN_ERR_NULL, "'cx'");
    EXPECT_ERR(ccrnn_cortex_forward(NULL, x, B * I, y, B * O), CCRNN_ERR_NULL, "'cx'");
    EXPECT_ERR(ccrnn_cortex_output_grad(NULL, 0, y, B * O), CCRNN_ERR_NULL, "'cx'");
    EXPECT_ERR(ccrnn_cortex_hidden_grad(NULL, 0, big, B * H), CCRNN_ERR_NULL, "'cx'");
    EXPECT_ERR(ccrnn_cortex_backward(NULL, NULL, 0, NULL, 0), CCRNN_ERR_NULL, "'cx'");
    EXPECT_ERR(ccrnn_cortex_input_grad(NULL, big, B * I), CCRNN_ERR_NULL, "'cx'");
    EXPECT_ERR(ccrnn_cortex_window_length(NULL, &n), CCRNN_ERR_NULL, "'cx'");
    EXPECT_ERR(ccrnn_cortex_batch(NULL, &n), CCRNN_ERR_NULL, "'cx'");
    EXPECT_ERR(ccrnn_cortex_get_state(NULL, big, B * Z), CCRNN_ERR_NULL, "'cx'");
    EXPECT_ERR(ccrnn_cortex_set_state(NULL, z, B * Z), CCRNN_ERR_NULL, "'cx'");
    EXPECT_ERR(ccrnn_cortex_window_start_state(NULL, big, B * Z), CCRNN_ERR_NULL, "'cx'");
    EXPECT_ERR(ccrnn_cortex_hidden(NULL, 0, big, B * H), CCRNN_ERR_NULL, "'cx'");
    EXPECT_ERR(ccrnn_cortex_params(NULL, NULL, NULL, &n), CCRNN_ERR_NULL, "'cx'");
    EXPECT_ERR(ccrnn_cortex_zero_grad(NULL), CCRNN_ERR_NULL, "'cx'");
    EXPECT_ERR(ccrnn_cortex_tensor_count(NULL, &n), CCRNN_ERR_NULL, "'cx'");
    EXPECT_ERR(ccrnn_cortex_tensor_info(NULL, 0, &name, &n, &n, &n), CCRNN_ERR_NULL, "'cx'");
    EXPECT_ERR(ccrnn_cortex_get_tensor(NULL, "bias_ih_l0", big, 4 * H), CCRNN_ERR_NULL, "'cx'");
    EXPECT_ERR(ccrnn_cortex_set_tensor(NULL, "bias_ih_l0", big, 4 * H), CCRNN_ERR_NULL, "'cx'");
    /* Nothing was written through any out pointer. */
    ck_assert(v == -3 && n == 77 && cell == -5 && name == NULL && out == NULL);
    ck_assert(all_sentinel(big, 1024));
    cx_expect_same_future(cx, ref);
}
END_TEST

/* ---- parameters, shape, reset, tensors ------------------------------------------------ */

START_TEST(test_params_and_reset)
{
    double v = -3;
    CX_FAIL(cx, ccrnn_cortex_set_param(cx, CCRNN_PARAM_THREADS, 0), CCRNN_ERR_ARG, "THREADS");
    CX_FAIL(cx, ccrnn_cortex_set_param(cx, CCRNN_PARAM_THREADS, 257), CCRNN_ERR_ARG, "THREADS");
    CX_FAIL(cx, ccrnn_cortex_set_param(cx, CCRNN_PARAM_THREADS, 1.5), CCRNN_ERR_ARG, "THREADS");
    CX_FAIL(cx, ccrnn_cortex_set_param(cx, CCRNN_PARAM_THREADS, NAN), CCRNN_ERR_ARG, "THREADS");
    CX_FAIL(cx, ccrnn_cortex_set_param(cx, CCRNN_PARAM_TRAINING, 2), CCRNN_ERR_ARG, "TRAINING");
    CX_FAIL(cx, ccrnn_cortex_set_param(cx, CCRNN_PARAM_TRAINING, 0.5), CCRNN_ERR_ARG, "TRAINING");
    CX_FAIL(cx, ccrnn_cortex_set_param(cx, CCRNN_PARAM_TRAINING, NAN), CCRNN_ERR_ARG, "TRAINING");
    CX_FAIL(cx, ccrnn_cortex_set_param(cx, CCRNN_PARAM_LR, 0.1), CCRNN_ERR_ARG, "does not apply");
    CX_FAIL(cx, ccrnn_cortex_set_param(cx, CCRNN_PARAM_ABLATED, 1), CCRNN_ERR_ARG, "does not apply");
    CX_FAIL(cx, ccrnn_cortex_set_param(cx, -1, 1), CCRNN_ERR_ARG, "does not apply");
    CX_FAIL(cx, ccrnn_cortex_get_param(cx, CCRNN_PARAM_LR, &v), CCRNN_ERR_ARG, "does not apply");
    CX_FAIL(cx, ccrnn_cortex_get_param(cx, 12345, &v), CCRNN_ERR_ARG, "does not apply");
    CX_FAIL(cx, ccrnn_cortex_get_param(cx, CCRNN_PARAM_THREADS, NULL), CCRNN_ERR_NULL, "'value'");
    ck_assert_double_eq(v, -3);
    CX_FAIL(cx, ccrnn_cortex_reset(cx, 0), CCRNN_ERR_ARG, "batch");
    CX_FAIL(cx, ccrnn_cortex_reset(cx, MAXB + 1), CCRNN_ERR_ARG, "batch");
    cx_expect_same_future(cx, ref);
}
END_TEST

START_TEST(test_tensors)
{
    size_t rows = 77, cols = 77, off = 77;
    const char *name = NULL;
    float bad[4 * H];
    for (size_t i = 0; i < 4 * H; i++) bad[i] = 0.5f;
    bad[3] = NAN;
    CX_FAIL(cx, ccrnn_cortex_tensor_count(cx, NULL), CCRNN_ERR_NULL, "'count'");
    CX_FAIL(cx, ccrnn_cortex_tensor_info(cx, 6, &name, &rows, &cols, &off), CCRNN_ERR_ARG, "index");
    CX_FAIL(cx, ccrnn_cortex_tensor_info(cx, (size_t)-1, &name, &rows, &cols, &off), CCRNN_ERR_ARG, "index");
    ck_assert(name == NULL && rows == 77 && cols == 77 && off == 77);
    CX_FAIL(cx, ccrnn_cortex_get_tensor(cx, NULL, big, 4 * H), CCRNN_ERR_NULL, "'name'");
    CX_FAIL(cx, ccrnn_cortex_get_tensor(cx, "bias_ih_l0", NULL, 4 * H), CCRNN_ERR_NULL, "'buf'");
    CX_FAIL(cx, ccrnn_cortex_get_tensor(cx, "no_such_tensor", big, 4 * H), CCRNN_ERR_ARG, "no_such_tensor");
    CX_FAIL(cx, ccrnn_cortex_get_tensor(cx, "Bias_ih", big, 4 * H), CCRNN_ERR_ARG, "Bias_ih");
    CX_FAIL(cx, ccrnn_cortex_get_tensor(cx, "", big, 4 * H), CCRNN_ERR_ARG, "no tensor");
    CX_FAIL(cx, ccrnn_cortex_get_tensor(cx, "bias_ih_l0", big, 4 * H - 1), CCRNN_ERR_SHAPE, "tensor buffer");
    CX_FAIL(cx, ccrnn_cortex_get_tensor(cx, "bias_ih_l0", big, 4 * H + 1), CCRNN_ERR_SHAPE, "tensor buffer");
    ck_assert(all_sentinel(big, 1024));
    CX_FAIL(cx, ccrnn_cortex_set_tensor(cx, NULL, bad, 4 * H), CCRNN_ERR_NULL, "'name'");
    CX_FAIL(cx, ccrnn_cortex_set_tensor(cx, "bias_ih_l0", NULL, 4 * H), CCRNN_ERR_NULL, "'buf'");
    CX_FAIL(cx, ccrnn_cortex_set_tensor(cx, "weight", bad, 4 * H), CCRNN_ERR_ARG, "weight");
    CX_FAIL(cx, ccrnn_cortex_set_tensor(cx, "bias_ih_l0", bad, 4 * H - 1), CCRNN_ERR_SHAPE, "tensor buffer");
    CX_FAIL(cx, ccrnn_cortex_set_tensor(cx, "bias_ih_l0", bad, 4 * H), CCRNN_ERR_NUMERIC, "NaN");
    bad[3] = INFINITY;
    CX_FAIL(cx, ccrnn_cortex_set_tensor(cx, "bias_ih_l0", bad, 4 * H), CCRNN_ERR_NUMERIC, "NaN or Inf");
    bad[3] = -INFINITY;
    CX_FAIL(cx, ccrnn_cortex_set_tensor(cx, "bias_ih_l0", bad, 4 * H), CCRNN_ERR_NUMERIC, "NaN or Inf");
    cx_expect_same_future(cx, ref);
}
END_TEST

/* ---- state ---------------------------------------------------------------------------- */

START_TEST(test_state_calls)
{
    size_t steps = 77;
    float nanz[B * Z];
    memcpy(nanz, z, sizeof nanz);
    nanz[B * Z - 1] = NAN;
    CX_FAIL(cx, ccrnn_cortex_window_length(cx, NULL), CCRNN_ERR_NULL, "'steps'");
    CX_FAIL(cx, ccrnn_cortex_batch(cx, NULL), CCRNN_ERR_NULL, "'batch'");
    CX_FAIL(cx, ccrnn_cortex_get_state(cx, NULL, B * Z), CCRNN_ERR_NULL, "'z'");
    CX_FAIL(cx, ccrnn_cortex_get_state(cx, big, B * Z - 1), CCRNN_ERR_SHAPE, "state buffer");
    CX_FAIL(cx, ccrnn_cortex_get_state(cx, big, MAXB * Z), CCRNN_ERR_SHAPE, "state buffer");
    CX_FAIL(cx, ccrnn_cortex_window_start_state(cx, NULL, B * Z), CCRNN_ERR_NULL, "'z'");
    CX_FAIL(cx, ccrnn_cortex_window_start_state(cx, big, B * H), CCRNN_ERR_SHAPE, "state buffer");
    CX_FAIL(cx, ccrnn_cortex_set_state(cx, NULL, B * Z), CCRNN_ERR_NULL, "'z'");
    CX_FAIL(cx, ccrnn_cortex_set_state(cx, z, B * Z + 1), CCRNN_ERR_SHAPE, "state buffer");
    CX_FAIL(cx, ccrnn_cortex_set_state(cx, nanz, B * Z), CCRNN_ERR_NUMERIC, "NaN");
    nanz[0] = INFINITY;
    nanz[B * Z - 1] = 0;
    CX_FAIL(cx, ccrnn_cortex_set_state(cx, nanz, B * Z), CCRNN_ERR_NUMERIC, "NaN or Inf");
    CX_FAIL(cx, ccrnn_cortex_hidden(cx, 0, NULL, B * H), CCRNN_ERR_NULL, "'h'");
    CX_FAIL(cx, ccrnn_cortex_hidden(cx, 0, big, B * Z), CCRNN_ERR_SHAPE, "hidden buffer");
    CX_FAIL(cx, ccrnn_cortex_hidden(cx, 1, big, B * H), CCRNN_ERR_ARG, "step");
    ck_assert(all_sentinel(big, 1024));
    ck_assert_uint_eq(steps, 77);
    cx_expect_same_future(cx, ref);
}
END_TEST

/* ---- forward -------------------------------------------------------------------------- */

START_TEST(test_forward)
{
    float xb[B * I];
    memcpy(xb, x, sizeof xb);
    CX_FAIL(cx, ccrnn_cortex_forward(cx, NULL, B * I, big, B * O), CCRNN_ERR_NULL, "'x'");
    CX_FAIL(cx, ccrnn_cortex_forward(cx, x, B * I, NULL, B * O), CCRNN_ERR_NULL, "y is NULL");
    CX_FAIL(cx, ccrnn_cortex_forward(cx, x, B * I - 1, big, B * O), CCRNN_ERR_SHAPE, "x (batch*n_in)");
    CX_FAIL(cx, ccrnn_cortex_forward(cx, x, MAXB * I, big, B * O), CCRNN_ERR_SHAPE, "x (batch*n_in)");
    CX_FAIL(cx, ccrnn_cortex_forward(cx, x, B * I, big, B * O + 1), CCRNN_ERR_SHAPE, "y (batch*n_out)");
    CX_FAIL(cx, ccrnn_cortex_forward(cx, x, B * I, big, 0), CCRNN_ERR_SHAPE, "y (batch*n_out)");
    xb[1] = NAN;
    CX_FAIL(cx, ccrnn_cortex_forward(cx, xb, B * I, big, B * O), CCRNN_ERR_NUMERIC, "x contains");
    xb[1] = INFINITY;
    CX_FAIL(cx, ccrnn_cortex_forward(cx, xb, B * I, big, B * O), CCRNN_ERR_NUMERIC, "x contains");
    xb[1] = -INFINITY;
    CX_FAIL(cx, ccrnn_cortex_forward(cx, xb, B * I, NULL, 0), CCRNN_ERR_NUMERIC, "x contains");
    ck_assert(all_sentinel(big, 1024));
    cx_expect_same_future(cx, ref);
}
END_TEST

START_TEST(test_forward_nonfinite_output)
{
    /* Finite weights whose readout overflows: saturated gates make every h = tanh(1) > 0,
     * so 3e38 weights and bias sum past FLT_MAX.  The step is refused and not taken. */
    float huge[O * H], gates[4 * H];
    for (size_t i = 0; i < O * H; i++) huge[i] = 3e38f;
    for (size_t i = 0; i < 4 * H; i++) gates[i] = i / H == 1 ? -100.0f : 100.0f;
    ccrnn_cortex *both[2] = {cx, ref};
    for (int k = 0; k < 2; k++) {
        ck_assert_int_eq(ccrnn_cortex_set_tensor(both[k], "bias_ih_l0", gates, 4 * H), 0);
        ck_assert_int_eq(ccrnn_cortex_set_tensor(both[k], "readout.weight", huge, O * H), 0);
        ck_assert_int_eq(ccrnn_cortex_set_tensor(both[k], "readout.bias", huge, O), 0);
    }
    CX_FAIL(cx, ccrnn_cortex_forward(cx, x, B * I, big, B * O), CCRNN_ERR_NUMERIC, "non-finite");
    ck_assert(all_sentinel(big, 1024));
    /* Without a readout the same step is fine and equals the reference's. */
    float za[B * Z], zb[B * Z];
    ck_assert_int_eq(ccrnn_cortex_forward(cx, x, B * I, NULL, 0), 0);
    ck_assert_int_eq(ccrnn_cortex_forward(ref, x, B * I, NULL, 0), 0);
    ck_assert_int_eq(ccrnn_cortex_get_state(cx, za, B * Z), 0);
    ck_assert_int_eq(ccrnn_cortex_get_state(ref, zb, B * Z), 0);
    ck_assert_mem_eq(za, zb, sizeof za);
}
END_TEST

START_TEST(test_forward_window_full)
{
    /* Fill the window (max_window steps), then one more is a state error. */
    for (size_t t = 1; t < MAXT; t++) {
        ck_assert_int_eq(ccrnn_cortex_forward(cx, x, B * I, NULL, 0), 0);
        ck_assert_int_eq(ccrnn_cortex_forward(ref, x, B * I, NULL, 0), 0);
    }
    CX_FAIL(cx, ccrnn_cortex_forward(cx, x, B * I, big, B * O), CCRNN_ERR_STATE, "max_window");
    ck_assert(all_sentinel(big, 1024));
    cx_expect_same_future(cx, ref);
}
END_TEST

/* ---- gradients in, backward, input gradients ------------------------------------------ */

START_TEST(test_step_gradients)
{
    float bad[B * H];
    for (size_t i = 0; i < B * H; i++) bad[i] = 0.25f;
    CX_FAIL(cx, ccrnn_cortex_output_grad(cx, 0, NULL, B * O), CCRNN_ERR_NULL, DY_NAME);
    CX_FAIL(cx, ccrnn_cortex_output_grad(cx, 0, bad, B * O + 1), CCRNN_ERR_SHAPE, "dy (batch*n_out)");
    CX_FAIL(cx, ccrnn_cortex_output_grad(cx, 0, bad, MAXB * O), CCRNN_ERR_SHAPE, "dy (batch*n_out)");
    /* The header: ARG for a step not yet taken. */
    CX_FAIL(cx, ccrnn_cortex_output_grad(cx, 1, bad, B * O), CCRNN_ERR_ARG, "step");
    CX_FAIL(cx, ccrnn_cortex_output_grad(cx, (size_t)-1, bad, B * O), CCRNN_ERR_ARG, "step");
    CX_FAIL(cx, ccrnn_cortex_hidden_grad(cx, 0, NULL, B * H), CCRNN_ERR_NULL, DH_NAME);
    CX_FAIL(cx, ccrnn_cortex_hidden_grad(cx, 0, bad, B * O), CCRNN_ERR_SHAPE, "dh (batch*n_hidden)");
    CX_FAIL(cx, ccrnn_cortex_hidden_grad(cx, 1, bad, B * H), CCRNN_ERR_ARG, "step");
    bad[1] = NAN;
    CX_FAIL(cx, ccrnn_cortex_output_grad(cx, 0, bad, B * O), CCRNN_ERR_NUMERIC, "NaN");
    CX_FAIL(cx, ccrnn_cortex_hidden_grad(cx, 0, bad, B * H), CCRNN_ERR_NUMERIC, "NaN");
    bad[1] = INFINITY;
    CX_FAIL(cx, ccrnn_cortex_output_grad(cx, 0, bad, B * O), CCRNN_ERR_NUMERIC, "NaN or Inf");
    CX_FAIL(cx, ccrnn_cortex_hidden_grad(cx, 0, bad, B * H), CCRNN_ERR_NUMERIC, "NaN or Inf");
    cx_expect_same_future(cx, ref);
}
END_TEST

START_TEST(test_backward_arguments)
{
    float dz[B * Z];
    for (size_t i = 0; i < B * Z; i++) dz[i] = 0.1f;
    CX_FAIL(cx, ccrnn_cortex_backward(cx, NULL, B * Z, NULL, 0), CCRNN_ERR_NULL, "dz_end is NULL");
    CX_FAIL(cx, ccrnn_cortex_backward(cx, NULL, 0, NULL, B * Z), CCRNN_ERR_NULL, "dz_start is NULL");
    CX_FAIL(cx, ccrnn_cortex_backward(cx, dz, B * Z - 1, NULL, 0), CCRNN_ERR_SHAPE, "dz_end (batch*state_size)");
    CX_FAIL(cx, ccrnn_cortex_backward(cx, dz, B * H, NULL, 0), CCRNN_ERR_SHAPE, "dz_end (batch*state_size)");
    CX_FAIL(cx, ccrnn_cortex_backward(cx, dz, B * Z, big, MAXB * Z), CCRNN_ERR_SHAPE, "dz_start (batch*state_size)");
    CX_FAIL(cx, ccrnn_cortex_backward(cx, dz, B * Z, big, 0), CCRNN_ERR_SHAPE, "dz_start (batch*state_size)");
    /* Input gradients exist only after backward. */
    CX_FAIL(cx, ccrnn_cortex_input_grad(cx, big, B * I), CCRNN_ERR_STATE, "backpropagated");
    CX_FAIL(cx, ccrnn_cortex_input_grad(cx, NULL, B * I), CCRNN_ERR_NULL, "'dx'");
    dz[2] = NAN;
    CX_FAIL(cx, ccrnn_cortex_backward(cx, dz, B * Z, big, B * Z), CCRNN_ERR_NUMERIC, "dz_end contains");
    dz[2] = -INFINITY;
    CX_FAIL(cx, ccrnn_cortex_backward(cx, dz, B * Z, big, B * Z), CCRNN_ERR_NUMERIC, "dz_end contains");
    /* Finite but overflowing: nothing accumulated, nothing written, still retryable. */
    for (size_t i = 0; i < B * Z; i++) dz[i] = 3e38f;
    CX_FAIL(cx, ccrnn_cortex_backward(cx, dz, B * Z, big, B * Z), CCRNN_ERR_NUMERIC, "non-finite");
    ck_assert(all_sentinel(big, 1024));
    cx_expect_same_future(cx, ref);
}
END_TEST

START_TEST(test_call_order)
{
    float dz[B * Z], dzs[B * Z];
    for (size_t i = 0; i < B * Z; i++) dz[i] = 0.1f;
    /* After backward: no second backward, no more steps or step gradients. */
    ck_assert_int_eq(ccrnn_cortex_backward(cx, dz, B * Z, dzs, B * Z), 0);
    ck_assert_int_eq(ccrnn_cortex_backward(ref, dz, B * Z, dzs, B * Z), 0);
    CX_FAIL(cx, ccrnn_cortex_backward(cx, dz, B * Z, big, B * Z), CCRNN_ERR_STATE, "already");
    CX_FAIL(cx, ccrnn_cortex_backward(cx, NULL, 0, NULL, 0), CCRNN_ERR_STATE, "already");
    CX_FAIL(cx, ccrnn_cortex_forward(cx, x, B * I, big, B * O), CCRNN_ERR_STATE, "already");
    CX_FAIL(cx, ccrnn_cortex_output_grad(cx, 0, y, B * O), CCRNN_ERR_STATE, "already");
    CX_FAIL(cx, ccrnn_cortex_hidden_grad(cx, 0, dz, B * H), CCRNN_ERR_STATE, "already");
    CX_FAIL(cx, ccrnn_cortex_input_grad(cx, big, B * I + 1), CCRNN_ERR_SHAPE, "dx (window_length*batch*n_in)");
    CX_FAIL(cx, ccrnn_cortex_input_grad(cx, big, 2 * B * I), CCRNN_ERR_SHAPE, "dx (window_length*batch*n_in)");
    ck_assert(all_sentinel(big, 1024));
    /* A new window with no steps cannot be backpropagated either. */
    ck_assert_int_eq(ccrnn_cortex_begin_window(cx), 0);
    ck_assert_int_eq(ccrnn_cortex_begin_window(ref), 0);
    CX_FAIL(cx, ccrnn_cortex_backward(cx, dz, B * Z, big, B * Z), CCRNN_ERR_STATE, "no steps");
    CX_FAIL(cx, ccrnn_cortex_input_grad(cx, big, 0), CCRNN_ERR_STATE, "backpropagated");
    CX_FAIL(cx, ccrnn_cortex_output_grad(cx, 0, y, B * O), CCRNN_ERR_ARG, "step");
    ck_assert(all_sentinel(big, 1024));
    cx_expect_same_future(cx, ref);
}
END_TEST

START_TEST(test_inference_mode)
{
    ck_assert_int_eq(ccrnn_cortex_set_param(cx, CCRNN_PARAM_TRAINING, 0), 0);
    ck_assert_int_eq(ccrnn_cortex_set_param(ref, CCRNN_PARAM_TRAINING, 0), 0);
    ck_assert_int_eq(ccrnn_cortex_forward(cx, x, B * I, y, B * O), 0);
    ck_assert_int_eq(ccrnn_cortex_forward(ref, x, B * I, y, B * O), 0);
    CX_FAIL(cx, ccrnn_cortex_output_grad(cx, 0, y, B * O), CCRNN_ERR_STATE, "inference");
    CX_FAIL(cx, ccrnn_cortex_hidden_grad(cx, 0, big, B * H), CCRNN_ERR_STATE, "inference");
    CX_FAIL(cx, ccrnn_cortex_backward(cx, NULL, 0, big, B * Z), CCRNN_ERR_STATE, "inference");
    CX_FAIL(cx, ccrnn_cortex_input_grad(cx, big, 0), CCRNN_ERR_STATE, NULL);
    ck_assert(all_sentinel(big, 1024));
    cx_expect_same_future(cx, ref);
}
END_TEST

Suite *errors_cortex_suite(void)
{
    Suite *s = suite_create("errors_cortex");
    TCase *tc = tcase_create("cortex");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_create);
    tcase_add_test(tc, test_null_handle);
    tcase_add_test(tc, test_params_and_reset);
    tcase_add_test(tc, test_tensors);
    tcase_add_test(tc, test_state_calls);
    tcase_add_test(tc, test_forward);
    tcase_add_test(tc, test_forward_nonfinite_output);
    tcase_add_test(tc, test_forward_window_full);
    tcase_add_test(tc, test_step_gradients);
    tcase_add_test(tc, test_backward_arguments);
    tcase_add_test(tc, test_call_order);
    tcase_add_test(tc, test_inference_mode);
    suite_add_tcase(s, tc);
    return s;
}
