/* ccrnn_cortex_forward_steps (experimental): several steps in one call must be the
 * step-wise calls up to rounding, for every cell, in training and inference mode,
 * give the same gradients, and take its steps all or none. */
#include <math.h>
#include <string.h>

#include <ccrnn/ccrnn_experimental.h>

#include "test-util.h"

enum { I = 3, H = 5, O = 2, B = 2, T = 4 };

static const int cells[] = {CCRNN_CELL_LSTM, CCRNN_CELL_GRU, CCRNN_CELL_TANH};

/* Deterministic inputs in (-1, 1): no generator needed. */
static void inputs(float *x, size_t n, size_t offset)
{
    for (size_t i = 0; i < n; i++) x[i] = sinf(0.7f * (float)(i + offset) + 0.3f);
}

static void steps_close(const float *a, const float *b, size_t n, double tol, const char *what)
{
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(fabs((double)a[i] - b[i]) <= tol * (1.0 + fabs((double)b[i])),
                      "%s[%zu]: %.9g vs %.9g", what, i, a[i], b[i]);
}

static void state_of(ccrnn_cortex *cx, float *z, size_t n) { CK_OK(ccrnn_cortex_get_state(cx, z, n)); }

/* Training mode: outputs, states and, after one backward, every gradient agree. */
START_TEST(test_training_matches_stepwise)
{
    int cell = cells[_i];
    ccrnn_cortex *a, *b;
    CK_OK(ccrnn_cortex_create(cell, I, H, O, B, T, 11, &a));
    CK_OK(ccrnn_cortex_create(cell, I, H, O, B, T, 11, &b));
    size_t Z;
    CK_OK(ccrnn_cortex_shape(a, NULL, NULL, NULL, NULL, &Z, NULL, NULL));
    float xs[T * B * I], ya[T * B * O], yb[T * B * O], za[2 * B * H], zb[2 * B * H];
    for (int window = 0; window < 2; window++) { /* the second starts from a non-zero state */
        inputs(xs, T * B * I, 100 * (size_t)window);
        CK_OK(ccrnn_cortex_begin_window(a));
        CK_OK(ccrnn_cortex_begin_window(b));
        for (size_t t = 0; t < T; t++)
            CK_OK(ccrnn_cortex_forward(a, xs + t * B * I, B * I, ya + t * B * O, B * O));
        /* one call of 1 step, then one of T-1: windows can mix calls */
        CK_OK(ccrnn_cortex_forward_steps(b, 1, xs, B * I, yb, B * O));
        CK_OK(ccrnn_cortex_forward_steps(b, T - 1, xs + B * I, (T - 1) * B * I, yb + B * O,
                                         (T - 1) * B * O));
        steps_close(yb, ya, T * B * O, 1e-6, "y");
        state_of(a, za, B * Z);
        state_of(b, zb, B * Z);
        steps_close(zb, za, B * Z, 1e-6, "state");
        for (size_t t = 0; t < T; t++) {
            CK_OK(ccrnn_cortex_output_grad(a, t, ya + t * B * O, B * O));
            CK_OK(ccrnn_cortex_output_grad(b, t, ya + t * B * O, B * O));
        }
        CK_OK(ccrnn_cortex_backward(a, NULL, 0, NULL, 0));
        CK_OK(ccrnn_cortex_backward(b, NULL, 0, NULL, 0));
    }
    const float *va, *vb;
    float *ga, *gb;
    size_t n;
    CK_OK(ccrnn_cortex_params(a, &va, &ga, &n));
    CK_OK(ccrnn_cortex_params(b, &vb, &gb, NULL));
    steps_close(gb, ga, n, 1e-5, "gradient");
    ccrnn_cortex_destroy(a);
    ccrnn_cortex_destroy(b);
}
END_TEST

