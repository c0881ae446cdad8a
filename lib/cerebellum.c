/* The cerebellum: an MLP predictor with an optional context input, a mossy-fibre mask
 * on its input layer, and ablation / inferior-olive-lesion switches.
 *
 * Forward cache.  In ccRNN the prediction at a window's end state is asked for at the
 * window end (predict) and again, as the regression input, when the next window
 * learns.  The two see the same input and, until the optimizer steps, the same
 * weights, so predict keeps its activations in one of two slots (alternating: the
 * window-end prediction of window k is needed after that of window k+1 is made) and
 * learn reuses a slot whose input matches byte for byte at the current weight
 * version; when none does, learn computes in a third slot of its own.  Weights only
 * change through calls that bump the version (the value view is read-only), so the
 * cache is always valid.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"

#define MAX_LAYERS 16

typedef struct slot {
    float *in;   /* max_b x D0: the concatenated [in, ctx] rows */
    float *act;  /* max_b x width x n_hidden: post-ReLU hidden activity */
    float *out;  /* max_b x n_out */
    size_t batch;
    uint64_t version;  /* of the weights it was computed with */
    int valid;
} slot;

struct ccrnn_cerebellum {
    ccrnn_params p;    /* first: values, gradients, tensor table, threads */
    size_t n_in, n_ctx, n_out, n_hidden, width, max_b, d0;
    size_t dims[MAX_LAYERS + 2]; /* dims[0] = d0, dims[1..n_hidden] = width, last = n_out */
    size_t w_off[MAX_LAYERS + 1], b_off[MAX_LAYERS + 1];
    int ablated, lesioned, loss_mean;
    float *mask;       /* width x d0 (first layer), NULL when every fibre is kept */
    slot slots[3];     /* 0, 1: predictions (alternating); 2: learn's own forward */
    size_t last;       /* slot of the latest forward */
    size_t next_predict;
    int has_forward;
    double w_norms[MAX_LAYERS + 1]; /* |W_l|_F at w_norms_version (backward_stays_finite) */
    uint64_t w_norms_version;
    int w_norms_ok;
    float *delta, *delta2; /* max_b x max(width, n_out) backward scratch */
    float *stage;      /* max_b x n_in: filled by the synthetic-gradient glue */
};

static size_t n_linear(const ccrnn_cerebellum *cb) { return cb->n_hidden + 1; }

static float *layer_w(const ccrnn_cerebellum *cb, float *base, size_t l) { return base + cb->w_off[l]; }
static float *layer_b(const ccrnn_cerebellum *cb, float *base, size_t l) { return base + cb->b_off[l]; }
static float *slot_act(const ccrnn_cerebellum *cb, const slot *s, size_t layer)
{
    return s->act + layer * cb->max_b * cb->width;
}

/* ---- create / destroy ------------------------------------------------------------- */

/* The tensors as an nn.Sequential names them: Linear layers at even indices, a ReLU
 * between each two. */
static void layout(ccrnn_cerebellum *cb)
{
    size_t L = n_linear(cb);
    cb->dims[0] = cb->d0;
    for (size_t l = 1; l <= cb->n_hidden; l++) cb->dims[l] = cb->width;
    cb->dims[L] = cb->n_out;
    for (size_t l = 0; l < L; l++) {
        char name[32];
        cb->w_off[l] = cb->p.count;
        snprintf(name, sizeof name, "%zu.weight", 2 * l);
        ccrnn__params_add(&cb->p, name, cb->dims[l + 1], cb->dims[l]);
        cb->b_off[l] = cb->p.count;
        snprintf(name, sizeof name, "%zu.bias", 2 * l);
        ccrnn__params_add(&cb->p, name, cb->dims[l + 1], 0);
    }
}

/* Every buffer of a cerebellum, by plan (allocate, or count for the footprint); the
 * fibre mask, allocated later by set_fibres, is counted too. */
static int alloc_buffers(ccrnn_cerebellum *cb, ccrnn_plan *pl)
{
    uint64_t B = cb->max_b, wide = cb->width > cb->n_out ? cb->width : cb->n_out, F = sizeof(float);
    ccrnn__params_alloc(&cb->p, pl);
    cb->delta = ccrnn__plan_take(pl, 2 * B, wide, F);
    cb->stage = ccrnn__plan_take(pl, B, cb->n_in, F);
    for (int s = 0; s < 3; s++) {
        slot *sl = &cb->slots[s];
        sl->in = ccrnn__plan_take(pl, B, cb->d0, F);
        sl->act = ccrnn__plan_take(pl, B * cb->width, cb->n_hidden ? cb->n_hidden : 1, F);
        sl->out = ccrnn__plan_take(pl, B, cb->n_out, F);
    }
    if (!pl->allocate) {
        ccrnn__plan_take(pl, cb->dims[1], cb->d0, F); /* a mask, if one is set */
        return 0;
    }
    if (pl->failed) return 0;
    cb->delta2 = cb->delta + B * wide;
    return 1;
}

