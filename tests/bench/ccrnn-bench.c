/*
 * ccrnn-bench: times libccrnn on the configurations of issue 5 and sets every figure
 * against BLIS's single-precision GEMM rate measured in the same process.
 *
 * Each configuration runs the training procedure of the PyTorch reference
 * tests/bench/torch-reference.py (batch or online; docs/performance.md §Method) through the
 * public API only.  Besides the built-in configurations, --size runs any other size
 * (tests/bench/run-bench.py uses it for h1024 and the --scaling grid).
 * Per configuration it prints the median time of one unit of work (a training batch,
 * or one online step) after warm-up, the FLOPs of that unit counted from the shapes,
 * the achieved GFLOP/s and the fraction of the measured sgemm ceiling.
 *
 * The FLOP count of each unit is documented in bench-model.c.
 *
 * Output: one "PEAK ..." line per thread count, one "RESULT key=value ..." line per
 * configuration and thread count (tests/bench/run-bench.py reads these), then a table.
 * --clock cpu times on the process CPU-time clock instead of the wall clock (for a
 * loaded machine; meaningful for 1 thread only).  --ftz (diagnostic) sets FTZ/DAZ.
 * --memory runs only the large configuration and prints "MEMORY ..." (peak RSS against
 * parameters + optimizer state + window tape); run it in a fresh process.
 * --size KEY=VALUE,... (repeatable) adds a configuration built at run time; keys name,
 * kind (batch, online-learn, online-infer), B, I, H, O, S, L, seq, T, reps, warmup;
 * unset keys keep the paper (batch) or online-learn (online) values.  With --size, the
 * built-in configurations run only when --config names them.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>

#include <blis.h>
#if defined(__SSE__)
#include <xmmintrin.h>
#endif

#include "bench-model.h"

/* ---- the ceiling: BLIS sgemm on a large square product ---------------------------- */

typedef struct peak_result {
    double best, med; /* GFLOP/s */
} peak_result;

static peak_result measure_peak(size_t n, int reps, int threads)
{
    float *a = bench_xmalloc(n * n * sizeof(float)), *b = bench_xmalloc(n * n * sizeof(float));
    float *cm = bench_xmalloc(n * n * sizeof(float));
    bench_fill_uniform(a, n * n);
    bench_fill_uniform(b, n * n);
    rntm_t rntm;
    bli_rntm_init(&rntm);
    bli_rntm_set_num_threads(threads, &rntm);
    float one = 1.0f, zero = 0.0f;
    double *t = bench_xmalloc((size_t)(reps + 1) * sizeof *t), best = 1e30;
    for (int r = 0; r <= reps; r++) { /* r == 0 warms up (packing buffers, threads) */
        double t0 = bench_now();
        bli_sgemm_ex(BLIS_NO_TRANSPOSE, BLIS_NO_TRANSPOSE, (dim_t)n, (dim_t)n, (dim_t)n, &one,
                     a, (inc_t)n, 1, b, (inc_t)n, 1, &zero, cm, (inc_t)n, 1, NULL, &rntm);
        t[r] = bench_now() - t0;
        if (r > 0 && t[r] < best) best = t[r];
    }
    double flops = 2.0 * (double)n * (double)n * (double)n;
    peak_result p = {flops / best * 1e-9, flops / bench_median(t + 1, (size_t)reps) * 1e-9};
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

/* Linux keeps ru_maxrss across execve, so a process started from a large parent (a
 * Python driver) inherits its peak; VmHWM in /proc/self/status belongs to this image
 * only.  Both are printed; -1 where /proc is unavailable. */
static double hwm_mib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    double kib = -1.0;
    if (!f) return -1.0;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, "VmHWM:", 6)) kib = atof(line + 6);
    fclose(f);
    return kib < 0 ? -1.0 : kib / 1024.0;
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
    bench_model_create(&m, c, threads);
    double created = rss_mib();
    for (int r = 0; r < c->warmup + c->reps; r++) bench_run_unit(&m, (size_t)r);
    double peak = rss_mib(), hwm = hwm_mib();
    size_t n_cx = 0, n_cb = 0;
    bench_check(ccrnn_cortex_params(m.cx, NULL, NULL, &n_cx), "ccrnn_cortex_params");
    if (m.cb)
        bench_check(ccrnn_cerebellum_params(m.cb, NULL, NULL, &n_cb), "ccrnn_cerebellum_params");
    double mib = 1024.0 * 1024.0, n = (double)(n_cx + n_cb);
    double params = 4.0 * n / mib, grads = params, adam = 2.0 * params;
    double tape = tape_bytes(c) / mib;
    double host = 4.0 * (double)(c->seq * c->B * (c->I + c->O)) / mib;
    double model = params + grads + adam + tape;
    printf("MEMORY config=%s threads=%d peak_rss_mib=%.1f vm_hwm_mib=%.1f rss_at_start_mib=%.1f "
           "rss_after_create_mib=%.1f params=%zu params_mib=%.1f grads_mib=%.1f "
           "adam_state_mib=%.1f tape_mib=%.1f model_mib=%.1f host_data_mib=%.1f "
           "ratio=%.3f target=1.3\n",
           c->name, threads, peak, hwm, base, created, n_cx + n_cb, params, grads, adam, tape,
           model, host, peak / model);
    bench_model_destroy(&m);
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

enum { MAX_SIZES = 32 };

typedef struct options {
    int quick, memory, ftz, peak_reps, threads[2], n_threads, reps;
    size_t peak_n;
    const char *only;
    bench_config sizes[MAX_SIZES]; /* --size */
    char names[MAX_SIZES][BENCH_NAME_LEN];
    size_t n_sizes;
} options;

