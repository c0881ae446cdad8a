/* The parameter core (params.h) and the public calls it serves for both objects:
 * flat views, zero_grad, set_values and the named-tensor calls. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "params.h"

int ccrnn__params_add(ccrnn_params *p, const char *name, size_t rows, size_t cols)
{
    if (p->n_tensors == CCRNN__MAX_TENSORS) return 0;
    ccrnn_tensor *t = &p->tensors[p->n_tensors++];
    strncpy(t->name, name, sizeof t->name - 1);
    t->name[sizeof t->name - 1] = '\0';
    t->rows = rows;
    t->cols = cols;
    t->offset = p->count;
    p->count += ccrnn__numel(t);
    return 1;
}

static uint64_t sat_mul(uint64_t a, uint64_t b) { return a && b > UINT64_MAX / a ? UINT64_MAX : a * b; }

void *ccrnn__plan_take(ccrnn_plan *pl, uint64_t a, uint64_t b, size_t size)
{
    uint64_t bytes = sat_mul(sat_mul(a, b), size);
    pl->bytes = bytes > UINT64_MAX - pl->bytes ? UINT64_MAX : pl->bytes + bytes;
    if (!pl->allocate) return NULL;
    void *p = bytes > SIZE_MAX ? NULL : ccrnn__calloc((size_t)a * (size_t)b, size);
    if (!p) pl->failed = 1;
    return p;
}

void ccrnn__params_alloc(ccrnn_params *p, ccrnn_plan *pl)
{
    p->values = ccrnn__plan_take(pl, p->count, 1, sizeof(float));
    p->grads = ccrnn__plan_take(pl, p->count, 1, sizeof(float));
    if (pl->allocate) {
        p->la = ccrnn__la_create();
        if (!p->la) pl->failed = 1;
    }
}

void ccrnn__params_free(ccrnn_params *p)
{
    free(p->values);
    free(p->grads);
    ccrnn__la_destroy(p->la);
}

void ccrnn__params_copy(ccrnn_params *dst, const ccrnn_params *src)
{
    memcpy(dst->values, src->values, src->count * sizeof(float));
    memcpy(dst->grads, src->grads, src->count * sizeof(float));
    dst->grad_bound = src->grads_shared ? INFINITY : src->grad_bound;
    ccrnn__la_set_threads(dst->la, ccrnn__la_threads(src->la));
    dst->hold = src->hold;
    dst->version++;
}

void ccrnn__params_written(ccrnn_params *p)
{
    if (p->mask) {
        float *w = p->values + p->mask_offset;
        for (size_t i = 0; i < p->mask_len; i++) w[i] *= p->mask[i];
    }
    p->version++;
}

int ccrnn__params_grads_fit(ccrnn_params *p, double inc, double limit)
{
    if (!p->grads_shared && isfinite(p->grad_bound) && inc <= limit - p->grad_bound) return 1;
    double m = ccrnn__max_abs_finite(p->grads, p->count);
    if (!p->grads_shared) p->grad_bound = m;
    return inc <= limit - m;
}

void ccrnn__params_loaded(ccrnn_params *p)
{
    ccrnn__params_written(p);
    ccrnn__params_grads_reset(p, 0);
}

void ccrnn__params_grads_added(ccrnn_params *p, double inc) { p->grad_bound += inc; }

void ccrnn__params_grads_reset(ccrnn_params *p, int known) { p->grad_bound = known ? 0.0 : INFINITY; }

void ccrnn__params_zero_grads(ccrnn_params *p)
{
    memset(p->grads, 0, p->count * sizeof(float));
    ccrnn__params_grads_reset(p, 1);
}

void ccrnn__params_set_threads(ccrnn_params *p, int threads) { ccrnn__la_set_threads(p->la, threads); }
int ccrnn__params_threads(const ccrnn_params *p) { return ccrnn__la_threads(p->la); }

/* ---- the public calls, once for both objects ----------------------------------------
 * Every object struct begins with its ccrnn_params, so a handle is also a pointer to
 * its core. */

static int view(ccrnn_params *p, const float **values, float **grads, size_t *count)
{
    if (values) *values = p->values;
    if (grads) {
        *grads = p->grads;
        p->grads_shared = 1; /* the host may write them from now on: scan before use */
    }
    if (count) *count = p->count;
    return CCRNN_OK;
}

static int zero_grad(ccrnn_params *p)
{
    ccrnn__params_zero_grads(p);
    return CCRNN_OK;
}

static int set_values(const char *fn, ccrnn_params *p, const float *values, size_t n)
{
    if (!values) return ccrnn__fail(CCRNN_ERR_NULL, fn, "argument 'values' is NULL");
    REQUIRE_LEN_IN(fn, n, p->count, "values (parameter count)");
    if (!ccrnn__all_finite(values, n))
        return ccrnn__fail(CCRNN_ERR_NUMERIC, fn, "values contain NaN or Inf");
    memcpy(p->values, values, n * sizeof(float));
    ccrnn__params_written(p);
    return CCRNN_OK;
}

