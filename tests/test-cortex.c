/* Behaviour of the cortex: hand-set weights with known exact outputs, the named
 * tensor table, inference mode, state access, clone, reset, initialisation and the
 * thread count.
 *
 * Exact outputs come from saturated gates: in float, sigmoid(100) and tanh(+-100) are
 * exactly 1 or +-1, so hand-set weights give outputs a test can state.  A shut gate,
 * sigmoid(-100), is 3.7e-44 in exact arithmetic; the library's fast exp clamps its
 * argument at 87 and gives about 1.6e-38, hence SHUT_TOL.  tanh of a moderate value
 * comes from the library's own approximation, within TANH_TOL of libm's tanhf. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "test-util.h"

#define SHUT_TOL 1e-30f
#define TANH_TOL 1e-6f

static void set(ccrnn_cortex *cx, const char *name, const float *v, size_t n)
{
    CK_OK(ccrnn_cortex_set_tensor(cx, name, v, n));
}

/* Every tensor zero, so a test sets only what it needs. */
static void zero_all(ccrnn_cortex *cx)
{
    size_t n;
    CK_OK(ccrnn_cortex_params(cx, NULL, NULL, &n));
    float *zeros = calloc(n, sizeof(float));
    CK_OK(ccrnn_cortex_set_values(cx, zeros, n));
    free(zeros);
}

/* ---- hand-set weights ----------------------------------------------------------------- */

START_TEST(test_tanh_exact_outputs)
{
    ccrnn_cortex *cx;
    CK_OK(ccrnn_cortex_create(CCRNN_CELL_TANH, 2, 2, 2, 1, 4, 1, &cx));
    zero_all(cx);
    const float w_ih[4] = {100, 0, 0, -100}, w_out[4] = {1, 0, 0, 2}, b_out[2] = {0.5f, -0.25f};
    set(cx, "weight_ih_l0", w_ih, 4);
    set(cx, "readout.weight", w_out, 4);
    set(cx, "readout.bias", b_out, 2);
    CK_OK(ccrnn_cortex_reset(cx, 1));
    float y[2], z[2];
    const float x1[2] = {1, 1}, x2[2] = {0, 0}, x3[2] = {-1, 0.5f};
    CK_OK(ccrnn_cortex_forward(cx, x1, 2, y, 2)); /* h = (1, -1) */
    ck_assert_float_eq(y[0], 1.5f);
    ck_assert_float_eq(y[1], -2.25f);
    CK_OK(ccrnn_cortex_get_state(cx, z, 2));
    ck_assert_float_eq(z[0], 1.0f);
    ck_assert_float_eq(z[1], -1.0f);
    CK_OK(ccrnn_cortex_forward(cx, x2, 2, y, 2)); /* h = (0, 0): y is the bias */
    ck_assert_float_eq(y[0], 0.5f);
    ck_assert_float_eq(y[1], -0.25f);
    CK_OK(ccrnn_cortex_forward(cx, x3, 2, y, 2)); /* h = (-1, -1) */
    ck_assert_float_eq(y[0], -0.5f);
    ck_assert_float_eq(y[1], -2.25f);
    /* W_hh = 100 I carries the sign of h through a zero input. */
    const float w_hh[4] = {100, 0, 0, 100};
    set(cx, "weight_hh_l0", w_hh, 4);
    CK_OK(ccrnn_cortex_forward(cx, x2, 2, y, 2)); /* h = tanh(100 * (-1, -1)) */
    ck_assert_float_eq(y[0], -0.5f);
    ck_assert_float_eq(y[1], -2.25f);
    ccrnn_cortex_destroy(cx);
}
END_TEST

