/*
 * The benchmark's model and procedures (see bench-model.h).
 *
 * FLOP count (matrix products only, 2*m*n*k each; elementwise work, losses and the
 * optimizer are not counted).  B batch, I input, H hidden, O output, Z = 2H state,
 * S cerebellar width, L hidden layers, d = (Z, S, ..., S, Z) the cerebellum's widths:
 *   LSTM forward, per step:    2B(I+H)4H  (gates)          + 2BHO (readout)
 *   LSTM backward, per step:   2B(I+H)4H  (dW_ih, dW_hh)   + 2B(4H)H (dh_prev)
 *                              + 2BOH (dh from dy)          + 2BOH (dW_out)
 *                              (dL/dx is not needed and not counted)
 *   cerebellum forward:        2B sum_l d_l d_{l+1}
 *   cerebellum learn backward: 2B sum_l d_l d_{l+1} (weight gradients)
 *                              + 2B sum_{l>=1} d_l d_{l+1} (deltas below the top layer)
 *   batch of K windows:        seq (forward + backward) + (K+1) cerebellum forwards
 *                              + K learn backwards (the forward at a window end is
 *                              shared with the next window's learn, plus one at z_0 = 0)
 *   online-learn step:         forward + backward at B = 1 + 2 cerebellum forwards (the
 *                              weights change every step, so nothing can be shared)
 *                              + 1 learn backward
 *   online-infer step:         forward at B = 1
 */
#define _POSIX_C_SOURCE 200809L

#include "bench-model.h"

#include <ccrnn/ccrnn_experimental.h>

#include "test-support.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Shapes of the PyTorch reference benchmarks (docs/performance.md); repetitions sized for a
 * few seconds each. */
static const bench_config full_configs[] = {
    {"paper", KIND_BATCH, 50, 28, 50, 2, 400, 1, 28, 7, 30, 3},
    {"paper-crnn", KIND_BATCH, 50, 28, 50, 2, 0, 1, 28, 7, 30, 3},
    {"large", KIND_BATCH, 64, 128, 512, 16, 1024, 1, 64, 16, 5, 1},
    {"online-learn", KIND_ONLINE_LEARN, 1, 28, 50, 2, 400, 1, 2000, 1, 2000, 100},
    {"online-infer", KIND_ONLINE_INFER, 1, 28, 50, 2, 400, 1, 2000, 1, 2000, 100},
};

/* --quick: the same procedures at toy sizes, so CI checks that everything runs. */
static const bench_config quick_configs[] = {
    {"paper", KIND_BATCH, 4, 5, 6, 2, 16, 1, 8, 3, 2, 1},
    {"paper-crnn", KIND_BATCH, 4, 5, 6, 2, 0, 1, 8, 3, 2, 1},
    {"large", KIND_BATCH, 8, 16, 32, 4, 64, 2, 8, 4, 2, 1},
    {"online-learn", KIND_ONLINE_LEARN, 1, 5, 6, 2, 16, 1, 20, 1, 20, 2},
    {"online-infer", KIND_ONLINE_INFER, 1, 5, 6, 2, 16, 1, 20, 1, 20, 2},
};

const bench_config *bench_configs(int quick, size_t *count)
{
    *count = sizeof full_configs / sizeof full_configs[0];
    return quick ? quick_configs : full_configs;
}

