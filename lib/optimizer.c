/* Optimizers (Adam, SGD with momentum, RMSprop) over parameter groups, with one global
 * L2-norm gradient clip over every attached gradient, as torch.nn.utils.clip_grad_norm_
 * followed by torch.optim.*.step() and zero_grad(). */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"

#if defined(__SSE__) || defined(__x86_64__)
#include <xmmintrin.h>
/* Flush-to-zero and denormals-are-zero for the duration of one update pass: a tiny
 * gradient squared, or a decaying moment, would otherwise produce denormal
 * intermediates that cost ~100 cycles each on x86.  The caller's MXCSR is restored. */
static unsigned fast_fp_begin(void)
{
    unsigned old = _mm_getcsr();
    _mm_setcsr(old | 0x8040u);
    return old;
}
static void fast_fp_end(unsigned old) { _mm_setcsr(old); }
#else
static unsigned fast_fp_begin(void) { return 0; }
static void fast_fp_end(unsigned old) { (void)old; }
#endif

typedef struct group {
    float *values, *grads;
    size_t n;
    float *m, *v;            /* optimizer state: Adam moments / momentum / square average */
    double lr_scale;
    int frozen;
    uint64_t steps;          /* updates this group has received (Adam bias correction) */
    ccrnn_params *core;      /* the object's parameter core; NULL for host arrays */
    /* Upper bounds on |m|, v and |value| after the last committed step, valid while
     * `known` and the core's version is still `version` (nobody else wrote the values).
     * They let a step prove in O(1) that it cannot produce a non-finite number, so the
     * O(n) check pass runs only when that proof fails (see step_is_safe).  The proof's
     * own bounds on the new values become the next ones; the check pass measures exact
     * maxima (pend_*: what the step about to be committed will leave). */
    int known;
    uint64_t version;
    double max_m, max_v, max_x, pend_m, pend_v, pend_x;
} group;

struct ccrnn_optimizer {
    int kind;
    double lr, beta1, beta2, eps, weight_decay, momentum, alpha, clip, last_norm;
    uint64_t steps;
    group *groups;
    size_t n_groups;
};

int ccrnn_optimizer_create(int kind, ccrnn_optimizer **out)
{
    REQUIRE(out);
    if (kind != CCRNN_OPT_ADAM && kind != CCRNN_OPT_SGD && kind != CCRNN_OPT_RMSPROP)
        return FAIL(CCRNN_ERR_ARG, "unknown optimizer kind %d", kind);
    ccrnn_optimizer *opt = calloc(1, sizeof *opt);
    if (!opt) return FAIL(CCRNN_ERR_NOMEM, "out of memory");
    opt->kind = kind;
    opt->lr = 1e-3;
    opt->beta1 = 0.9;
    opt->beta2 = 0.999;
    opt->eps = 1e-8;
    opt->alpha = 0.99;
    *out = opt;
    return CCRNN_OK;
}

void ccrnn_optimizer_destroy(ccrnn_optimizer *opt)
{
    if (!opt) return;
    for (size_t g = 0; g < opt->n_groups; g++) {
        free(opt->groups[g].m);
        free(opt->groups[g].v);
    }
    free(opt->groups);
    free(opt);
}

int ccrnn_optimizer_set_param(ccrnn_optimizer *opt, int param, double value)
{
    REQUIRE(opt);
    int st = ccrnn__setting_check(__func__, CCRNN__KIND_OPTIMIZER, param, value);
    if (st) return st;
    switch (param) {
    case CCRNN_PARAM_LR: opt->lr = value; break;
    case CCRNN_PARAM_BETA1: opt->beta1 = value; break;
    case CCRNN_PARAM_BETA2: opt->beta2 = value; break;
    case CCRNN_PARAM_EPS: opt->eps = value; break;
    case CCRNN_PARAM_WEIGHT_DECAY: opt->weight_decay = value; break;
    case CCRNN_PARAM_MOMENTUM: opt->momentum = value; break;
    case CCRNN_PARAM_ALPHA: opt->alpha = value; break;
    case CCRNN_PARAM_CLIP_NORM: opt->clip = value; break;
    }
    return CCRNN_OK;
}

