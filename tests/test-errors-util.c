/* Helpers of the error-path suites (see test-errors.h). */
#include <stdlib.h>
#include <string.h>

#include "test-errors.h"

#define PRIME_KIND 987654

void prime_last_error(void)
{
    ccrnn_optimizer *opt = NULL;
    ck_assert_int_eq(ccrnn_optimizer_create(PRIME_KIND, &opt), CCRNN_ERR_ARG);
    ck_assert_ptr_null(opt);
    ck_assert_ptr_nonnull(strstr(ccrnn_last_error(), "987654"));
}

void expect_status(int got, int want, const char *what, const char *text, int line)
{
    const char *msg = ccrnn_last_error();
    ck_assert_msg(got == want, "line %d: %s returned %d (%s), expected %d (%s); message: %s", line,
                  text, got, ccrnn_strerror(got), want, ccrnn_strerror(want), msg);
    ck_assert_msg(msg != NULL && msg[0] != '\0', "line %d: %s: empty last_error", line, text);
    ck_assert_msg(strstr(msg, "987654") == NULL, "line %d: %s failed without a message of its own",
                  line, text);
    if (what)
        ck_assert_msg(strstr(msg, what) != NULL, "line %d: %s: message \"%s\" does not name \"%s\"",
                      line, text, msg, what);
}

/* ---- cortex ------------------------------------------------------------------------- */

/* The active batch: the one state length get_state accepts (no query exists). */
static size_t active_batch(ccrnn_cortex *cx)
{
    size_t Z, max_b, B;
    ck_assert_int_eq(ccrnn_cortex_shape(cx, NULL, NULL, NULL, NULL, &Z, &max_b, NULL), 0);
    float *probe = falloc(max_b * Z);
    for (B = 1; B <= max_b; B++)
        if (ccrnn_cortex_get_state(cx, probe, B * Z) == CCRNN_OK) break;
    free(probe);
    ck_assert_uint_le(B, max_b);
    return B;
}

void cx_snap_take(ccrnn_cortex *cx, cx_snap *s)
{
    size_t B = active_batch(cx), Z, H, n;
    const float *p;
    float *g;
    memset(s, 0, sizeof *s);
    ck_assert_int_eq(ccrnn_cortex_params(cx, &p, &g, &n), 0);
    s->np = n;
    s->params = falloc(n);
    s->grads = falloc(n);
    memcpy(s->params, p, n * sizeof(float));
    memcpy(s->grads, g, n * sizeof(float));
    ck_assert_int_eq(ccrnn_cortex_shape(cx, NULL, NULL, &H, NULL, &Z, NULL, NULL), 0);
    s->nz = B * Z;
    s->state = falloc(s->nz);
    s->start = falloc(s->nz);
    ck_assert_int_eq(ccrnn_cortex_get_state(cx, s->state, s->nz), 0);
    ck_assert_int_eq(ccrnn_cortex_window_start_state(cx, s->start, s->nz), 0);
    ck_assert_int_eq(ccrnn_cortex_window_length(cx, &s->steps), 0);
    s->nh = B * H;
    s->hidden = falloc(s->steps * s->nh);
    for (size_t t = 0; t < s->steps; t++)
        ck_assert_int_eq(ccrnn_cortex_hidden(cx, t, s->hidden + t * s->nh, s->nh), 0);
    ck_assert_int_eq(ccrnn_cortex_get_param(cx, CCRNN_PARAM_TRAINING, &s->training), 0);
    ck_assert_int_eq(ccrnn_cortex_get_param(cx, CCRNN_PARAM_THREADS, &s->threads), 0);
}