void bench_parse_size(const char *spec, bench_config *out, char *name_buf)
{
    size_t n_builtin;
    const bench_config *builtin = bench_configs(0, &n_builtin);
    /* The kind decides the defaults, so it is read first. */
    const char *kind = strstr(spec, "kind=");
    int online = kind && (kind == spec || kind[-1] == ',') && !strncmp(kind + 5, "online", 6);
    bench_config c = builtin[online ? 3 : 0]; /* paper or online-learn */
    char name[BENCH_NAME_LEN] = "";
    const char *p = spec;
    while (*p) {
        const char *eq = strchr(p, '='), *end = strchr(p, ',');
        if (!end) end = p + strlen(p);
        if (!eq || eq > end) bench_die("--size: expected KEY=VALUE in '%s'", spec);
        size_t klen = (size_t)(eq - p), vlen = (size_t)(end - eq - 1);
        char val[BENCH_NAME_LEN];
        if (vlen == 0 || vlen >= sizeof val) bench_die("--size: bad value in '%s'", spec);
        memcpy(val, eq + 1, vlen);
        val[vlen] = '\0';
        if (klen == 4 && !strncmp(p, "name", 4)) {
            memcpy(name, val, vlen + 1);
        } else if (klen == 4 && !strncmp(p, "kind", 4)) {
            if (!strcmp(val, "batch")) c.kind = KIND_BATCH;
            else if (!strcmp(val, "online-learn")) c.kind = KIND_ONLINE_LEARN;
            else if (!strcmp(val, "online-infer")) c.kind = KIND_ONLINE_INFER;
            else bench_die("--size: kind is batch, online-learn or online-infer");
        } else {
            char *rest;
            long v = strtol(val, &rest, 10);
            if (*rest || v < 0 || v > 1000000000L) bench_die("--size: bad number '%s'", val);
            static const char *const keys[] = {"B", "I", "H", "O", "S", "L", "seq", "T",
                                               "reps", "warmup"};
            size_t *const sz[] = {&c.B, &c.I, &c.H, &c.O, &c.S, &c.L, &c.seq, &c.T};
            size_t i = 0;
            while (i < 10 && (strlen(keys[i]) != klen || strncmp(p, keys[i], klen))) i++;
            if (i == 10) bench_die("--size: unknown key in '%s'", spec);
            if (i < 8) *sz[i] = (size_t)v;
            else if (i == 8) c.reps = (int)v;
            else c.warmup = (int)v;
        }
        p = *end ? end + 1 : end;
    }
    if (!c.B || !c.I || !c.H || !c.O || !c.seq || !c.T || c.reps < 1 || (c.S && !c.L))
        bench_die("--size: B, I, H, O, seq, T, reps must be >= 1 (and L with S > 0): '%s'",
                  spec);
    if (c.kind != KIND_BATCH && (c.B != 1 || c.T != 1))
        bench_die("--size: the online kinds run at B = 1, T = 1");
    if (c.kind == KIND_ONLINE_LEARN && !c.S) bench_die("--size: online-learn needs S > 0");
    if (!name[0]) /* a name from the sizes when none was given */
        snprintf(name, sizeof name, "B%u-I%u-H%u-S%u", (unsigned)c.B, (unsigned)c.I,
                 (unsigned)c.H, (unsigned)c.S); /* each <= 1e9, checked above */
    memcpy(name_buf, name, sizeof name);
    c.name = name_buf;
    *out = c;
}

size_t bench_windows(const bench_config *c) { return (c->seq + c->T - 1) / c->T; }

const char *const bench_call_names[N_BENCH_CALLS] = {
    "ccrnn_cortex_reset", "ccrnn_cortex_begin_window", "ccrnn_cortex_forward[_steps]",
    "ccrnn_loss_mse", "ccrnn_cortex_output_grad", "ccrnn_synthetic_gradient",
    "ccrnn_cortex_backward", "ccrnn_synthetic_gradient_learn", "ccrnn_optimizer_step"};

double *bench_call_seconds;

/* ---- helpers ---------------------------------------------------------------------- */

void bench_die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "ccrnn-bench: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(1);
}

int bench_cpu_clock;

double bench_now(void)
{
    struct timespec ts;
    clock_gettime(bench_cpu_clock ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double bench_median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

void *bench_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) bench_die("out of memory (%zu bytes)", n);
    return p;
}

/* The benchmark's data come from the tests' one generator (tests/support). */
static ts_rng rng = {0x9E3779B97F4A7C15ull};

void bench_fill_uniform(float *x, size_t n) { ts_rng_fill(&rng, x, n, 0.0, 1.0); }