int ccrnn_optimizer_get_param(const ccrnn_optimizer *opt, int param, double *value)
{
    REQUIRE(opt);
    REQUIRE(value);
    switch (param) {
    case CCRNN_PARAM_LR: *value = opt->lr; break;
    case CCRNN_PARAM_BETA1: *value = opt->beta1; break;
    case CCRNN_PARAM_BETA2: *value = opt->beta2; break;
    case CCRNN_PARAM_EPS: *value = opt->eps; break;
    case CCRNN_PARAM_WEIGHT_DECAY: *value = opt->weight_decay; break;
    case CCRNN_PARAM_MOMENTUM: *value = opt->momentum; break;
    case CCRNN_PARAM_ALPHA: *value = opt->alpha; break;
    case CCRNN_PARAM_CLIP_NORM: *value = opt->clip; break;
    case CCRNN_PARAM_GRAD_NORM: *value = opt->last_norm; break;
    case CCRNN_PARAM_STEPS: *value = (double)opt->steps; break;
    default: return FAIL(CCRNN_ERR_ARG, "parameter %d does not apply to an optimizer", param);
    }
    return CCRNN_OK;
}

static int add_group(const char *fn, ccrnn_optimizer *opt, float *values, float *grads, size_t n,
                     ccrnn_params *core, size_t *index)
{
    for (size_t g = 0; g < opt->n_groups; g++)
        if (opt->groups[g].values == values)
            return FAIL_IN(fn, CCRNN_ERR_ARG, "these parameters are already group %zu", g);
    group *grown = realloc(opt->groups, (opt->n_groups + 1) * sizeof *grown);
    if (!grown) return FAIL_IN(fn, CCRNN_ERR_NOMEM, "out of memory");
    opt->groups = grown;
    group *gr = &grown[opt->n_groups];
    memset(gr, 0, sizeof *gr);
    gr->m = ccrnn__calloc(n, sizeof(float));
    gr->v = ccrnn__calloc(n, sizeof(float));
    if (!gr->m || !gr->v) {
        free(gr->m);
        free(gr->v);
        return FAIL_IN(fn, CCRNN_ERR_NOMEM, "out of memory for optimizer state of %zu values", n);
    }
    gr->values = values;
    gr->grads = grads;
    gr->n = n;
    gr->lr_scale = 1.0;
    gr->core = core;
    if (index) *index = opt->n_groups;
    opt->n_groups++;
    return CCRNN_OK;
}

int ccrnn_optimizer_add_cortex(ccrnn_optimizer *opt, ccrnn_cortex *cx, size_t *index)
{
    REQUIRE(opt);
    REQUIRE(cx);
    ccrnn_params *p = (ccrnn_params *)(void *)cx; /* every object begins with its core */
    return add_group(__func__, opt, p->values, p->grads, p->count, p, index);
}

int ccrnn_optimizer_add_cerebellum(ccrnn_optimizer *opt, ccrnn_cerebellum *cb, size_t *index)
{
    REQUIRE(opt);
    REQUIRE(cb);
    ccrnn_params *p = (ccrnn_params *)(void *)cb;
    return add_group(__func__, opt, p->values, p->grads, p->count, p, index);
}

int ccrnn_optimizer_add_params(ccrnn_optimizer *opt, float *values, float *grads, size_t count,
                               size_t *index)
{
    REQUIRE(opt);
    REQUIRE(values);
    REQUIRE(grads);
    if (count == 0) return FAIL(CCRNN_ERR_ARG, "count must be >= 1");
    return add_group(__func__, opt, values, grads, count, NULL, index);
}

int ccrnn_optimizer_set_group_param(ccrnn_optimizer *opt, size_t index, int param, double value)
{
    REQUIRE(opt);
    if (index >= opt->n_groups)
        return FAIL(CCRNN_ERR_ARG, "group %zu does not exist (%zu groups)", index, opt->n_groups);
    group *g = &opt->groups[index];
    int st = ccrnn__group_setting_check(__func__, param, value);
    if (st) return st;
    if (param == CCRNN_GROUP_LR_SCALE) g->lr_scale = value;
    else g->frozen = (int)value;
    return CCRNN_OK;
}

