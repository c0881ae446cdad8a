/* Shared helpers of the reliability tests (see rel-util.h). */
#include "rel-util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int rel_passed, rel_failed;

int rel_check(int ok, const char *file, int line, const char *fmt, ...)
{
    if (ok) {
        rel_passed++;
        return 1;
    }
    rel_failed++;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "FAIL %s:%d: ", file, line);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return 0;
}

int rel_summary(const char *program)
{
    printf("%s: %d passed, %d failed\n", program, rel_passed, rel_failed);
    return rel_failed ? 1 : 0;
}

void rel_die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "FATAL: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(2);
}

/* ---- the model ---------------------------------------------------------------------- */

rel_config rel_default_config(int cell)
{
    rel_config c = {cell, 3, 8, 2, 4, 6, 2, 1, 12, 0, 1234};
    return c;
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p) rel_die("out of memory");
    return p;
}

static void alloc_scratch(rel_model *m)
{
    const rel_config *c = &m->cfg;
    MUST(ccrnn_cortex_shape(m->cx, NULL, NULL, NULL, NULL, &m->Z, NULL, NULL));
    m->x = xcalloc(c->seq_len * c->batch * c->n_in, sizeof(float));
    m->target = xcalloc(c->seq_len * c->batch * c->n_out, sizeof(float));
    m->y = xcalloc(c->batch * c->n_out, sizeof(float));
    m->dy = xcalloc(c->batch * c->n_out, sizeof(float));
    m->dz = xcalloc(c->batch * m->Z, sizeof(float));
    m->dz_start = xcalloc(c->batch * m->Z, sizeof(float));
}

static void attach_optimizer(rel_model *m)
{
    MUST(ccrnn_optimizer_create(CCRNN_OPT_ADAM, &m->opt));
    MUST(ccrnn_optimizer_set_param(m->opt, CCRNN_PARAM_LR, 1e-2));
    MUST(ccrnn_optimizer_set_param(m->opt, CCRNN_PARAM_BETA2, 0.98));
    MUST(ccrnn_optimizer_set_param(m->opt, CCRNN_PARAM_EPS, 1e-9));
    MUST(ccrnn_optimizer_set_param(m->opt, CCRNN_PARAM_CLIP_NORM, 1.0));
    MUST(ccrnn_optimizer_add_cortex(m->opt, m->cx, NULL));
    MUST(ccrnn_optimizer_add_cerebellum(m->opt, m->cb, NULL));
}

void rel_model_create(rel_model *m, const rel_config *cfg)
{
    memset(m, 0, sizeof *m);
    m->cfg = *cfg;
    size_t max_window = cfg->tau < cfg->seq_len ? cfg->tau : cfg->seq_len;
    MUST(ccrnn_cortex_create(cfg->cell, cfg->n_in, cfg->n_hidden, cfg->n_out, cfg->batch,
                             max_window, cfg->seed, &m->cx));
    size_t Z;
    MUST(ccrnn_cortex_shape(m->cx, NULL, NULL, NULL, NULL, &Z, NULL, NULL));
    MUST(ccrnn_cerebellum_create(Z, 0, Z, cfg->cb_layers, cfg->cb_width, cfg->batch,
                                 cfg->seed + 1, CCRNN_CEREBELLUM_DEFAULT, &m->cb));
    if (cfg->fibres) MUST(ccrnn_cerebellum_set_fibres(m->cb, cfg->fibres, cfg->seed + 2));
    attach_optimizer(m);
    alloc_scratch(m);
}

void rel_model_adopt(rel_model *m, const rel_config *cfg, ccrnn_cortex *cx,
                     ccrnn_cerebellum *cb)
{
    memset(m, 0, sizeof *m);
    m->cfg = *cfg;
    m->cx = cx;
    m->cb = cb;
    attach_optimizer(m);
    alloc_scratch(m);
}

void rel_model_destroy(rel_model *m)
{
    ccrnn_optimizer_destroy(m->opt);
    ccrnn_cerebellum_destroy(m->cb);
    ccrnn_cortex_destroy(m->cx);
    free(m->x); free(m->y); free(m->target); free(m->dy); free(m->dz); free(m->dz_start);
    memset(m, 0, sizeof *m);
}

/* Inputs in [-1, 1) and targets that depend on the batch index only. */
static void make_batch(rel_model *m, uint64_t index)
{
    const rel_config *c = &m->cfg;
    ts_rng s = {c->seed * 1000003u + index};
    ts_rng_fill(&s, m->x, c->seq_len * c->batch * c->n_in, -1, 1);
    ts_rng_fill(&s, m->target, c->seq_len * c->batch * c->n_out, -1, 1);
}

/* One truncation window of docs/model.md §learning procedure: forward with the loss,
 * inject 0.1 times the cerebellum's prediction at the window end, backpropagate, teach the
 * cerebellum. */
static int train_window(rel_model *m, size_t t0, size_t t1)
{
    const rel_config *c = &m->cfg;
    size_t B = c->batch, nx = B * c->n_in, ny = B * c->n_out, nz = B * m->Z;
    int st = ccrnn_cortex_begin_window(m->cx);
    for (size_t t = t0; t < t1 && !st; t++) {
        st = ccrnn_cortex_forward(m->cx, m->x + t * nx, nx, m->y, ny);
        if (!st)
            st = ccrnn_loss_mse(m->y, m->target + t * ny, ny, c->n_out, NULL, 0, 0.0, m->dy, NULL);
        if (!st) st = ccrnn_cortex_output_grad(m->cx, t - t0, m->dy, ny);
    }
    if (!st) st = ccrnn_synthetic_gradient(m->cb, m->cx, NULL, 0, 0.1, m->dz, nz);
    if (!st) st = ccrnn_cortex_backward(m->cx, m->dz, nz, m->dz_start, nz);
    if (!st) st = ccrnn_synthetic_gradient_learn(m->cb, m->cx, NULL, 0, m->dz_start, nz, NULL);
    return st;
}

int rel_train_batch(rel_model *m, uint64_t index)
{
    const rel_config *c = &m->cfg;
    make_batch(m, index);
    int st = ccrnn_cortex_reset(m->cx, c->batch);
    for (size_t t0 = 0; t0 < c->seq_len && !st; t0 += c->tau) {
        size_t t1 = t0 + c->tau < c->seq_len ? t0 + c->tau : c->seq_len;
        st = train_window(m, t0, t1);
    }
    if (!st) st = ccrnn_optimizer_step(m->opt);
    return st;
}

/* ---- checkpoints ------------------------------------------------------------------ */

/* A checkpoint buffer of test-save.h, or the program dies naming what failed. */
static unsigned char *saved(unsigned char *buf, const char *what)
{
    if (!buf) rel_die("saving the %s to memory failed: %s", what, ccrnn_last_error());
    return buf;
}

unsigned char *rel_save_cortex(const ccrnn_cortex *cx, size_t *n)
{
    return saved(ts_save_cortex(cx, n), "cortex");
}

unsigned char *rel_save_cerebellum(const ccrnn_cerebellum *cb, size_t *n)
{
    return saved(ts_save_cerebellum(cb, n), "cerebellum");
}

unsigned char *rel_save_optimizer(const ccrnn_optimizer *opt, size_t *n)
{
    return saved(ts_save_optimizer(opt, n), "optimizer");
}