/* Standard normal targets, like torch.randn's. */
static void fill_normal(float *x, size_t n)
{
    for (size_t i = 0; i < n; i++) x[i] = (float)ts_rng_normal(&rng);
}

/* Every library call goes through here: timed when profiling, and a failure ends the
 * run with the library's message. */
#define RUN(which, expr)                                                                 \
    do {                                                                                 \
        double t0_ = bench_call_seconds ? bench_now() : 0.0;                             \
        int st_ = (expr);                                                                \
        if (bench_call_seconds) bench_call_seconds[which] += bench_now() - t0_;          \
        if (st_ != CCRNN_OK)                                                             \
            bench_die("%s failed: %s (%s)", bench_call_names[which], ccrnn_strerror(st_), \
                      ccrnn_last_error());                                               \
    } while (0)

void bench_check(int status, const char *call)
{
    if (status != CCRNN_OK)
        bench_die("%s failed: %s (%s)", call, ccrnn_strerror(status), ccrnn_last_error());
}

/* ---- FLOP count (see the header comment) ------------------------------------------ */

static double lstm_forward_flops(const bench_config *c, size_t B)
{
    double I = c->I, H = c->H, O = c->O;
    return 2.0 * B * (I + H) * 4 * H + 2.0 * B * H * O;
}

static double lstm_backward_flops(const bench_config *c, size_t B)
{
    double I = c->I, H = c->H, O = c->O;
    return 2.0 * B * (I + H) * 4 * H + 2.0 * B * 4 * H * H + 4.0 * B * O * H;
}

/* Sum over the cerebellum's layers of d_l * d_{l+1}, from layer `first` on. */
static double cerebellum_mn(const bench_config *c, size_t first)
{
    double Z = 2.0 * c->H, S = c->S, sum = 0.0;
    for (size_t l = first; l <= c->L; l++) {
        double in = l == 0 ? Z : S, out = l == c->L ? Z : S;
        sum += in * out;
    }
    return sum;
}

static double cerebellum_forward_flops(const bench_config *c, size_t B)
{
    return c->S ? 2.0 * B * cerebellum_mn(c, 0) : 0.0;
}

static double cerebellum_learn_flops(const bench_config *c, size_t B)
{
    return c->S ? 2.0 * B * (cerebellum_mn(c, 0) + cerebellum_mn(c, 1)) : 0.0;
}

double bench_unit_flops(const bench_config *c)
{
    if (c->kind == KIND_ONLINE_INFER) return lstm_forward_flops(c, 1);
    if (c->kind == KIND_ONLINE_LEARN)
        return lstm_forward_flops(c, 1) + lstm_backward_flops(c, 1) +
               2 * cerebellum_forward_flops(c, 1) + cerebellum_learn_flops(c, 1);
    double K = (double)bench_windows(c);
    return c->seq * (lstm_forward_flops(c, c->B) + lstm_backward_flops(c, c->B)) +
           (K + 1) * cerebellum_forward_flops(c, c->B) + K * cerebellum_learn_flops(c, c->B);
}

/* ---- the model under test --------------------------------------------------------- */

static void set_optimizer(bench_model *m)
{
    /* As the references: Adam(lr 1e-3, betas (0.9, 0.98), eps 1e-9); the batch
     * procedure clips the global norm at 1, the online one does not (as
     * tests/bench/torch-reference.py online). */
    bench_check(ccrnn_optimizer_set_param(m->opt, CCRNN_PARAM_LR, 1e-3), "LR");
    bench_check(ccrnn_optimizer_set_param(m->opt, CCRNN_PARAM_BETA1, 0.9), "BETA1");
    bench_check(ccrnn_optimizer_set_param(m->opt, CCRNN_PARAM_BETA2, 0.98), "BETA2");
    bench_check(ccrnn_optimizer_set_param(m->opt, CCRNN_PARAM_EPS, 1e-9), "EPS");
    bench_check(ccrnn_optimizer_set_param(m->opt, CCRNN_PARAM_CLIP_NORM,
                                    m->c->kind == KIND_BATCH ? 1.0 : 0.0), "CLIP_NORM");
}

