/* The cortex: one recurrent layer (LSTM, tanh RNN or GRU) with a linear readout, a
 * window tape for truncated BPTT, and the backward pass through a window.
 *
 * State slots.  hs/cs hold max(max_window+1, 3) rows of batch x H each.  In training
 * mode slot 0 is the window start and slot t+1 the state after step t, so the
 * window's recurrent inputs hs[0..T-1] and outputs hs[1..T] are contiguous and the
 * weight gradients of a whole window are single products over T*B rows.  In
 * inference mode slot 0 is the window start and the state alternates between slots
 * 1 and 2, so a failed step never touches the committed state.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "activation.h"
#include "checkpoint.h"
#include "ccrnn/ccrnn_experimental.h"

struct ccrnn_cortex {
    ccrnn_params p;      /* first: values, gradients, tensor table, threads */
    int cell;
    size_t I, H, O, G;   /* input, hidden, output, gate rows (4H, H or 3H) */
    size_t Z;            /* state size per sample (2H for LSTM, else H) */
    size_t A;            /* activation values recorded per sample and step */
    size_t max_b, max_t, slots;
    size_t B;            /* active batch */
    size_t T;            /* steps recorded in the window (training mode) */
    size_t cur;          /* slot holding the current state */
    int training, backwarded;

    float *xs;     /* max_t x B x I       inputs */
    float *hs;     /* slots x B x H       hidden states */
    float *cs;     /* slots x B x H       cell states (LSTM) */
    float *acts;   /* max_t x B x A       gate activations (+ tanh(c) or W_hn h + b_hn) */
    float *dys;    /* max_t x B x O       output gradients */
    float *dhs;    /* max_t x B x H       extra hidden-state gradients */
    unsigned char *dy_set, *dh_set;
    float *dgi;    /* max_t x B x G       gradients at the input-side gate pre-activations */
    float *dgh;    /* max_t x B x G       the same at the recurrent side (GRU; else = dgi) */
    float *pre;    /* B x G x 2           scratch for the gate pre-activations */
    float *yscr;   /* max_t x B x O       scratch for the readout */
    float *carry_h, *carry_c, *next_h, *next_c; /* B x H scratch for backward */
    float *dz_end, *dz_start; /* B x Z each: the window end's gradients (ccrnn_window_end) */
};

/* ---- parameter views -------------------------------------------------------------- */

static float *w_ih(const ccrnn_cortex *cx, float *base) { (void)cx; return base; }
static float *w_hh(const ccrnn_cortex *cx, float *base) { return base + cx->G * cx->I; }
static float *b_ih(const ccrnn_cortex *cx, float *base) { return w_hh(cx, base) + cx->G * cx->H; }
static float *b_hh(const ccrnn_cortex *cx, float *base) { return b_ih(cx, base) + cx->G; }
static float *w_out(const ccrnn_cortex *cx, float *base) { return b_hh(cx, base) + cx->G; }
static float *b_out(const ccrnn_cortex *cx, float *base) { return w_out(cx, base) + cx->O * cx->H; }

/* Tape rows are laid out with the active batch as stride, so a window's rows are
 * contiguous whatever the batch; a batch change (reset) clears the window. */
static float *slot_h(const ccrnn_cortex *cx, size_t s) { return cx->hs + s * cx->B * cx->H; }
static float *slot_c(const ccrnn_cortex *cx, size_t s) { return cx->cs + s * cx->B * cx->H; }
static float *row_block(float *base, const ccrnn_cortex *cx, size_t t, size_t width)
{
    return base + t * cx->B * width;
}

/* The tensors in PyTorch's order and names; offsets follow from the order. */
static void build_tensor_table(ccrnn_cortex *cx)
{
    ccrnn_params *p = &cx->p;
    ccrnn__params_add(p, "weight_ih_l0", cx->G, cx->I);
    ccrnn__params_add(p, "weight_hh_l0", cx->G, cx->H);
    ccrnn__params_add(p, "bias_ih_l0", cx->G, 0);
    ccrnn__params_add(p, "bias_hh_l0", cx->G, 0);
    ccrnn__params_add(p, "readout.weight", cx->O, cx->H);
    ccrnn__params_add(p, "readout.bias", cx->O, 0);
}

/* ---- create / destroy ------------------------------------------------------------- */

static size_t gate_rows(int cell, size_t H)
{
    return cell == CCRNN_CELL_LSTM ? 4 * H : cell == CCRNN_CELL_GRU ? 3 * H : H;
}

/* Every buffer of a cortex, by plan (allocate, or count for ccrnn__cortex_footprint). */
static int alloc_buffers(ccrnn_cortex *cx, ccrnn_plan *pl)
{
    uint64_t B = cx->max_b, T = cx->max_t, F = sizeof(float);
    ccrnn__params_alloc(&cx->p, pl);
    cx->xs = ccrnn__plan_take(pl, T * B, cx->I, F);
    cx->hs = ccrnn__plan_take(pl, cx->slots * B, cx->H, F);
    cx->cs = ccrnn__plan_take(pl, cx->slots * B, cx->H, F);
    cx->acts = ccrnn__plan_take(pl, T * B, cx->A, F);
    cx->dys = ccrnn__plan_take(pl, T * B, cx->O, F);
    cx->dhs = ccrnn__plan_take(pl, T * B, cx->H, F);
    cx->dy_set = ccrnn__plan_take(pl, T, 1, 1);
    cx->dh_set = ccrnn__plan_take(pl, T, 1, 1);
    cx->dgi = ccrnn__plan_take(pl, T * B, cx->G, F);
    cx->dgh = cx->cell == CCRNN_CELL_GRU ? ccrnn__plan_take(pl, T * B, cx->G, F) : cx->dgi;
    cx->pre = ccrnn__plan_take(pl, 2 * B, cx->G, F);
    cx->yscr = ccrnn__plan_take(pl, T * B, cx->O, F);
    cx->carry_h = ccrnn__plan_take(pl, 4 * B, cx->H, F);
    cx->dz_end = ccrnn__plan_take(pl, 2 * B, cx->Z, F);
    if (!pl->allocate || pl->failed) return 0;
    cx->carry_c = cx->carry_h + B * cx->H;
    cx->next_h = cx->carry_c + B * cx->H;
    cx->next_c = cx->next_h + B * cx->H;
    cx->dz_start = cx->dz_end + B * cx->Z;
    return 1;
}

static void init_params(ccrnn_cortex *cx, uint64_t seed)
{
    ccrnn_rng rng;
    ccrnn__rng_seed(&rng, seed);
    /* PyTorch: every recurrent tensor ~ U(-1/sqrt(H), 1/sqrt(H)); Linear ~ U(+-1/sqrt(fan_in)). */
    /* The readout's fan-in is H too, so one bound serves every tensor. */
    float k = 1.0f / sqrtf((float)cx->H);
    for (size_t i = 0; i < cx->p.count; i++) cx->p.values[i] = ccrnn__rng_uniform(&rng, -k, k);
}