START_TEST(test_lstm_exact_outputs)
{
    ccrnn_cortex *cx;
    CK_OK(ccrnn_cortex_create(CCRNN_CELL_LSTM, 1, 1, 1, 1, 4, 1, &cx));
    zero_all(cx);
    /* Gate rows i, f, g, o: input gate open, forget gate shut, output gate open,
     * candidate g = tanh(100 x) = sign(x). */
    const float w_ih[4] = {0, 0, 100, 0}, b_ih[4] = {100, -100, 0, 100}, w_out[1] = {2};
    set(cx, "weight_ih_l0", w_ih, 4);
    set(cx, "bias_ih_l0", b_ih, 4);
    set(cx, "readout.weight", w_out, 1);
    float y, z[2], x = 1;
    const float z0[2] = {0.3f, 5.0f};
    CK_OK(ccrnn_cortex_set_state(cx, z0, 2));
    CK_OK(ccrnn_cortex_forward(cx, &x, 1, &y, 1)); /* c = 1, h = tanh(1) */
    CK_OK(ccrnn_cortex_get_state(cx, z, 2));
    ck_assert_float_eq_tol(z[0], tanhf(1.0f), TANH_TOL);
    ck_assert_float_eq(z[1], 1.0f);
    ck_assert_float_eq(y, 2.0f * z[0]);
    x = -1;
    CK_OK(ccrnn_cortex_forward(cx, &x, 1, &y, 1)); /* c = -1 */
    CK_OK(ccrnn_cortex_get_state(cx, z, 2));
    ck_assert_float_eq_tol(z[0], tanhf(-1.0f), TANH_TOL);
    ck_assert_float_eq(z[1], -1.0f);

    /* Now keep the cell (f = 1, i = 0): c carries through, h = tanh(c). */
    const float b_keep[4] = {-100, 100, 0, 100};
    set(cx, "bias_ih_l0", b_keep, 4);
    const float z1[2] = {0, 0.5f};
    CK_OK(ccrnn_cortex_set_state(cx, z1, 2));
    CK_OK(ccrnn_cortex_forward(cx, &x, 1, &y, 1));
    CK_OK(ccrnn_cortex_get_state(cx, z, 2));
    ck_assert_float_eq(z[1], 0.5f);
    ck_assert_float_eq_tol(z[0], tanhf(0.5f), TANH_TOL);
    /* bias_hh adds to bias_ih: shut the output gate through it. */
    const float b_hh[4] = {0, 0, 0, -200};
    set(cx, "bias_hh_l0", b_hh, 4);
    CK_OK(ccrnn_cortex_forward(cx, &x, 1, &y, 1));
    CK_OK(ccrnn_cortex_get_state(cx, z, 2));
    ck_assert_float_eq_tol(z[0], 0.0f, SHUT_TOL);
    ck_assert_float_eq(z[1], 0.5f);
    ck_assert_float_eq_tol(y, 0.0f, SHUT_TOL);
    ccrnn_cortex_destroy(cx);
}
END_TEST

START_TEST(test_gru_exact_outputs)
{
    ccrnn_cortex *cx;
    CK_OK(ccrnn_cortex_create(CCRNN_CELL_GRU, 1, 1, 1, 1, 4, 1, &cx));
    zero_all(cx);
    /* Gate rows r, z, n.  z = 0: h = n = tanh(W_in x + b_in + r (W_hn h + b_hn)). */
    const float w_ih[3] = {0, 0, 100}, b_ih[3] = {100, -100, 0}, w_out[1] = {1};
    set(cx, "weight_ih_l0", w_ih, 3);
    set(cx, "bias_ih_l0", b_ih, 3);
    set(cx, "readout.weight", w_out, 1);
    float y, h, x = -1;
    CK_OK(ccrnn_cortex_forward(cx, &x, 1, &y, 1));
    ck_assert_float_eq(y, -1.0f);
    /* r multiplies only the recurrent part of n: W_hn = 0.5, h = 1, x = 0. */
    const float w_hh[3] = {0, 0, 0.5f}, one = 1;
    set(cx, "weight_hh_l0", w_hh, 3);
    x = 0;
    CK_OK(ccrnn_cortex_set_state(cx, &one, 1));
    CK_OK(ccrnn_cortex_forward(cx, &x, 1, &y, 1));
    CK_OK(ccrnn_cortex_get_state(cx, &h, 1));
    ck_assert_float_eq_tol(h, tanhf(0.5f), TANH_TOL);
    /* r = 0 removes it. */
    const float b_r0[3] = {-100, -100, 0};
    set(cx, "bias_ih_l0", b_r0, 3);
    CK_OK(ccrnn_cortex_set_state(cx, &one, 1));
    CK_OK(ccrnn_cortex_forward(cx, &x, 1, &y, 1));
    CK_OK(ccrnn_cortex_get_state(cx, &h, 1));
    ck_assert_float_eq_tol(h, 0.0f, SHUT_TOL);
    /* z = 1 keeps the previous state whatever n is. */
    const float b_z1[3] = {100, 100, 0}, prev = 0.75f;
    set(cx, "bias_ih_l0", b_z1, 3);
    x = 1;
    CK_OK(ccrnn_cortex_set_state(cx, &prev, 1));
    CK_OK(ccrnn_cortex_forward(cx, &x, 1, &y, 1));
    ck_assert_float_eq(y, 0.75f);
    ccrnn_cortex_destroy(cx);
}
END_TEST

