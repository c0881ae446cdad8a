/*
 * ccrnn-bench: times libccrnn on the configurations of issue 5 and sets every figure
 * against BLIS's single-precision GEMM rate measured in the same process.
 *
 * Each configuration runs the training procedure of ../shared/bench/torch_ccrnn.py
 * (batch) or ../shared/bench/torch_online.py (online) through the public API only.
 * Per configuration it prints the median time of one unit of work (a training batch,
 * or one online step) after warm-up, the FLOPs of that unit counted from the shapes,
 * the achieved GFLOP/s and the fraction of the measured sgemm ceiling.
 *
 * FLOP count (matrix products only, 2*m*n*k each; elementwise work, losses and the
 * optimizer are not counted).  B batch, I input, H hidden, O output, Z = 2H state,
 * S cerebellar width, L hidden layers, d = (Z, S, ..., S, Z) the cerebellum's widths:
 *   LSTM forward, per step:   2B(I+H)4H  (gates)          + 2BHO (readout)
 *   LSTM backward, per step:  2B(I+H)4H  (dW_ih, dW_hh)   + 2B(4H)H (dh_prev)
 *                             + 2BOH (dh from dy)          + 2BOH (dW_out)
 *   cerebellum forward:       2B sum_l d_l d_{l+1}
 *   cerebellum learn backward 2B sum_l d_l d_{l+1} (weight grads)
 *                             + 2B sum_{l>=1} d_l d_{l+1} (deltas below the top layer)
 *   batch of K windows:       seq (forward + backward) + (K+1) cerebellum forwards
 *                             + K learn backwards (the forward at a window end is shared
 *                             with the next window's learn; one more at z_0 = 0)
 *   online-learn step:        forward + backward at B = 1 + 2 cerebellum forwards (the
 *                             weights change every step, so nothing can be shared)
 *                             + 1 learn backward
 *   online-infer step:        forward at B = 1
 *
 * Output: one "PEAK ..." line per thread count, one "RESULT key=value ..." line per
 * configuration and thread count (tests/bench/run-bench.py reads these), then a table.
 * --memory runs only the large configuration and prints "MEMORY ..." (peak RSS against
 * parameters + optimizer state + window tape); run it in a fresh process.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>

#include <blis.h>
#if defined(__SSE__)
#include <xmmintrin.h>
#endif

#include "ccrnn/ccrnn.h"

/* ---- configurations --------------------------------------------------------------- */

enum bench_kind { KIND_BATCH, KIND_ONLINE_LEARN, KIND_ONLINE_INFER };

typedef struct bench_config {
    const char *name;
    int kind;
    size_t B, I, H, O, S, L, seq, T;
    int reps, warmup; /* batches (KIND_BATCH) or steps (online) */
} bench_config;

/* Shapes from ../shared/bench/README.md; repetitions sized for a few seconds each. */
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

#define N_CONFIGS (sizeof full_configs / sizeof full_configs[0])

static size_t n_windows(const bench_config *c) { return (c->seq + c->T - 1) / c->T; }

/* ---- errors and time -------------------------------------------------------------- */

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "ccrnn-bench: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(1);
}

/* Every library call goes through here: a failure ends the run with its message. */
static void check(int status, const char *call)
{
    if (status != CCRNN_OK)
        die("%s failed: %s (%s)", call, ccrnn_strerror(status), ccrnn_last_error());
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sorts v in place; returns the median. */
static double median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) die("out of memory (%zu bytes)", n);
    return p;
}

/* ---- data ------------------------------------------------------------------------- */

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static double rng_uniform(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (double)(rng_state >> 11) * (1.0 / 9007199254740992.0);
}

static void fill_uniform(float *x, size_t n)
{
    for (size_t i = 0; i < n; i++) x[i] = (float)rng_uniform();
}

/* Approximately standard normal (sum of 12 uniforms), like torch.randn's targets. */
static void fill_normal(float *x, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        double s = 0.0;
        for (int k = 0; k < 12; k++) s += rng_uniform();
        x[i] = (float)(s - 6.0);
    }
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