/* Sizes and the tensor table of a cortex; no allocation. */
static void set_shapes(ccrnn_cortex *cx, int cell, size_t n_in, size_t n_hidden, size_t n_out,
                       size_t max_batch, size_t max_window)
{
    cx->cell = cell;
    cx->I = n_in;
    cx->H = n_hidden;
    cx->O = n_out;
    cx->G = gate_rows(cell, n_hidden);
    cx->Z = cell == CCRNN_CELL_LSTM ? 2 * n_hidden : n_hidden;
    cx->A = cell == CCRNN_CELL_LSTM ? 5 * n_hidden : cell == CCRNN_CELL_GRU ? 4 * n_hidden : n_hidden;
    cx->max_b = max_batch;
    cx->max_t = max_window;
    cx->slots = max_window + 1 < 3 ? 3 : max_window + 1;
    cx->training = 1;
    cx->B = max_batch;
    build_tensor_table(cx);
}

uint64_t ccrnn__cortex_footprint(int cell, size_t n_in, size_t n_hidden, size_t n_out,
                                 size_t max_batch, size_t max_window, ccrnn_params *table)
{
    ccrnn_cortex plan_only;
    ccrnn_plan pl = {0, 0, 0};
    memset(&plan_only, 0, sizeof plan_only);
    set_shapes(&plan_only, cell, n_in, n_hidden, n_out, max_batch, max_window);
    if (table) *table = plan_only.p;
    alloc_buffers(&plan_only, &pl);
    return pl.bytes;
}

int ccrnn_cortex_create(int cell, size_t n_in, size_t n_hidden, size_t n_out, size_t max_batch,
                        size_t max_window, uint64_t seed, ccrnn_cortex **out)
{
    REQUIRE(out);
    if (cell != CCRNN_CELL_LSTM && cell != CCRNN_CELL_TANH && cell != CCRNN_CELL_GRU)
        return FAIL(CCRNN_ERR_ARG, "unknown cell kind %d", cell);
    const size_t limit = (size_t)1 << 24;
    if (n_in == 0 || n_hidden == 0 || n_out == 0 || max_batch == 0 || max_window == 0)
        return FAIL(CCRNN_ERR_ARG, "sizes must be >= 1 (n_in %zu, n_hidden %zu, n_out %zu, "
                    "max_batch %zu, max_window %zu)", n_in, n_hidden, n_out, max_batch, max_window);
    if (n_in > limit || n_hidden > limit || n_out > limit || max_batch > limit ||
        max_window > limit)
        return FAIL(CCRNN_ERR_ARG, "a size exceeds %zu", limit);
    ccrnn_cortex *cx = calloc(1, sizeof *cx);
    if (!cx) return FAIL(CCRNN_ERR_NOMEM, "out of memory");
    set_shapes(cx, cell, n_in, n_hidden, n_out, max_batch, max_window);
    ccrnn_plan pl = {1, 0, 0};
    if (!alloc_buffers(cx, &pl)) {
        size_t n_params = cx->p.count;
        ccrnn_cortex_destroy(cx);
        return FAIL(CCRNN_ERR_NOMEM, "out of memory for a cortex of %zu parameters", n_params);
    }
    init_params(cx, seed);
    *out = cx;
    return CCRNN_OK;
}

void ccrnn_cortex_destroy(ccrnn_cortex *cx)
{
    if (!cx) return;
    if (cx->dgh != cx->dgi) free(cx->dgh);
    ccrnn__params_free(&cx->p);
    free(cx->xs); free(cx->hs); free(cx->cs);
    free(cx->acts); free(cx->dys); free(cx->dhs); free(cx->dy_set); free(cx->dh_set);
    free(cx->dgi); free(cx->pre); free(cx->yscr); free(cx->carry_h); free(cx->dz_end);
    free(cx);
}

int ccrnn_cortex_clone(const ccrnn_cortex *src, ccrnn_cortex **out)
{
    REQUIRE(src);
    REQUIRE(out);
    ccrnn_cortex *cx;
    int st = ccrnn_cortex_create(src->cell, src->I, src->H, src->O, src->max_b, src->max_t, 0, &cx);
    if (st) return st;
    size_t B = src->max_b, T = src->max_t;
    ccrnn__params_copy(&cx->p, &src->p);
    memcpy(cx->xs, src->xs, T * B * src->I * sizeof(float));
    memcpy(cx->hs, src->hs, src->slots * B * src->H * sizeof(float));
    memcpy(cx->cs, src->cs, src->slots * B * src->H * sizeof(float));
    memcpy(cx->acts, src->acts, T * B * src->A * sizeof(float));
    memcpy(cx->dys, src->dys, T * B * src->O * sizeof(float));
    memcpy(cx->dhs, src->dhs, T * B * src->H * sizeof(float));
    memcpy(cx->dy_set, src->dy_set, T);
    memcpy(cx->dh_set, src->dh_set, T);
    memcpy(cx->dgi, src->dgi, T * B * src->G * sizeof(float));
    if (src->dgh != src->dgi) memcpy(cx->dgh, src->dgh, T * B * src->G * sizeof(float));
    cx->B = src->B;
    cx->T = src->T;
    cx->cur = src->cur;
    cx->training = src->training;
    cx->backwarded = src->backwarded;
    *out = cx;
    return CCRNN_OK;
}

/* ---- parameters and shape --------------------------------------------------------- */

int ccrnn_cortex_set_param(ccrnn_cortex *cx, int param, double value)
{
    REQUIRE(cx);
    int st = ccrnn__setting_check(__func__, CCRNN__KIND_CORTEX, param, value);
    if (st) return st;
    switch (param) {
    case CCRNN_PARAM_THREADS:
        ccrnn__params_set_threads(&cx->p, (int)value);
        return CCRNN_OK;
    case CCRNN_PARAM_TRAINING:
        if ((int)value != cx->training) {
            /* Switching mode keeps the current state and begins a new window. */
            ccrnn_cortex_begin_window(cx);
            cx->training = (int)value;
        }
        return CCRNN_OK;
    }
    return CCRNN_OK;
}

int ccrnn_cortex_get_param(const ccrnn_cortex *cx, int param, double *value)
{
    REQUIRE(cx);
    REQUIRE(value);
    switch (param) {
    case CCRNN_PARAM_THREADS: *value = ccrnn__params_threads(&cx->p); return CCRNN_OK;
    case CCRNN_PARAM_TRAINING: *value = cx->training; return CCRNN_OK;
    default: return FAIL(CCRNN_ERR_ARG, "parameter %d does not apply to a cortex", param);
    }
}