void cx_snap_expect_same(ccrnn_cortex *cx, const cx_snap *s, const char *text, int line)
{
    cx_snap now;
    cx_snap_take(cx, &now);
    ck_assert_msg(now.np == s->np && !memcmp(now.params, s->params, s->np * sizeof(float)),
                  "line %d: %s changed the parameters", line, text);
    ck_assert_msg(!memcmp(now.grads, s->grads, s->np * sizeof(float)),
                  "line %d: %s changed the gradients", line, text);
    ck_assert_msg(now.nz == s->nz, "line %d: %s changed the active batch", line, text);
    ck_assert_msg(!memcmp(now.state, s->state, s->nz * sizeof(float)) &&
                      !memcmp(now.start, s->start, s->nz * sizeof(float)),
                  "line %d: %s changed the state", line, text);
    ck_assert_msg(now.steps == s->steps && !memcmp(now.hidden, s->hidden, s->steps * s->nh * sizeof(float)),
                  "line %d: %s changed the window", line, text);
    ck_assert_msg(now.training == s->training && now.threads == s->threads,
                  "line %d: %s changed a parameter", line, text);
    cx_snap_free(&now);
}

void cx_snap_free(cx_snap *s)
{
    free(s->params);
    free(s->grads);
    free(s->state);
    free(s->start);
    free(s->hidden);
    memset(s, 0, sizeof *s);
}

/* The rest of the window with output gradients, backward, input gradients, then one
 * step of a new window: everything written to out. */
static size_t cx_future(ccrnn_cortex *cx, float *out)
{
    size_t I, O, Z, T, steps, k = 0, n, B = active_batch(cx);
    double training;
    float *g;
    ck_assert_int_eq(ccrnn_cortex_shape(cx, NULL, &I, NULL, &O, &Z, NULL, &T), 0);
    ck_assert_int_eq(ccrnn_cortex_get_param(cx, CCRNN_PARAM_TRAINING, &training), 0);
    if (training == 0) ck_assert_int_eq(ccrnn_cortex_set_param(cx, CCRNN_PARAM_TRAINING, 1), 0);
    ck_assert_int_eq(ccrnn_cortex_window_length(cx, &steps), 0);
    float *x = falloc(B * I);
    ts_rng rng;
    ts_rng_seed(&rng, 5150);
    for (size_t t = steps; t < T; t++) {
        ts_rng_fill(&rng, x, B * I, -1, 1);
        ck_assert_int_eq(ccrnn_cortex_forward(cx, x, B * I, out + k, B * O), 0);
        ck_assert_int_eq(ccrnn_cortex_output_grad(cx, t, out + k, B * O), 0);
        k += B * O;
    }
    ck_assert_int_eq(ccrnn_cortex_backward(cx, NULL, 0, out + k, B * Z), 0);
    k += B * Z;
    ck_assert_int_eq(ccrnn_cortex_input_grad(cx, out + k, T * B * I), 0);
    k += T * B * I;
    ck_assert_int_eq(ccrnn_cortex_params(cx, NULL, &g, &n), 0);
    memcpy(out + k, g, n * sizeof(float));
    k += n;
    ck_assert_int_eq(ccrnn_cortex_begin_window(cx), 0);
    ck_assert_int_eq(ccrnn_cortex_forward(cx, x, B * I, out + k, B * O), 0);
    k += B * O;
    free(x);
    return k;
}

void cx_expect_same_future(ccrnn_cortex *a, ccrnn_cortex *b)
{
    float *fa = falloc(1 << 16), *fb = falloc(1 << 16);
    size_t na = cx_future(a, fa), nb = cx_future(b, fb);
    ck_assert_uint_eq(na, nb);
    ck_assert_msg(!memcmp(fa, fb, na * sizeof(float)), "the cortex behaves differently after the failed calls");
    free(fa);
    free(fb);
}

/* ---- cerebellum --------------------------------------------------------------------- */

static const int cb_params[4] = {CCRNN_PARAM_THREADS, CCRNN_PARAM_ABLATED, CCRNN_PARAM_IO_LESION,
                                 CCRNN_PARAM_LOSS_MEAN};