static void alloc_data(bench_model *m)
{
    const bench_config *c = m->c;
    m->x = bench_xmalloc(c->seq * c->B * c->I * sizeof(float));
    m->target = bench_xmalloc(c->seq * c->B * c->O * sizeof(float));
    m->y = bench_xmalloc(c->T * c->B * c->O * sizeof(float)); /* a window's outputs */
    m->dy = bench_xmalloc(c->B * c->O * sizeof(float));
    m->dz_end = bench_xmalloc(c->B * 2 * c->H * sizeof(float));
    m->dz_start = bench_xmalloc(c->B * 2 * c->H * sizeof(float));
    bench_fill_uniform(m->x, c->seq * c->B * c->I);
    fill_normal(m->target, c->seq * c->B * c->O);
}

void bench_model_create(bench_model *m, const bench_config *c, int threads)
{
    size_t window = c->kind == KIND_BATCH ? c->T : 1;
    memset(m, 0, sizeof *m);
    m->c = c;
    /* CCRNN_BENCH_STEPWISE=1: one ccrnn_cortex_forward per step (the 0.2 procedure),
     * to measure what ccrnn_cortex_forward_steps gains. */
    const char *sw = getenv("CCRNN_BENCH_STEPWISE");
    m->stepwise = sw && *sw && strcmp(sw, "0") != 0;
    bench_check(ccrnn_cortex_create(CCRNN_CELL_LSTM, c->I, c->H, c->O, c->B, window, 1, &m->cx),
          "ccrnn_cortex_create");
    bench_check(ccrnn_cortex_set_param(m->cx, CCRNN_PARAM_THREADS, threads), "cortex THREADS");
    bench_check(ccrnn_optimizer_create(CCRNN_OPT_ADAM, &m->opt), "ccrnn_optimizer_create");
    bench_check(ccrnn_optimizer_add_cortex(m->opt, m->cx, NULL), "ccrnn_optimizer_add_cortex");
    if (c->S && c->kind != KIND_ONLINE_INFER) {
        bench_check(ccrnn_cerebellum_create(2 * c->H, 0, 2 * c->H, c->L, c->S, c->B, 2, 0, &m->cb),
              "ccrnn_cerebellum_create");
        bench_check(ccrnn_cerebellum_set_param(m->cb, CCRNN_PARAM_THREADS, threads), "cb THREADS");
        bench_check(ccrnn_optimizer_add_cerebellum(m->opt, m->cb, NULL), "add_cerebellum");
    }
    set_optimizer(m);
    if (c->kind == KIND_ONLINE_INFER)
        bench_check(ccrnn_cortex_set_param(m->cx, CCRNN_PARAM_TRAINING, 0), "TRAINING");
    alloc_data(m);
    bench_check(ccrnn_cortex_reset(m->cx, c->B), "ccrnn_cortex_reset");
}

void bench_model_destroy(bench_model *m)
{
    ccrnn_optimizer_destroy(m->opt);
    ccrnn_cerebellum_destroy(m->cb);
    ccrnn_cortex_destroy(m->cx);
    free(m->x); free(m->target); free(m->y); free(m->dy); free(m->dz_end); free(m->dz_start);
}

/* Loss and output gradient of global step t, the s-th of a window of `len`, whose
 * output is at y. */
static void step_loss(bench_model *m, size_t t, size_t s, size_t len, const float *y)
{
    const bench_config *c = m->c;
    size_t ny = c->B * c->O;
    /* F.mse_loss over the window: the mean over B x len x O values. */
    RUN(CALL_LOSS, ccrnn_loss_mse(y, m->target + t * ny, ny, c->O, NULL, 0,
                                  (double)(ny * len), m->dy, NULL));
    RUN(CALL_OUTPUT_GRAD, ccrnn_cortex_output_grad(m->cx, s, m->dy, ny));
}