static double unit_flops(const bench_config *c)
{
    if (c->kind == KIND_ONLINE_INFER) return lstm_forward_flops(c, 1);
    if (c->kind == KIND_ONLINE_LEARN)
        return lstm_forward_flops(c, 1) + lstm_backward_flops(c, 1) +
               2 * cerebellum_forward_flops(c, 1) + cerebellum_learn_flops(c, 1);
    double K = (double)n_windows(c);
    return c->seq * (lstm_forward_flops(c, c->B) + lstm_backward_flops(c, c->B)) +
           (K + 1) * cerebellum_forward_flops(c, c->B) + K * cerebellum_learn_flops(c, c->B);
}

/* ---- the model under test --------------------------------------------------------- */

typedef struct bench_model {
    const bench_config *c;
    ccrnn_cortex *cx;
    ccrnn_cerebellum *cb; /* NULL for the cRNN */
    ccrnn_optimizer *opt;
    float *x, *target;    /* seq x B x I inputs, seq x B x O targets (step-major) */
    float *y, *dy;        /* B x O */
    float *dz_end, *dz_start; /* B x 2H */
} bench_model;

static void model_create(bench_model *m, const bench_config *c, int threads)
{
    size_t window = c->kind == KIND_BATCH ? c->T : 1;
    memset(m, 0, sizeof *m);
    m->c = c;
    check(ccrnn_cortex_create(CCRNN_CELL_LSTM, c->I, c->H, c->O, c->B, window, 1, &m->cx),
          "ccrnn_cortex_create");
    check(ccrnn_cortex_set_param(m->cx, CCRNN_PARAM_THREADS, threads), "cortex THREADS");
    check(ccrnn_optimizer_create(CCRNN_OPT_ADAM, &m->opt), "ccrnn_optimizer_create");
    check(ccrnn_optimizer_add_cortex(m->opt, m->cx, NULL), "ccrnn_optimizer_add_cortex");
    if (c->S && c->kind != KIND_ONLINE_INFER) {
        check(ccrnn_cerebellum_create(2 * c->H, 0, 2 * c->H, c->L, c->S, c->B, 2, 0, &m->cb),
              "ccrnn_cerebellum_create");
        check(ccrnn_cerebellum_set_param(m->cb, CCRNN_PARAM_THREADS, threads), "cb THREADS");
        check(ccrnn_optimizer_add_cerebellum(m->opt, m->cb, NULL), "add_cerebellum");
    }
    /* As the references: Adam(lr 1e-3, betas (0.9, 0.98), eps 1e-9); the batch
     * procedure clips the global norm at 1, torch_online.py does not clip. */
    check(ccrnn_optimizer_set_param(m->opt, CCRNN_PARAM_LR, 1e-3), "LR");
    check(ccrnn_optimizer_set_param(m->opt, CCRNN_PARAM_BETA1, 0.9), "BETA1");
    check(ccrnn_optimizer_set_param(m->opt, CCRNN_PARAM_BETA2, 0.98), "BETA2");
    check(ccrnn_optimizer_set_param(m->opt, CCRNN_PARAM_EPS, 1e-9), "EPS");
    check(ccrnn_optimizer_set_param(m->opt, CCRNN_PARAM_CLIP_NORM,
                                    c->kind == KIND_BATCH ? 1.0 : 0.0), "CLIP_NORM");
    if (c->kind == KIND_ONLINE_INFER)
        check(ccrnn_cortex_set_param(m->cx, CCRNN_PARAM_TRAINING, 0), "TRAINING");
    m->x = xmalloc(c->seq * c->B * c->I * sizeof(float));
    m->target = xmalloc(c->seq * c->B * c->O * sizeof(float));
    m->y = xmalloc(c->B * c->O * sizeof(float));
    m->dy = xmalloc(c->B * c->O * sizeof(float));
    m->dz_end = xmalloc(c->B * 2 * c->H * sizeof(float));
    m->dz_start = xmalloc(c->B * 2 * c->H * sizeof(float));
    fill_uniform(m->x, c->seq * c->B * c->I);
    fill_normal(m->target, c->seq * c->B * c->O);
    check(ccrnn_cortex_reset(m->cx, c->B), "ccrnn_cortex_reset");
}

static void model_destroy(bench_model *m)
{
    ccrnn_optimizer_destroy(m->opt);
    ccrnn_cerebellum_destroy(m->cb);
    ccrnn_cortex_destroy(m->cx);
    free(m->x); free(m->target); free(m->y); free(m->dy); free(m->dz_end); free(m->dz_start);
}