/* Inference mode: more steps than the two ping-pong slots, outputs and state agree. */
START_TEST(test_inference_matches_stepwise)
{
    int cell = cells[_i];
    ccrnn_cortex *a, *b;
    CK_OK(ccrnn_cortex_create(cell, I, H, O, B, T, 5, &a));
    CK_OK(ccrnn_cortex_create(cell, I, H, O, B, T, 5, &b));
    CK_OK(ccrnn_cortex_set_param(a, CCRNN_PARAM_TRAINING, 0));
    CK_OK(ccrnn_cortex_set_param(b, CCRNN_PARAM_TRAINING, 0));
    size_t Z;
    CK_OK(ccrnn_cortex_shape(a, NULL, NULL, NULL, NULL, &Z, NULL, NULL));
    float xs[T * B * I], ya[T * B * O], yb[T * B * O], za[2 * B * H], zb[2 * B * H];
    for (int round = 0; round < 3; round++) {
        inputs(xs, T * B * I, 7 * (size_t)round);
        for (size_t t = 0; t < T; t++)
            CK_OK(ccrnn_cortex_forward(a, xs + t * B * I, B * I, ya + t * B * O, B * O));
        CK_OK(ccrnn_cortex_forward_steps(b, T, xs, T * B * I, yb, T * B * O));
        steps_close(yb, ya, T * B * O, 1e-6, "y");
        state_of(a, za, B * Z);
        state_of(b, zb, B * Z);
        steps_close(zb, za, B * Z, 1e-6, "state");
    }
    /* without outputs */
    CK_OK(ccrnn_cortex_forward_steps(b, 2, xs, 2 * B * I, NULL, 0));
    ccrnn_cortex_destroy(a);
    ccrnn_cortex_destroy(b);
}
END_TEST

/* Biases of -3e38 make every gate pre-activation -inf (finite states: sigmoid 0,
 * tanh -1); unit input weights then turn an input of 3e38 into -inf + inf = NaN. */
static void rig_for_nan(ccrnn_cortex *cx)
{
    float w[4 * H * I], b[4 * H];
    for (size_t i = 0; i < 4 * H * I; i++) w[i] = 1.0f;
    for (size_t i = 0; i < 4 * H; i++) b[i] = -3e38f;
    CK_OK(ccrnn_cortex_set_tensor(cx, "weight_ih_l0", w, 4 * H * I));
    CK_OK(ccrnn_cortex_set_tensor(cx, "bias_ih_l0", b, 4 * H));
    CK_OK(ccrnn_cortex_set_tensor(cx, "bias_hh_l0", b, 4 * H));
}

/* A non-finite state at the third step: nothing is taken, ys is untouched, and the
 * cortex goes on exactly as one that never saw the call. */
START_TEST(test_all_or_none)
{
    int training = _i;
    ccrnn_cortex *a, *b;
    CK_OK(ccrnn_cortex_create(CCRNN_CELL_LSTM, I, H, O, B, T, 3, &a));
    CK_OK(ccrnn_cortex_create(CCRNN_CELL_LSTM, I, H, O, B, T, 3, &b));
    CK_OK(ccrnn_cortex_set_param(a, CCRNN_PARAM_TRAINING, training));
    CK_OK(ccrnn_cortex_set_param(b, CCRNN_PARAM_TRAINING, training));
    rig_for_nan(a);
    rig_for_nan(b);
    float xs[T * B * I], ys[T * B * O], ya[T * B * O], yb[T * B * O];
    float za[2 * B * H], zb[2 * B * H];
    inputs(xs, B * I, 0);
    CK_OK(ccrnn_cortex_forward(a, xs, B * I, ya, B * O)); /* a non-zero state first */
    CK_OK(ccrnn_cortex_forward(b, xs, B * I, yb, B * O));
    inputs(xs, T * B * I, 50);
    for (size_t i = 2 * B * I; i < 3 * B * I; i++) xs[i] = 3e38f; /* x W_ih = inf */
    for (size_t i = 0; i < T * B * O; i++) ys[i] = -7.0f;
    CK_STATUS(ccrnn_cortex_forward_steps(a, T - 1, xs, (T - 1) * B * I, ys, (T - 1) * B * O),
              CCRNN_ERR_NUMERIC);
    for (size_t i = 0; i < T * B * O; i++) ck_assert_float_eq(ys[i], -7.0f);
    state_of(a, za, 2 * B * H);
    state_of(b, zb, 2 * B * H);
    ck_assert_mem_eq(za, zb, sizeof za);
    /* the next steps run as on the untouched twin (training: the window holds 1 step) */
    inputs(xs, 2 * B * I, 9);
    CK_OK(ccrnn_cortex_forward_steps(a, 2, xs, 2 * B * I, ya, 2 * B * O));
    CK_OK(ccrnn_cortex_forward_steps(b, 2, xs, 2 * B * I, yb, 2 * B * O));
    ck_assert_mem_eq(ya, yb, 2 * B * O * sizeof(float));
    if (training) {
        CK_STATUS(ccrnn_cortex_forward_steps(a, 2, xs, 2 * B * I, NULL, 0), CCRNN_ERR_STATE);
        CK_OK(ccrnn_cortex_forward_steps(a, 1, xs, B * I, NULL, 0));
    }
    ccrnn_cortex_destroy(a);
    ccrnn_cortex_destroy(b);
}
END_TEST

/* A non-finite output: gate biases of 1e3 make every h positive (tanh of a growing
 * c), and a readout weight of 3e38 then overflows.  Nothing is taken either. */
