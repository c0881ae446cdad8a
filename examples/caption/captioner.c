#include "captioner.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"
#include "vocab.h"

#define CHECK(call)                                                                           \
    do {                                                                                      \
        int st_ = (call);                                                                     \
        if (st_ != CCRNN_OK) return st_;                                                      \
    } while (0)

void cap_config_defaults(cap_config *c)
{
    memset(c, 0, sizeof *c);
    c->embed = 256;
    c->hidden = 256;
    c->batch = 100;
    c->max_len = 17;
    c->tau = 5;
    c->cerebellum = 1;
    c->cb_layers = 2;
    c->cb_width = 1024;
    c->lr = 1e-3;
    c->beta1 = 0.9;
    c->beta2 = 0.999;
    c->eps = 1e-8;
    c->clip = 0.0;
    c->sg_scale = 0.1;
    c->step_per_window = 1;
    c->zero_last_weight_only = 1;
    c->threads = 1;
    c->seed = 1;
}

void cap_model_destroy(cap_model *m)
{
    if (!m) return;
    ccrnn_optimizer_destroy(m->opt);
    ccrnn_cerebellum_destroy(m->cb);
    ccrnn_cortex_destroy(m->cx);
    free(m->params);
    free(m->grads);
    free(m->x);
    free(m->logits);
    free(m->dy);
    free(m->dx);
    free(m->labels);
    free(m);
}

/* PyTorch's initialisations: nn.Embedding N(0, 1), nn.Linear U(+-1/sqrt(F)). */
static void init_host_params(cap_model *m)
{
    const cap_config *c = &m->cfg;
    ex_rng r;
    ex_rng_seed(&r, ex_hash(c->seed, 0x686f7374ull));
    for (size_t i = 0; i < c->vocab * c->embed; i++) m->emb[i] = (float)ex_rng_normal(&r);
    double a = 1.0 / sqrt((double)c->feat_dim);
    for (size_t i = 0; i < c->embed * c->feat_dim; i++)
        m->proj_w[i] = (float)(a * (2 * ex_rng_uniform(&r) - 1));
    for (size_t i = 0; i < c->embed; i++) m->proj_b[i] = (float)(a * (2 * ex_rng_uniform(&r) - 1));
}

static int alloc_buffers(cap_model *m)
{
    const cap_config *c = &m->cfg;
    size_t B = c->batch, V = c->vocab, E = c->embed, W = c->tau < c->max_len ? c->tau : c->max_len;
    m->n_params = V * E + E * c->feat_dim + E;
    m->params = calloc(m->n_params, sizeof(float));
    m->grads = calloc(m->n_params, sizeof(float));
    m->x = malloc(B * E * sizeof(float));
    m->logits = malloc(B * V * sizeof(float));
    m->dy = malloc(B * V * sizeof(float));
    m->dx = malloc(W * B * E * sizeof(float));
    m->labels = malloc(B * sizeof(int32_t));
    if (!m->params || !m->grads || !m->x || !m->logits || !m->dy || !m->dx || !m->labels)
        return CCRNN_ERR_NOMEM;
    m->emb = m->params;
    m->proj_w = m->emb + V * E;
    m->proj_b = m->proj_w + E * c->feat_dim;
    m->g_emb = m->grads;
    m->g_proj_w = m->g_emb + V * E;
    m->g_proj_b = m->g_proj_w + E * c->feat_dim;
    return CCRNN_OK;
}

static int create_objects(cap_model *m)
{
    const cap_config *c = &m->cfg;
    size_t W = c->tau < c->max_len ? c->tau : c->max_len;
    CHECK(ccrnn_cortex_create(CCRNN_CELL_LSTM, c->embed, c->hidden, c->vocab, c->batch, W,
                              ex_hash(c->seed, 1), &m->cx));
    CHECK(ccrnn_cortex_set_param(m->cx, CCRNN_PARAM_THREADS, c->threads));
    if (c->cerebellum) {
        unsigned flags = c->zero_last_weight_only ? CCRNN_CEREBELLUM_ZERO_LAST_WEIGHT_ONLY
                                                  : CCRNN_CEREBELLUM_DEFAULT;
        CHECK(ccrnn_cerebellum_create(m->Z, 0, m->Z, c->cb_layers, c->cb_width, c->batch,
                                      ex_hash(c->seed, 2), flags, &m->cb));
        CHECK(ccrnn_cerebellum_set_param(m->cb, CCRNN_PARAM_THREADS, c->threads));
        CHECK(ccrnn_cerebellum_set_param(m->cb, CCRNN_PARAM_LOSS_MEAN, c->cb_loss_mean));
    }
    CHECK(ccrnn_optimizer_create(CCRNN_OPT_ADAM, &m->opt));
    CHECK(ccrnn_optimizer_set_param(m->opt, CCRNN_PARAM_LR, c->lr));
    CHECK(ccrnn_optimizer_set_param(m->opt, CCRNN_PARAM_BETA1, c->beta1));
    CHECK(ccrnn_optimizer_set_param(m->opt, CCRNN_PARAM_BETA2, c->beta2));
    CHECK(ccrnn_optimizer_set_param(m->opt, CCRNN_PARAM_EPS, c->eps));
    CHECK(ccrnn_optimizer_set_param(m->opt, CCRNN_PARAM_CLIP_NORM, c->clip));
    CHECK(ccrnn_optimizer_add_cortex(m->opt, m->cx, NULL));
    if (m->cb) CHECK(ccrnn_optimizer_add_cerebellum(m->opt, m->cb, NULL));
    /* The embedding and projection: trained by the same optimizer. */
    CHECK(ccrnn_optimizer_add_params(m->opt, m->params, m->grads, m->n_params, NULL));
    return CCRNN_OK;
}