/* ---- tensor table -------------------------------------------------------------------- */

START_TEST(test_tensor_table)
{
    static const char *const names[6] = {"weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
                                         "readout.weight", "readout.bias"};
    const int cell = _i;
    const size_t I = 3, H = 5, O = 2, G = cell == CCRNN_CELL_LSTM ? 4 * H : cell == CCRNN_CELL_GRU ? 3 * H : H;
    const size_t rows[6] = {G, G, G, G, O, O}, cols[6] = {I, H, 0, 0, H, 0}; /* biases are 1-D */
    ccrnn_cortex *cx;
    CK_OK(ccrnn_cortex_create(cell, I, H, O, 2, 3, 1, &cx));
    size_t count, n, off = 0;
    const float *values;
    CK_OK(ccrnn_cortex_tensor_count(cx, &count));
    ck_assert_uint_eq(count, 6);
    CK_OK(ccrnn_cortex_params(cx, &values, NULL, &n));
    for (size_t k = 0; k < 6; k++) {
        const char *name;
        size_t r, c, o;
        CK_OK(ccrnn_cortex_tensor_info(cx, k, &name, &r, &c, &o));
        ck_assert_str_eq(name, names[k]);
        ck_assert_uint_eq(r, rows[k]);
        ck_assert_uint_eq(c, cols[k]);
        ck_assert_uint_eq(o, off); /* contiguous, in PyTorch order */
        if (c == 0) c = 1;
        /* get/set address the flat view at that offset. */
        float *buf = falloc(r * c);
        CK_OK(ccrnn_cortex_get_tensor(cx, name, buf, r * c));
        ck_assert_mem_eq(buf, values + o, r * c * sizeof(float));
        for (size_t i = 0; i < r * c; i++) buf[i] = (float)(k * 100 + i);
        CK_OK(ccrnn_cortex_set_tensor(cx, name, buf, r * c));
        ck_assert_mem_eq(buf, values + o, r * c * sizeof(float));
        free(buf);
        off += r * c;
    }
    ck_assert_uint_eq(off, n);
    /* Any info out pointer may be NULL. */
    CK_OK(ccrnn_cortex_tensor_info(cx, 0, NULL, NULL, NULL, NULL));
    ccrnn_cortex_destroy(cx);
}
END_TEST