static void init_params(ccrnn_cerebellum *cb, uint64_t seed, unsigned flags)
{
    ccrnn_rng rng;
    ccrnn__rng_seed(&rng, seed);
    size_t L = n_linear(cb);
    for (size_t l = 0; l < L; l++) {
        float k = 1.0f / sqrtf((float)cb->dims[l]);
        float *w = layer_w(cb, cb->p.values, l), *b = layer_b(cb, cb->p.values, l);
        for (size_t i = 0; i < cb->dims[l + 1] * cb->dims[l]; i++) w[i] = ccrnn__rng_uniform(&rng, -k, k);
        for (size_t i = 0; i < cb->dims[l + 1]; i++) b[i] = ccrnn__rng_uniform(&rng, -k, k);
    }
    /* The prediction starts at exactly zero (the reference zeroes the last layer). */
    memset(layer_w(cb, cb->p.values, L - 1), 0, cb->dims[L] * cb->dims[L - 1] * sizeof(float));
    if (!(flags & CCRNN_CEREBELLUM_ZERO_LAST_WEIGHT_ONLY))
        memset(layer_b(cb, cb->p.values, L - 1), 0, cb->dims[L] * sizeof(float));
}

static void set_shapes(ccrnn_cerebellum *cb, size_t n_in, size_t n_ctx, size_t n_out,
                       size_t n_hidden_layers, size_t width, size_t max_batch)
{
    cb->n_in = n_in;
    cb->n_ctx = n_ctx;
    cb->n_out = n_out;
    cb->n_hidden = n_hidden_layers;
    cb->width = n_hidden_layers ? width : 0;
    cb->max_b = max_batch;
    cb->d0 = n_in + n_ctx;
    layout(cb);
}

uint64_t ccrnn__cerebellum_footprint(size_t n_in, size_t n_ctx, size_t n_out,
                                     size_t n_hidden_layers, size_t width, size_t max_batch,
                                     ccrnn_params *table)
{
    ccrnn_cerebellum plan_only;
    ccrnn_plan pl = {0, 0, 0};
    memset(&plan_only, 0, sizeof plan_only);
    set_shapes(&plan_only, n_in, n_ctx, n_out, n_hidden_layers, width, max_batch);
    if (table) *table = plan_only.p;
    alloc_buffers(&plan_only, &pl);
    return pl.bytes;
}

int ccrnn_cerebellum_create(size_t n_in, size_t n_ctx, size_t n_out, size_t n_hidden_layers,
                            size_t width, size_t max_batch, uint64_t seed, unsigned flags,
                            ccrnn_cerebellum **out)
{
    REQUIRE(out);
    const size_t limit = (size_t)1 << 24;
    if (n_in == 0 || n_out == 0 || max_batch == 0)
        return FAIL(CCRNN_ERR_ARG, "n_in (%zu), n_out (%zu) and max_batch (%zu) must be >= 1",
                    n_in, n_out, max_batch);
    if (n_hidden_layers > MAX_LAYERS)
        return FAIL(CCRNN_ERR_ARG, "n_hidden_layers %zu exceeds %d", n_hidden_layers, MAX_LAYERS);
    if (n_hidden_layers > 0 && width == 0)
        return FAIL(CCRNN_ERR_ARG, "width must be >= 1 with hidden layers");
    if (n_in > limit || n_ctx > limit || n_out > limit || width > limit || max_batch > limit)
        return FAIL(CCRNN_ERR_ARG, "a size exceeds %zu", limit);
    if (flags & ~(unsigned)CCRNN_CEREBELLUM_ZERO_LAST_WEIGHT_ONLY)
        return FAIL(CCRNN_ERR_ARG, "unknown flags 0x%x", flags);
    ccrnn_cerebellum *cb = calloc(1, sizeof *cb);
    if (!cb) return FAIL(CCRNN_ERR_NOMEM, "out of memory");
    set_shapes(cb, n_in, n_ctx, n_out, n_hidden_layers, width, max_batch);
    ccrnn_plan pl = {1, 0, 0};
    if (!alloc_buffers(cb, &pl)) {
        size_t n_params = cb->p.count;
        ccrnn_cerebellum_destroy(cb);
        return FAIL(CCRNN_ERR_NOMEM, "out of memory for a cerebellum of %zu parameters",
                    n_params);
    }
    init_params(cb, seed, flags);
    *out = cb;
    return CCRNN_OK;
}