/* Forward, loss and output gradient of global step t, the s-th of a window of `len`. */
static void train_step(bench_model *m, size_t t, size_t s, size_t len)
{
    const bench_config *c = m->c;
    size_t nx = c->B * c->I, ny = c->B * c->O;
    check(ccrnn_cortex_forward(m->cx, m->x + t * nx, nx, m->y, ny), "ccrnn_cortex_forward");
    /* F.mse_loss over the window: the mean over B x len x O values. */
    check(ccrnn_loss_mse(m->y, m->target + t * ny, ny, c->O, NULL, 0, (double)(ny * len), m->dy,
                         NULL), "ccrnn_loss_mse");
    check(ccrnn_cortex_output_grad(m->cx, s, m->dy, ny), "ccrnn_cortex_output_grad");
}

/* The end of a window: synthetic gradient in, backward, cerebellum learns the start. */
static void close_window(bench_model *m)
{
    size_t nz = m->c->B * 2 * m->c->H;
    if (!m->cb) {
        check(ccrnn_cortex_backward(m->cx, NULL, 0, NULL, 0), "ccrnn_cortex_backward");
        return;
    }
    check(ccrnn_synthetic_gradient(m->cb, m->cx, NULL, 0, 0.1, m->dz_end, nz),
          "ccrnn_synthetic_gradient");
    check(ccrnn_cortex_backward(m->cx, m->dz_end, nz, m->dz_start, nz), "ccrnn_cortex_backward");
    check(ccrnn_synthetic_gradient_learn(m->cb, m->cx, NULL, 0, m->dz_start, nz, NULL),
          "ccrnn_synthetic_gradient_learn");
}

/* One training batch of torch_ccrnn.py: windows of T steps, one optimizer step. */
static void run_batch(bench_model *m)
{
    const bench_config *c = m->c;
    check(ccrnn_cortex_reset(m->cx, c->B), "ccrnn_cortex_reset");
    for (size_t w = 0; w < c->seq; w += c->T) {
        size_t len = w + c->T <= c->seq ? c->T : c->seq - w;
        check(ccrnn_cortex_begin_window(m->cx), "ccrnn_cortex_begin_window");
        for (size_t s = 0; s < len; s++) train_step(m, w + s, s, len);
        close_window(m);
    }
    check(ccrnn_optimizer_step(m->opt), "ccrnn_optimizer_step");
}

/* One step of torch_online.py: learn = 1 is a window of one step with an update. */
static void run_online_step(bench_model *m, size_t t)
{
    const bench_config *c = m->c;
    t %= c->seq;
    if (c->kind == KIND_ONLINE_INFER) {
        check(ccrnn_cortex_forward(m->cx, m->x + t * c->I, c->I, m->y, c->O),
              "ccrnn_cortex_forward");
        return;
    }
    check(ccrnn_cortex_begin_window(m->cx), "ccrnn_cortex_begin_window");
    train_step(m, t, 0, 1);
    close_window(m);
    check(ccrnn_optimizer_step(m->opt), "ccrnn_optimizer_step");
}

static void run_unit(bench_model *m, size_t i)
{
    if (m->c->kind == KIND_BATCH) run_batch(m);
    else run_online_step(m, i);
}

/* Median seconds per unit over c->reps timed units after c->warmup untimed ones. */
static double time_config(const bench_config *c, int threads)
{
    bench_model m;
    model_create(&m, c, threads);
    size_t n = (size_t)c->reps, i = 0;
    for (int w = 0; w < c->warmup; w++) run_unit(&m, i++);
    double *t = xmalloc(n * sizeof *t);
    for (size_t r = 0; r < n; r++) {
        double t0 = now_seconds();
        run_unit(&m, i++);
        t[r] = now_seconds() - t0;
    }
    double med = median(t, n);
    free(t);
    model_destroy(&m);
    return med;
}

/* ---- the ceiling: BLIS sgemm on a large square product ---------------------------- */

typedef struct peak_result {
    double best, med; /* GFLOP/s */
} peak_result;