int ccrnn_optimizer_get_group_param(const ccrnn_optimizer *opt, size_t index, int param,
                                    double *value)
{
    REQUIRE(opt);
    REQUIRE(value);
    if (index >= opt->n_groups)
        return FAIL(CCRNN_ERR_ARG, "group %zu does not exist (%zu groups)", index, opt->n_groups);
    const group *g = &opt->groups[index];
    switch (param) {
    case CCRNN_GROUP_LR_SCALE: *value = g->lr_scale; return CCRNN_OK;
    case CCRNN_GROUP_FROZEN: *value = g->frozen; return CCRNN_OK;
    default: return FAIL(CCRNN_ERR_ARG, "group parameter %d does not exist", param);
    }
}

/* Moments that decay below the smallest normal float are flushed to zero (what FTZ
 * does on x86, kept explicit for other targets): with Adam's eps such a value moves
 * a weight by less than 1e-12 of the learning rate. */
static float flush(float x) { return fabsf(x) < FLT_MIN ? 0.0f : x; }

/* Each update kernel runs in one of two modes: check (write nothing; return 1 when
 * every new weight and moment would be finite) and commit (update in place, zero the
 * gradients).  Both modes compute the same per-value formula, so a step whose check
 * passed leaves only finite numbers, and a step that would not changes nothing. */
enum { CHECK = 0, COMMIT = 1 };

/* The kernels work in blocks: each value's new moment(s) and weight go to destination
 * arrays, the object's own in commit mode (the gradients are then zeroed), a local
 * block in check mode (then tested with the vectorised ccrnn__all_finite).  One loop
 * body for both modes, and every loop stores, so both vectorise. */
#if defined(__GNUC__)
#define KERNEL static inline __attribute__((always_inline))
#else
#define KERNEL static inline
#endif
#define BLOCK 256
typedef struct dest {
    float m[BLOCK], v[BLOCK], x[BLOCK];
} dest;

/* Where block i0 of length len goes; after the block, check or zero. */
static void targets(group *g, size_t i0, int mode, dest *d, float **m, float **v, float **x)
{
    *m = mode == COMMIT ? g->m + i0 : d->m;
    *v = mode == COMMIT ? g->v + i0 : d->v;
    *x = mode == COMMIT ? g->values + i0 : d->x;
}

KERNEL int finish(group *g, size_t i0, size_t len, int mode, const dest *d, int has_v)
{
    if (mode == COMMIT) {
        memset(g->grads + i0, 0, len * sizeof(float));
        return 1;
    }
    if (!(ccrnn__all_finite(d->m, len) && ccrnn__all_finite(d->x, len) &&
          (!has_v || ccrnn__all_finite(d->v, len))))
        return 0;
    /* The candidates are the values the commit will write (the same formula): their
     * maxima bound the next step (the slow path only). */
    double mm = ccrnn__max_abs_finite(d->m, len), mx = ccrnn__max_abs_finite(d->x, len);
    double mv = has_v ? ccrnn__max_abs_finite(d->v, len) : 0.0;
    g->pend_m = mm > g->pend_m ? mm : g->pend_m;
    g->pend_v = mv > g->pend_v ? mv : g->pend_v;
    g->pend_x = mx > g->pend_x ? mx : g->pend_x;
    return 1;
}

KERNEL int adam(const ccrnn_optimizer *opt, group *g, uint64_t steps, float coef, double lr,
                int mode)
{
    double bc1 = 1.0 - pow(opt->beta1, (double)steps);
    double bc2 = 1.0 - pow(opt->beta2, (double)steps);
    float b1 = (float)opt->beta1, b2 = (float)opt->beta2, wd = (float)opt->weight_decay;
    /* One division per value: sqrt(v)/sqrt(bc2) becomes a product with the reciprocal
     * (PyTorch divides; the results differ by at most an ulp of the denominator). */
    float step = (float)(lr / bc1), inv_bc2s = (float)(1.0 / sqrt(bc2)), eps = (float)opt->eps;
    dest d;
    int ok = 1;
    for (size_t i0 = 0; i0 < g->n && ok; i0 += BLOCK) {
        size_t len = g->n - i0 < BLOCK ? g->n - i0 : BLOCK;
        const float *gr_in = g->grads + i0, *m_in = g->m + i0, *v_in = g->v + i0,
                    *x_in = g->values + i0;
        float *m_out, *v_out, *x_out;
        targets(g, i0, mode, &d, &m_out, &v_out, &x_out);
        for (size_t i = 0; i < len; i++) {
            float gr = gr_in[i] * coef + wd * x_in[i];
            float m = flush(m_in[i] * b1 + gr * (1.0f - b1));
            float v = flush(v_in[i] * b2 + gr * gr * (1.0f - b2));
            x_out[i] = x_in[i] - step * m / (sqrtf(v) * inv_bc2s + eps);
            m_out[i] = m;
            v_out[i] = v;
        }
        ok = finish(g, i0, len, mode, &d, 1);
    }
    return ok;
}