void ccrnn_cerebellum_destroy(ccrnn_cerebellum *cb)
{
    if (!cb) return;
    for (int s = 0; s < 3; s++) {
        free(cb->slots[s].in);
        free(cb->slots[s].act);
        free(cb->slots[s].out);
    }
    ccrnn__params_free(&cb->p);
    free(cb->delta); free(cb->stage); free(cb->mask);
    free(cb);
}

int ccrnn_cerebellum_clone(const ccrnn_cerebellum *src, ccrnn_cerebellum **out)
{
    REQUIRE(src);
    REQUIRE(out);
    ccrnn_cerebellum *cb;
    int st = ccrnn_cerebellum_create(src->n_in, src->n_ctx, src->n_out, src->n_hidden,
                                     src->width ? src->width : 1, src->max_b, 0, 0, &cb);
    if (st) return st;
    if (src->mask && ccrnn__cerebellum_set_mask(cb, src->mask)) {
        ccrnn_cerebellum_destroy(cb);
        return FAIL(CCRNN_ERR_NOMEM, "out of memory");
    }
    ccrnn__params_copy(&cb->p, &src->p);
    cb->ablated = src->ablated;
    cb->lesioned = src->lesioned;
    cb->loss_mean = src->loss_mean;
    *out = cb;
    return CCRNN_OK;
}

/* ---- parameters and shape --------------------------------------------------------- */

/* What the optimizer does with the cerebellum's group, from the ablation and lesion. */
static void update_hold(ccrnn_cerebellum *cb)
{
    cb->p.hold = cb->ablated || cb->lesioned == 1 ? CCRNN__HOLD_ZERO
               : cb->lesioned == 2                ? CCRNN__HOLD_KEEP
                                                  : CCRNN__UPDATE;
}

int ccrnn_cerebellum_set_param(ccrnn_cerebellum *cb, int param, double value)
{
    REQUIRE(cb);
    int st = ccrnn__setting_check(__func__, CCRNN__KIND_CEREBELLUM, param, value);
    if (st) return st;
    switch (param) {
    case CCRNN_PARAM_THREADS: ccrnn__params_set_threads(&cb->p, (int)value); break;
    case CCRNN_PARAM_ABLATED: cb->ablated = (int)value; break;
    case CCRNN_PARAM_IO_LESION: cb->lesioned = (int)value; break;
    case CCRNN_PARAM_LOSS_MEAN: cb->loss_mean = (int)value; break;
    }
    update_hold(cb);
    return CCRNN_OK;
}

int ccrnn_cerebellum_get_param(const ccrnn_cerebellum *cb, int param, double *value)
{
    REQUIRE(cb);
    REQUIRE(value);
    switch (param) {
    case CCRNN_PARAM_THREADS: *value = ccrnn__params_threads(&cb->p); return CCRNN_OK;
    case CCRNN_PARAM_ABLATED: *value = cb->ablated; return CCRNN_OK;
    case CCRNN_PARAM_IO_LESION: *value = cb->lesioned; return CCRNN_OK;
    case CCRNN_PARAM_LOSS_MEAN: *value = cb->loss_mean; return CCRNN_OK;
    default: return FAIL(CCRNN_ERR_ARG, "parameter %d does not apply to a cerebellum", param);
    }
}

int ccrnn_cerebellum_shape(const ccrnn_cerebellum *cb, size_t *n_in, size_t *n_ctx,
                           size_t *n_out, size_t *n_hidden_layers, size_t *width,
                           size_t *max_batch)
{
    REQUIRE(cb);
    if (n_in) *n_in = cb->n_in;
    if (n_ctx) *n_ctx = cb->n_ctx;
    if (n_out) *n_out = cb->n_out;
    if (n_hidden_layers) *n_hidden_layers = cb->n_hidden;
    if (width) *width = cb->width;
    if (max_batch) *max_batch = cb->max_b;
    return CCRNN_OK;
}

float *ccrnn__cerebellum_stage(ccrnn_cerebellum *cb) { return cb->stage; }
int ccrnn__cerebellum_io(const ccrnn_cerebellum *cb, size_t *n_in, size_t *n_ctx, size_t *n_out,
                         size_t *max_batch)
{
    *n_in = cb->n_in;
    *n_ctx = cb->n_ctx;
    *n_out = cb->n_out;
    *max_batch = cb->max_b;
    return CCRNN_OK;
}