START_TEST(test_shape_and_defaults)
{
    ccrnn_cortex *cx;
    CK_OK(ccrnn_cortex_create(CCRNN_CELL_LSTM, 3, 5, 2, 4, 7, 1, &cx));
    int cell;
    size_t I, H, O, Z, B, T;
    CK_OK(ccrnn_cortex_shape(cx, &cell, &I, &H, &O, &Z, &B, &T));
    ck_assert(cell == CCRNN_CELL_LSTM && I == 3 && H == 5 && O == 2 && Z == 10 && B == 4 && T == 7);
    CK_OK(ccrnn_cortex_shape(cx, NULL, NULL, NULL, NULL, NULL, NULL, NULL));
    double v;
    CK_OK(ccrnn_cortex_get_param(cx, CCRNN_PARAM_THREADS, &v));
    ck_assert_double_eq(v, 1);
    CK_OK(ccrnn_cortex_get_param(cx, CCRNN_PARAM_TRAINING, &v));
    ck_assert_double_eq(v, 1);
    ccrnn_cortex_destroy(cx);
    CK_OK(ccrnn_cortex_create(CCRNN_CELL_GRU, 3, 5, 2, 4, 7, 1, &cx));
    CK_OK(ccrnn_cortex_shape(cx, &cell, NULL, NULL, NULL, &Z, NULL, NULL));
    ck_assert(cell == CCRNN_CELL_GRU && Z == 5);
    ccrnn_cortex_destroy(cx);
}
END_TEST

/* PyTorch's initialisation: every value in U(-1/sqrt(H), 1/sqrt(H)), spread over the
 * range, and a function of the seed alone. */
START_TEST(test_initialisation_seeded)
{
    ccrnn_cortex *a, *b, *c;
    size_t H = 16, n;
    CK_OK(ccrnn_cortex_create(CCRNN_CELL_LSTM, 4, H, 3, 2, 2, 99, &a));
    CK_OK(ccrnn_cortex_create(CCRNN_CELL_LSTM, 4, H, 3, 2, 2, 99, &b));
    CK_OK(ccrnn_cortex_create(CCRNN_CELL_LSTM, 4, H, 3, 2, 2, 100, &c));
    const float *pa, *pb, *pc;
    CK_OK(ccrnn_cortex_params(a, &pa, NULL, &n));
    CK_OK(ccrnn_cortex_params(b, &pb, NULL, NULL));
    CK_OK(ccrnn_cortex_params(c, &pc, NULL, NULL));
    ck_assert_mem_eq(pa, pb, n * sizeof(float));
    ck_assert(memcmp(pa, pc, n * sizeof(float)) != 0);
    float k = 1.0f / sqrtf((float)H), lo = 1, hi = -1;
    for (size_t i = 0; i < n; i++) {
        ck_assert(pa[i] >= -k && pa[i] <= k);
        lo = pa[i] < lo ? pa[i] : lo;
        hi = pa[i] > hi ? pa[i] : hi;
    }
    ck_assert(lo < -0.9f * k && hi > 0.9f * k);
    ccrnn_cortex_destroy(a);
    ccrnn_cortex_destroy(b);
    ccrnn_cortex_destroy(c);
}
END_TEST

/* ---- modes, state, clone, reset ------------------------------------------------------- */

enum { CI = 3, CH = 6, CO = 2, CB = 3, CT = 4 };

static ccrnn_cortex *random_cortex(int cell, uint64_t seed)
{
    ccrnn_cortex *cx;
    CK_OK(ccrnn_cortex_create(cell, CI, CH, CO, CB, CT, seed, &cx));
    return cx;
}