KERNEL int sgd(const ccrnn_optimizer *opt, group *g, uint64_t steps, float coef, double lr,
               int mode)
{
    float mom = (float)opt->momentum, wd = (float)opt->weight_decay, rate = (float)lr;
    dest d;
    int ok = 1;
    for (size_t i0 = 0; i0 < g->n && ok; i0 += BLOCK) {
        size_t len = g->n - i0 < BLOCK ? g->n - i0 : BLOCK;
        const float *gr_in = g->grads + i0, *m_in = g->m + i0, *x_in = g->values + i0;
        float *m_out, *v_out, *x_out;
        targets(g, i0, mode, &d, &m_out, &v_out, &x_out);
        for (size_t i = 0; i < len; i++) {
            float gr = gr_in[i] * coef + wd * x_in[i];
            float m = mom != 0.0f ? (steps == 1 ? gr : flush(m_in[i] * mom + gr)) : m_in[i];
            x_out[i] = x_in[i] - rate * (mom != 0.0f ? m : gr);
            m_out[i] = m;
        }
        ok = finish(g, i0, len, mode, &d, 0);
    }
    return ok;
}

KERNEL int rmsprop(const ccrnn_optimizer *opt, group *g, uint64_t steps, float coef, double lr,
                   int mode)
{
    float a = (float)opt->alpha, mom = (float)opt->momentum, wd = (float)opt->weight_decay;
    float eps = (float)opt->eps, rate = (float)lr;
    dest d;
    int ok = 1;
    (void)steps;
    for (size_t i0 = 0; i0 < g->n && ok; i0 += BLOCK) {
        size_t len = g->n - i0 < BLOCK ? g->n - i0 : BLOCK;
        const float *gr_in = g->grads + i0, *m_in = g->m + i0, *v_in = g->v + i0,
                    *x_in = g->values + i0;
        float *m_out, *v_out, *x_out;
        targets(g, i0, mode, &d, &m_out, &v_out, &x_out);
        for (size_t i = 0; i < len; i++) {
            float gr = gr_in[i] * coef + wd * x_in[i];
            float v = flush(v_in[i] * a + gr * gr * (1.0f - a));
            float q = gr / (sqrtf(v) + eps);
            float m = mom != 0.0f ? flush(m_in[i] * mom + q) : m_in[i];
            x_out[i] = x_in[i] - rate * (mom != 0.0f ? m : q);
            v_out[i] = v;
            m_out[i] = m;
        }
        ok = finish(g, i0, len, mode, &d, 1);
    }
    return ok;
}

/* A group's gradients to zero: through its core (which keeps its gradient bound), or
 * the host's arrays. */
static void zero_group_grads(group *g)
{
    if (g->core) ccrnn__params_zero_grads(g->core);
    else memset(g->grads, 0, g->n * sizeof(float));
}

/* CCRNN__UPDATE, or skip the group and zero or keep its gradients. */
static int group_hold(const group *g)
{
    int hold = g->core ? g->core->hold : CCRNN__UPDATE;
    return g->frozen && hold == CCRNN__UPDATE ? CCRNN__HOLD_ZERO : hold;
}

#define MODE_KERNELS(kind)                                                                \
    CCRNN_SIMD_CLONES static int kind##_check(const ccrnn_optimizer *opt, group *g,        \
                                              uint64_t steps, float coef, double lr)      \
    {                                                                                     \
        return kind(opt, g, steps, coef, lr, CHECK);                                      \
    }                                                                                     \
    CCRNN_SIMD_CLONES static int kind##_commit(const ccrnn_optimizer *opt, group *g,       \
                                               uint64_t steps, float coef, double lr)     \
    {                                                                                     \
        return kind(opt, g, steps, coef, lr, COMMIT);                                     \
    }
MODE_KERNELS(adam)
MODE_KERNELS(sgd)
MODE_KERNELS(rmsprop)