/* ---- mossy fibres ----------------------------------------------------------------- */

static void apply_mask(const float *mask, float *w, size_t n)
{
    for (size_t i = 0; i < n; i++) w[i] *= mask[i];
}

int ccrnn_cerebellum_set_fibres(ccrnn_cerebellum *cb, size_t n_fibres, uint64_t seed)
{
    REQUIRE(cb);
    size_t rows = cb->dims[1], d0 = cb->d0;
    if (n_fibres == 0 || n_fibres > d0)
        return FAIL(CCRNN_ERR_ARG, "n_fibres %zu outside 1..%zu (inputs + context)", n_fibres, d0);
    if (n_fibres == d0) return ccrnn__cerebellum_set_mask(cb, NULL);
    float *mask = cb->mask ? cb->mask : malloc(rows * d0 * sizeof(float));
    if (!mask) return FAIL(CCRNN_ERR_NOMEM, "out of memory for the fibre mask");
    ccrnn_rng rng;
    ccrnn__rng_seed(&rng, seed);
    for (size_t r = 0; r < rows; r++) {
        /* Selection sampling (Knuth's algorithm S): n_fibres of d0 inputs, uniformly. */
        float *m = mask + r * d0;
        size_t need = n_fibres;
        for (size_t j = 0; j < d0; j++) {
            uint64_t pick = ccrnn__rng_next(&rng) % (d0 - j);
            m[j] = pick < need ? 1.0f : 0.0f;
            if (pick < need) need--;
        }
    }
    cb->mask = mask;
    ccrnn__cerebellum_set_mask(cb, mask); /* in place: cannot fail */
    return CCRNN_OK;
}

/* ---- forward and backward --------------------------------------------------------- */

static int check_io(const char *fn, const ccrnn_cerebellum *cb, size_t batch, const float *in,
                    size_t n_in, const float *ctx, size_t n_ctx)
{
    if (batch == 0 || batch > cb->max_b)
        return FAIL_IN(fn, CCRNN_ERR_ARG, "batch %zu outside 1..max_batch (%zu)", batch, cb->max_b);
    REQUIRE_LEN_IN(fn, n_in, batch * cb->n_in, "in (batch*n_in)");
    if (cb->n_ctx) {
        if (!ctx)
            return FAIL_IN(fn, CCRNN_ERR_NULL, "ctx is NULL but the cerebellum has %zu context "
                           "inputs", cb->n_ctx);
        REQUIRE_LEN_IN(fn, n_ctx, batch * cb->n_ctx, "ctx (batch*n_ctx)");
    } else if (ctx || n_ctx) {
        return FAIL_IN(fn, CCRNN_ERR_SHAPE, "ctx given but the cerebellum has no context input");
    }
    if (!ccrnn__all_finite(in, n_in))
        return FAIL_IN(fn, CCRNN_ERR_NUMERIC, "in contains NaN or Inf");
    if (ctx && !ccrnn__all_finite(ctx, n_ctx))
        return FAIL_IN(fn, CCRNN_ERR_NUMERIC, "ctx contains NaN or Inf");
    return CCRNN_OK;
}

static void load_input(const ccrnn_cerebellum *cb, slot *s, size_t batch, const float *in,
                       const float *ctx)
{
    if (!cb->n_ctx) {
        memcpy(s->in, in, batch * cb->n_in * sizeof(float));
        return;
    }
    for (size_t b = 0; b < batch; b++) {
        memcpy(s->in + b * cb->d0, in + b * cb->n_in, cb->n_in * sizeof(float));
        memcpy(s->in + b * cb->d0 + cb->n_in, ctx + b * cb->n_ctx, cb->n_ctx * sizeof(float));
    }
}

static int input_matches(const ccrnn_cerebellum *cb, const slot *s, size_t batch, const float *in,
                         const float *ctx)
{
    if (!s->valid || s->batch != batch || s->version != cb->p.version) return 0;
    if (!cb->n_ctx) return memcmp(s->in, in, batch * cb->n_in * sizeof(float)) == 0;
    for (size_t b = 0; b < batch; b++)
        if (memcmp(s->in + b * cb->d0, in + b * cb->n_in, cb->n_in * sizeof(float)) ||
            memcmp(s->in + b * cb->d0 + cb->n_in, ctx + b * cb->n_ctx, cb->n_ctx * sizeof(float)))
            return 0;
    return 1;
}