START_TEST(test_inference_matches_training)
{
    int cell = _i;
    ccrnn_cortex *tr = random_cortex(cell, 3), *inf = random_cortex(cell, 3);
    CK_OK(ccrnn_cortex_set_param(inf, CCRNN_PARAM_TRAINING, 0));
    double v;
    CK_OK(ccrnn_cortex_get_param(inf, CCRNN_PARAM_TRAINING, &v));
    ck_assert_double_eq(v, 0);
    ts_rng rng;
    ts_rng_seed(&rng, 8);
    float x[CB * CI], ya[CB * CO], yb[CB * CO], za[CB * 2 * CH], zb[CB * 2 * CH];
    size_t Z;
    CK_OK(ccrnn_cortex_shape(tr, NULL, NULL, NULL, NULL, &Z, NULL, NULL));
    /* More steps than max_window: training begins a window every CT steps, inference
     * needs none. */
    for (size_t t = 0; t < 3 * CT; t++) {
        ts_rng_fill(&rng, x, CB * CI, -1, 1);
        if (t % CT == 0) CK_OK(ccrnn_cortex_begin_window(tr));
        CK_OK(ccrnn_cortex_forward(tr, x, CB * CI, ya, CB * CO));
        CK_OK(ccrnn_cortex_forward(inf, x, CB * CI, yb, CB * CO));
        ck_assert_mem_eq(ya, yb, sizeof ya);
        CK_OK(ccrnn_cortex_get_state(tr, za, CB * Z));
        CK_OK(ccrnn_cortex_get_state(inf, zb, CB * Z));
        ck_assert_mem_eq(za, zb, CB * Z * sizeof(float));
        size_t steps;
        CK_OK(ccrnn_cortex_window_length(inf, &steps));
        ck_assert_uint_eq(steps, 0); /* no tape */
    }
    /* Without a tape there is nothing to backpropagate. */
    CK_STATUS(ccrnn_cortex_output_grad(inf, 0, ya, CB * CO), CCRNN_ERR_STATE);
    CK_STATUS(ccrnn_cortex_backward(inf, NULL, 0, NULL, 0), CCRNN_ERR_STATE);
    /* Back to training: the state carries over, a new window starts. */
    CK_OK(ccrnn_cortex_set_param(inf, CCRNN_PARAM_TRAINING, 1));
    CK_OK(ccrnn_cortex_window_start_state(inf, za, CB * Z));
    ck_assert_mem_eq(za, zb, CB * Z * sizeof(float));
    CK_OK(ccrnn_cortex_forward(inf, x, CB * CI, yb, CB * CO));
    CK_OK(ccrnn_cortex_backward(inf, NULL, 0, NULL, 0));
    ccrnn_cortex_destroy(tr);
    ccrnn_cortex_destroy(inf);
}
END_TEST

START_TEST(test_state_access)
{
    int cell = _i;
    ccrnn_cortex *cx = random_cortex(cell, 4);
    size_t Z, H = CH;
    CK_OK(ccrnn_cortex_shape(cx, NULL, NULL, NULL, NULL, &Z, NULL, NULL));
    CK_OK(ccrnn_cortex_reset(cx, 2));
    ts_rng rng;
    ts_rng_seed(&rng, 12);
    float z[2 * 2 * CH], got[2 * 2 * CH], start[2 * 2 * CH], x[2 * CI], h[2 * CH];
    ts_rng_fill(&rng, z, 2 * Z, -0.5, 0.5);
    ts_rng_fill(&rng, x, 2 * CI, -1, 1);
    CK_OK(ccrnn_cortex_set_state(cx, z, 2 * Z));
    CK_OK(ccrnn_cortex_get_state(cx, got, 2 * Z));
    ck_assert_mem_eq(got, z, 2 * Z * sizeof(float));
    CK_OK(ccrnn_cortex_window_start_state(cx, start, 2 * Z));
    ck_assert_mem_eq(start, z, 2 * Z * sizeof(float));
    CK_OK(ccrnn_cortex_forward(cx, x, 2 * CI, NULL, 0));
    CK_OK(ccrnn_cortex_forward(cx, x, 2 * CI, NULL, 0));
    size_t steps;
    CK_OK(ccrnn_cortex_window_length(cx, &steps));
    ck_assert_uint_eq(steps, 2);
    CK_OK(ccrnn_cortex_get_state(cx, got, 2 * Z));
    ck_assert(memcmp(got, z, 2 * Z * sizeof(float)) != 0);
    CK_OK(ccrnn_cortex_window_start_state(cx, start, 2 * Z));
    ck_assert_mem_eq(start, z, 2 * Z * sizeof(float)); /* the start is kept */
    /* Per sample: h first (the hidden activity of the last step), then c. */
    CK_OK(ccrnn_cortex_hidden(cx, 1, h, 2 * H));
    for (size_t b = 0; b < 2; b++) ck_assert_mem_eq(got + b * Z, h + b * H, H * sizeof(float));
    /* begin_window: the current state becomes the start; the tape empties. */
    CK_OK(ccrnn_cortex_begin_window(cx));
    CK_OK(ccrnn_cortex_window_start_state(cx, start, 2 * Z));
    ck_assert_mem_eq(start, got, 2 * Z * sizeof(float));
    CK_OK(ccrnn_cortex_window_length(cx, &steps));
    ck_assert_uint_eq(steps, 0);
    /* set_state begins a new window too. */
    CK_OK(ccrnn_cortex_forward(cx, x, 2 * CI, NULL, 0));
    CK_OK(ccrnn_cortex_set_state(cx, z, 2 * Z));
    CK_OK(ccrnn_cortex_window_length(cx, &steps));
    ck_assert_uint_eq(steps, 0);
    ccrnn_cortex_destroy(cx);
}
END_TEST

