/* Synthetic-gradient glue: the cerebellum reads the cortex's state and predicts, or
 * learns from, the gradient at that state (docs/model.md, the learning procedure). */
#include <string.h>

#include "internal.h"

static int check_pair(const char *fn, const ccrnn_cerebellum *cb, const ccrnn_cortex *cx, size_t n)
{
    size_t n_in, n_ctx, n_out, max_b, Z = ccrnn__cortex_state_size(cx), B = ccrnn__cortex_batch(cx);
    ccrnn__cerebellum_io(cb, &n_in, &n_ctx, &n_out, &max_b);
    if (n_in != Z || n_out != Z)
        return FAIL_IN(fn, CCRNN_ERR_SHAPE, "cerebellum maps %zu -> %zu values but the cortex state "
                    "has %zu", n_in, n_out, Z);
    if (B > max_b)
        return FAIL_IN(fn, CCRNN_ERR_SHAPE, "cortex batch %zu exceeds the cerebellum's max_batch %zu",
                    B, max_b);
    REQUIRE_LEN_IN(fn, n, B * Z, "gradient buffer (batch*state_size)");
    return CCRNN_OK;
}

int ccrnn_synthetic_gradient(ccrnn_cerebellum *cb, const ccrnn_cortex *cx, const float *ctx,
                             size_t n_ctx, double scale, float *dz, size_t n)
{
    REQUIRE(cb);
    REQUIRE(cx);
    REQUIRE(dz);
    int st = check_pair(__func__, cb, cx, n);
    if (st) return st;
    if (!(scale == scale) || scale - scale != 0.0)
        return FAIL(CCRNN_ERR_ARG, "scale must be finite, got %g", scale);
    size_t B = ccrnn__cortex_batch(cx);
    float *z = ccrnn__cerebellum_stage(cb);
    ccrnn__cortex_copy_state(cx, 0, z);
    return ccrnn__cerebellum_predict_scaled(__func__, cb, B, z, n, ctx, n_ctx, scale, dz, n);
}

int ccrnn_synthetic_gradient_learn(ccrnn_cerebellum *cb, const ccrnn_cortex *cx,
                                   const float *ctx, size_t n_ctx, const float *dz_start,
                                   size_t n, double *loss)
{
    REQUIRE(cb);
    REQUIRE(cx);
    REQUIRE(dz_start);
    int st = check_pair(__func__, cb, cx, n);
    if (st) return st;
    size_t B = ccrnn__cortex_batch(cx);
    float *z = ccrnn__cerebellum_stage(cb);
    ccrnn__cortex_copy_state(cx, 1, z);
    return ccrnn_cerebellum_learn(cb, B, z, n, ctx, n_ctx, dz_start, n, loss);
}

/* The window end as one call: validate everything that can be validated, then the
 * step-wise calls in order. */
int ccrnn_window_end(ccrnn_cortex *cx, ccrnn_cerebellum *cb, const float *ctx, size_t ctx_len,
                     double scale, unsigned flags, float *dz_start, size_t dz_start_len,
                     double *cb_loss)
{
    REQUIRE(cx);
    size_t BZ = ccrnn__cortex_batch(cx) * ccrnn__cortex_state_size(cx);
    if (flags & ~(unsigned)(CCRNN_WINDOW_NO_SYNTHETIC | CCRNN_WINDOW_NO_LEARN))
        return FAIL(CCRNN_ERR_ARG, "unknown flags 0x%x", flags);
    if (!(scale == scale) || scale - scale != 0.0)
        return FAIL(CCRNN_ERR_ARG, "scale must be finite, got %g", scale);
    if (dz_start) REQUIRE_LEN(dz_start_len, BZ, "dz_start (batch*state_size)");
    else if (dz_start_len) return FAIL(CCRNN_ERR_NULL, "dz_start is NULL but dz_start_len is %zu", dz_start_len);
    if (!cb && (ctx || ctx_len)) return FAIL(CCRNN_ERR_SHAPE, "ctx given without a cerebellum");
    int st = ccrnn__cortex_backward_ready(__func__, cx);
    if (!st && cb) st = check_pair(__func__, cb, cx, BZ);
    if (st) return st;
    float *end, *start;
    ccrnn__cortex_window_scratch(cx, &end, &start);
    double ablated = 0.0;
    if (cb) ccrnn_cerebellum_get_param(cb, CCRNN_PARAM_ABLATED, &ablated);
    int inject = cb && !(flags & CCRNN_WINDOW_NO_SYNTHETIC) && scale != 0.0 && ablated == 0.0;
    if (inject) st = ccrnn_synthetic_gradient(cb, cx, ctx, ctx_len, scale, end, BZ);
    if (!st) st = ccrnn_cortex_backward(cx, inject ? end : NULL, inject ? BZ : 0, start, BZ);
    if (st) return st;
    if (cb_loss) *cb_loss = 0.0;
    if (cb && !(flags & CCRNN_WINDOW_NO_LEARN))
        st = ccrnn_synthetic_gradient_learn(cb, cx, ctx, ctx_len, start, BZ, cb_loss);
    if (st) return st;
    if (dz_start) memcpy(dz_start, start, BZ * sizeof(float));
    return CCRNN_OK;
}