static void forward_slot(ccrnn_cerebellum *cb, slot *s, size_t batch)
{
    size_t L = n_linear(cb);
    const float *a = s->in;
    for (size_t l = 0; l < L; l++) {
        size_t n = cb->dims[l + 1], k = cb->dims[l];
        float *dst = l + 1 < L ? slot_act(cb, s, l) : s->out;
        const float *bias = layer_b(cb, cb->p.values, l);
        for (size_t b = 0; b < batch; b++) memcpy(dst + b * n, bias, n * sizeof(float));
        ccrnn__gemm(cb->p.la, LA_N, LA_T, batch, n, k, 1.0f, a, k, layer_w(cb, cb->p.values, l), k,
                    1.0f, dst, n);
        if (l + 1 < L)
            for (size_t i = 0; i < batch * n; i++) dst[i] = dst[i] > 0.0f ? dst[i] : 0.0f;
        a = dst;
    }
    s->batch = batch;
    s->version = cb->p.version;
    s->valid = 1;
}

/* The forward at this input, in a slot (*index): a cached one (learn only), or a fresh
 * computation in the next prediction slot (predict) or in learn's own slot.  Returns
 * NULL when the computed output is not finite.  Nothing is recorded: the caller commits
 * the slot once its whole call has succeeded, so only a good forward becomes the one
 * ccrnn_cerebellum_hidden reports.  A fresh forward is never computed in that slot
 * (its buffers are swapped with a slot that only holds a cache entry), so a failing
 * forward cannot overwrite it. */
static slot *forward(ccrnn_cerebellum *cb, size_t batch, const float *in, const float *ctx,
                     int for_learn, size_t *index)
{
    size_t k;
    if (for_learn)
        for (k = 0; k < 3; k++)
            if (input_matches(cb, &cb->slots[k], batch, in, ctx)) {
                *index = k;
                return &cb->slots[k];
            }
    k = for_learn ? 2 : cb->next_predict;
    if (cb->has_forward && k == cb->last) {
        /* Prediction: learn's slot is the spare; learn: the older prediction. */
        size_t j = for_learn ? cb->next_predict : 2;
        slot t = cb->slots[j];
        cb->slots[j] = cb->slots[k];
        cb->slots[k] = t;
        cb->last = j;
    }
    slot *s = &cb->slots[k];
    load_input(cb, s, batch, in, ctx);
    forward_slot(cb, s, batch);
    if (!ccrnn__all_finite(s->out, batch * cb->n_out)) {
        s->valid = 0;
        return NULL;
    }
    *index = k;
    return s;
}

/* Slot k holds the forward of a call that succeeded: it is the one reported now. */
static void commit_forward(ccrnn_cerebellum *cb, size_t k, int for_learn)
{
    if (!for_learn) cb->next_predict = 1 - k;
    cb->last = k;
    cb->has_forward = 1;
}

/* ccrnn_cerebellum_predict, the output multiplied by *scale when scale is not NULL
 * (in double, rounded once to float); a scaled value that overflows is NUMERIC with
 * nothing written or recorded. */
static int predict(const char *fn, ccrnn_cerebellum *cb, size_t batch, const float *in,
                   size_t n_in, const float *ctx, size_t n_ctx, const double *scale, float *out,
                   size_t n_out)
{
    if (!cb) return FAIL_IN(fn, CCRNN_ERR_NULL, "argument 'cb' is NULL");
    if (!in) return FAIL_IN(fn, CCRNN_ERR_NULL, "argument 'in' is NULL");
    if (!out) return FAIL_IN(fn, CCRNN_ERR_NULL, "argument 'out' is NULL");
    int st = check_io(fn, cb, batch, in, n_in, ctx, n_ctx);
    if (st) return st;
    REQUIRE_LEN_IN(fn, n_out, batch * cb->n_out, "out (batch*n_out)");
    if (cb->ablated) {
        memset(out, 0, n_out * sizeof(float));
        return CCRNN_OK;
    }
    size_t k;
    slot *s = forward(cb, batch, in, ctx, 0, &k);
    if (!s) return FAIL_IN(fn, CCRNN_ERR_NUMERIC, "the prediction is not finite");
    if (scale) {
        int bad = 0;
        for (size_t i = 0; i < n_out; i++) {
            float v = (float)(*scale * s->out[i]);
            bad |= v - v != 0.0f;
        }
        if (bad)
            return FAIL_IN(fn, CCRNN_ERR_NUMERIC, "the prediction times scale (%g) overflows",
                           *scale);
        for (size_t i = 0; i < n_out; i++) out[i] = (float)(*scale * s->out[i]);
    } else {
        memcpy(out, s->out, n_out * sizeof(float));
    }
    commit_forward(cb, k, 0);
    return CCRNN_OK;
}