int ccrnn_cortex_shape(const ccrnn_cortex *cx, int *cell, size_t *n_in, size_t *n_hidden,
                       size_t *n_out, size_t *state_size, size_t *max_batch, size_t *max_window)
{
    REQUIRE(cx);
    if (cell) *cell = cx->cell;
    if (n_in) *n_in = cx->I;
    if (n_hidden) *n_hidden = cx->H;
    if (n_out) *n_out = cx->O;
    if (state_size) *state_size = cx->Z;
    if (max_batch) *max_batch = cx->max_b;
    if (max_window) *max_window = cx->max_t;
    return CCRNN_OK;
}

/* ---- windows and state ------------------------------------------------------------ */

static void clear_window(ccrnn_cortex *cx)
{
    size_t used = cx->T;
    for (size_t t = 0; t < used; t++) {
        if (cx->dy_set[t]) memset(row_block(cx->dys, cx, t, cx->O), 0, cx->B * cx->O * sizeof(float));
        if (cx->dh_set[t]) memset(row_block(cx->dhs, cx, t, cx->H), 0, cx->B * cx->H * sizeof(float));
        cx->dy_set[t] = cx->dh_set[t] = 0;
    }
    cx->T = 0;
    cx->cur = 0;
    cx->backwarded = 0;
}

int ccrnn_cortex_begin_window(ccrnn_cortex *cx)
{
    REQUIRE(cx);
    if (cx->cur != 0) {
        memcpy(slot_h(cx, 0), slot_h(cx, cx->cur), cx->B * cx->H * sizeof(float));
        memcpy(slot_c(cx, 0), slot_c(cx, cx->cur), cx->B * cx->H * sizeof(float));
    }
    clear_window(cx);
    return CCRNN_OK;
}

int ccrnn_cortex_reset(ccrnn_cortex *cx, size_t batch)
{
    REQUIRE(cx);
    if (batch == 0 || batch > cx->max_b)
        return FAIL(CCRNN_ERR_ARG, "batch %zu outside 1..max_batch (%zu)", batch, cx->max_b);
    clear_window(cx);
    cx->B = batch;
    memset(slot_h(cx, 0), 0, batch * cx->H * sizeof(float));
    memset(slot_c(cx, 0), 0, batch * cx->H * sizeof(float));
    return CCRNN_OK;
}

int ccrnn_cortex_window_length(const ccrnn_cortex *cx, size_t *steps)
{
    REQUIRE(cx);
    REQUIRE(steps);
    *steps = cx->T;
    return CCRNN_OK;
}

int ccrnn_cortex_batch(const ccrnn_cortex *cx, size_t *batch)
{
    REQUIRE(cx);
    REQUIRE(batch);
    *batch = cx->B;
    return CCRNN_OK;
}

void ccrnn__cortex_copy_state(const ccrnn_cortex *cx, int start, float *z)
{
    size_t s = start ? 0 : cx->cur, H = cx->H;
    const float *h = slot_h(cx, s), *c = slot_c(cx, s);
    for (size_t b = 0; b < cx->B; b++) {
        memcpy(z + b * cx->Z, h + b * H, H * sizeof(float));
        if (cx->cell == CCRNN_CELL_LSTM) memcpy(z + b * cx->Z + H, c + b * H, H * sizeof(float));
    }
}

size_t ccrnn__cortex_batch(const ccrnn_cortex *cx) { return cx->B; }
size_t ccrnn__cortex_state_size(const ccrnn_cortex *cx) { return cx->Z; }

int ccrnn_cortex_get_state(const ccrnn_cortex *cx, float *z, size_t n)
{
    REQUIRE(cx);
    REQUIRE(z);
    REQUIRE_LEN(n, cx->B * cx->Z, "state buffer (batch*state_size)");
    ccrnn__cortex_copy_state(cx, 0, z);
    return CCRNN_OK;
}

int ccrnn_cortex_window_start_state(const ccrnn_cortex *cx, float *z, size_t n)
{
    REQUIRE(cx);
    REQUIRE(z);
    REQUIRE_LEN(n, cx->B * cx->Z, "state buffer (batch*state_size)");
    ccrnn__cortex_copy_state(cx, 1, z);
    return CCRNN_OK;
}

int ccrnn_cortex_set_state(ccrnn_cortex *cx, const float *z, size_t n)
{
    REQUIRE(cx);
    REQUIRE(z);
    REQUIRE_LEN(n, cx->B * cx->Z, "state buffer (batch*state_size)");
    if (!ccrnn__all_finite(z, n)) return FAIL(CCRNN_ERR_NUMERIC, "state contains NaN or Inf");
    clear_window(cx);
    size_t H = cx->H;
    for (size_t b = 0; b < cx->B; b++) {
        memcpy(slot_h(cx, 0) + b * H, z + b * cx->Z, H * sizeof(float));
        if (cx->cell == CCRNN_CELL_LSTM) memcpy(slot_c(cx, 0) + b * H, z + b * cx->Z + H, H * sizeof(float));
    }
    return CCRNN_OK;
}

int ccrnn_cortex_hidden(const ccrnn_cortex *cx, size_t step, float *h, size_t n)
{
    REQUIRE(cx);
    REQUIRE(h);
    REQUIRE_LEN(n, cx->B * cx->H, "hidden buffer (batch*n_hidden)");
    if (step >= cx->T)
        return FAIL(CCRNN_ERR_ARG, "step %zu not recorded (window holds %zu steps)", step, cx->T);
    memcpy(h, slot_h(cx, step + 1), n * sizeof(float));
    return CCRNN_OK;
}

/* ---- forward ---------------------------------------------------------------------- */

/* Elementwise passes over contiguous runs: simple loops the compiler vectorises
 * (the cell functions below get AVX2 clones; see CCRNN_SIMD_CLONES). */
static inline void sigmoid_run(const float *restrict x, float *restrict y, size_t n)
{
    for (size_t k = 0; k < n; k++) y[k] = ccrnn_sigmoid(x[k]);
}

static inline void tanh_run(const float *restrict x, float *restrict y, size_t n)
{
    for (size_t k = 0; k < n; k++) y[k] = ccrnn_tanh(x[k]);
}

/* The arguments of one step's elementwise pass, shared by the row ranges that
 * ccrnn__la_rows hands to the cell functions below (forward: pre, preh, h_prev, c_prev
 * to act, h, c; backward: dh, dc, step t to dg, dgh, dh_prev, dc_prev). */
typedef struct cell_job {
    const ccrnn_cortex *cx;
    float *pre;
    const float *preh, *h_prev, *c_prev, *dh, *dc;
    float *act, *h, *c, *dg, *dgh, *dh_prev, *dc_prev;
    size_t t;
} cell_job;