static void usage(void)
{
    printf("usage: ccrnn-bench [--quick] [--config a,b,...] [--threads 1,2] [--reps N]\n"
           "                   [--peak-size N] [--peak-reps N] [--clock wall|cpu] [--ftz]\n"
           "                   [--memory] [--size KEY=VALUE,...]...\n"
           "configs: paper paper-crnn large online-learn online-infer\n"
           "--size keys: name kind(batch|online-learn|online-infer) B I H O S L seq T reps\n"
           "             warmup, e.g. --size name=h1024,B=64,I=128,H=1024,O=16,S=2048,seq=64,"
           "T=16,reps=5,warmup=1\n");
}

/* Reads one --size value into o->sizes (see the header comment); dies on bad input. */
static void parse_size(const char *spec, options *o)
{
    if (o->n_sizes == MAX_SIZES) bench_die("at most %d --size options", MAX_SIZES);
    bench_parse_size(spec, &o->sizes[o->n_sizes], o->names[o->n_sizes]);
    o->n_sizes++;
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
    memset(o, 0, sizeof *o);
    o->peak_reps = 10;
    o->threads[0] = 1;
    o->threads[1] = 2;
    o->n_threads = 2;
    o->peak_n = 1024;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--quick")) o->quick = 1;
        else if (!strcmp(a, "--memory")) o->memory = 1;
        else if (!strcmp(a, "--ftz")) o->ftz = 1;
        else if (!strcmp(a, "--clock") && v) {
            const char *c = argv[++i];
            if (strcmp(c, "wall") && strcmp(c, "cpu")) bench_die("--clock is wall or cpu");
            bench_cpu_clock = !strcmp(c, "cpu");
        }
        else if (!strcmp(a, "--config") && v) o->only = argv[++i];
        else if (!strcmp(a, "--threads") && v) {
            if (!parse_threads(argv[++i], o)) bench_die("bad --threads");
        }
        else if (!strcmp(a, "--reps") && v) o->reps = atoi(argv[++i]);
        else if (!strcmp(a, "--peak-size") && v) o->peak_n = (size_t)atol(argv[++i]);
        else if (!strcmp(a, "--peak-reps") && v) o->peak_reps = atoi(argv[++i]);
        else if (!strcmp(a, "--size") && v) parse_size(argv[++i], o);
        else if (!strcmp(a, "--help") || !strcmp(a, "-h")) { usage(); exit(0); }
        else { usage(); bench_die("unknown or incomplete argument '%s'", a); }
    }
    if (o->quick) {
        o->peak_n = o->peak_n > 128 ? 128 : o->peak_n;
        o->peak_reps = 2;
    }
}

/* 1 when `name` is in the comma-separated list (or there is no list and no --size). */
static int selected(const options *o, const char *name)
{
    const char *list = o->only;
    if (!list) return o->n_sizes == 0;
    size_t n = strlen(name);
    for (const char *p = list; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
        if (!strncmp(p, name, n) && (p[n] == ',' || p[n] == '\0')) return 1;
    return 0;
}

typedef struct result {
    const char *name;
    int threads;
    double seconds, flops, gflops, frac;
    int online; /* the unit is an online step, not a batch */
} result;

static void print_table(const result *r, size_t n)
{
    printf("\n%-13s %3s %12s %9s %10s %8s %8s\n", "config", "thr", "time", "unit", "MFLOP",
           "GFLOP/s", "of BLIS");
    for (size_t i = 0; i < n; i++) {
        int online = r[i].online;
        printf("%-13s %3d %12.3f %9s %10.3f %8.2f %7.1f%%\n", r[i].name, r[i].threads,
               online ? r[i].seconds * 1e6 : r[i].seconds * 1e3, online ? "us/step" : "ms/batch",
               r[i].flops * 1e-6, r[i].gflops, 100.0 * r[i].frac);
    }
}

int main(int argc, char **argv)
{
    options o;
    parse_args(argc, argv, &o);
    size_t n_configs;
    const bench_config *configs = bench_configs(o.quick, &n_configs);
    if (o.ftz && !set_flush_denormals()) bench_die("--ftz is not supported on this target");
    if (o.memory) {
        for (size_t k = 0; k < n_configs; k++)
            if (!strcmp(configs[k].name, "large")) return run_memory(&configs[k], o.threads[0]);
        bench_die("no large configuration");
    }
    printf("INFO libccrnn=%s blis=%s blis_arch=%s quick=%d ftz=%d clock=%s\n",
           ccrnn_version_string(), bli_info_get_version_str(),
           bli_arch_string(bli_arch_query_id()), o.quick, o.ftz,
           bench_cpu_clock ? "cpu" : "wall");
    enum { MAX_RESULTS = 2 * (5 + MAX_SIZES) };
    result res[MAX_RESULTS];
    size_t n_res = 0;
    for (int ti = 0; ti < o.n_threads; ti++) {
        int th = o.threads[ti];
        peak_result p = measure_peak(o.peak_n, o.peak_reps, th);
        printf("PEAK threads=%d n=%zu reps=%d gflops_best=%.2f gflops_median=%.2f\n", th,
               o.peak_n, o.peak_reps, p.best, p.med);
        for (size_t k = 0; k < n_configs + o.n_sizes && n_res < MAX_RESULTS; k++) {
            bench_config c = k < n_configs ? configs[k] : o.sizes[k - n_configs];
            if (k < n_configs && !selected(&o, c.name)) continue;
            if (o.reps > 0) c.reps = o.reps;
            double sec = bench_time_config(&c, th), fl = bench_unit_flops(&c);
            result r = {c.name, th, sec, fl, fl / sec * 1e-9, fl / sec * 1e-9 / p.best,
                        c.kind != KIND_BATCH};
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