START_TEST(test_output_overflow_takes_nothing)
{
    ccrnn_cortex *a;
    CK_OK(ccrnn_cortex_create(CCRNN_CELL_LSTM, I, H, O, B, T, 3, &a));
    float w[O * H], b[4 * H];
    for (size_t i = 0; i < O * H; i++) w[i] = 3e38f;
    for (size_t i = 0; i < 4 * H; i++) b[i] = 1e3f;
    CK_OK(ccrnn_cortex_set_tensor(a, "readout.weight", w, O * H));
    CK_OK(ccrnn_cortex_set_tensor(a, "bias_ih_l0", b, 4 * H));
    float xs[T * B * I], ys[T * B * O], z0[2 * B * H], z1[2 * B * H];
    inputs(xs, T * B * I, 1);
    for (size_t i = 0; i < T * B * O; i++) ys[i] = 5.0f;
    state_of(a, z0, 2 * B * H);
    CK_STATUS(ccrnn_cortex_forward_steps(a, T, xs, T * B * I, ys, T * B * O), CCRNN_ERR_NUMERIC);
    for (size_t i = 0; i < T * B * O; i++) ck_assert_float_eq(ys[i], 5.0f);
    state_of(a, z1, 2 * B * H);
    ck_assert_mem_eq(z0, z1, sizeof z0);
    CK_OK(ccrnn_cortex_forward_steps(a, T, xs, T * B * I, NULL, 0)); /* the window had room */
    ccrnn_cortex_destroy(a);
}
END_TEST

START_TEST(test_errors)
{
    ccrnn_cortex *a;
    CK_OK(ccrnn_cortex_create(CCRNN_CELL_LSTM, I, H, O, B, T, 3, &a));
    float xs[(T + 1) * B * I], ys[(T + 1) * B * O];
    inputs(xs, (T + 1) * B * I, 0);
    CK_STATUS(ccrnn_cortex_forward_steps(NULL, 1, xs, B * I, NULL, 0), CCRNN_ERR_NULL);
    CK_STATUS(ccrnn_cortex_forward_steps(a, 1, NULL, B * I, NULL, 0), CCRNN_ERR_NULL);
    CK_STATUS(ccrnn_cortex_forward_steps(a, 1, xs, B * I, NULL, B * O), CCRNN_ERR_NULL);
    CK_STATUS(ccrnn_cortex_forward_steps(a, 0, xs, 0, NULL, 0), CCRNN_ERR_ARG);
    CK_STATUS(ccrnn_cortex_forward_steps(a, T + 1, xs, (T + 1) * B * I, NULL, 0), CCRNN_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(ccrnn_last_error(), "max_window"));
    CK_STATUS(ccrnn_cortex_forward_steps(a, 2, xs, B * I, NULL, 0), CCRNN_ERR_SHAPE);
    CK_STATUS(ccrnn_cortex_forward_steps(a, 2, xs, 2 * B * I, ys, B * O), CCRNN_ERR_SHAPE);
    xs[1] = NAN;
    CK_STATUS(ccrnn_cortex_forward_steps(a, 1, xs, B * I, NULL, 0), CCRNN_ERR_NUMERIC);
    xs[1] = 0.0f;
    CK_OK(ccrnn_cortex_forward_steps(a, T, xs, T * B * I, ys, T * B * O));
    CK_STATUS(ccrnn_cortex_forward_steps(a, 1, xs, B * I, NULL, 0), CCRNN_ERR_STATE);
    CK_OK(ccrnn_cortex_backward(a, NULL, 0, NULL, 0));
    CK_OK(ccrnn_cortex_begin_window(a));
    CK_OK(ccrnn_cortex_forward_steps(a, 1, xs, B * I, NULL, 0));
    CK_OK(ccrnn_cortex_backward(a, NULL, 0, NULL, 0));
    CK_STATUS(ccrnn_cortex_forward_steps(a, 1, xs, B * I, NULL, 0), CCRNN_ERR_STATE);
    ccrnn_cortex_destroy(a);
}
END_TEST

Suite *forward_steps_suite(void)
{
    Suite *s = suite_create("forward_steps");
    TCase *tc = tcase_create("core");
    tcase_add_loop_test(tc, test_training_matches_stepwise, 0, 3);
    tcase_add_loop_test(tc, test_inference_matches_stepwise, 0, 3);
    tcase_add_loop_test(tc, test_all_or_none, 0, 2);
    tcase_add_test(tc, test_output_overflow_takes_nothing);
    tcase_add_test(tc, test_errors);
    suite_add_tcase(s, tc);
    return s;
}