static int update(const ccrnn_optimizer *opt, group *g, float coef, int mode)
{
    double lr = opt->lr * g->lr_scale;
    uint64_t steps = g->steps + 1;
    if (mode == CHECK) g->pend_m = g->pend_v = g->pend_x = 0.0;
    if (opt->kind == CCRNN_OPT_ADAM)
        return mode == COMMIT ? adam_commit(opt, g, steps, coef, lr) : adam_check(opt, g, steps, coef, lr);
    if (opt->kind == CCRNN_OPT_SGD)
        return mode == COMMIT ? sgd_commit(opt, g, steps, coef, lr) : sgd_check(opt, g, steps, coef, lr);
    return mode == COMMIT ? rmsprop_commit(opt, g, steps, coef, lr)
                          : rmsprop_check(opt, g, steps, coef, lr);
}

/* The global L2 norm of every attached gradient.  The fast sum (float within blocks)
 * overflows for values above ~1e19 and underflows below ~1e-19; then the norm is
 * computed again in double with every value divided by the largest |g|.  Returns NaN
 * or Inf when a gradient is not finite. */
static double gradient_norm(const ccrnn_optimizer *opt)
{
    double sq = 0.0;
    for (size_t k = 0; k < opt->n_groups; k++)
        sq += ccrnn__sum_squares(opt->groups[k].grads, opt->groups[k].n);
    if (isnan(sq) || (sq >= 0x1p-60 && sq <= 0x1p120)) return sqrt(sq);
    double big = 0.0;
    for (size_t k = 0; k < opt->n_groups; k++)
        for (size_t i = 0; i < opt->groups[k].n; i++) {
            double a = fabs((double)opt->groups[k].grads[i]);
            big = a > big ? a : big;
        }
    if (big == 0.0 || isinf(big)) return big;
    double scaled = 0.0;
    for (size_t k = 0; k < opt->n_groups; k++)
        for (size_t i = 0; i < opt->groups[k].n; i++) {
            double r = opt->groups[k].grads[i] / big;
            scaled += r * r;
        }
    return big * sqrt(scaled);
}

/* Whether this step provably leaves every moment and weight of group g finite, from
 * the maxima its last commit recorded and a bound on every clipped gradient (each
 * |g_i| <= the global norm): m, v and the weights then stay far below FLT_MAX (1e30
 * leaves room for every rounding).  A sufficient condition only: when it fails (first
 * step, values written by the host, host arrays, huge numbers, eps = 0) the exact
 * O(n) check pass decides. */
static int step_is_safe(const ccrnn_optimizer *opt, group *g, double norm, double coef)
{
    if (!g->known || !g->core || g->core->version != g->version) return 0;
    const double big = 1e30;
    double lr = opt->lr * g->lr_scale, wd = opt->weight_decay;
    double gb = 1.01 * norm * coef + wd * g->max_x; /* bound on each |grad * coef + wd * x| */
    double m = g->max_m, v = g->max_v, u;           /* new moment bounds; u: |update| */
    if (opt->kind == CCRNN_OPT_ADAM) {
        m = opt->beta1 * m + (1.0 - opt->beta1) * gb;
        v = opt->beta2 * v + (1.0 - opt->beta2) * gb * gb;
        double bc1 = 1.0 - pow(opt->beta1, (double)(g->steps + 1));
        u = opt->eps > 0.0 && bc1 > 0.0 ? lr / bc1 * m / opt->eps : INFINITY;
    } else if (opt->kind == CCRNN_OPT_SGD) { /* without momentum the buffer stays as it is */
        m = opt->momentum != 0.0 ? opt->momentum * m + gb : m;
        u = lr * (opt->momentum != 0.0 ? m : gb);
    } else {
        v = opt->alpha * v + (1.0 - opt->alpha) * gb * gb;
        double q = opt->eps > 0.0 ? gb / opt->eps : INFINITY;
        m = opt->momentum != 0.0 ? opt->momentum * m + q : m;
        u = lr * (opt->momentum != 0.0 ? m : q);
    }
    double x = g->max_x + u;
    if (!(m < big && v < big && x < big && gb < 1e18)) return 0;
    g->pend_m = m; /* the bounds this step leaves */
    g->pend_v = v;
    g->pend_x = x;
    return 1;
}