int ccrnn_cerebellum_predict(ccrnn_cerebellum *cb, size_t batch, const float *in, size_t n_in,
                             const float *ctx, size_t n_ctx, float *out, size_t n_out)
{
    return predict(__func__, cb, batch, in, n_in, ctx, n_ctx, NULL, out, n_out);
}

int ccrnn__cerebellum_predict_scaled(const char *fn, ccrnn_cerebellum *cb, size_t batch,
                                     const float *in, size_t n_in, const float *ctx,
                                     size_t n_ctx, double scale, float *out, size_t n_out)
{
    return predict(fn, cb, batch, in, n_in, ctx, n_ctx, &scale, out, n_out);
}

/* |W_l|_F of the layers a delta passes through on its way back (l >= 1; the first
 * layer's is never needed), recomputed only when the weights changed (their version). */
static const double *weight_norms(ccrnn_cerebellum *cb)
{
    if (!cb->w_norms_ok || cb->w_norms_version != cb->p.version) {
        cb->w_norms[0] = NAN;
        for (size_t l = 1; l < n_linear(cb); l++)
            cb->w_norms[l] = ccrnn__norm2(layer_w(cb, cb->p.values, l), cb->dims[l + 1] * cb->dims[l]);
        cb->w_norms_version = cb->p.version;
        cb->w_norms_ok = 1;
    }
    return cb->w_norms;
}

/* 1 when backpropagating the output gradient in cb->delta through the slot's forward
 * keeps every delta and every gradient finite: by Cauchy-Schwarz, a gradient changes
 * by at most |delta_l|_F * max(|a_l|_F, sqrt(batch)) and delta_{l-1} is at most
 * |delta_l|_F |W_l|_F (Frobenius norms, in double).  Checked before anything is
 * accumulated, so a learn that would overflow changes nothing.  Only gradients near
 * 2^126 are refused that would in fact have stayed finite. */
static int backward_stays_finite(ccrnn_cerebellum *cb, const slot *s, size_t batch, double *inc)
{
    /* Slack for the float-blocked sums of ccrnn__norm2. */
    const double limit = 0x1p126 / (1.0 + 1e-3), rows = sqrt((double)batch);
    const double *w = weight_norms(cb);
    double d = ccrnn__norm2(cb->delta, batch * cb->n_out), most = 0.0;
    for (size_t l = n_linear(cb); l-- > 0;) {
        size_t k = cb->dims[l];
        double a = ccrnn__norm2(l ? slot_act(cb, s, l - 1) : s->in, batch * k);
        double step = d * (a > rows ? a : rows);
        if (!(step <= limit)) return 0;
        most = step > most ? step : most;
        if (l == 0) break;
        d *= w[l];
        if (!(d <= limit)) return 0;
    }
    *inc = most;
    return ccrnn__params_grads_fit(&cb->p, most, limit);
}

static void backward(ccrnn_cerebellum *cb, const slot *s, size_t batch)
{
    size_t L = n_linear(cb);
    float *delta = cb->delta, *next = cb->delta2;
    for (size_t l = L; l-- > 0;) {
        size_t n = cb->dims[l + 1], k = cb->dims[l];
        const float *a = l ? slot_act(cb, s, l - 1) : s->in;
        ccrnn__gemm(cb->p.la, LA_T, LA_N, n, k, batch, 1.0f, delta, n, a, k, 1.0f,
                    layer_w(cb, cb->p.grads, l), k);
        ccrnn__add_colsum(cb->p.la, batch, n, delta, n, layer_b(cb, cb->p.grads, l));
        if (l == 0) break;
        ccrnn__gemm(cb->p.la, LA_N, LA_N, batch, k, n, 1.0f, delta, n, layer_w(cb, cb->p.values, l), k,
                    0.0f, next, k);
        for (size_t i = 0; i < batch * k; i++) next[i] = a[i] > 0.0f ? next[i] : 0.0f;
        float *t = delta;
        delta = next;
        next = t;
    }
    if (cb->mask) apply_mask(cb->mask, layer_w(cb, cb->p.grads, 0), cb->dims[1] * cb->d0);
}