/* Forward, loss and output gradient of global step t, the s-th of a window of `len`. */
static void train_step(bench_model *m, size_t t, size_t s, size_t len)
{
    const bench_config *c = m->c;
    size_t nx = c->B * c->I, ny = c->B * c->O;
    RUN(CALL_FORWARD, ccrnn_cortex_forward(m->cx, m->x + t * nx, nx, m->y, ny));
    step_loss(m, t, s, len, m->y);
}

/* The end of a window: synthetic gradient in, backward, cerebellum learns the start. */
static void close_window(bench_model *m)
{
    size_t nz = m->c->B * 2 * m->c->H;
    if (!m->cb) {
        RUN(CALL_BACKWARD, ccrnn_cortex_backward(m->cx, NULL, 0, NULL, 0));
        return;
    }
    RUN(CALL_SYNTHETIC_GRADIENT,
        ccrnn_synthetic_gradient(m->cb, m->cx, NULL, 0, 0.1, m->dz_end, nz));
    RUN(CALL_BACKWARD, ccrnn_cortex_backward(m->cx, m->dz_end, nz, m->dz_start, nz));
    RUN(CALL_LEARN, ccrnn_synthetic_gradient_learn(m->cb, m->cx, NULL, 0, m->dz_start, nz, NULL));
}

/* One training batch (torch-reference.py batch): windows of T steps, one optimizer step. */
static void run_batch(bench_model *m)
{
    const bench_config *c = m->c;
    RUN(CALL_RESET, ccrnn_cortex_reset(m->cx, c->B));
    for (size_t w = 0; w < c->seq; w += c->T) {
        size_t len = w + c->T <= c->seq ? c->T : c->seq - w;
        RUN(CALL_BEGIN_WINDOW, ccrnn_cortex_begin_window(m->cx));
        if (m->stepwise) {
            for (size_t s = 0; s < len; s++) train_step(m, w + s, s, len);
        } else {
            /* The host holds the window's inputs, as PyTorch's nn.LSTM does: one call
             * for the window's forward (its input projection is one product). */
            size_t nx = c->B * c->I, ny = c->B * c->O;
            RUN(CALL_FORWARD, ccrnn_cortex_forward_steps(m->cx, len, m->x + w * nx, len * nx, m->y,
                                                         len * ny));
            for (size_t s = 0; s < len; s++) step_loss(m, w + s, s, len, m->y + s * ny);
        }
        close_window(m);
    }
    RUN(CALL_OPTIMIZER_STEP, ccrnn_optimizer_step(m->opt));
}

/* One online step (torch-reference.py online): learn = 1 is a window of one step with an update. */
static void run_online_step(bench_model *m, size_t t)
{
    const bench_config *c = m->c;
    t %= c->seq;
    if (c->kind == KIND_ONLINE_INFER) {
        RUN(CALL_FORWARD, ccrnn_cortex_forward(m->cx, m->x + t * c->I, c->I, m->y, c->O));
        return;
    }
    RUN(CALL_BEGIN_WINDOW, ccrnn_cortex_begin_window(m->cx));
    train_step(m, t, 0, 1);
    close_window(m);
    RUN(CALL_OPTIMIZER_STEP, ccrnn_optimizer_step(m->opt));
}

void bench_run_unit(bench_model *m, size_t i)
{
    if (m->c->kind == KIND_BATCH) run_batch(m);
    else run_online_step(m, i);
}

double bench_time_config(const bench_config *c, int threads)
{
    bench_model m;
    bench_model_create(&m, c, threads);
    size_t n = (size_t)c->reps, i = 0;
    for (int w = 0; w < c->warmup; w++) bench_run_unit(&m, i++);
    double *t = bench_xmalloc(n * sizeof *t);
    for (size_t r = 0; r < n; r++) {
        double t0 = bench_now();
        bench_run_unit(&m, i++);
        t[r] = bench_now() - t0;
    }
    double med = bench_median(t, n);
    free(t);
    bench_model_destroy(&m);
    return med;
}