int ccrnn_optimizer_step(ccrnn_optimizer *opt)
{
    REQUIRE(opt);
    double norm = gradient_norm(opt);
    if (isnan(norm) || isinf(norm))
        return FAIL(CCRNN_ERR_NUMERIC, "the gradient norm is not finite; nothing was updated");
    /* As clip_grad_norm_: scale by clip/(norm + 1e-6) when that is below one. */
    float coef = 1.0f;
    if (opt->clip > 0.0 && opt->clip / (norm + 1e-6) < 1.0) coef = (float)(opt->clip / (norm + 1e-6));
    unsigned fp = fast_fp_begin();
    size_t k;
    for (k = 0; k < opt->n_groups; k++)
        if (group_hold(&opt->groups[k]) == CCRNN__UPDATE &&
            !step_is_safe(opt, &opt->groups[k], norm, coef) &&
            !update(opt, &opt->groups[k], coef, CHECK))
            break;
    if (k < opt->n_groups) {
        fast_fp_end(fp);
        return FAIL(CCRNN_ERR_NUMERIC, "the update of group %zu would make a weight or moment "
                    "non-finite; nothing was updated", k);
    }
    opt->last_norm = norm;
    for (k = 0; k < opt->n_groups; k++) {
        group *g = &opt->groups[k];
        int hold = group_hold(g);
        if (hold == CCRNN__UPDATE) {
            update(opt, g, coef, COMMIT);
            g->steps++;
            if (g->core) ccrnn__params_written(g->core);
            g->max_m = g->pend_m;
            g->max_v = g->pend_v;
            g->max_x = g->pend_x;
            g->known = 1;
            g->version = g->core ? g->core->version : 0;
            if (g->core) ccrnn__params_grads_reset(g->core, 1);
        } else if (hold == CCRNN__HOLD_ZERO) {
            zero_group_grads(g);
        }
    }
    fast_fp_end(fp);
    opt->steps++;
    return CCRNN_OK;
}

int ccrnn_optimizer_zero_grad(ccrnn_optimizer *opt)
{
    REQUIRE(opt);
    for (size_t k = 0; k < opt->n_groups; k++) zero_group_grads(&opt->groups[k]);
    return CCRNN_OK;
}

/* ---- checkpoints: the optimizer's self-description --------------------------------- */

static const struct {
    int param;
    const char *name;
} hyper[] = {{CCRNN_PARAM_LR, "LR"}, {CCRNN_PARAM_BETA1, "BETA1"}, {CCRNN_PARAM_BETA2, "BETA2"},
             {CCRNN_PARAM_EPS, "EPS"}, {CCRNN_PARAM_WEIGHT_DECAY, "WEIGHT_DECAY"},
             {CCRNN_PARAM_MOMENTUM, "MOMENTUM"}, {CCRNN_PARAM_ALPHA, "ALPHA"},
             {CCRNN_PARAM_CLIP_NORM, "CLIP_NORM"}};
#define N_HYPER (sizeof hyper / sizeof hyper[0])
#define PER_GROUP 6
/* Update counts stay exact in a double (Adam's bias correction), far beyond any run. */
#define MAX_STEPS 9007199254740992.0

static double hyper_value(const ccrnn_optimizer *opt, int param)
{
    double v = 0;
    ccrnn_optimizer_get_param(opt, param, &v);
    return v;
}

