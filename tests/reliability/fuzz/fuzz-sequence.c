/* libFuzzer target: random call sequences over the window and batch calls of one
 * ccRNN (a cortex, a cerebellum predicting its state gradient, an optimizer over both).
 * The input picks the cell, then a sequence of calls with their arguments (sizes that
 * are right or off by one, steps inside or outside the window, values from a palette
 * that includes 3e38, 1e19, denormals, NaN and Inf).  After every call:
 *   - the status is one the header documents for that call;
 *   - a failed call changed nothing: the checkpoints of all three objects, the window
 *     length and the cerebellum's reported hidden activity are as before;
 *   - every weight and the current state are finite;
 *   - the window length is what the call implies (forward adds one step in training
 *     mode, begin_window/reset/set_state/TRAINING clear it) and never exceeds max_window.
 * Anything else aborts (a finding). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rel-util.h"

enum { I = 2, H = 3, O = 2, MAXB = 2, MAXT = 3, W = 4, MAXZ = 2 * H };

static float value(ts_input *in)
{
    static const float palette[16] = {0.0f, 1.0f, -1.0f, 0.5f, 3e38f, -3e38f, 1e19f, 1e-40f,
                                      -1e-30f, 1e30f, 2.0f, -0.25f, 0.0f, 0.0f, 0.0f, 0.0f};
    unsigned b = ts_byte(in);
    if (b < 200) return ((float)b - 100.0f) / 50.0f;
    if (b < 216) return palette[b - 200];
    if (b == 216) return (float)NAN;
    if (b == 217) return (float)INFINITY;
    return ((float)b - 236.0f) * 1e6f;
}

static void fill(ts_input *in, float *x, size_t n)
{
    /* Mostly one value repeated with small variations: fewer bytes per call. */
    float base = value(in);
    unsigned mode = ts_byte(in) & 3u;
    for (size_t i = 0; i < n; i++) x[i] = mode == 0 ? value(in) : base * (float)(1 + (i & mode));
}

/* A size that is right, or wrong by one (both directions), from one byte. */
static size_t size_arg(ts_input *in, size_t right)
{
    unsigned b = ts_byte(in);
    return b < 240 ? right : b < 248 ? right + 1 : right - 1;
}

typedef struct model {
    ccrnn_cortex *cx;
    ccrnn_cerebellum *cb;
    ccrnn_optimizer *opt;
    size_t Z;
} model;

typedef struct snapshot {
    unsigned char *cx, *cb, *opt;
    size_t ncx, ncb, nopt, steps;
    float hidden[MAXB * W];
    int hidden_st;
} snapshot;

static unsigned char *save(int kind, const void *h, size_t *n)
{
    unsigned char *buf = kind == 0   ? ts_save_cortex(h, n)
                         : kind == 1 ? ts_save_cerebellum(h, n)
                                     : ts_save_optimizer(h, n);
    if (!buf) abort();
    return buf;
}

static void snap(const model *m, snapshot *s)
{
    size_t B;
    s->cx = save(0, m->cx, &s->ncx);
    s->cb = save(1, m->cb, &s->ncb);
    s->opt = save(2, m->opt, &s->nopt);
    if (ccrnn_cortex_window_length(m->cx, &s->steps) || ccrnn_cortex_batch(m->cx, &B)) abort();
    memset(s->hidden, 0, sizeof s->hidden);
    s->hidden_st = ccrnn_cerebellum_hidden(m->cb, 0, s->hidden, B * W);
    if (s->hidden_st != CCRNN_OK) {
        /* The last forward may have had the other batch size. */
        int other = ccrnn_cerebellum_hidden(m->cb, 0, s->hidden, (3 - B) * W);
        if (other == CCRNN_OK) s->hidden_st = 100 + (int)(3 - B);
    }
}

static int same(const snapshot *a, const snapshot *b)
{
    return a->ncx == b->ncx && !memcmp(a->cx, b->cx, a->ncx) && a->ncb == b->ncb &&
           !memcmp(a->cb, b->cb, a->ncb) && a->nopt == b->nopt &&
           !memcmp(a->opt, b->opt, a->nopt) && a->steps == b->steps &&
           a->hidden_st == b->hidden_st && !memcmp(a->hidden, b->hidden, sizeof a->hidden);
}