/* Values are read by name, as a user would. */
void cb_snap_take(ccrnn_cerebellum *cb, cb_snap *s)
{
    float *g;
    size_t count;
    memset(s, 0, sizeof *s);
    ck_assert_int_eq(ccrnn_cerebellum_params(cb, NULL, &g, &s->np), 0);
    s->params = falloc(s->np);
    s->grads = falloc(s->np);
    memcpy(s->grads, g, s->np * sizeof(float));
    ck_assert_int_eq(ccrnn_cerebellum_tensor_count(cb, &count), 0);
    for (size_t k = 0; k < count; k++) {
        const char *name;
        size_t r, c, o;
        ck_assert_int_eq(ccrnn_cerebellum_tensor_info(cb, k, &name, &r, &c, &o), 0);
        ck_assert_int_eq(ccrnn_cerebellum_get_tensor(cb, name, s->params + o, r * (c ? c : 1)), 0);
    }
    for (size_t i = 0; i < 4; i++)
        ck_assert_int_eq(ccrnn_cerebellum_get_param(cb, cb_params[i], &s->flags[i]), 0);
}

void cb_snap_expect_same(ccrnn_cerebellum *cb, const cb_snap *s, const char *text, int line)
{
    cb_snap now;
    cb_snap_take(cb, &now);
    ck_assert_msg(now.np == s->np && !memcmp(now.params, s->params, s->np * sizeof(float)),
                  "line %d: %s changed the parameters", line, text);
    ck_assert_msg(!memcmp(now.grads, s->grads, s->np * sizeof(float)),
                  "line %d: %s changed the gradients", line, text);
    ck_assert_msg(!memcmp(now.flags, s->flags, sizeof s->flags), "line %d: %s changed a parameter",
                  line, text);
    cb_snap_free(&now);
}

void cb_snap_free(cb_snap *s)
{
    free(s->params);
    free(s->grads);
    memset(s, 0, sizeof *s);
}

static size_t cb_future(ccrnn_cerebellum *cb, float *out)
{
    size_t n_in, n_ctx, n_out, max_b, n;
    ck_assert_int_eq(ccrnn_cerebellum_shape(cb, &n_in, &n_ctx, &n_out, NULL, NULL, &max_b), 0);
    float *in = falloc(max_b * n_in), *ctx = falloc(max_b * n_ctx + 1), *g;
    float *target = falloc(max_b * n_out);
    ts_rng rng;
    ts_rng_seed(&rng, 6160);
    ts_rng_fill(&rng, in, max_b * n_in, -1, 1);
    ts_rng_fill(&rng, ctx, max_b * n_ctx, -1, 1);
    ts_rng_fill(&rng, target, max_b * n_out, -1, 1);
    const float *c = n_ctx ? ctx : NULL;
    size_t k = 0;
    ck_assert_int_eq(ccrnn_cerebellum_predict(cb, max_b, in, max_b * n_in, c, max_b * n_ctx, out,
                                              max_b * n_out), 0);
    k += max_b * n_out;
    ck_assert_int_eq(ccrnn_cerebellum_learn(cb, max_b, in, max_b * n_in, c, max_b * n_ctx, target,
                                            max_b * n_out, NULL), 0);
    ck_assert_int_eq(ccrnn_cerebellum_params(cb, NULL, &g, &n), 0);
    memcpy(out + k, g, n * sizeof(float));
    free(in);
    free(ctx);
    free(target);
    return k + n;
}

void cb_expect_same_future(ccrnn_cerebellum *a, ccrnn_cerebellum *b)
{
    float *fa = falloc(1 << 16), *fb = falloc(1 << 16);
    size_t na = cb_future(a, fa), nb = cb_future(b, fb);
    ck_assert_uint_eq(na, nb);
    ck_assert_msg(!memcmp(fa, fb, na * sizeof(float)), "the cerebellum behaves differently after the failed calls");
    free(fa);
    free(fb);
}