size_t ccrnn__optimizer_describe(const ccrnn_optimizer *opt, ccrnn_entry *e)
{
    if (!e) return 4 + N_HYPER + PER_GROUP * opt->n_groups;
    size_t n = 0;
    ccrnn__entry_u64(&e[n++], "kind", (uint64_t)opt->kind, CCRNN_OPT_ADAM, CCRNN_OPT_RMSPROP);
    for (size_t i = 0; i < N_HYPER; i++)
        ccrnn__entry_setting(&e[n++], hyper[i].name, hyper[i].param, hyper_value(opt, hyper[i].param));
    ccrnn__entry_u64(&e[n++], "steps", opt->steps, 0, MAX_STEPS);
    ccrnn__entry_f64(&e[n++], "last_norm", opt->last_norm, 0, DBL_MAX);
    ccrnn__entry_u64(&e[n++], "groups", opt->n_groups, 0, (double)opt->n_groups);
    for (size_t k = 0; k < opt->n_groups; k++) {
        const group *g = &opt->groups[k];
        char name[48];
        double lo, hi;
        int whole;
        snprintf(name, sizeof name, "group.%zu.size", k);
        ccrnn__entry_u64(&e[n++], name, g->n, (double)g->n, (double)g->n);
        snprintf(name, sizeof name, "group.%zu.LR_SCALE", k);
        ccrnn__group_bounds(CCRNN_GROUP_LR_SCALE, &lo, &hi, &whole);
        ccrnn__entry_f64(&e[n++], name, g->lr_scale, lo, hi);
        snprintf(name, sizeof name, "group.%zu.FROZEN", k);
        ccrnn__group_bounds(CCRNN_GROUP_FROZEN, &lo, &hi, &whole);
        ccrnn__entry_f64(&e[n], name, g->frozen, lo, hi);
        e[n++].integer = whole;
        snprintf(name, sizeof name, "group.%zu.steps", k);
        ccrnn__entry_u64(&e[n++], name, g->steps, 0, MAX_STEPS);
        snprintf(name, sizeof name, "group.%zu.m", k);
        ccrnn__entry_f32(&e[n++], name, g->m, g->n, 0);
        snprintf(name, sizeof name, "group.%zu.v", k);
        ccrnn__entry_f32(&e[n], name, g->v, g->n, 0);
        e[n++].lo = 0; /* a second moment or square average is never negative */
    }
    return n;
}

/* Load into this optimizer: everything is checked first, then copied at once. */
int ccrnn__optimizer_restore(const char *fn, const ccrnn_ck *ck, ccrnn_optimizer *opt)
{
    uint64_t kind, groups, size;
    int st = ccrnn__ck_u64(fn, ck, "kind", CCRNN_OPT_ADAM, CCRNN_OPT_RMSPROP, &kind);
    if (!st) st = ccrnn__ck_u64(fn, ck, "groups", 0, UINT32_MAX, &groups);
    if (st) return st;
    if ((int)kind != opt->kind)
        return FAIL_IN(fn, CCRNN_ERR_MISMATCH, "checkpoint of optimizer kind %u, this optimizer "
                       "is kind %d", (unsigned)kind, opt->kind);
    if (groups != opt->n_groups)
        return FAIL_IN(fn, CCRNN_ERR_MISMATCH, "%llu groups in the checkpoint, %zu in this "
                       "optimizer", (unsigned long long)groups, opt->n_groups);
    for (size_t k = 0; k < opt->n_groups; k++) {
        char name[48];
        snprintf(name, sizeof name, "group.%zu.size", k);
        st = ccrnn__ck_u64(fn, ck, name, 0, UINT64_MAX, &size);
        if (st) return st;
        if (size != opt->groups[k].n)
            return FAIL_IN(fn, CCRNN_ERR_MISMATCH, "group %zu holds %llu values in the checkpoint, "
                           "%zu in this optimizer", k, (unsigned long long)size, opt->groups[k].n);
    }
    size_t n = ccrnn__optimizer_describe(opt, NULL);
    ccrnn_entry *e = malloc(n * sizeof *e);
    if (!e) return FAIL_IN(fn, CCRNN_ERR_NOMEM, "out of memory");
    ccrnn__optimizer_describe(opt, e);
    st = ccrnn__ck_check(fn, ck, e, n);
    if (!st) {
        ccrnn__ck_copy(ck, e, n);
        for (size_t i = 0; i < N_HYPER; i++)
            ccrnn_optimizer_set_param(opt, hyper[i].param, ccrnn__entry_number(e, n, hyper[i].name));
        opt->steps = (uint64_t)ccrnn__entry_number(e, n, "steps");
        opt->last_norm = ccrnn__entry_number(e, n, "last_norm");
        size_t at = 4 + N_HYPER;
        for (size_t k = 0; k < opt->n_groups; k++, at += PER_GROUP) {
            opt->groups[k].lr_scale = e[at + 1].scalar.f;
            opt->groups[k].frozen = (int)e[at + 2].scalar.f;
            opt->groups[k].steps = e[at + 3].scalar.u;
            opt->groups[k].known = 0; /* moments from a file: check the next step in full */
        }
    }
    free(e);
    return st;
}