static peak_result measure_peak(size_t n, int reps, int threads)
{
    float *a = xmalloc(n * n * sizeof(float)), *b = xmalloc(n * n * sizeof(float));
    float *cm = xmalloc(n * n * sizeof(float));
    fill_uniform(a, n * n);
    fill_uniform(b, n * n);
    rntm_t rntm;
    bli_rntm_init(&rntm);
    bli_rntm_set_num_threads(threads, &rntm);
    float one = 1.0f, zero = 0.0f;
    double *t = xmalloc((size_t)(reps + 1) * sizeof *t), best = 1e30;
    for (int r = 0; r <= reps; r++) { /* r == 0 warms up (packing buffers, threads) */
        double t0 = now_seconds();
        bli_sgemm_ex(BLIS_NO_TRANSPOSE, BLIS_NO_TRANSPOSE, (dim_t)n, (dim_t)n, (dim_t)n, &one,
                     a, (inc_t)n, 1, b, (inc_t)n, 1, &zero, cm, (inc_t)n, 1, NULL, &rntm);
        t[r] = now_seconds() - t0;
        if (r > 0 && t[r] < best) best = t[r];
    }
    double flops = 2.0 * (double)n * (double)n * (double)n;
    peak_result p = {flops / best * 1e-9, flops / median(t + 1, (size_t)reps) * 1e-9};
    free(t); free(a); free(b); free(cm);
    return p;
}

/* ---- memory (large configuration, fresh process) ---------------------------------- */

static double rss_mib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss / 1024.0; /* Linux reports KiB */
}

/* Bytes the backward of one window needs recorded, counted from the shapes: per step
 * and sample the input (I), h and c (2H), the four gate activations (4H), tanh(c) (H)
 * and the output gradient (O); plus the window-start state (2H) per sample. */
static double tape_bytes(const bench_config *c)
{
    double B = c->B, T = c->T, I = c->I, H = c->H, O = c->O;
    return 4.0 * (T * B * (I + 7 * H + O) + B * 2 * H);
}

static int run_memory(const bench_config *c, int threads)
{
    double base = rss_mib();
    bench_model m;
    model_create(&m, c, threads);
    double created = rss_mib();
    for (int r = 0; r < c->warmup + c->reps; r++) run_batch(&m);
    double peak = rss_mib();
    size_t n_cx = 0, n_cb = 0;
    check(ccrnn_cortex_params(m.cx, NULL, NULL, &n_cx), "ccrnn_cortex_params");
    if (m.cb) check(ccrnn_cerebellum_params(m.cb, NULL, NULL, &n_cb), "ccrnn_cerebellum_params");
    double mib = 1024.0 * 1024.0, n = (double)(n_cx + n_cb);
    double params = 4.0 * n / mib, grads = params, adam = 2.0 * params;
    double tape = tape_bytes(c) / mib;
    double host = 4.0 * (double)(c->seq * c->B * (c->I + c->O)) / mib;
    double model = params + grads + adam + tape;
    printf("MEMORY config=%s threads=%d peak_rss_mib=%.1f rss_at_start_mib=%.1f "
           "rss_after_create_mib=%.1f params=%zu params_mib=%.1f grads_mib=%.1f "
           "adam_state_mib=%.1f tape_mib=%.1f model_mib=%.1f host_data_mib=%.1f "
           "ratio=%.3f target=1.3\n",
           c->name, threads, peak, base, created, n_cx + n_cb, params, grads, adam, tape, model,
           host, peak / model);
    model_destroy(&m);
    return 0;
}

/* --ftz (diagnostic): flush denormal results to zero and treat denormal inputs as
 * zero in this thread (and threads it creates later), to measure what denormal
 * arithmetic costs.  The library does not do this itself. */
static int set_flush_denormals(void)
{
#if defined(__SSE__)
    _mm_setcsr(_mm_getcsr() | 0x8040); /* FTZ (bit 15) | DAZ (bit 6) */
    return 1;
#else
    return 0;
#endif
}

/* ---- driver ----------------------------------------------------------------------- */

typedef struct options {
    int quick, memory, ftz, peak_reps, threads[2], n_threads, reps;
    size_t peak_n;
    const char *only;
} options;

static void usage(void)
{
    printf("usage: ccrnn-bench [--quick] [--config a,b,...] [--threads 1,2] [--reps N]\n"
           "                   [--peak-size N] [--peak-reps N] [--memory]\n"
           "configs: paper paper-crnn large online-learn online-infer\n");
}

static int parse_threads(const char *s, options *o)
{
    o->n_threads = 0;
    for (const char *p = s; *p && o->n_threads < 2;) {
        int t = atoi(p);
        if (t < 1 || t > 256) return 0;
        o->threads[o->n_threads++] = t;
        p = strchr(p, ',');
        if (!p) break;
        p++;
    }
    return o->n_threads > 0;
}