int ccrnn_cerebellum_learn(ccrnn_cerebellum *cb, size_t batch, const float *in, size_t n_in,
                           const float *ctx, size_t n_ctx, const float *target, size_t n_target,
                           double *loss)
{
    REQUIRE(cb);
    REQUIRE(in);
    REQUIRE(target);
    int st = check_io(__func__, cb, batch, in, n_in, ctx, n_ctx);
    if (st) return st;
    REQUIRE_LEN(n_target, batch * cb->n_out, "target (batch*n_out)");
    if (!ccrnn__all_finite(target, n_target))
        return FAIL(CCRNN_ERR_NUMERIC, "target contains NaN or Inf");
    if (cb->ablated || cb->lesioned == 1) {
        if (loss) *loss = 0.0;
        return CCRNN_OK;
    }
    size_t k;
    slot *s = forward(cb, batch, in, ctx, 1, &k);
    if (!s) return FAIL(CCRNN_ERR_NUMERIC, "the prediction is not finite");
    double sum = 0.0, scale = cb->loss_mean ? 1.0 / (double)batch : 1.0;
    int bad = 0;
    for (size_t i = 0; i < n_target; i++) {
        float d = s->out[i] - target[i], g = (float)(2.0 * scale) * d;
        sum += (double)d * d;
        cb->delta[i] = g;
        bad |= g - g != 0.0f;
    }
    if (bad) return FAIL(CCRNN_ERR_NUMERIC, "the output gradient 2(p - t) overflows");
    double inc;
    if (!backward_stays_finite(cb, s, batch, &inc))
        return FAIL(CCRNN_ERR_NUMERIC, "the gradients would overflow; nothing was accumulated");
    backward(cb, s, batch);
    ccrnn__params_grads_added(&cb->p, inc);
    commit_forward(cb, k, 1);
    if (loss) *loss = sum * scale;
    return CCRNN_OK;
}

int ccrnn_cerebellum_hidden(const ccrnn_cerebellum *cb, size_t layer, float *h, size_t n)
{
    REQUIRE(cb);
    REQUIRE(h);
    if (layer >= cb->n_hidden)
        return FAIL(CCRNN_ERR_ARG, "layer %zu >= n_hidden_layers (%zu)", layer, cb->n_hidden);
    if (!cb->has_forward) return FAIL(CCRNN_ERR_STATE, "no forward pass has run yet");
    const slot *s = &cb->slots[cb->last];
    REQUIRE_LEN(n, s->batch * cb->width, "hidden buffer (batch*width)");
    memcpy(h, slot_act(cb, s, layer), n * sizeof(float));
    return CCRNN_OK;
}

/* ---- checkpoint access ------------------------------------------------------------ */

const float *ccrnn__cerebellum_mask(const ccrnn_cerebellum *cb) { return cb->mask; }

int ccrnn__cerebellum_set_mask(ccrnn_cerebellum *cb, const float *mask)
{
    size_t n = cb->dims[1] * cb->d0;
    if (!mask) {
        free(cb->mask);
        cb->mask = NULL;
        cb->p.mask = NULL;
        return CCRNN_OK;
    }
    float *m = cb->mask ? cb->mask : malloc(n * sizeof(float));
    if (!m) return FAIL(CCRNN_ERR_NOMEM, "out of memory for the fibre mask");
    if (m != mask) memcpy(m, mask, n * sizeof(float));
    /* Exactly 0 or 1 (a checkpoint's -0.0 would flip the sign of zeroed weights at every
     * load, so load-save would not be a fixed point). */
    for (size_t i = 0; i < n; i++) m[i] = m[i] != 0.0f ? 1.0f : 0.0f;
    cb->mask = m;
    cb->p.mask = m;
    cb->p.mask_offset = cb->w_off[0];
    cb->p.mask_len = n;
    apply_mask(m, layer_w(cb, cb->p.grads, 0), n);
    ccrnn__params_written(&cb->p);
    return CCRNN_OK;
}

/* ---- checkpoints: the cerebellum's self-description -------------------------------- */