/* Gate nonlinearities of rows [b0, b1): from pre (B x G) and the previous state to the
 * new state (h, c) and the recorded activations [i, f, g, o, tanh(c)]. */
CCRNN_SIMD_CLONES
static void lstm_cell(void *ctx, size_t b0, size_t b1)
{
    const cell_job *job = ctx;
    const ccrnn_cortex *cx = job->cx;
    size_t H = cx->H;
    for (size_t b = b0; b < b1; b++) {
        const float *p = job->pre + b * cx->G, *cp = job->c_prev + b * H;
        float *restrict a = job->act + b * cx->A, *restrict cn = job->c + b * H,
                        *restrict hn = job->h + b * H;
        sigmoid_run(p, a, 2 * H);
        tanh_run(p + 2 * H, a + 2 * H, H);
        sigmoid_run(p + 3 * H, a + 3 * H, H);
        for (size_t j = 0; j < H; j++) cn[j] = a[H + j] * cp[j] + a[j] * a[2 * H + j];
        tanh_run(cn, a + 4 * H, H);
        for (size_t j = 0; j < H; j++) hn[j] = a[3 * H + j] * a[4 * H + j];
    }
}

CCRNN_SIMD_CLONES
static void tanh_cell(void *ctx, size_t b0, size_t b1)
{
    const cell_job *job = ctx;
    size_t H = job->cx->H, n = (b1 - b0) * H;
    tanh_run(job->pre + b0 * H, job->act + b0 * H, n);
    memcpy(job->h + b0 * H, job->act + b0 * H, n * sizeof(float));
}

/* GRU: pre holds x W_ih^T + b_ih, preh holds h W_hh^T + b_hh (both B x 3H); recorded
 * activations [r, z, n, W_hn h + b_hn]. */
CCRNN_SIMD_CLONES
static void gru_cell(void *ctx, size_t b0, size_t b1)
{
    const cell_job *job = ctx;
    const ccrnn_cortex *cx = job->cx;
    size_t H = cx->H;
    for (size_t b = b0; b < b1; b++) {
        float *restrict pi = job->pre + b * cx->G;
        const float *ph = job->preh + b * cx->G, *hp = job->h_prev + b * H;
        float *restrict a = job->act + b * cx->A, *restrict hn = job->h + b * H;
        for (size_t j = 0; j < 2 * H; j++) pi[j] += ph[j];
        sigmoid_run(pi, a, 2 * H);
        for (size_t j = 0; j < H; j++) {
            a[3 * H + j] = ph[2 * H + j];
            pi[2 * H + j] += a[j] * ph[2 * H + j];
        }
        tanh_run(pi + 2 * H, a + 2 * H, H);
        for (size_t j = 0; j < H; j++) hn[j] = (1.0f - a[H + j]) * a[2 * H + j] + a[H + j] * hp[j];
    }
}

static void add_bias_rows(size_t m, size_t n, const float *bias, float *c)
{
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++) c[i * n + j] += bias[j];
}

static void set_bias_rows(size_t m, size_t n, const float *bias, float *c)
{
    for (size_t i = 0; i < m; i++) memcpy(c + i * n, bias, n * sizeof(float));
}

/* The input side of the gate pre-activations for `rows` rows of x: x W_ih^T + b_ih, plus
 * b_hh except for the GRU (which keeps the recurrent side apart), into out (rows x G). */
static void project_inputs(ccrnn_cortex *cx, const float *x, size_t rows, float *out)
{
    size_t G = cx->G;
    float *p = cx->p.values;
    memcpy(out, b_ih(cx, p), G * sizeof(float));
    if (cx->cell != CCRNN_CELL_GRU) add_bias_rows(1, G, b_hh(cx, p), out);
    for (size_t r = 1; r < rows; r++) memcpy(out + r * G, out, G * sizeof(float));
    ccrnn__gemm(cx->p.la, LA_N, LA_T, rows, G, cx->I, 1.0f, x, cx->I, w_ih(cx, p), cx->I, 1.0f, out, G);
}

/* One step from slot `from` to slot `to`.  proj: the step's input side (B x G rows of
 * project_inputs, used and overwritten), or NULL to compute it from x here. */
static void step_forward(ccrnn_cortex *cx, const float *x, float *proj, size_t from, size_t to,
                         float *act)
{
    size_t B = cx->B, G = cx->G, H = cx->H;
    float *p = cx->p.values, *pre = proj ? proj : cx->pre, *preh = cx->pre + cx->max_b * G;
    const float *h_prev = slot_h(cx, from);
    if (!proj) project_inputs(cx, x, B, pre);
    int lstm = cx->cell == CCRNN_CELL_LSTM;
    cell_job job = {.cx = cx, .pre = pre, .preh = preh, .h_prev = h_prev,
                    .c_prev = lstm ? slot_c(cx, from) : NULL, .act = act, .h = slot_h(cx, to),
                    .c = lstm ? slot_c(cx, to) : NULL};
    ccrnn_rows_fn cell = lstm ? lstm_cell
                         : cx->cell == CCRNN_CELL_GRU ? gru_cell : tanh_cell;
    /* The recurrent side h W_hh^T: added into pre, except for the GRU, which keeps it
     * apart (with b_hh) in preh. */
    float *rec = pre;
    if (cx->cell == CCRNN_CELL_GRU) {
        set_bias_rows(B, G, b_hh(cx, p), preh);
        rec = preh;
    }
    ccrnn__gemm(cx->p.la, LA_N, LA_T, B, G, H, 1.0f, h_prev, H, w_hh(cx, p), H, 1.0f, rec, G);
    ccrnn__la_rows(cx->p.la, B, cx->A, cell, &job);
}

/* Readout of `rows` hidden rows h into out (rows x O): h W_out^T + b_out. */
static void readout(ccrnn_cortex *cx, const float *h, size_t rows, float *out)
{
    set_bias_rows(rows, cx->O, b_out(cx, cx->p.values), out);
    ccrnn__gemm(cx->p.la, LA_N, LA_T, rows, cx->O, cx->H, 1.0f, h, cx->H, w_out(cx, cx->p.values),
                cx->H, 1.0f, out, cx->O);
}

static int state_finite(const ccrnn_cortex *cx, size_t slot)
{
    size_t n = cx->B * cx->H;
    return ccrnn__all_finite(slot_h(cx, slot), n) &&
           (cx->cell != CCRNN_CELL_LSTM || ccrnn__all_finite(slot_c(cx, slot), n));
}

/* Back to the state before failed steps: in training mode the window's step count and
 * current slot (the slots beyond are unused); in inference mode the same slot, and
 * after more than one step the saved start state (both ping-pong slots were written). */