static int tensor_count(const char *fn, const ccrnn_params *p, size_t *count)
{
    if (!count) return ccrnn__fail(CCRNN_ERR_NULL, fn, "argument 'count' is NULL");
    *count = p->n_tensors;
    return CCRNN_OK;
}

static int tensor_info(const char *fn, const ccrnn_params *p, size_t index, const char **name,
                       size_t *rows, size_t *cols, size_t *offset)
{
    if (index >= p->n_tensors)
        return ccrnn__fail(CCRNN_ERR_ARG, fn, "tensor index %zu >= %zu", index, p->n_tensors);
    const ccrnn_tensor *t = &p->tensors[index];
    if (name) *name = t->name;
    if (rows) *rows = t->rows;
    if (cols) *cols = t->cols;
    if (offset) *offset = t->offset;
    return CCRNN_OK;
}

static int find(const char *fn, const ccrnn_params *p, const char *name, const void *buf,
                size_t n, const ccrnn_tensor **out)
{
    if (!name) return ccrnn__fail(CCRNN_ERR_NULL, fn, "argument 'name' is NULL");
    if (!buf) return ccrnn__fail(CCRNN_ERR_NULL, fn, "argument 'buf' is NULL");
    const ccrnn_tensor *t = ccrnn__tensor_find(p->tensors, p->n_tensors, name);
    if (!t) return ccrnn__fail(CCRNN_ERR_ARG, fn, "no tensor named '%s'", name);
    REQUIRE_LEN_IN(fn, n, ccrnn__numel(t), "tensor buffer");
    *out = t;
    return CCRNN_OK;
}

static int get_tensor(const char *fn, const ccrnn_params *p, const char *name, float *buf, size_t n)
{
    const ccrnn_tensor *t = NULL;
    int st = find(fn, p, name, buf, n, &t);
    if (st) return st;
    memcpy(buf, p->values + t->offset, n * sizeof(float));
    return CCRNN_OK;
}

static int set_tensor(const char *fn, ccrnn_params *p, const char *name, const float *buf, size_t n)
{
    const ccrnn_tensor *t = NULL;
    int st = find(fn, p, name, buf, n, &t);
    if (st) return st;
    if (!ccrnn__all_finite(buf, n)) return ccrnn__fail(CCRNN_ERR_NUMERIC, fn, "values contain NaN or Inf");
    memcpy(p->values + t->offset, buf, n * sizeof(float));
    ccrnn__params_written(p);
    return CCRNN_OK;
}

#define CORE(h) ((ccrnn_params *)(void *)(h))
#define CCORE(h) ((const ccrnn_params *)(const void *)(h))

#define DEFINE_PARAMETER_CALLS(obj, type, h)                                                  \
    int ccrnn_##obj##_params(type *h, const float **values, float **grads, size_t *count) \
    {                                                                                         \
        REQUIRE(h);                                                                           \
        return view(CORE(h), values, grads, count);                                            \
    }                                                                                         \
    int ccrnn_##obj##_zero_grad(type *h)                                                      \
    {                                                                                         \
        REQUIRE(h);                                                                           \
        return zero_grad(CORE(h));                                                            \
    }                                                                                         \
    int ccrnn_##obj##_set_values(type *h, const float *values, size_t n)                      \
    {                                                                                         \
        REQUIRE(h);                                                                           \
        return set_values(__func__, CORE(h), values, n);                                      \
    }                                                                                         \
    int ccrnn_##obj##_tensor_count(const type *h, size_t *count)                              \
    {                                                                                         \
        REQUIRE(h);                                                                           \
        return tensor_count(__func__, CCORE(h), count);                                       \
    }                                                                                         \
    int ccrnn_##obj##_tensor_info(const type *h, size_t index, const char **name, size_t *rows, \
                                  size_t *cols, size_t *offset)                               \
    {                                                                                         \
        REQUIRE(h);                                                                           \
        return tensor_info(__func__, CCORE(h), index, name, rows, cols, offset);              \
    }                                                                                         \
    int ccrnn_##obj##_get_tensor(const type *h, const char *name, float *buf, size_t n)       \
    {                                                                                         \
        REQUIRE(h);                                                                           \
        return get_tensor(__func__, CCORE(h), name, buf, n);                                  \
    }                                                                                         \
    int ccrnn_##obj##_set_tensor(type *h, const char *name, const float *buf, size_t n)       \
    {                                                                                         \
        REQUIRE(h);                                                                           \
        return set_tensor(__func__, CORE(h), name, buf, n);                                   \
    }

DEFINE_PARAMETER_CALLS(cortex, ccrnn_cortex, cx)
DEFINE_PARAMETER_CALLS(cerebellum, ccrnn_cerebellum, cb)