/* Runs a window with output gradients and backward; returns outputs, dz_start and the
 * gradients in one buffer for comparison. */
static size_t continue_run(ccrnn_cortex *cx, float *out, uint64_t seed)
{
    ts_rng rng;
    ts_rng_seed(&rng, seed);
    size_t B, Z, n, k = 0, steps;
    float x[CB * CI], y[CB * CO], *g;
    CK_OK(ccrnn_cortex_shape(cx, NULL, NULL, NULL, NULL, &Z, &B, NULL));
    CK_OK(ccrnn_cortex_window_length(cx, &steps));
    for (size_t t = steps; t < CT; t++) {
        ts_rng_fill(&rng, x, CB * CI, -1, 1);
        CK_OK(ccrnn_cortex_forward(cx, x, CB * CI, y, CB * CO));
        CK_OK(ccrnn_cortex_output_grad(cx, t, y, CB * CO));
        memcpy(out + k, y, sizeof y);
        k += CB * CO;
    }
    CK_OK(ccrnn_cortex_backward(cx, NULL, 0, out + k, CB * Z));
    k += CB * Z;
    CK_OK(ccrnn_cortex_params(cx, NULL, &g, &n));
    memcpy(out + k, g, n * sizeof(float));
    return k + n;
}

START_TEST(test_clone_equals_original)
{
    int cell = _i;
    ccrnn_cortex *cx = random_cortex(cell, 5), *cl;
    CK_OK(ccrnn_cortex_set_param(cx, CCRNN_PARAM_THREADS, 2));
    float x[CB * CI], y[CB * CO];
    ts_rng rng;
    ts_rng_seed(&rng, 1);
    ts_rng_fill(&rng, x, CB * CI, -1, 1);
    /* Mid-window: one step recorded with its output gradient. */
    CK_OK(ccrnn_cortex_forward(cx, x, CB * CI, y, CB * CO));
    CK_OK(ccrnn_cortex_output_grad(cx, 0, y, CB * CO));
    CK_OK(ccrnn_cortex_clone(cx, &cl));
    const float *pa, *pb;
    size_t n;
    CK_OK(ccrnn_cortex_params(cx, &pa, NULL, &n));
    CK_OK(ccrnn_cortex_params(cl, &pb, NULL, NULL));
    ck_assert_ptr_ne(pa, pb);
    ck_assert_mem_eq(pa, pb, n * sizeof(float));
    double v;
    CK_OK(ccrnn_cortex_get_param(cl, CCRNN_PARAM_THREADS, &v));
    ck_assert_double_eq(v, 2);
    float *ra = falloc(4096), *rb = falloc(4096);
    size_t na = continue_run(cx, ra, 77), nb = continue_run(cl, rb, 77);
    ck_assert_uint_eq(na, nb);
    ck_assert_mem_eq(ra, rb, na * sizeof(float));
    free(ra);
    free(rb);
    ccrnn_cortex_destroy(cx);
    ccrnn_cortex_destroy(cl);
}
END_TEST