static void parse_args(int argc, char **argv, options *o)
{
    *o = (options){0, 0, 0, 10, {1, 2}, 2, 0, 1024, NULL};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--quick")) o->quick = 1;
        else if (!strcmp(a, "--memory")) o->memory = 1;
        else if (!strcmp(a, "--ftz")) o->ftz = 1;
        else if (!strcmp(a, "--config") && v) o->only = argv[++i];
        else if (!strcmp(a, "--threads") && v) { if (!parse_threads(argv[++i], o)) die("bad --threads"); }
        else if (!strcmp(a, "--reps") && v) o->reps = atoi(argv[++i]);
        else if (!strcmp(a, "--peak-size") && v) o->peak_n = (size_t)atol(argv[++i]);
        else if (!strcmp(a, "--peak-reps") && v) o->peak_reps = atoi(argv[++i]);
        else if (!strcmp(a, "--help") || !strcmp(a, "-h")) { usage(); exit(0); }
        else { usage(); die("unknown or incomplete argument '%s'", a); }
    }
    if (o->quick) {
        o->peak_n = o->peak_n > 128 ? 128 : o->peak_n;
        o->peak_reps = 2;
    }
}

/* 1 when `name` is in the comma-separated list (or there is no list). */
static int selected(const char *list, const char *name)
{
    if (!list) return 1;
    size_t n = strlen(name);
    for (const char *p = list; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
        if (!strncmp(p, name, n) && (p[n] == ',' || p[n] == '\0')) return 1;
    return 0;
}

typedef struct result {
    const char *name;
    int threads;
    double seconds, flops, gflops, frac;
} result;

static void print_table(const result *r, size_t n)
{
    printf("\n%-13s %3s %12s %9s %10s %8s %8s\n", "config", "thr", "time", "unit", "MFLOP",
           "GFLOP/s", "of BLIS");
    for (size_t i = 0; i < n; i++) {
        int online = strncmp(r[i].name, "online", 6) == 0;
        printf("%-13s %3d %12.3f %9s %10.3f %8.2f %7.1f%%\n", r[i].name, r[i].threads,
               online ? r[i].seconds * 1e6 : r[i].seconds * 1e3, online ? "us/step" : "ms/batch",
               r[i].flops * 1e-6, r[i].gflops, 100.0 * r[i].frac);
    }
}

int main(int argc, char **argv)
{
    options o;
    parse_args(argc, argv, &o);
    const bench_config *configs = o.quick ? quick_configs : full_configs;
    if (o.ftz && !set_flush_denormals()) die("--ftz is not supported on this target");
    if (o.memory) return run_memory(&configs[2], o.threads[0]);
    printf("INFO libccrnn=%s blis=%s blis_arch=%s quick=%d ftz=%d\n", ccrnn_version_string(),
           bli_info_get_version_str(), bli_arch_string(bli_arch_query_id()), o.quick, o.ftz);
    result res[2 * N_CONFIGS];
    size_t n_res = 0;
    for (int ti = 0; ti < o.n_threads; ti++) {
        int th = o.threads[ti];
        peak_result p = measure_peak(o.peak_n, o.peak_reps, th);
        printf("PEAK threads=%d n=%zu reps=%d gflops_best=%.2f gflops_median=%.2f\n", th,
               o.peak_n, o.peak_reps, p.best, p.med);
        for (size_t k = 0; k < N_CONFIGS; k++) {
            bench_config c = configs[k];
            if (!selected(o.only, c.name)) continue;
            if (o.reps > 0) c.reps = o.reps;
            double sec = time_config(&c, th), fl = unit_flops(&c);
            result r = {c.name, th, sec, fl, fl / sec * 1e-9, fl / sec * 1e-9 / p.best};
            res[n_res++] = r;
            printf("RESULT config=%s threads=%d unit=%s reps=%d median_s=%.9g flops=%.0f "
                   "gflops=%.3f peak_gflops=%.2f frac=%.4f\n", c.name, th,
                   c.kind == KIND_BATCH ? "batch" : "step", c.reps, sec, fl, r.gflops, p.best,
                   r.frac);
            fflush(stdout);
        }
    }
    print_table(res, n_res);
    return 0;
}