int cap_model_create(const cap_config *cfg, cap_model **out)
{
    if (!cfg || !out) return CCRNN_ERR_NULL;
    if (!cfg->embed || !cfg->hidden || !cfg->vocab || !cfg->feat_dim || !cfg->batch ||
        !cfg->max_len || !cfg->tau || (cfg->cerebellum && cfg->cb_layers && !cfg->cb_width))
        return CCRNN_ERR_ARG;
    cap_model *m = calloc(1, sizeof *m);
    if (!m) return CCRNN_ERR_NOMEM;
    m->cfg = *cfg;
    m->Z = 2 * cfg->hidden;
    int st = alloc_buffers(m);
    if (st == CCRNN_OK) {
        init_host_params(m);
        st = create_objects(m);
    }
    if (st != CCRNN_OK) {
        cap_model_destroy(m);
        return st;
    }
    *out = m;
    return CCRNN_OK;
}

void cap_model_input(const cap_model *m, size_t t, const float *feats, const int32_t *tokens,
                     size_t stride, size_t B, float *x)
{
    size_t E = m->cfg.embed, F = m->cfg.feat_dim;
    for (size_t b = 0; b < B; b++) {
        float *xb = x + b * E;
        if (t == 0) { /* x = W f + bias */
            const float *f = feats + b * F;
            for (size_t e = 0; e < E; e++) {
                const float *w = m->proj_w + e * F;
                double s = m->proj_b[e];
                for (size_t i = 0; i < F; i++) s += (double)w[i] * f[i];
                xb[e] = (float)s;
            }
        } else {
            memcpy(xb, m->emb + (size_t)tokens[b * stride + t - 1] * E, E * sizeof *xb);
        }
    }
}

/* dL/dx of the window's steps into the host-owned gradients. */
static void scatter_input_grads(cap_model *m, size_t start, size_t T, const float *feats,
                                const int32_t *tokens, size_t stride, size_t B)
{
    size_t E = m->cfg.embed, F = m->cfg.feat_dim;
    for (size_t s = 0; s < T; s++) {
        size_t t = start + s;
        for (size_t b = 0; b < B; b++) {
            const float *d = m->dx + (s * B + b) * E;
            if (t == 0) {
                const float *f = feats + b * F;
                for (size_t e = 0; e < E; e++) {
                    float *gw = m->g_proj_w + e * F;
                    for (size_t i = 0; i < F; i++) gw[i] += d[e] * f[i];
                    m->g_proj_b[e] += d[e];
                }
            } else {
                float *g = m->g_emb + (size_t)tokens[b * stride + t - 1] * E;
                for (size_t e = 0; e < E; e++) g[e] += d[e];
            }
        }
    }
}

/* Forward through steps [start, end) with the window's loss gradients recorded. */
static int window_forward(cap_model *m, size_t start, size_t end, const float *feats,
                          const int32_t *tokens, size_t stride, size_t B, double *xent)
{
    size_t V = m->cfg.vocab, E = m->cfg.embed;
    double denom = (double)(B * (end - start)); /* the window's mean over B x T tokens */
    for (size_t t = start; t < end; t++) {
        cap_model_input(m, t, feats, tokens, stride, B, m->x);
        CHECK(ccrnn_cortex_forward(m->cx, m->x, B * E, m->logits, B * V));
        for (size_t b = 0; b < B; b++) m->labels[b] = tokens[b * stride + t];
        double loss;
        CHECK(ccrnn_loss_softmax_xent(m->logits, B * V, V, m->labels, B, denom, m->dy, &loss,
                                      NULL));
        *xent += loss * denom;
        CHECK(ccrnn_cortex_output_grad(m->cx, t - start, m->dy, B * V));
    }
    return CCRNN_OK;
}

/* The window end (ccrnn_window_end): backward with the synthetic gradient injected at
 * the window end (ccRNN; not at the sequence end unless asked), the cerebellum's lesson
 * at the window start, then the input gradients of the window's steps. */
static int window_end(cap_model *m, int last, double *cb_loss)
{
    size_t steps = 0, B = 0;
    unsigned flags = last && !m->cfg.sg_last_window ? CCRNN_WINDOW_NO_SYNTHETIC
                                                     : CCRNN_WINDOW_DEFAULT;
    double l = 0.0;
    CHECK(ccrnn_window_end(m->cx, m->cb, NULL, 0, m->cfg.sg_scale, flags, NULL, 0, &l));
    *cb_loss += l;
    CHECK(ccrnn_cortex_batch(m->cx, &B));
    CHECK(ccrnn_cortex_window_length(m->cx, &steps));
    return ccrnn_cortex_input_grad(m->cx, m->dx, steps * B * m->cfg.embed);
}

