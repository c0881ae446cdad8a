#include "driver.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ccrnn/ccrnn_experimental.h>

#include "output.h"
#include "rng.h"

struct ex_model {
    ex_config cfg;
    const ex_task *task;
    ccrnn_cortex *cx;
    ccrnn_cerebellum *cb;  /* NULL for a cRNN */
    ccrnn_optimizer *opt;
    ccrnn_optimizer *opt_cb; /* the cerebellum's own optimizer with separate_clip, else NULL */
    size_t I, D, L, Z, B;
    int ablated, lesioned;
    float *xt, *yt, *tt, *dy;        /* one step: B*I, B*D, B*D, B*D */
    float *dz_end, *dz_start;        /* B*Z */
    float *bx, *by, *pred;           /* one evaluation batch: B*L*I, B*L*D, B*L*D */
    int32_t *blab;                   /* B */
    ex_record_fn record;             /* gradient recording (NULL: off) */
    void *record_ctx;
    ccrnn_cortex *probe;             /* max window L: full BPTT of the remaining sequence */
    float *rec_z, *rec_pred, *rec_true, *rec_hidden;
    float *reduce_buf;               /* data-parallel: cortex grads, cerebellum grads, 3 metrics */
    size_t n_reduce;
};

/* Library calls report failures here: the call, the status and the library's message. */
static int fail(int status, const char *call)
{
    fprintf(stderr, "%s failed: %s (%s)\n", call, ccrnn_strerror(status), ccrnn_last_error());
    return status;
}