size_t ccrnn__cerebellum_describe(const ccrnn_cerebellum *cb, ccrnn_entry *e)
{
    const double L = (double)CCRNN__SIZE_LIMIT;
    size_t n = 0;
    ccrnn__entry_u64(&e[n++], "n_in", cb->n_in, 1, L);
    ccrnn__entry_u64(&e[n++], "n_ctx", cb->n_ctx, 0, L);
    ccrnn__entry_u64(&e[n++], "n_out", cb->n_out, 1, L);
    ccrnn__entry_u64(&e[n++], "n_hidden_layers", cb->n_hidden, 0, MAX_LAYERS);
    ccrnn__entry_u64(&e[n++], "width", cb->width, 0, L);
    ccrnn__entry_u64(&e[n++], "max_batch", cb->max_b, 1, L);
    ccrnn__entry_setting(&e[n++], "ABLATED", CCRNN_PARAM_ABLATED, cb->ablated);
    ccrnn__entry_setting(&e[n++], "IO_LESION", CCRNN_PARAM_IO_LESION, cb->lesioned);
    ccrnn__entry_setting(&e[n++], "LOSS_MEAN", CCRNN_PARAM_LOSS_MEAN, cb->loss_mean);
    ccrnn__entry_setting(&e[n++], "THREADS", CCRNN_PARAM_THREADS, ccrnn__params_threads(&cb->p));
    if (cb->mask) {
        ccrnn__entry_f32(&e[n], "fibre_mask", cb->mask, cb->dims[1], cb->d0);
        e[n].lo = 0;
        e[n].hi = 1;
        e[n++].integer = 1;
    }
    return n + ccrnn__entries_params(&e[n], &cb->p);
}

int ccrnn__cerebellum_restore(const char *fn, const ccrnn_ck *ck, ccrnn_cerebellum **out)
{
    const uint64_t L = CCRNN__SIZE_LIMIT;
    uint64_t n_in, n_ctx, n_out, layers, width, B;
    int st = ccrnn__ck_u64(fn, ck, "n_in", 1, L, &n_in);
    if (!st) st = ccrnn__ck_u64(fn, ck, "n_ctx", 0, L, &n_ctx);
    if (!st) st = ccrnn__ck_u64(fn, ck, "n_out", 1, L, &n_out);
    if (!st) st = ccrnn__ck_u64(fn, ck, "n_hidden_layers", 0, MAX_LAYERS, &layers);
    if (!st) st = ccrnn__ck_u64(fn, ck, "width", layers ? 1 : 0, layers ? L : 0, &width);
    if (!st) st = ccrnn__ck_u64(fn, ck, "max_batch", 1, L, &B);
    if (st) return st;
    ccrnn_params table;
    if (ccrnn__cerebellum_footprint(n_in, n_ctx, n_out, layers, width, B, &table) >
        CCRNN__FOOTPRINT_LIMIT)
        return FAIL_IN(fn, CCRNN_ERR_FORMAT, "implausible shapes: the cerebellum would need more "
                       "than %llu bytes", (unsigned long long)CCRNN__FOOTPRINT_LIMIT);
    st = ccrnn__ck_check_shapes(fn, ck, &table);
    if (st) return st;
    ccrnn_cerebellum *cb;
    st = ccrnn_cerebellum_create(n_in, n_ctx, n_out, layers, width, B, 0, 0, &cb);
    if (st) return st == CCRNN_ERR_NOMEM ? st : FAIL_IN(fn, CCRNN_ERR_FORMAT, "shapes refused");
    if (ccrnn__ck_has(ck, "fibre_mask")) {
        /* A mask to read into: all ones until the file's values arrive. */
        size_t m = cb->dims[1] * cb->d0;
        float *ones = malloc(m * sizeof(float));
        if (ones) {
            for (size_t i = 0; i < m; i++) ones[i] = 1.0f;
            st = ccrnn__cerebellum_set_mask(cb, ones);
        }
        free(ones);
        if (!ones || st) {
            ccrnn_cerebellum_destroy(cb);
            return FAIL_IN(fn, CCRNN_ERR_NOMEM, "out of memory for the fibre mask");
        }
    }
    ccrnn_entry e[CCRNN__CEREBELLUM_ENTRIES];
    size_t n = ccrnn__cerebellum_describe(cb, e);
    st = ccrnn__ck_check(fn, ck, e, n);
    if (st) {
        ccrnn_cerebellum_destroy(cb);
        return st;
    }
    ccrnn__ck_copy(ck, e, n);
    if (cb->mask) ccrnn__cerebellum_set_mask(cb, cb->mask); /* in place: applies it */
    ccrnn__params_loaded(&cb->p);
    static const struct { int param; const char *name; } settings[] = {
        {CCRNN_PARAM_ABLATED, "ABLATED"}, {CCRNN_PARAM_IO_LESION, "IO_LESION"},
        {CCRNN_PARAM_LOSS_MEAN, "LOSS_MEAN"}, {CCRNN_PARAM_THREADS, "THREADS"}};
    for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++)
        ccrnn_cerebellum_set_param(cb, settings[i].param, ccrnn__entry_number(e, n, settings[i].name));
    *out = cb;
    return CCRNN_OK;
}