START_TEST(test_reset)
{
    ccrnn_cortex *cx = random_cortex(CCRNN_CELL_LSTM, 6);
    float x[CB * CI], y[CB * CO], z[CB * 2 * CH];
    ts_rng rng;
    ts_rng_seed(&rng, 2);
    ts_rng_fill(&rng, x, CB * CI, -1, 1);
    CK_OK(ccrnn_cortex_forward(cx, x, CB * CI, y, CB * CO));
    CK_OK(ccrnn_cortex_output_grad(cx, 0, y, CB * CO));
    CK_OK(ccrnn_cortex_backward(cx, NULL, 0, NULL, 0));
    const float *p;
    float *g;
    size_t n;
    CK_OK(ccrnn_cortex_params(cx, &p, &g, &n));
    float *p0 = falloc(n), *g0 = falloc(n);
    memcpy(p0, p, n * sizeof(float));
    memcpy(g0, g, n * sizeof(float));
    CK_OK(ccrnn_cortex_reset(cx, 1));
    /* State zero at the new batch, empty window, parameters and gradients kept. */
    fill_sentinel(z, CB * 2 * CH);
    CK_OK(ccrnn_cortex_get_state(cx, z, 2 * CH));
    for (size_t i = 0; i < 2 * CH; i++) ck_assert_float_eq(z[i], 0.0f);
    ck_assert(all_sentinel(z + 2 * CH, (CB - 1) * 2 * CH));
    CK_STATUS(ccrnn_cortex_get_state(cx, z, CB * 2 * CH), CCRNN_ERR_SHAPE);
    size_t steps;
    CK_OK(ccrnn_cortex_window_length(cx, &steps));
    ck_assert_uint_eq(steps, 0);
    ck_assert_mem_eq(p, p0, n * sizeof(float));
    ck_assert_mem_eq(g, g0, n * sizeof(float));
    /* The new batch is what forward expects. */
    CK_STATUS(ccrnn_cortex_forward(cx, x, CB * CI, NULL, 0), CCRNN_ERR_SHAPE);
    CK_OK(ccrnn_cortex_forward(cx, x, CI, y, CO));
    CK_OK(ccrnn_cortex_zero_grad(cx));
    for (size_t i = 0; i < n; i++) ck_assert_float_eq(g[i], 0.0f);
    free(p0);
    free(g0);
    ccrnn_cortex_destroy(cx);
}
END_TEST

START_TEST(test_hidden_grad_and_readout)
{
    /* dL/dh at a step flows into the recurrent weights but not the readout. */
    ccrnn_cortex *cx = random_cortex(CCRNN_CELL_TANH, 7);
    float x[CB * CI], dh[CB * CH], z[CB * CH], *g;
    size_t n, off;
    ts_rng rng;
    ts_rng_seed(&rng, 3);
    ts_rng_fill(&rng, x, CB * CI, -1, 1);
    ts_rng_fill(&rng, dh, CB * CH, -1, 1);
    ts_rng_fill(&rng, z, CB * CH, -1, 1); /* a nonzero start reaches weight_hh too */
    CK_OK(ccrnn_cortex_set_state(cx, z, CB * CH));
    CK_OK(ccrnn_cortex_forward(cx, x, CB * CI, NULL, 0));
    CK_OK(ccrnn_cortex_hidden_grad(cx, 0, dh, CB * CH));
    CK_OK(ccrnn_cortex_backward(cx, NULL, 0, NULL, 0));
    CK_OK(ccrnn_cortex_params(cx, NULL, &g, &n));
    CK_OK(ccrnn_cortex_tensor_info(cx, 4, NULL, NULL, NULL, &off));
    size_t nonzero = 0;
    for (size_t i = 0; i < off; i++) nonzero += g[i] != 0.0f;
    ck_assert_uint_eq(nonzero, off);
    for (size_t i = off; i < n; i++) ck_assert_float_eq(g[i], 0.0f);
    ccrnn_cortex_destroy(cx);
}
END_TEST