static void unsnap(snapshot *s)
{
    free(s->cx);
    free(s->cb);
    free(s->opt);
}

#define ALLOWED(st, mask) (((mask) >> (st)) & 1u)
#define S(code) (1u << (code))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ts_input in = {data, size};
    model m;
    int cell = (int)(ts_byte(&in) % 3);
    if (ccrnn_cortex_create(cell, I, H, O, MAXB, MAXT, 1, &m.cx)) abort();
    ccrnn_cortex_shape(m.cx, NULL, NULL, NULL, NULL, &m.Z, NULL, NULL);
    if (ccrnn_cerebellum_create(m.Z, 0, m.Z, 1, W, MAXB, 2, 0, &m.cb)) abort();
    if (ccrnn_optimizer_create((int)(ts_byte(&in) % 3), &m.opt) ||
        ccrnn_optimizer_add_cortex(m.opt, m.cx, NULL) ||
        ccrnn_optimizer_add_cerebellum(m.opt, m.cb, NULL))
        abort();
    if (ts_byte(&in) & 1u) ccrnn_optimizer_set_param(m.opt, CCRNN_PARAM_CLIP_NORM, 1.0);
    float a[MAXT * MAXB * MAXZ + 8], b[MAXT * MAXB * MAXZ + 8];
    double loss;
    for (int calls = 0; in.n > 0 && calls < 64; calls++) {
        size_t B, T;
        double training;
        ccrnn_cortex_batch(m.cx, &B);
        ccrnn_cortex_window_length(m.cx, &T);
        ccrnn_cortex_get_param(m.cx, CCRNN_PARAM_TRAINING, &training);
        snapshot before, after;
        snap(&m, &before);
        unsigned op = ts_byte(&in) % 14, allowed = S(CCRNN_OK);
        size_t expect_steps = T; /* the window length after a successful call */
        int st;
        switch (op) {
        case 0: /* forward */
            fill(&in, a, B * I);
            st = ccrnn_cortex_forward(m.cx, a, size_arg(&in, B * I), b, B * O);
            allowed |= S(CCRNN_ERR_SHAPE) | S(CCRNN_ERR_STATE) | S(CCRNN_ERR_NUMERIC);
            expect_steps = training != 0 ? T + 1 : T;
            break;
        case 1: /* output gradient */
            fill(&in, a, B * O);
            st = ccrnn_cortex_output_grad(m.cx, ts_byte(&in) % (MAXT + 1), a, size_arg(&in, B * O));
            allowed |= S(CCRNN_ERR_SHAPE) | S(CCRNN_ERR_STATE) | S(CCRNN_ERR_ARG) | S(CCRNN_ERR_NUMERIC);
            break;
        case 2: /* hidden gradient */
            fill(&in, a, B * H);
            st = ccrnn_cortex_hidden_grad(m.cx, ts_byte(&in) % (MAXT + 1), a, size_arg(&in, B * H));
            allowed |= S(CCRNN_ERR_SHAPE) | S(CCRNN_ERR_STATE) | S(CCRNN_ERR_ARG) | S(CCRNN_ERR_NUMERIC);
            break;
        case 3: { /* backward, with or without dz_end */
            int with_end = (int)(ts_byte(&in) & 1u);
            fill(&in, a, B * m.Z);
            st = ccrnn_cortex_backward(m.cx, with_end ? a : NULL, with_end ? size_arg(&in, B * m.Z) : 0,
                                       b, size_arg(&in, B * m.Z));
            allowed |= S(CCRNN_ERR_SHAPE) | S(CCRNN_ERR_STATE) | S(CCRNN_ERR_NUMERIC);
            break;
        }
        case 4:
            st = ccrnn_cortex_input_grad(m.cx, b, size_arg(&in, T * B * I));
            allowed |= S(CCRNN_ERR_SHAPE) | S(CCRNN_ERR_STATE) | S(CCRNN_ERR_NUMERIC);
            break;
        case 5:
            st = ccrnn_cortex_begin_window(m.cx);
            expect_steps = 0;
            break;
        case 6:
            st = ccrnn_cortex_reset(m.cx, ts_byte(&in) % (MAXB + 2));
            allowed |= S(CCRNN_ERR_ARG);
            expect_steps = 0;
            break;
        case 7:
            fill(&in, a, B * m.Z);
            st = ccrnn_cortex_set_state(m.cx, a, size_arg(&in, B * m.Z));
            allowed |= S(CCRNN_ERR_SHAPE) | S(CCRNN_ERR_NUMERIC);
            expect_steps = 0;
            break;
        case 8: {
            double v = (double)(ts_byte(&in) % 3) * 0.5;
            st = ccrnn_cortex_set_param(m.cx, CCRNN_PARAM_TRAINING, v);
            allowed |= S(CCRNN_ERR_ARG);
            expect_steps = v == training ? T : 0;
            break;
        }
        case 9: {
            static const double scales[4] = {1.0, 0.1, 1e300, -1e30};
            st = ccrnn_synthetic_gradient(m.cb, m.cx, NULL, 0, scales[ts_byte(&in) & 3u], b,
                                          size_arg(&in, B * m.Z));
            allowed |= S(CCRNN_ERR_SHAPE) | S(CCRNN_ERR_NUMERIC);
            break;
        }
        case 10:
            fill(&in, a, B * m.Z);
            st = ccrnn_synthetic_gradient_learn(m.cb, m.cx, NULL, 0, a, size_arg(&in, B * m.Z), &loss);
            allowed |= S(CCRNN_ERR_SHAPE) | S(CCRNN_ERR_NUMERIC);
            break;
        case 11: { /* the cerebellum on its own, at any batch */
            size_t nb = 1 + ts_byte(&in) % MAXB;
            fill(&in, a, nb * m.Z);
            fill(&in, b, nb * m.Z);
            if (ts_byte(&in) & 1u)
                st = ccrnn_cerebellum_predict(m.cb, nb, a, nb * m.Z, NULL, 0, b, size_arg(&in, nb * m.Z));
            else
                st = ccrnn_cerebellum_learn(m.cb, nb, a, nb * m.Z, NULL, 0, b, size_arg(&in, nb * m.Z), &loss);
            allowed |= S(CCRNN_ERR_SHAPE) | S(CCRNN_ERR_NUMERIC);
            break;
        }
        case 12:
            st = ccrnn_optimizer_step(m.opt);
            allowed |= S(CCRNN_ERR_NUMERIC);
            break;
        default: { /* plant gradients (as a host may through the view) */
            float *g;
            size_t n;
            ccrnn_cortex_params(m.cx, NULL, &g, &n);
            size_t i = ts_byte(&in) % n;
            g[i] = value(&in);
            st = CCRNN_OK;
            break;
        }
        }
        if (st < 0 || st > 31 || !ALLOWED(st, allowed)) abort();
        snap(&m, &after);
        if (st != CCRNN_OK && !same(&before, &after)) abort();
        if (st == CCRNN_OK && after.steps != expect_steps) abort();
        if (after.steps > MAXT) abort();
        unsnap(&before);
        unsnap(&after);
        /* Weights and state are always finite. */
        float *v, *g;
        size_t n;
        ccrnn_cortex_params(m.cx, (void *)&v, &g, &n);
        if (!ts_all_finite(v, n)) abort();
        size_t count;
        ccrnn_cerebellum_tensor_count(m.cb, &count);
        for (size_t k = 0; k < count; k++) {
            const char *name;
            size_t r, c;
            ccrnn_cerebellum_tensor_info(m.cb, k, &name, &r, &c, NULL);
            if (ccrnn_cerebellum_get_tensor(m.cb, name, a, r * (c ? c : 1)) ||
                !ts_all_finite(a, r * (c ? c : 1)))
                abort();
        }
        ccrnn_cortex_batch(m.cx, &B);
        if (ccrnn_cortex_get_state(m.cx, a, B * m.Z) || !ts_all_finite(a, B * m.Z)) abort();
    }
    ccrnn_optimizer_destroy(m.opt);
    ccrnn_cerebellum_destroy(m.cb);
    ccrnn_cortex_destroy(m.cx);
    return 0;
}