static void undo_steps(ccrnn_cortex *cx, size_t steps, size_t t0, size_t cur0)
{
    size_t n = cx->B * cx->H;
    if (cx->training) {
        cx->T = t0;
    } else if (steps > 1) {
        memcpy(slot_h(cx, cur0), cx->carry_h, n * sizeof(float));
        if (cx->cell == CCRNN_CELL_LSTM) memcpy(slot_c(cx, cur0), cx->carry_c, n * sizeof(float));
    }
    cx->cur = cur0;
}

/* `steps` steps on xs (steps x B x I), the outputs into ys (or none), all or none: the
 * work of ccrnn_cortex_forward (one step, its input projected in step_forward) and of
 * ccrnn_cortex_forward_steps (batched: the input projection of every step as one
 * product, into the gate-gradient buffer, which is free until the window's backward).
 * The callers have checked the pointers and lengths. */
static int take_steps(const char *fn, ccrnn_cortex *cx, size_t steps, const float *xs,
                      const char *xs_name, int batched, float *ys)
{
    size_t B = cx->B, G = cx->G, H = cx->H, I = cx->I, O = cx->O;
    if (cx->training && cx->T + steps > cx->max_t)
        return FAIL_IN(fn, CCRNN_ERR_STATE, "the window holds %zu of max_window (%zu) steps, %zu "
                       "more do not fit; call ccrnn_cortex_begin_window", cx->T, cx->max_t, steps);
    if (cx->training && cx->backwarded)
        return FAIL_IN(fn, CCRNN_ERR_STATE, "window was already backpropagated; call "
                       "ccrnn_cortex_begin_window");
    if (!ccrnn__all_finite(xs, steps * B * I))
        return FAIL_IN(fn, CCRNN_ERR_NUMERIC, "%s contains NaN or Inf", xs_name);
    size_t t0 = cx->T, cur0 = cx->cur;
    if (!cx->training && steps > 1) { /* the backward scratch is free without a tape */
        memcpy(cx->carry_h, slot_h(cx, cur0), B * H * sizeof(float));
        if (cx->cell == CCRNN_CELL_LSTM) memcpy(cx->carry_c, slot_c(cx, cur0), B * H * sizeof(float));
    }
    if (batched) project_inputs(cx, xs, steps * B, cx->dgi);
    for (size_t s = 0; s < steps; s++) {
        size_t t = cx->training ? cx->T : 0;
        size_t from = cx->cur, to = cx->training ? cx->T + 1 : (cx->cur == 1 ? 2 : 1);
        step_forward(cx, xs + s * B * I, batched ? cx->dgi + s * B * G : NULL, from, to,
                     row_block(cx->acts, cx, t, cx->A));
        if (!state_finite(cx, to)) {
            undo_steps(cx, steps, t0, cur0);
            return steps == 1 ? FAIL_IN(fn, CCRNN_ERR_NUMERIC, "the step produced a non-finite state")
                              : FAIL_IN(fn, CCRNN_ERR_NUMERIC, "step %zu of %zu produced a "
                                        "non-finite state; no step was taken", s, steps);
        }
        /* Inference keeps no tape: read out before the next step overwrites h. */
        if (ys && !cx->training) readout(cx, slot_h(cx, to), B, cx->yscr + s * B * O);
        if (cx->training) cx->T++;
        cx->cur = to;
    }
    if (ys) {
        /* In training mode the steps' hidden states are consecutive slots: one product. */
        if (cx->training) readout(cx, slot_h(cx, t0 + 1), steps * B, cx->yscr);
        if (!ccrnn__all_finite(cx->yscr, steps * B * O)) {
            undo_steps(cx, steps, t0, cur0);
            return FAIL_IN(fn, CCRNN_ERR_NUMERIC, "the step%s produced a non-finite output%s",
                           steps == 1 ? "" : "s", steps == 1 ? "" : "; no step was taken");
        }
        memcpy(ys, cx->yscr, steps * B * O * sizeof(float));
    }
    if (cx->training) memcpy(row_block(cx->xs, cx, t0, I), xs, steps * B * I * sizeof(float));
    return CCRNN_OK;
}

int ccrnn_cortex_forward(ccrnn_cortex *cx, const float *x, size_t nx, float *y, size_t ny)
{
    REQUIRE(cx);
    REQUIRE(x);
    REQUIRE_LEN(nx, cx->B * cx->I, "x (batch*n_in)");
    if (y) REQUIRE_LEN(ny, cx->B * cx->O, "y (batch*n_out)");
    else if (ny) return FAIL(CCRNN_ERR_NULL, "y is NULL but ny is %zu", ny);
    return take_steps(__func__, cx, 1, x, "x", 0, y);
}

int ccrnn_cortex_forward_steps(ccrnn_cortex *cx, size_t steps, const float *xs, size_t xs_len,
                               float *ys, size_t ys_len)
{
    REQUIRE(cx);
    REQUIRE(xs);
    if (steps == 0) return FAIL(CCRNN_ERR_ARG, "steps is 0");
    if (steps > cx->max_t)
        return FAIL(CCRNN_ERR_ARG, "steps %zu exceeds max_window (%zu)", steps, cx->max_t);
    REQUIRE_LEN(xs_len, steps * cx->B * cx->I, "xs (steps*batch*n_in)");
    if (ys) REQUIRE_LEN(ys_len, steps * cx->B * cx->O, "ys (steps*batch*n_out)");
    else if (ys_len) return FAIL(CCRNN_ERR_NULL, "ys is NULL but ys_len is %zu", ys_len);
    return take_steps(__func__, cx, steps, xs, "xs", 1, ys);
}

/* ---- output and hidden gradients -------------------------------------------------- */

static int add_step_grad(const char *fn, ccrnn_cortex *cx, size_t step, const float *d,
                         size_t n, size_t width, float *base, unsigned char *flags,
                         const char *name, const char *what)
{
    if (!d) return FAIL_IN(fn, CCRNN_ERR_NULL, "argument '%s' is NULL", name);
    REQUIRE_LEN_IN(fn, n, cx->B * width, what);
    if (!cx->training) return FAIL_IN(fn, CCRNN_ERR_STATE, "no tape in inference mode");
    if (cx->backwarded) return FAIL_IN(fn, CCRNN_ERR_STATE, "window was already backpropagated");
    if (step >= cx->T)
        return FAIL_IN(fn, CCRNN_ERR_ARG, "step %zu not recorded (window holds %zu steps)", step,
                       cx->T);
    if (!ccrnn__all_finite(d, n))
        return FAIL_IN(fn, CCRNN_ERR_NUMERIC, "%s contains NaN or Inf", what);
    float *dst = row_block(base, cx, step, width);
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        float sum = dst[i] + d[i];
        bad |= sum - sum != 0.0f;
    }
    if (bad)
        return FAIL_IN(fn, CCRNN_ERR_NUMERIC, "%s overflows added to step %zu's gradient", what,
                       step);
    for (size_t i = 0; i < n; i++) dst[i] += d[i];
    flags[step] = 1;
    return CCRNN_OK;
}

