/* Synthetic-gradient glue: the cerebellum reads the cortex's state and predicts, or
 * learns from, the gradient at that state (TASKS.md section 1, steps 3 and 4). */
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
    st = ccrnn_cerebellum_predict(cb, B, z, n, ctx, n_ctx, dz, n);
    if (st) return st;
    for (size_t i = 0; i < n; i++) dz[i] = (float)(scale * dz[i]);
    return CCRNN_OK;
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