#define CHECK(call)                                   \
    do {                                              \
        int st_ = (call);                             \
        if (st_ != CCRNN_OK) return fail(st_, #call); \
    } while (0)

void ex_config_defaults(ex_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->cerebellum = 1;
    cfg->cell = CCRNN_CELL_LSTM;
    cfg->hidden = 50;
    cfg->cb_layers = 2;
    cfg->cb_width = 400;
    cfg->bptt = 1;
    cfg->batch = 50;
    cfg->epochs = 100;
    cfg->lr = 1e-3;
    cfg->beta1 = 0.9;
    cfg->beta2 = 0.98;
    cfg->eps = 1e-9;
    cfg->clip = 1.0;
    cfg->sg_scale = 0.1;
    cfg->end_synthetic = 1;
    cfg->threads = 1;
    cfg->seed = 1;
}

/* ---- bookkeeping -------------------------------------------------------------------- */

size_t ex_window_count(size_t length, size_t tau) { return (length - 1) / tau + 1; }

void ex_window_bounds(size_t length, size_t tau, size_t k, size_t *start, size_t *end)
{
    *start = k * tau;
    *end = (k + 1) * tau < length ? (k + 1) * tau : length;
}

int ex_step_supervised(const ex_task *task, size_t t)
{
    if (task->last_only) return t + 1 == task->length;
    return t % task->sparse == 0;
}

size_t ex_supervised_count(const ex_task *task, size_t start, size_t end)
{
    size_t n = 0;
    for (size_t t = start; t < end; t++) n += (size_t)ex_step_supervised(task, t);
    return n;
}

/* ---- model -------------------------------------------------------------------------- */

static int alloc_buffers(ex_model *m)
{
    size_t B = m->B, L = m->L;
    m->xt = malloc(B * m->I * sizeof(float));
    m->yt = malloc(B * m->D * sizeof(float));
    m->tt = malloc(B * m->D * sizeof(float));
    m->dy = malloc(B * m->D * sizeof(float));
    m->dz_end = malloc(B * m->Z * sizeof(float));
    m->dz_start = malloc(B * m->Z * sizeof(float));
    m->bx = malloc(B * L * m->I * sizeof(float));
    m->by = malloc(B * L * m->D * sizeof(float));
    m->pred = malloc(B * L * m->D * sizeof(float));
    m->blab = malloc(B * sizeof(int32_t));
    return m->xt && m->yt && m->tt && m->dy && m->dz_end && m->dz_start && m->bx && m->by &&
           m->pred && m->blab;
}

static int create_adam(const ex_config *c, ccrnn_optimizer **opt)
{
    CHECK(ccrnn_optimizer_create(CCRNN_OPT_ADAM, opt));
    CHECK(ccrnn_optimizer_set_param(*opt, CCRNN_PARAM_LR, c->lr));
    CHECK(ccrnn_optimizer_set_param(*opt, CCRNN_PARAM_BETA1, c->beta1));
    CHECK(ccrnn_optimizer_set_param(*opt, CCRNN_PARAM_BETA2, c->beta2));
    CHECK(ccrnn_optimizer_set_param(*opt, CCRNN_PARAM_EPS, c->eps));
    CHECK(ccrnn_optimizer_set_param(*opt, CCRNN_PARAM_CLIP_NORM, c->clip));
    return CCRNN_OK;
}

static int create_objects(ex_model *m)
{
    const ex_config *c = &m->cfg;
    size_t window = c->bptt < m->L ? c->bptt : m->L;
    CHECK(ccrnn_cortex_create(c->cell, m->I, c->hidden, m->D, m->B, window, c->seed, &m->cx));
    CHECK(ccrnn_cortex_shape(m->cx, NULL, NULL, NULL, NULL, &m->Z, NULL, NULL));
    CHECK(ccrnn_cortex_set_param(m->cx, CCRNN_PARAM_THREADS, c->threads));
    CHECK(create_adam(c, &m->opt));
    CHECK(ccrnn_optimizer_add_cortex(m->opt, m->cx, NULL));
    if (!c->cerebellum) return CCRNN_OK;
    /* The cerebellum maps the cortical state z to a prediction of dL/dz (same size). */
    CHECK(ccrnn_cerebellum_create(m->Z, 0, m->Z, c->cb_layers, c->cb_width, m->B,
                                  ex_hash(c->seed, 0xCEBE11u), CCRNN_CEREBELLUM_DEFAULT, &m->cb));
    CHECK(ccrnn_cerebellum_set_param(m->cb, CCRNN_PARAM_THREADS, c->threads));
    CHECK(ccrnn_cerebellum_set_param(m->cb, CCRNN_PARAM_LOSS_MEAN, c->cb_loss_mean));
    if (c->fibres > 0 && c->fibres < m->Z)
        CHECK(ccrnn_cerebellum_set_fibres(m->cb, c->fibres, ex_hash(c->seed, 0xF1B2Eu)));
    /* Adam is per parameter, so a second optimizer changes nothing but the clip budget. */
    if (c->separate_clip) CHECK(create_adam(c, &m->opt_cb));
    CHECK(ccrnn_optimizer_add_cerebellum(m->opt_cb ? m->opt_cb : m->opt, m->cb, NULL));
    return CCRNN_OK;
}

/* Data parallelism: one buffer for the single reduce of each step. */
static int alloc_reduce(ex_model *m)
{
    size_t n_cx = 0, n_cb = 0;
    if (!m->cfg.parallel.reduce) return 1;
    ccrnn_cortex_params(m->cx, NULL, NULL, &n_cx);
    if (m->cb) ccrnn_cerebellum_params(m->cb, NULL, NULL, &n_cb);
    m->n_reduce = n_cx + n_cb + 3;
    m->reduce_buf = malloc(m->n_reduce * sizeof(float));
    return m->reduce_buf != NULL;
}

int ex_model_create(const ex_config *cfg, const ex_task *task, ex_model **out)
{
    *out = NULL;
    const ex_parallel *par = &cfg->parallel;
    if (cfg->bptt == 0 || cfg->batch == 0 || task->length == 0 ||
        (!task->last_only && task->sparse == 0) ||
        (par->ranks > 1 && (!par->reduce || par->rank >= par->ranks ||
                            (cfg->io_lesion_at && cfg->io_lesion_kind == 2)))) {
        fprintf(stderr, "ex_model_create: bptt, batch, length and sparse must be >= 1 (and a "
                        "data-parallel rank < ranks with a reduce, no reference IO lesion)\n");
        return CCRNN_ERR_ARG;
    }
    ex_model *m = calloc(1, sizeof *m);
    if (!m) return CCRNN_ERR_NOMEM;
    m->cfg = *cfg;
    m->task = task;
    m->I = task->n_in;
    m->D = task->n_out;
    m->L = task->length;
    m->B = cfg->batch;
    int st = create_objects(m);
    if (st == CCRNN_OK && (!alloc_buffers(m) || !alloc_reduce(m))) st = CCRNN_ERR_NOMEM;
    if (st != CCRNN_OK) {
        ex_model_destroy(m);
        return st;
    }
    *out = m;
    return CCRNN_OK;
}

void ex_model_destroy(ex_model *m)
{
    if (!m) return;
    ccrnn_optimizer_destroy(m->opt); /* before the objects it points to */
    ccrnn_optimizer_destroy(m->opt_cb);
    ccrnn_cerebellum_destroy(m->cb);
    ccrnn_cortex_destroy(m->cx);
    free(m->xt), free(m->yt), free(m->tt), free(m->dy);
    free(m->dz_end), free(m->dz_start);
    free(m->bx), free(m->by), free(m->pred), free(m->blab), free(m->reduce_buf);
    ccrnn_cortex_destroy(m->probe);
    free(m->rec_z), free(m->rec_pred), free(m->rec_true), free(m->rec_hidden);
    free(m);
}

ccrnn_cortex *ex_model_cortex(ex_model *m) { return m->cx; }
ccrnn_cerebellum *ex_model_cerebellum(ex_model *m) { return m->cb; }
ccrnn_optimizer *ex_model_optimizer(ex_model *m) { return m->opt; }

int ex_model_begin_epoch(ex_model *m, size_t epoch)
{
    if (!m->cb) return CCRNN_OK;
    if (m->cfg.ablate_at && epoch >= m->cfg.ablate_at && !m->ablated) {
        CHECK(ccrnn_cerebellum_set_param(m->cb, CCRNN_PARAM_ABLATED, 1));
        m->ablated = 1;
    }
    if (m->cfg.io_lesion_at && epoch >= m->cfg.io_lesion_at && !m->lesioned) {
        int kind = m->cfg.io_lesion_kind ? m->cfg.io_lesion_kind : 1;
        CHECK(ccrnn_cerebellum_set_param(m->cb, CCRNN_PARAM_IO_LESION, kind));
        m->lesioned = 1;
    }
    return CCRNN_OK;
}

/* Copy step t of a [count][L][width] array into a [count][width] step buffer. */
static void gather(float *dst, const float *src, size_t count, size_t L, size_t width, size_t t)
{
    for (size_t b = 0; b < count; b++)
        memcpy(dst + b * width, src + (b * L + t) * width, width * sizeof(float));
}

static void scatter(float *dst, const float *src, size_t count, size_t L, size_t width, size_t t)
{
    for (size_t b = 0; b < count; b++)
        memcpy(dst + (b * L + t) * width, src + b * width, width * sizeof(float));
}

/* ---- gradient recording -------------------------------------------------------------- */

static size_t cb_first_width(const ex_model *m)
{
    return m->cb && m->cfg.cb_layers > 0 ? m->cfg.cb_width : 0;
}

int ex_model_set_recorder(ex_model *m, ex_record_fn fn, void *ctx)
{
    m->record = fn;
    m->record_ctx = ctx;
    if (!fn || m->probe) return CCRNN_OK;
    size_t nz = m->B * m->Z, nw = m->B * cb_first_width(m);
    CHECK(ccrnn_cortex_create(m->cfg.cell, m->I, m->cfg.hidden, m->D, m->B, m->L, m->cfg.seed,
                              &m->probe));
    m->rec_z = malloc(nz * sizeof(float));
    m->rec_pred = malloc(nz * sizeof(float));
    m->rec_true = malloc(nz * sizeof(float));
    m->rec_hidden = malloc((nw ? nw : 1) * sizeof(float));
    if (!m->rec_z || !m->rec_pred || !m->rec_true || !m->rec_hidden) {
        m->record = NULL;
        return CCRNN_ERR_NOMEM;
    }
    return CCRNN_OK;
}

/* The probe takes the trained cortex's weights and batch (ccrnn_cortex_sync, which also
 * zeroes its gradients) and, as its state, z_k: the trained cortex is only read. */
static int probe_sync(ex_model *m, size_t B)
{
    CHECK(ccrnn_cortex_sync(m->probe, m->cx));
    CHECK(ccrnn_cortex_window_start_state(m->cx, m->rec_z, B * m->Z));
    CHECK(ccrnn_cortex_set_state(m->probe, m->rec_z, B * m->Z));
    return CCRNN_OK;
}

/* Run the probe from z_k to the sequence end with the training loss of every step
 * (each window's loss normalised as in training) and backpropagate with no cut. */
static int probe_true_gradient(ex_model *m, const float *x, const float *y,
                               const int32_t *labels, size_t B, size_t from)
{
    const ex_task *task = m->task;
    size_t I = m->I, D = m->D, L = m->L, tau = m->cfg.bptt;
    CHECK(probe_sync(m, B));
    for (size_t t = from; t < L; t++) {
        size_t ws, we;
        double loss;
        gather(m->xt, x, B, L, I, t);
        CHECK(ccrnn_cortex_forward(m->probe, m->xt, B * I, m->yt, B * D));
        if (!ex_step_supervised(task, t)) continue;
        ex_window_bounds(L, tau, t / tau, &ws, &we);
        if (task->loss == EX_LOSS_MSE) {
            gather(m->tt, y, B, L, D, t);
            CHECK(ccrnn_loss_mse(m->yt, m->tt, B * D, D, NULL, 0,
                                 (double)(B * ex_supervised_count(task, ws, we) * D), m->dy,
                                 &loss));
        } else {
            CHECK(ccrnn_loss_softmax_xent(m->yt, B * D, D, labels, B, (double)B, m->dy, &loss,
                                          NULL));
        }
        CHECK(ccrnn_cortex_output_grad(m->probe, t - from, m->dy, B * D));
    }
    return ccrnn_cortex_backward(m->probe, NULL, 0, m->rec_true, B * m->Z);
}

static int record_window(ex_model *m, const float *x, const float *y, const int32_t *labels,
                         size_t B, size_t k, size_t start, int synthetic)
{
    ex_window_record r;
    int st = probe_true_gradient(m, x, y, labels, B, start);
    if (st) return fail(st, "ccrnn_cortex_backward(probe)");
    memset(&r, 0, sizeof r);
    r.window = k;
    r.start = start;
    r.batch = B;
    r.state_size = m->Z;
    r.z = m->rec_z;
    r.true_grad = m->rec_true;
    if (synthetic) {
        /* The weights are those of C(z_k) in this window's learn: the optimizer has not
         * stepped, so this is the prediction that learn regressed toward delta_k. */
        CHECK(ccrnn_cerebellum_predict(m->cb, B, m->rec_z, B * m->Z, NULL, 0, m->rec_pred,
                                       B * m->Z));
        r.prediction = m->rec_pred;
        r.target = m->dz_start;
        r.cb_width = cb_first_width(m);
        if (r.cb_width) {
            CHECK(ccrnn_cerebellum_hidden(m->cb, 0, m->rec_hidden, B * r.cb_width));
            r.hidden = m->rec_hidden;
        }
    }
    if (m->record(m->record_ctx, &r)) return fail(CCRNN_ERR_IO, "ex_record_fn");
    return CCRNN_OK;
}

/* ---- the training loop: docs/model.md §learning procedure ---------------------------- */

/* Data parallelism: sum this shard's gradients and metrics over the group in one reduce.
 * A cerebellar loss divided by the batch was divided by the shard's B: rescale to count. */
static int reduce_shards(ex_model *m, size_t B, size_t count, double *reported,
                         double *correct, double *cb_loss)
{
    float *g, *buf = m->reduce_buf;
    size_t n_cx, n_cb = 0;
    float cb_scale = m->cfg.cb_loss_mean ? (float)B / (float)count : 1.0f;
    CHECK(ccrnn_cortex_params(m->cx, NULL, &g, &n_cx));
    memcpy(buf, g, n_cx * sizeof(float));
    if (m->cb) {
        CHECK(ccrnn_cerebellum_params(m->cb, NULL, &g, &n_cb));
        for (size_t i = 0; i < n_cb; i++) buf[n_cx + i] = g[i] * cb_scale;
    }
    float *metrics = buf + n_cx + n_cb;
    metrics[0] = (float)*reported, metrics[1] = (float)*correct;
    metrics[2] = (float)(*cb_loss * (double)cb_scale);
    if (m->cfg.parallel.reduce(buf, m->n_reduce, m->cfg.parallel.ctx) != 0)
        return fail(CCRNN_ERR_IO, "ex_config.parallel.reduce");
    if (m->cb) memcpy(g, buf + n_cx, n_cb * sizeof(float));
    CHECK(ccrnn_cortex_params(m->cx, NULL, &g, NULL));
    memcpy(g, buf, n_cx * sizeof(float));
    *reported = metrics[0], *correct = metrics[1], *cb_loss = metrics[2];
    return CCRNN_OK;
}

static double grad_norm(const float *g, size_t n)
{
    double ss = 0.0;
    for (size_t i = 0; i < n; i++) ss += (double)g[i] * (double)g[i];
    return sqrt(ss);
}

/* The gradient norms the clip will see and the factor it will scale the cortex by. */
static int measure_grads(ex_model *m, ex_metrics *out)
{
    float *g;
    size_t n;
    CHECK(ccrnn_cortex_params(m->cx, NULL, &g, &n));
    out->grad_cortex = grad_norm(g, n);
    out->grad_cb = 0.0;
    if (m->cb) {
        CHECK(ccrnn_cerebellum_params(m->cb, NULL, &g, &n));
        out->grad_cb = grad_norm(g, n);
    }
    double seen = m->opt_cb ? out->grad_cortex : hypot(out->grad_cortex, out->grad_cb);
    double c = m->cfg.clip;
    /* torch.nn.utils.clip_grad_norm_ scales by clip / (norm + 1e-6) when that is < 1 */
    out->clip_factor = c > 0.0 && c / (seen + 1e-6) < 1.0 ? c / (seen + 1e-6) : 1.0;
    return CCRNN_OK;
}

/* One optimizer step (or two with separate clips), diagnostics first. */
static int step(ex_model *m, ex_metrics *diag)
{
    int st = measure_grads(m, diag);
    if (st) return st;
    CHECK(ccrnn_optimizer_step(m->opt)); /* clip, then Adam */
    if (m->opt_cb) CHECK(ccrnn_optimizer_step(m->opt_cb));
    return CCRNN_OK;
}

int ex_model_train_batch(ex_model *m, const float *x, const float *y, const int32_t *labels,
                         size_t count, ex_metrics *out)
{
    const ex_task *task = m->task;
    const ex_parallel *par = &m->cfg.parallel;
    size_t first = 0, B = count; /* data-parallel: this process trains [first, first + B) */
    if (par->ranks > 1) {
        first = count * par->rank / par->ranks;
        B = count * (par->rank + 1) / par->ranks - first;
    }
    size_t I = m->I, D = m->D, L = m->L, tau = m->cfg.bptt, nz = B * m->Z;
    size_t K = B ? ex_window_count(L, tau) : 0, n_scored = ex_supervised_count(task, 0, L);
    /* An ablated cerebellum predicts zeros and learns nothing: plain truncated BPTT. */
    int synthetic = m->cb != NULL && !m->ablated;
    double reported = 0.0, cb_loss = 0.0, correct = 0.0;
    if (count == 0 || count > m->B) return fail(CCRNN_ERR_ARG, "ex_model_train_batch(count)");
    x += first * L * I, y = y ? y + first * L * D : NULL, labels = labels ? labels + first : NULL;

    if (B) CHECK(ccrnn_cortex_reset(m->cx, B)); /* z = 0 for every batch */
    for (size_t k = 0; k < K; k++) {
        size_t start, end;
        ex_window_bounds(L, tau, k, &start, &end);
        size_t n_sup = ex_supervised_count(task, start, end);
        CHECK(ccrnn_cortex_begin_window(m->cx)); /* z_k is detached */
        for (size_t t = start; t < end; t++) {
            gather(m->xt, x, B, L, I, t);
            CHECK(ccrnn_cortex_forward(m->cx, m->xt, B * I, m->yt, B * D));
            if (!ex_step_supervised(task, t)) continue;
            double loss;
            if (task->loss == EX_LOSS_MSE) {
                /* Window loss: the MSE over B x supervised steps x D (window losses sum). */
                gather(m->tt, y, B, L, D, t);
                CHECK(ccrnn_loss_mse(m->yt, m->tt, B * D, D, NULL, 0, (double)(count * n_sup * D),
                                     m->dy, &loss));
                reported += loss * (double)(n_sup * D); /* = sum_b ||y - y*||^2 / B */
            } else {
                size_t c = 0;
                CHECK(ccrnn_loss_softmax_xent(m->yt, B * D, D, labels, B, (double)count, m->dy,
                                              &loss, &c));
                reported += loss;
                correct += (double)c;
            }
            CHECK(ccrnn_cortex_output_grad(m->cx, t - start, m->dy, B * D));
        }
        if (synthetic) {
            /* 0.1 C(z_{k+1}) enters as the gradient of the window-end state (at the
             * sequence end only in the reference mode: nothing lies beyond it) ... */
            int inject = k + 1 < K || m->cfg.end_synthetic;
            if (inject)
                CHECK(ccrnn_synthetic_gradient(m->cb, m->cx, NULL, 0, m->cfg.sg_scale,
                                               m->dz_end, nz));
            CHECK(ccrnn_cortex_backward(m->cx, inject ? m->dz_end : NULL, inject ? nz : 0,
                                        m->dz_start, nz));
            /* ... and the gradient reaching z_k is the target of C(z_k) (bootstrapped). */
            double l = 0.0;
            CHECK(ccrnn_synthetic_gradient_learn(m->cb, m->cx, NULL, 0, m->dz_start, nz, &l));
            cb_loss += l;
        } else if (n_sup > 0) {
            CHECK(ccrnn_cortex_backward(m->cx, NULL, 0, NULL, 0));
        }
        if (m->record) CHECK(record_window(m, x, y, labels, B, k, start, synthetic));
    }
    if (par->reduce) {
        int st = reduce_shards(m, B, count, &reported, &correct, &cb_loss);
        if (st != CCRNN_OK) return st;
    }
    ex_metrics diag = {0};
    int st = step(m, &diag); /* clip over cortex + cerebellum, then Adam */
    if (st) return st;

    if (out) {
        out->grad_cortex = diag.grad_cortex;
        out->grad_cb = diag.grad_cb;
        out->clip_factor = diag.clip_factor;
        out->cb_loss = cb_loss;
        if (task->loss == EX_LOSS_MSE) {
            out->loss = reported / (double)L; /* divided by the full L even when sparse */
            out->accuracy = NAN;
        } else {
            out->loss = n_scored ? reported / (double)n_scored : NAN;
            out->accuracy = n_scored ? correct / (double)(n_scored * count) : NAN;
        }
    }
    return CCRNN_OK;
}

/* ---- evaluation --------------------------------------------------------------------- */

static int predict_chunk(ex_model *m, const float *x, size_t count, float *y)
{
    CHECK(ccrnn_cortex_reset(m->cx, count));
    for (size_t t = 0; t < m->L; t++) {
        gather(m->xt, x, count, m->L, m->I, t);
        CHECK(ccrnn_cortex_forward(m->cx, m->xt, count * m->I, m->yt, count * m->D));
        scatter(y, m->yt, count, m->L, m->D, t);
    }
    return CCRNN_OK;
}

int ex_model_predict(ex_model *m, const float *x, size_t count, float *y)
{
    CHECK(ccrnn_cortex_set_param(m->cx, CCRNN_PARAM_TRAINING, 0)); /* no tape */
    int st = CCRNN_OK;
    for (size_t first = 0; first < count && st == CCRNN_OK; first += m->B) {
        size_t n = count - first < m->B ? count - first : m->B;
        st = predict_chunk(m, x + first * m->L * m->I, n, y + first * m->L * m->D);
    }
    CHECK(ccrnn_cortex_set_param(m->cx, CCRNN_PARAM_TRAINING, 1));
    return st;
}

/* Sum over (sample, step) of ||y - y*||^2. */
static double squared_error(const float *y, const float *target, size_t n, size_t D)
{
    double sum = 0.0;
    for (size_t i = 0; i < n * D; i++) {
        double d = (double)y[i] - (double)target[i];
        sum += d * d;
    }
    return sum;
}

static int score_last_step(ex_model *m, size_t count, double *xent, size_t *correct)
{
    size_t D = m->D, L = m->L;
    gather(m->yt, m->pred, count, L, D, L - 1);
    double loss = 0.0;
    size_t c = 0;
    CHECK(ccrnn_loss_softmax_xent(m->yt, count * D, D, m->blab, count, (double)count, NULL,
                                  &loss, &c));
    *xent += loss * (double)count;
    *correct += c;
    return CCRNN_OK;
}

int ex_model_evaluate(ex_model *m, int split, ex_metrics *out)
{
    const ex_task *task = m->task;
    size_t n = task->n_samples[split], correct = 0;
    double total = 0.0;
    for (size_t first = 0; first < n; first += m->B) {
        size_t count = n - first < m->B ? n - first : m->B;
        int mse = task->loss == EX_LOSS_MSE;
        if (task->fill(task->ctx, split, 0, first, count, m->bx, mse ? m->by : NULL,
                       mse ? NULL : m->blab))
            return CCRNN_ERR_IO;
        int st = ex_model_predict(m, m->bx, count, m->pred);
        if (st) return st;
        if (mse) total += squared_error(m->pred, m->by, count * m->L, m->D);
        else if ((st = score_last_step(m, count, &total, &correct))) return st;
    }
    out->cb_loss = NAN;
    if (task->loss == EX_LOSS_MSE) {
        out->loss = n ? total / (double)(n * m->L) : NAN;
        out->accuracy = NAN;
    } else {
        out->loss = n ? total / (double)n : NAN;
        out->accuracy = n ? (double)correct / (double)n : NAN;
    }
    return CCRNN_OK;
}

/* ---- a whole run -------------------------------------------------------------------- */

void ex_history_free(ex_history *h)
{
    free(h->train), free(h->valid), free(h->train_acc), free(h->valid_acc), free(h->cb_loss);
    free(h->clip_factor), free(h->grad_cortex), free(h->grad_cb), free(h->cortex_share);
    memset(h, 0, sizeof *h);
}

static int alloc_history(ex_history *h, size_t epochs)
{
    memset(h, 0, sizeof *h);
    h->epochs = epochs;
    h->train = calloc(epochs, sizeof(double));
    h->valid = calloc(epochs, sizeof(double));
    h->train_acc = calloc(epochs, sizeof(double));
    h->valid_acc = calloc(epochs, sizeof(double));
    h->cb_loss = calloc(epochs, sizeof(double));
    h->clip_factor = calloc(epochs, sizeof(double));
    h->grad_cortex = calloc(epochs, sizeof(double));
    h->grad_cb = calloc(epochs, sizeof(double));
    h->cortex_share = calloc(epochs, sizeof(double));
    return h->train && h->valid && h->train_acc && h->valid_acc && h->cb_loss &&
           h->clip_factor && h->grad_cortex && h->grad_cb && h->cortex_share;
}

/* One epoch over freshly filled training batches; the means weight batches by size. */
static int train_epoch(ex_model *m, size_t epoch, ex_progress *pg, ex_history *h)
{
    const ex_task *task = m->task;
    size_t n = task->n_samples[EX_TRAIN], e = epoch - 1, batches = 0;
    double loss = 0.0, acc = 0.0, cb = 0.0, clip = 0.0, gcx = 0.0, gcb = 0.0, share = 0.0;
    int mse = task->loss == EX_LOSS_MSE;
    int st = ex_model_begin_epoch(m, epoch);
    if (st) return st;
    for (size_t first = 0; first < n; first += m->B) {
        size_t count = n - first < m->B ? n - first : m->B;
        ex_metrics r;
        if (task->fill(task->ctx, EX_TRAIN, epoch, first, count, m->bx, mse ? m->by : NULL,
                       mse ? NULL : m->blab))
            return CCRNN_ERR_IO;
        st = ex_model_train_batch(m, m->bx, mse ? m->by : NULL, mse ? NULL : m->blab, count, &r);
        if (st) return st;
        loss += r.loss * (double)count;
        acc += r.accuracy * (double)count;
        cb += r.cb_loss;
        clip += r.clip_factor, gcx += r.grad_cortex, gcb += r.grad_cb;
        double all = r.grad_cortex * r.grad_cortex + r.grad_cb * r.grad_cb;
        share += all > 0.0 ? r.grad_cortex * r.grad_cortex / all : 1.0;
        batches++;
        if (pg) ex_progress_advance(pg, 1, epoch, m->cfg.epochs, loss / (double)(first + count));
    }
    h->train[e] = n ? loss / (double)n : NAN;
    h->train_acc[e] = n ? acc / (double)n : NAN;
    double nb = (double)batches;
    h->cb_loss[e] = batches ? cb / nb : NAN;
    h->clip_factor[e] = batches ? clip / nb : NAN;
    h->grad_cortex[e] = batches ? gcx / nb : NAN;
    h->grad_cb[e] = batches ? gcb / nb : NAN;
    h->cortex_share[e] = batches ? share / nb : NAN;
    return CCRNN_OK;
}

int ex_train(const ex_config *cfg, const ex_task *task, ex_progress *progress, ex_history *hist,
             ex_model **model_out)
{
    double t0 = ex_now();
    ex_model *m = NULL;
    if (model_out) *model_out = NULL;
    if (!alloc_history(hist, cfg->epochs)) {
        ex_history_free(hist);
        return CCRNN_ERR_NOMEM;
    }
    int st = ex_model_create(cfg, task, &m);
    for (size_t epoch = 1; st == CCRNN_OK && epoch <= cfg->epochs; epoch++) {
        ex_metrics v;
        st = train_epoch(m, epoch, progress, hist);
        if (st == CCRNN_OK) st = ex_model_evaluate(m, EX_VALID, &v);
        if (st == CCRNN_OK) {
            hist->valid[epoch - 1] = v.loss;
            hist->valid_acc[epoch - 1] = v.accuracy;
        }
    }
    if (st == CCRNN_OK) st = ex_model_evaluate(m, EX_TEST, &hist->test);
    hist->seconds = ex_now() - t0;
    if (st != CCRNN_OK || !model_out) ex_model_destroy(m);
    else *model_out = m;
    if (st != CCRNN_OK) ex_history_free(hist);
    return st;
}