int ccrnn_cortex_output_grad(ccrnn_cortex *cx, size_t step, const float *dy, size_t n)
{
    if (!cx) return FAIL(CCRNN_ERR_NULL, "argument 'cx' is NULL");
    return add_step_grad(__func__, cx, step, dy, n, cx->O, cx->dys, cx->dy_set, "dy",
                         "dy (batch*n_out)");
}

int ccrnn_cortex_hidden_grad(ccrnn_cortex *cx, size_t step, const float *dh, size_t n)
{
    if (!cx) return FAIL(CCRNN_ERR_NULL, "argument 'cx' is NULL");
    return add_step_grad(__func__, cx, step, dh, n, cx->H, cx->dhs, cx->dh_set, "dh",
                         "dh (batch*n_hidden)");
}

/* ---- backward --------------------------------------------------------------------- */

/* Rows [b0, b1) of step t's backward through the cell.  dh, dc (B x H): gradient at
 * the step's output state.  Writes the gate gradients of the step and the gradient at
 * the previous state into dh_prev, dc_prev (dh_prev holds only the direct part; the
 * W_hh product is added by the caller). */
CCRNN_SIMD_CLONES
static void lstm_back(void *ctx, size_t b0, size_t b1)
{
    const cell_job *job = ctx;
    const ccrnn_cortex *cx = job->cx;
    size_t H = cx->H;
    const float *c_prev = slot_c(cx, job->t), *dh = job->dh, *dc = job->dc;
    const float *act = row_block(cx->acts, cx, job->t, cx->A);
    float *dh_prev = job->dh_prev, *dc_prev = job->dc_prev;
    for (size_t b = b0; b < b1; b++) {
        const float *a = act + b * cx->A;
        float *g = job->dg + b * cx->G;
        for (size_t j = 0; j < H; j++) {
            float i = a[j], f = a[H + j], gg = a[2 * H + j], o = a[3 * H + j], tc = a[4 * H + j];
            float dhj = dh[b * H + j];
            float dcj = dc[b * H + j] + dhj * o * (1.0f - tc * tc);
            g[j] = dcj * gg * i * (1.0f - i);
            g[H + j] = dcj * c_prev[b * H + j] * f * (1.0f - f);
            g[2 * H + j] = dcj * i * (1.0f - gg * gg);
            g[3 * H + j] = dhj * tc * o * (1.0f - o);
            dc_prev[b * H + j] = dcj * f;
            dh_prev[b * H + j] = 0.0f;
        }
    }
}

CCRNN_SIMD_CLONES
static void tanh_back(void *ctx, size_t b0, size_t b1)
{
    const cell_job *job = ctx;
    size_t H = job->cx->H;
    const float *act = row_block(job->cx->acts, job->cx, job->t, job->cx->A);
    for (size_t i = b0 * H; i < b1 * H; i++) {
        job->dg[i] = job->dh[i] * (1.0f - act[i] * act[i]);
        job->dh_prev[i] = 0.0f;
    }
}

CCRNN_SIMD_CLONES
static void gru_back(void *ctx, size_t b0, size_t b1)
{
    const cell_job *job = ctx;
    const ccrnn_cortex *cx = job->cx;
    size_t H = cx->H;
    const float *h_prev = slot_h(cx, job->t), *dh = job->dh;
    const float *act = row_block(cx->acts, cx, job->t, cx->A);
    for (size_t b = b0; b < b1; b++) {
        const float *a = act + b * cx->A;
        float *gi = job->dg + b * cx->G, *gh = job->dgh + b * cx->G;
        for (size_t j = 0; j < H; j++) {
            float r = a[j], z = a[H + j], n = a[2 * H + j], hn = a[3 * H + j];
            float d = dh[b * H + j];
            float dn = d * (1.0f - z) * (1.0f - n * n);
            float dz = d * (h_prev[b * H + j] - n) * z * (1.0f - z);
            float dr = dn * hn * r * (1.0f - r);
            gi[j] = gh[j] = dr;
            gi[H + j] = gh[H + j] = dz;
            gi[2 * H + j] = dn;
            gh[2 * H + j] = dn * r;
            job->dh_prev[b * H + j] = d * z;
        }
    }
}

/* Gradient arriving at the output state of step t: the carry from later steps, plus
 * the readout's share of dL/dy and any extra hidden gradient. */
static void gather_dh(ccrnn_cortex *cx, size_t t, float *dh)
{
    size_t B = cx->B, H = cx->H;
    if (cx->dy_set[t])
        ccrnn__gemm(cx->p.la, LA_N, LA_N, B, H, cx->O, 1.0f, row_block(cx->dys, cx, t, cx->O), cx->O,
                    w_out(cx, cx->p.values), H, 1.0f, dh, H);
    if (cx->dh_set[t]) {
        const float *extra = row_block(cx->dhs, cx, t, H);
        for (size_t i = 0; i < B * H; i++) dh[i] += extra[i];
    }
}

/* Runs the recurrence backward; leaves the gate gradients of every step in dgi/dgh and
 * the start gradient in *dh_start, *dc_start (two of the B x H scratch buffers: each
 * step writes the previous state's gradient into the pair the step before read, and
 * the pairs swap).  Returns 0 on a non-finite value. */
static int backward_recurrence(ccrnn_cortex *cx, const float *dz_end, const float **dh_start,
                               const float **dc_start)
{
    size_t B = cx->B, H = cx->H, G = cx->G;
    float *dh = cx->carry_h, *dc = cx->carry_c, *dh_prev = cx->next_h, *dc_prev = cx->next_c;
    for (size_t b = 0; b < B; b++) {
        if (dz_end) {
            memcpy(dh + b * H, dz_end + b * cx->Z, H * sizeof(float));
            if (cx->cell == CCRNN_CELL_LSTM) memcpy(dc + b * H, dz_end + b * cx->Z + H, H * sizeof(float));
        } else {
            memset(dh + b * H, 0, H * sizeof(float));
            memset(dc + b * H, 0, H * sizeof(float));
        }
    }
    ccrnn_rows_fn back = cx->cell == CCRNN_CELL_LSTM ? lstm_back
                         : cx->cell == CCRNN_CELL_GRU ? gru_back : tanh_back;
    for (size_t t = cx->T; t-- > 0;) {
        gather_dh(cx, t, dh);
        float *dgi = row_block(cx->dgi, cx, t, G), *dgh = row_block(cx->dgh, cx, t, G);
        cell_job job = {.cx = cx, .t = t, .dh = dh, .dc = dc, .dg = dgi, .dgh = dgh,
                        .dh_prev = dh_prev, .dc_prev = dc_prev};
        ccrnn__la_rows(cx->p.la, B, cx->A, back, &job);
        ccrnn__gemm(cx->p.la, LA_N, LA_N, B, H, G, 1.0f, dgh, G, w_hh(cx, cx->p.values), H, 1.0f,
                    dh_prev, H);
        if (!ccrnn__all_finite(dh_prev, B * H) || !ccrnn__all_finite(dgi, B * G)) return 0;
        float *h_swap = dh, *c_swap = dc;
        dh = dh_prev;
        dc = dc_prev;
        dh_prev = h_swap;
        dc_prev = c_swap;
    }
    *dh_start = dh;
    *dc_start = dc;
    return cx->cell != CCRNN_CELL_LSTM || ccrnn__all_finite(dc, B * H);
}