/* THREADS=2 against THREADS=1, for each cell.  BLIS partitions gemm over the output,
 * never over k, and the cells' elementwise passes are split by whole batch rows
 * (ccrnn__la_rows, from 4096 elements: this size crosses it for every cell, with an odd
 * batch so the two threads get different row counts), so the results are bit-identical;
 * measured so on this machine for H up to 512 and batch up to 128 (LSTM forward,
 * backward and gradients). */
static size_t threaded_run(int cell, int threads, float *out)
{
    enum { I = 24, H = 64, O = 8, Bt = 67, T = 3 };
    ccrnn_cortex *cx;
    CK_OK(ccrnn_cortex_create(cell, I, H, O, Bt, T, 31, &cx));
    CK_OK(ccrnn_cortex_set_param(cx, CCRNN_PARAM_THREADS, threads));
    ts_rng rng;
    ts_rng_seed(&rng, 9);
    float *x = falloc(Bt * I), *g;
    size_t k = 0, n;
    for (size_t t = 0; t < T; t++) {
        ts_rng_fill(&rng, x, Bt * I, -1, 1);
        CK_OK(ccrnn_cortex_forward(cx, x, Bt * I, out + k, Bt * O));
        CK_OK(ccrnn_cortex_output_grad(cx, t, out + k, Bt * O));
        k += Bt * O;
    }
    size_t nz = cell == CCRNN_CELL_LSTM ? 2 * H : H;
    CK_OK(ccrnn_cortex_backward(cx, NULL, 0, out + k, Bt * nz));
    k += Bt * nz;
    CK_OK(ccrnn_cortex_input_grad(cx, out + k, T * Bt * I));
    k += T * Bt * I;
    CK_OK(ccrnn_cortex_params(cx, NULL, &g, &n));
    memcpy(out + k, g, n * sizeof(float));
    free(x);
    ccrnn_cortex_destroy(cx);
    return k + n;
}

START_TEST(test_threads_bit_identical)
{
    const int cells[3] = {CCRNN_CELL_LSTM, CCRNN_CELL_GRU, CCRNN_CELL_TANH};
    enum { CAP = 100000 };
    float *a = falloc(CAP), *b = falloc(CAP), *c = falloc(CAP);
    size_t na = threaded_run(cells[_i], 1, a), nb = threaded_run(cells[_i], 2, b);
    ck_assert_uint_le(na, CAP);
    ck_assert_uint_eq(threaded_run(cells[_i], 2, c), nb);
    ck_assert_uint_eq(na, nb);
    ck_assert_mem_eq(b, c, nb * sizeof(float)); /* deterministic run to run */
    ck_assert_mem_eq(a, b, na * sizeof(float)); /* and equal to one thread */
    free(a);
    free(b);
    free(c);
}
END_TEST

Suite *cortex_suite(void)
{
    Suite *s = suite_create("cortex");
    TCase *tc = tcase_create("exact_outputs");
    tcase_add_test(tc, test_tanh_exact_outputs);
    tcase_add_test(tc, test_lstm_exact_outputs);
    tcase_add_test(tc, test_gru_exact_outputs);
    suite_add_tcase(s, tc);
    tc = tcase_create("tensors");
    tcase_add_loop_test(tc, test_tensor_table, 0, 3);
    tcase_add_test(tc, test_shape_and_defaults);
    tcase_add_test(tc, test_initialisation_seeded);
    suite_add_tcase(s, tc);
    tc = tcase_create("modes_and_state");
    tcase_add_loop_test(tc, test_inference_matches_training, 0, 3);
    tcase_add_loop_test(tc, test_state_access, 0, 3);
    tcase_add_loop_test(tc, test_clone_equals_original, 0, 3);
    tcase_add_test(tc, test_reset);
    tcase_add_test(tc, test_hidden_grad_and_readout);
    suite_add_tcase(s, tc);
    tc = tcase_create("threads");
    tcase_set_timeout(tc, 30);
    tcase_add_loop_test(tc, test_threads_bit_identical, 0, 3);
    suite_add_tcase(s, tc);
    return s;
}