int cap_model_train_batch(cap_model *m, const float *feats, const int32_t *tokens,
                          size_t stride, size_t B, size_t L, int update, cap_batch_stats *out)
{
    if (!m || !feats || !tokens) return CCRNN_ERR_NULL;
    if (B == 0 || B > m->cfg.batch || L == 0 || L > m->cfg.max_len || stride < L)
        return CCRNN_ERR_ARG;
    size_t tau = m->cfg.tau < L ? m->cfg.tau : L, K = (L - 1) / tau + 1;
    double xent = 0.0, cb_loss = 0.0;
    CHECK(ccrnn_cortex_reset(m->cx, B)); /* z = 0 for every batch */
    for (size_t k = 0; k < K; k++) {
        size_t start = k * tau, end = start + tau < L ? start + tau : L;
        CHECK(ccrnn_cortex_begin_window(m->cx)); /* the state is carried, detached */
        CHECK(window_forward(m, start, end, feats, tokens, stride, B, &xent));
        CHECK(window_end(m, k + 1 == K, &cb_loss));
        scatter_input_grads(m, start, end - start, feats, tokens, stride, B);
        if (update && m->cfg.step_per_window) CHECK(ccrnn_optimizer_step(m->opt));
    }
    if (update && !m->cfg.step_per_window) CHECK(ccrnn_optimizer_step(m->opt));
    if (out) {
        out->xent = xent;
        out->tokens = (double)(B * L);
        out->cb_loss = cb_loss;
    }
    return CCRNN_OK;
}

int cap_model_xent(cap_model *m, const float *feats, const int32_t *tokens, size_t stride,
                   size_t B, size_t L, double *xent)
{
    size_t V = m->cfg.vocab, E = m->cfg.embed;
    if (B == 0 || B > m->cfg.batch || stride < L) return CCRNN_ERR_ARG;
    CHECK(ccrnn_cortex_set_param(m->cx, CCRNN_PARAM_TRAINING, 0));
    int st = ccrnn_cortex_reset(m->cx, B);
    double sum = 0.0;
    for (size_t t = 0; t < L && st == CCRNN_OK; t++) {
        cap_model_input(m, t, feats, tokens, stride, B, m->x);
        st = ccrnn_cortex_forward(m->cx, m->x, B * E, m->logits, B * V);
        for (size_t b = 0; b < B; b++) m->labels[b] = tokens[b * stride + t];
        double loss = 0.0;
        if (st == CCRNN_OK)
            st = ccrnn_loss_softmax_xent(m->logits, B * V, V, m->labels, B, 1.0, NULL, &loss,
                                         NULL);
        sum += loss;
    }
    CHECK(ccrnn_cortex_set_param(m->cx, CCRNN_PARAM_TRAINING, 1));
    *xent = sum;
    return st;
}

static int32_t argmax(const float *v, size_t n)
{
    size_t best = 0;
    for (size_t i = 1; i < n; i++)
        if (v[i] > v[best]) best = i;
    return (int32_t)best;
}

int cap_model_greedy(cap_model *m, const float *feats, size_t B, size_t max_steps, int32_t *out,
                     size_t *len)
{
    size_t V = m->cfg.vocab, E = m->cfg.embed;
    if (B == 0 || B > m->cfg.batch) return CCRNN_ERR_ARG;
    int32_t *prev = m->labels; /* the word each row read last */
    unsigned char done[1024];
    if (B > sizeof done) return CCRNN_ERR_ARG;
    memset(done, 0, B);
    for (size_t b = 0; b < B; b++) len[b] = 0;
    for (size_t i = 0; i < B * max_steps; i++) out[i] = CAP_PAD;
    CHECK(ccrnn_cortex_set_param(m->cx, CCRNN_PARAM_TRAINING, 0));
    int st = ccrnn_cortex_reset(m->cx, B);
    for (size_t t = 0; t < max_steps && st == CCRNN_OK; t++) {
        if (t == 0) cap_model_input(m, 0, feats, NULL, 0, B, m->x);
        else
            for (size_t b = 0; b < B; b++)
                memcpy(m->x + b * E, m->emb + (size_t)prev[b] * E, E * sizeof(float));
        st = ccrnn_cortex_forward(m->cx, m->x, B * E, m->logits, B * V);
        size_t active = 0;
        for (size_t b = 0; b < B && st == CCRNN_OK; b++) {
            prev[b] = argmax(m->logits + b * V, V);
            if (done[b]) continue;
            if (prev[b] == CAP_END) done[b] = 1;
            else if (prev[b] != CAP_START && prev[b] != CAP_PAD) out[b * max_steps + len[b]++] = prev[b];
            active += !done[b];
        }
        if (active == 0) break;
    }
    CHECK(ccrnn_cortex_set_param(m->cx, CCRNN_PARAM_TRAINING, 1));
    return st;
}