static double max2(double a, double b) { return a > b ? a : b; }

/* 1 when adding the window's weight gradients keeps every gradient finite.  Each is a
 * product over T*B rows of a gradient column (dgi, dgh or dys) with an input column
 * (xs, hs or ones for a bias), so by Cauchy-Schwarz it changes by at most the product
 * of the two matrices' Frobenius norms (in double).  Checked before anything is
 * accumulated; only gradients near 2^126 are refused that would have stayed finite. */
static int weight_grads_stay_finite(ccrnn_cortex *cx, double *inc)
{
    size_t rows = cx->T * cx->B;
    double grad = max2(ccrnn__norm2(cx->dgi, rows * cx->G), ccrnn__norm2(cx->dys, rows * cx->O));
    if (cx->dgh != cx->dgi) grad = max2(grad, ccrnn__norm2(cx->dgh, rows * cx->G));
    double in = max2(ccrnn__norm2(cx->xs, rows * cx->I), sqrt((double)rows));
    in = max2(in, ccrnn__norm2(slot_h(cx, 0), (cx->T + 1) * cx->B * cx->H));
    *inc = grad * in * (1.0 + 1e-3); /* slack for the float-blocked sums */
    return ccrnn__params_grads_fit(&cx->p, *inc, 0x1p126);
}

/* Weight gradients of the whole window: one product over T*B rows per tensor. */
static void accumulate_weight_grads(ccrnn_cortex *cx)
{
    size_t H = cx->H, G = cx->G, I = cx->I, O = cx->O, rows = cx->T * cx->B;
    float *g = cx->p.grads;
    ccrnn__gemm(cx->p.la, LA_T, LA_N, G, I, rows, 1.0f, cx->dgi, G, cx->xs, I, 1.0f, w_ih(cx, g), I);
    ccrnn__gemm(cx->p.la, LA_T, LA_N, G, H, rows, 1.0f, cx->dgh, G, slot_h(cx, 0), H, 1.0f,
                w_hh(cx, g), H);
    if (cx->dgh == cx->dgi) {
        /* LSTM and tanh: both biases get the same gradient; sum the columns once. */
        float *sum = cx->pre;
        memset(sum, 0, G * sizeof(float));
        ccrnn__add_colsum(cx->p.la, rows, G, cx->dgi, G, sum);
        for (size_t j = 0; j < G; j++) {
            b_ih(cx, g)[j] += sum[j];
            b_hh(cx, g)[j] += sum[j];
        }
    } else {
        ccrnn__add_colsum(cx->p.la, rows, G, cx->dgi, G, b_ih(cx, g));
        ccrnn__add_colsum(cx->p.la, rows, G, cx->dgh, G, b_hh(cx, g));
    }
    int any_dy = 0;
    for (size_t t = 0; t < cx->T; t++) any_dy |= cx->dy_set[t];
    if (!any_dy) return;
    ccrnn__gemm(cx->p.la, LA_T, LA_N, O, H, rows, 1.0f, cx->dys, O, slot_h(cx, 1), H, 1.0f,
                w_out(cx, g), H);
    ccrnn__add_colsum(cx->p.la, rows, O, cx->dys, O, b_out(cx, g));
}

int ccrnn__cortex_backward_ready(const char *fn, const ccrnn_cortex *cx)
{
    if (!cx->training) return FAIL_IN(fn, CCRNN_ERR_STATE, "no tape in inference mode");
    if (cx->T == 0) return FAIL_IN(fn, CCRNN_ERR_STATE, "the window holds no steps");
    if (cx->backwarded) return FAIL_IN(fn, CCRNN_ERR_STATE, "window was already backpropagated");
    return CCRNN_OK;
}

void ccrnn__cortex_window_scratch(ccrnn_cortex *cx, float **dz_end, float **dz_start)
{
    *dz_end = cx->dz_end;
    *dz_start = cx->dz_start;
}

int ccrnn_cortex_backward(ccrnn_cortex *cx, const float *dz_end, size_t n_end, float *dz_start,
                          size_t n_start)
{
    REQUIRE(cx);
    if (dz_end) REQUIRE_LEN(n_end, cx->B * cx->Z, "dz_end (batch*state_size)");
    else if (n_end) return FAIL(CCRNN_ERR_NULL, "dz_end is NULL but n_end is %zu", n_end);
    if (dz_start) REQUIRE_LEN(n_start, cx->B * cx->Z, "dz_start (batch*state_size)");
    else if (n_start) return FAIL(CCRNN_ERR_NULL, "dz_start is NULL but n_start is %zu", n_start);
    int st = ccrnn__cortex_backward_ready(__func__, cx);
    if (st) return st;
    if (dz_end && !ccrnn__all_finite(dz_end, n_end))
        return FAIL(CCRNN_ERR_NUMERIC, "dz_end contains NaN or Inf");
    const float *dh_start, *dc_start;
    if (!backward_recurrence(cx, dz_end, &dh_start, &dc_start))
        return FAIL(CCRNN_ERR_NUMERIC, "backpropagation produced a non-finite gradient");
    double inc;
    if (!weight_grads_stay_finite(cx, &inc))
        return FAIL(CCRNN_ERR_NUMERIC, "the parameter gradients would overflow; nothing was "
                    "accumulated");
    accumulate_weight_grads(cx);
    ccrnn__params_grads_added(&cx->p, inc);
    cx->backwarded = 1;
    if (dz_start) {
        for (size_t b = 0; b < cx->B; b++) {
            memcpy(dz_start + b * cx->Z, dh_start + b * cx->H, cx->H * sizeof(float));
            if (cx->cell == CCRNN_CELL_LSTM)
                memcpy(dz_start + b * cx->Z + cx->H, dc_start + b * cx->H, cx->H * sizeof(float));
        }
    }
    return CCRNN_OK;
}

int ccrnn_cortex_input_grad(ccrnn_cortex *cx, float *dx, size_t n)
{
    REQUIRE(cx);
    REQUIRE(dx);
    if (!cx->backwarded) return FAIL(CCRNN_ERR_STATE, "the window has not been backpropagated");
    REQUIRE_LEN(n, cx->T * cx->B * cx->I, "dx (window_length*batch*n_in)");
    /* |dx| <= |dgi|_F |W_ih|_F (Cauchy-Schwarz): refuse before writing what could overflow. */
    if (!(ccrnn__norm2(cx->dgi, cx->T * cx->B * cx->G) *
              ccrnn__norm2(w_ih(cx, cx->p.values), cx->G * cx->I) * (1.0 + 1e-3) <= 0x1p126))
        return FAIL(CCRNN_ERR_NUMERIC, "the input gradients would overflow");
    ccrnn__gemm(cx->p.la, LA_N, LA_N, cx->T * cx->B, cx->I, cx->G, 1.0f, cx->dgi, cx->G,
                w_ih(cx, cx->p.values), cx->I, 0.0f, dx, cx->I);
    return CCRNN_OK;
}

/* ---- the probe (experimental) ----------------------------------------------------- */

int ccrnn_cortex_sync(ccrnn_cortex *dst, const ccrnn_cortex *src)
{
    REQUIRE(dst);
    REQUIRE(src);
    if (dst->cell != src->cell || dst->I != src->I || dst->H != src->H || dst->O != src->O)
        return FAIL(CCRNN_ERR_SHAPE, "the probe's cell or sizes differ from the source cortex");
    if (src->B > dst->max_b)
        return FAIL(CCRNN_ERR_SHAPE, "source batch %zu exceeds the probe's max_batch %zu", src->B,
                    dst->max_b);
    clear_window(dst);
    dst->B = src->B;
    memcpy(dst->p.values, src->p.values, src->p.count * sizeof(float));
    ccrnn__params_zero_grads(&dst->p);
    ccrnn__params_written(&dst->p);
    memcpy(slot_h(dst, 0), slot_h(src, src->cur), src->B * src->H * sizeof(float));
    memcpy(slot_c(dst, 0), slot_c(src, src->cur), src->B * src->H * sizeof(float));
    return CCRNN_OK;
}

/* ---- checkpoints: the cortex's self-description ------------------------------------ */

size_t ccrnn__cortex_describe(const ccrnn_cortex *cx, ccrnn_entry *e)
{
    const double L = (double)CCRNN__SIZE_LIMIT;
    size_t n = 0;
    ccrnn__entry_u64(&e[n++], "cell", (uint64_t)cx->cell, CCRNN_CELL_LSTM, CCRNN_CELL_GRU);
    ccrnn__entry_u64(&e[n++], "n_in", cx->I, 1, L);
    ccrnn__entry_u64(&e[n++], "n_hidden", cx->H, 1, L);
    ccrnn__entry_u64(&e[n++], "n_out", cx->O, 1, L);
    ccrnn__entry_u64(&e[n++], "max_batch", cx->max_b, 1, L);
    ccrnn__entry_u64(&e[n++], "max_window", cx->max_t, 1, L);
    ccrnn__entry_u64(&e[n++], "batch", cx->B, 1, (double)cx->max_b);
    ccrnn__entry_setting(&e[n++], "TRAINING", CCRNN_PARAM_TRAINING, cx->training);
    ccrnn__entry_setting(&e[n++], "THREADS", CCRNN_PARAM_THREADS, ccrnn__params_threads(&cx->p));
    n += ccrnn__entries_params(&e[n], &cx->p);
    /* The state as get_state lays it out, staged in the window-end scratch (the saving
     * call owns the handle, so the scratch is free). */
    float *stage = ((ccrnn_cortex *)cx)->dz_end;
    ccrnn__cortex_copy_state(cx, 0, stage);
    ccrnn__entry_f32(&e[n++], "state", stage, cx->B, cx->Z);
    return n;
}

int ccrnn__cortex_restore(const char *fn, const ccrnn_ck *ck, ccrnn_cortex **out)
{
    const uint64_t L = CCRNN__SIZE_LIMIT;
    uint64_t cell, I, H, O, B, T, batch;
    int st = ccrnn__ck_u64(fn, ck, "cell", CCRNN_CELL_LSTM, CCRNN_CELL_GRU, &cell);
    if (!st) st = ccrnn__ck_u64(fn, ck, "n_in", 1, L, &I);
    if (!st) st = ccrnn__ck_u64(fn, ck, "n_hidden", 1, L, &H);
    if (!st) st = ccrnn__ck_u64(fn, ck, "n_out", 1, L, &O);
    if (!st) st = ccrnn__ck_u64(fn, ck, "max_batch", 1, L, &B);
    if (!st) st = ccrnn__ck_u64(fn, ck, "max_window", 1, L, &T);
    if (!st) st = ccrnn__ck_u64(fn, ck, "batch", 1, B, &batch);
    if (st) return st;
    ccrnn_params table;
    if (ccrnn__cortex_footprint((int)cell, I, H, O, B, T, &table) > CCRNN__FOOTPRINT_LIMIT)
        return FAIL_IN(fn, CCRNN_ERR_FORMAT, "implausible shapes: the cortex would need more "
                       "than %llu bytes", (unsigned long long)CCRNN__FOOTPRINT_LIMIT);
    st = ccrnn__ck_check_shapes(fn, ck, &table);
    if (st) return st;
    ccrnn_cortex *cx;
    st = ccrnn_cortex_create((int)cell, I, H, O, B, T, 0, &cx);
    if (st) return st == CCRNN_ERR_NOMEM ? st : FAIL_IN(fn, CCRNN_ERR_FORMAT, "shapes refused");
    ccrnn_cortex_reset(cx, batch);
    ccrnn_entry e[CCRNN__CORTEX_ENTRIES];
    size_t n = ccrnn__cortex_describe(cx, e);
    st = ccrnn__ck_check(fn, ck, e, n);
    if (st) {
        ccrnn_cortex_destroy(cx);
        return st;
    }
    ccrnn__ck_copy(ck, e, n);
    ccrnn__params_loaded(&cx->p);
    /* Checked against the settings table: these cannot fail. */
    ccrnn_cortex_set_param(cx, CCRNN_PARAM_TRAINING, ccrnn__entry_number(e, n, "TRAINING"));
    ccrnn_cortex_set_param(cx, CCRNN_PARAM_THREADS, ccrnn__entry_number(e, n, "THREADS"));
    ccrnn_cortex_set_state(cx, cx->dz_end, cx->B * cx->Z);
    *out = cx;
    return CCRNN_OK;
}
