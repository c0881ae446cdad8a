/*
 * ccrnn-profile: where the time of a benchmark configuration goes.
 *
 * Runs the procedures of ccrnn-bench (bench-model.c) and reports per unit of work:
 *  - the time inside each public library call (ccrnn_cortex_forward, ...), and
 *  - every BLIS product the library issued, grouped by routine and shape, with its
 *    calls per unit, time per call and achieved GFLOP/s.
 * The BLIS entry points (bli_sgemm_ex, bli_sgemv_ex, bli_sger_ex and their non-_ex
 * forms) are defined in this executable, which the dynamic linker binds libccrnn.so's
 * calls to; each definition times the call and forwards it to libblis (dlsym
 * RTLD_NEXT).  Time outside BLIS is the library's own code (elementwise loops, libm,
 * copies, checks).  Timing every call costs about two clock reads per call; the
 * overhead is printed.
 *
 * What-if experiments on the unmodified library (the profiler adjusts a copy of the
 * library's rntm_t before forwarding each sgemm): CCRNN_PROFILE_PACK=a|b|at|bt (BLIS
 * sup-path packing of A/B, "t": only when stored transposed) and
 * CCRNN_PROFILE_SERIAL_BELOW=N (one thread for products with m*n*k < N).
 *
 * --gemm times single products in isolation instead (what a fused or reshaped product
 * would cost).
 *
 * --clock cpu reads the process CPU-time clock (1 thread; for a loaded machine).
 * --size profiles a configuration built at run time, with ccrnn-bench's --size keys.
 *
 * Usage: ccrnn-profile [--config name | --size KEY=VALUE,...] [--threads N] [--reps N]
 *                      [--quick] [--clock cpu]
 *        ccrnn-profile [--threads N] [--clock cpu] --gemm [gemm:|gemv:]MxNxK[:AB[C]] ...
 */
#define _GNU_SOURCE 1

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <blis.h>

#include "bench-model.h"

/* ---- shape statistics ------------------------------------------------------------- */

#define MAX_SHAPES 256

typedef struct shape_stat {
    const char *routine;
    char layout[8]; /* storage of the operands: N row-major as used, T read transposed */
    long m, n, k;
    unsigned long calls;
    double seconds;
} shape_stat;

static shape_stat shapes[MAX_SHAPES];
static int n_shapes, recording, depth;

static void book(const char *routine, const char *layout, long m, long n, long k, double sec)
{
    for (int i = 0; i < n_shapes; i++) {
        shape_stat *s = &shapes[i];
        if (s->routine == routine && !strcmp(s->layout, layout) && s->m == m && s->n == n &&
            s->k == k) {
            s->calls++;
            s->seconds += sec;
            return;
        }
    }
    if (n_shapes == MAX_SHAPES) return;
    shape_stat *s = &shapes[n_shapes++];
    s->routine = routine;
    snprintf(s->layout, sizeof s->layout, "%s", layout);
    s->m = m; s->n = n; s->k = k;
    s->calls = 1;
    s->seconds = sec;
}

/* 'N' when the matrix is read along its rows (row-major, unit column stride). */
static char storage(inc_t rs, inc_t cs) { return cs == 1 ? 'N' : rs == 1 ? 'T' : 'G'; }

/* The next definition of `name` (libblis's); memcpy because ISO C has no cast from
 * an object pointer to a function pointer. */
static void real(const char *name, void *fn, size_t size)
{
    void *f = dlsym(RTLD_NEXT, name);
    if (!f || size != sizeof f) bench_die("dlsym(%s) failed: %s", name, dlerror());
    memcpy(fn, &f, size);
}

/* Only the outermost entry is booked: libblis may call its own exported functions. */
#define TIMED(routine, layout, m, n, k, call)                                            \
    do {                                                                                 \
        int top_ = recording && depth == 0;                                              \
        depth++;                                                                         \
        double t0_ = top_ ? bench_now() : 0.0;                                           \
        call;                                                                            \
        if (top_) book(routine, layout, (long)(m), (long)(n), (long)(k), bench_now() - t0_); \
        depth--;                                                                         \
    } while (0)

typedef void (*gemm_ex_fn)(trans_t, trans_t, dim_t, dim_t, dim_t, float *, float *, inc_t,
                           inc_t, float *, inc_t, inc_t, float *, float *, inc_t, inc_t,
                           cntx_t *, rntm_t *);
typedef void (*gemv_ex_fn)(trans_t, conj_t, dim_t, dim_t, float *, float *, inc_t, inc_t,
                           float *, inc_t, float *, float *, inc_t, cntx_t *, rntm_t *);
typedef void (*ger_ex_fn)(conj_t, conj_t, dim_t, dim_t, float *, float *, inc_t, float *, inc_t,
                          float *, inc_t, inc_t, cntx_t *, rntm_t *);

/* What-if experiment on the unmodified library: CCRNN_PROFILE_PACK asks BLIS's
 * small-matrix path to pack operands of the library's sgemm calls: "a", "b" always,
 * "at" / "bt" only when that operand is stored transposed (column-major as read).  The
 * library's runtime object is copied, never modified. */
static int pack_policy(char which, char layout_letter)
{
    const char *p = getenv("CCRNN_PROFILE_PACK");
    if (!p) return 0;
    for (; *p; p++)
        if (*p == which) return p[1] == 't' ? layout_letter == 'T' : 1;
    return 0;
}

/* What-if: CCRNN_PROFILE_SERIAL_BELOW=N runs the library's sgemm calls with m*n*k < N
 * on one thread, whatever the handle's thread count. */
static double serial_below(void)
{
    const char *v = getenv("CCRNN_PROFILE_SERIAL_BELOW");
    return v ? atof(v) : 0.0;
}

void bli_sgemm_ex(trans_t ta, trans_t tb, dim_t m, dim_t n, dim_t k, float *alpha, float *a,
                  inc_t rsa, inc_t csa, float *b, inc_t rsb, inc_t csb, float *beta, float *c,
                  inc_t rsc, inc_t csc, cntx_t *cntx, rntm_t *rntm)
{
    static gemm_ex_fn f;
    if (!f) real("bli_sgemm_ex", &f, sizeof f);
    char layout[4] = {storage(rsa, csa), storage(rsb, csb), storage(rsc, csc), 0};
    rntm_t local;
    int pa = pack_policy('a', layout[0]), pb = pack_policy('b', layout[1]);
    int serial = (double)m * n * k < serial_below();
    if (rntm && (pa || pb || serial)) {
        local = *rntm;
        if (pa) bli_rntm_set_pack_a(TRUE, &local);
        if (pb) bli_rntm_set_pack_b(TRUE, &local);
        if (serial) bli_rntm_set_num_threads(1, &local);
        rntm = &local;
    }
    TIMED("sgemm", layout, m, n, k,
          f(ta, tb, m, n, k, alpha, a, rsa, csa, b, rsb, csb, beta, c, rsc, csc, cntx, rntm));
}

void bli_sgemm(trans_t ta, trans_t tb, dim_t m, dim_t n, dim_t k, float *alpha, float *a,
               inc_t rsa, inc_t csa, float *b, inc_t rsb, inc_t csb, float *beta, float *c,
               inc_t rsc, inc_t csc)
{
    bli_sgemm_ex(ta, tb, m, n, k, alpha, a, rsa, csa, b, rsb, csb, beta, c, rsc, csc, NULL, NULL);
}

void bli_sgemv_ex(trans_t ta, conj_t cx, dim_t m, dim_t n, float *alpha, float *a, inc_t rsa,
                  inc_t csa, float *x, inc_t incx, float *beta, float *y, inc_t incy,
                  cntx_t *cntx, rntm_t *rntm)
{
    static gemv_ex_fn f;
    if (!f) real("bli_sgemv_ex", &f, sizeof f);
    char layout[2] = {storage(rsa, csa), 0};
    TIMED("sgemv", layout, m, n, 1,
          f(ta, cx, m, n, alpha, a, rsa, csa, x, incx, beta, y, incy, cntx, rntm));
}

void bli_sgemv(trans_t ta, conj_t cx, dim_t m, dim_t n, float *alpha, float *a, inc_t rsa,
               inc_t csa, float *x, inc_t incx, float *beta, float *y, inc_t incy)
{
    bli_sgemv_ex(ta, cx, m, n, alpha, a, rsa, csa, x, incx, beta, y, incy, NULL, NULL);
}

void bli_sger_ex(conj_t cx, conj_t cy, dim_t m, dim_t n, float *alpha, float *x, inc_t incx,
                 float *y, inc_t incy, float *a, inc_t rsa, inc_t csa, cntx_t *cntx, rntm_t *rntm)
{
    static ger_ex_fn f;
    if (!f) real("bli_sger_ex", &f, sizeof f);
    char layout[2] = {storage(rsa, csa), 0};
    TIMED("sger", layout, m, n, 1,
          f(cx, cy, m, n, alpha, x, incx, y, incy, a, rsa, csa, cntx, rntm));
}

void bli_sger(conj_t cx, conj_t cy, dim_t m, dim_t n, float *alpha, float *x, inc_t incx,
              float *y, inc_t incy, float *a, inc_t rsa, inc_t csa)
{
    bli_sger_ex(cx, cy, m, n, alpha, x, incx, y, incy, a, rsa, csa, NULL, NULL);
}

/* ---- report ----------------------------------------------------------------------- */

static int by_seconds(const void *a, const void *b)
{
    double x = ((const shape_stat *)a)->seconds, y = ((const shape_stat *)b)->seconds;
    return (x < y) - (x > y);
}

static double clock_overhead(void)
{
    double t0 = bench_now(), t1 = t0;
    for (int i = 0; i < 100000; i++) t1 = bench_now();
    return (t1 - t0) / 100000.0;
}

static void print_calls(const double *sec, double units, double unit_s)
{
    printf("  library calls (time per unit; share of the unit):\n");
    for (int i = 0; i < N_BENCH_CALLS; i++)
        if (sec[i] > 0.0)
            printf("    %-32s %11.2f us %6.1f%%\n", bench_call_names[i], 1e6 * sec[i] / units,
                   100.0 * sec[i] / units / unit_s);
}

static double print_shapes(double units, double unit_s)
{
    qsort(shapes, (size_t)n_shapes, sizeof shapes[0], by_seconds);
    printf("  BLIS products (layout: A,B,C storage; N = row-major, T = transposed view):\n");
    printf("    %-6s %-4s %6s %6s %6s %9s %10s %9s %11s %7s\n", "call", "lay", "m", "n", "k",
           "calls/u", "us/call", "GFLOP/s", "us/unit", "share");
    double total = 0.0;
    for (int i = 0; i < n_shapes; i++) {
        const shape_stat *s = &shapes[i];
        double flops = 2.0 * s->m * s->n * s->k * s->calls, per_call = s->seconds / s->calls;
        total += s->seconds;
        printf("    %-6s %-4s %6ld %6ld %6ld %9.2f %10.3f %9.2f %11.2f %6.1f%%\n", s->routine,
               s->layout, s->m, s->n, s->k, s->calls / units, 1e6 * per_call,
               flops / s->seconds * 1e-9, 1e6 * s->seconds / units,
               100.0 * s->seconds / units / unit_s);
    }
    return total;
}

static void profile(const bench_config *c, int threads)
{
    double call_sec[N_BENCH_CALLS] = {0};
    bench_model m;
    bench_model_create(&m, c, threads);
    size_t i = 0, n = (size_t)c->reps;
    for (int w = 0; w < c->warmup; w++) bench_run_unit(&m, i++);
    double *t = bench_xmalloc(n * sizeof *t), sum = 0.0;
    n_shapes = 0;
    recording = 1;
    bench_call_seconds = call_sec;
    for (size_t r = 0; r < n; r++) {
        double t0 = bench_now();
        bench_run_unit(&m, i++);
        t[r] = bench_now() - t0;
        sum += t[r];
    }
    recording = 0;
    bench_call_seconds = NULL;
    double mean = sum / (double)n, med = bench_median(t, n);
    const char *pack = getenv("CCRNN_PROFILE_PACK");
    printf("PROFILE config=%s threads=%d clock=%s pack=%s serial_below=%.0f units=%zu "
           "mean_unit_us=%.2f median_unit_us=%.2f mflop=%.3f clock_read_ns=%.1f\n", c->name,
           threads, bench_cpu_clock ? "cpu" : "wall", pack ? pack : "-", serial_below(), n,
           1e6 * mean, 1e6 * med,
           1e-6 * bench_unit_flops(c), 1e9 * clock_overhead());
    print_calls(call_sec, (double)n, mean);
    double blis = print_shapes((double)n, mean);
    printf("  BLIS total %.2f us/unit (%.1f%% of the mean unit); outside BLIS %.2f us/unit\n\n",
           1e6 * blis / n, 100.0 * blis / n / mean, 1e6 * (mean - blis / n));
    free(t);
    bench_model_destroy(&m);
}

/* ---- single products (--gemm) ---------------------------------------------------- */

/* Times one product in isolation, warm in cache: "[gemm:|gemv:]MxNxK[:AB[C]]" where
 * A, B and C are N (row-major as used) or T (stored transposed; for C: column-major).
 * gemv needs m == 1 or n == 1 and is routed as lib/linalg.c does. */
static void time_product(const char *spec, int threads)
{
    int gemv = !strncmp(spec, "gemv:", 5);
    if (gemv || !strncmp(spec, "gemm:", 5)) spec += 5;
    long m, n, k;
    char ta = 'N', tb = 'N', tc = 'N';
    if (sscanf(spec, "%ldx%ldx%ld:%c%c%c", &m, &n, &k, &ta, &tb, &tc) < 3 || m < 1 || n < 1 ||
        k < 1)
        bench_die("bad product '%s' (want [gemm:|gemv:]MxNxK[:AB[C]])", spec);
    if (gemv && m != 1 && n != 1) bench_die("gemv needs m == 1 or n == 1");
    float *a = bench_xmalloc((size_t)(m * k) * sizeof(float));
    float *b = bench_xmalloc((size_t)(k * n) * sizeof(float));
    float *c = bench_xmalloc((size_t)(m * n) * sizeof(float));
    bench_fill_uniform(a, (size_t)(m * k));
    bench_fill_uniform(b, (size_t)(k * n));
    bench_fill_uniform(c, (size_t)(m * n));
    inc_t rsa = ta == 'T' ? 1 : k, csa = ta == 'T' ? m : 1;
    inc_t rsb = tb == 'T' ? 1 : n, csb = tb == 'T' ? k : 1;
    inc_t rsc = tc == 'T' ? 1 : n, csc = tc == 'T' ? m : 1;
    rntm_t rntm;
    bli_rntm_init(&rntm);
    bli_rntm_set_num_threads(threads, &rntm);
    /* CCRNN_PROFILE_PACK=a, b or ab: ask the small-matrix (sup) path to pack A and/or B
     * (bli_rntm_set_pack_a/b), to see whether packing fixes a slow operand layout. */
    const char *pack = getenv("CCRNN_PROFILE_PACK");
    if (pack && strchr(pack, 'a')) bli_rntm_set_pack_a(TRUE, &rntm);
    if (pack && strchr(pack, 'b')) bli_rntm_set_pack_b(TRUE, &rntm);
    float one = 1.0f;
    /* Up to 2001 timed calls or about half a second, whichever comes first. */
    enum { MAX_REPS = 2001 };
    double *t = bench_xmalloc(MAX_REPS * sizeof *t), start = 0.0;
    int reps = 0;
    for (int r = -10; r < MAX_REPS; r++) {
        if (r == 0) start = bench_now();
        else if (r >= 5 && bench_now() - start > 0.5) break;
        double t0 = bench_now();
        if (!gemv)
            bli_sgemm_ex(BLIS_NO_TRANSPOSE, BLIS_NO_TRANSPOSE, m, n, k, &one, a, rsa, csa, b, rsb,
                         csb, &one, c, rsc, csc, NULL, &rntm);
        else if (m == 1) /* c^T = op(B)^T a^T */
            bli_sgemv_ex(BLIS_NO_TRANSPOSE, BLIS_NO_CONJUGATE, n, k, &one, b, csb, rsb, a, csa,
                         &one, c, 1, NULL, &rntm);
        else
            bli_sgemv_ex(BLIS_NO_TRANSPOSE, BLIS_NO_CONJUGATE, m, k, &one, a, rsa, csa, b, rsb,
                         &one, c, n, NULL, &rntm);
        if (r >= 0) t[reps++] = bench_now() - t0;
    }
    double med = bench_median(t, (size_t)reps), best = t[0];
    printf("PRODUCT %s %ldx%ldx%ld A=%c B=%c C=%c threads=%d reps=%d median_us=%.3f "
           "best_us=%.3f gflops_median=%.2f gflops_best=%.2f\n", gemv ? "sgemv" : "sgemm", m, n,
           k, ta, tb, tc, threads, reps, 1e6 * med, 1e6 * best, 2.0 * m * n * k / med * 1e-9,
           2.0 * m * n * k / best * 1e-9);
    free(a); free(b); free(c); free(t);
}

int main(int argc, char **argv)
{
    const char *only = NULL, *products[64];
    int threads = 1, reps = 0, quick = 0, n_products = 0, sized = 0;
    bench_config size;
    char size_name[BENCH_NAME_LEN];
    for (int a = 1; a < argc; a++) {
        if (!strcmp(argv[a], "--config") && a + 1 < argc) only = argv[++a];
        else if (!strcmp(argv[a], "--threads") && a + 1 < argc) threads = atoi(argv[++a]);
        else if (!strcmp(argv[a], "--reps") && a + 1 < argc) reps = atoi(argv[++a]);
        else if (!strcmp(argv[a], "--quick")) quick = 1;
        else if (!strcmp(argv[a], "--clock") && a + 1 < argc)
            bench_cpu_clock = !strcmp(argv[++a], "cpu");
        else if (!strcmp(argv[a], "--gemm") && a + 1 < argc && n_products < 64)
            products[n_products++] = argv[++a];
        else if (!strcmp(argv[a], "--size") && a + 1 < argc && !sized) {
            bench_parse_size(argv[++a], &size, size_name);
            sized = 1;
        } else bench_die("usage: ccrnn-profile [--config name | --size KEY=VALUE,...] [--threads N] "
                         "[--reps N] [--quick] [--clock cpu] [--gemm [gemm:|gemv:]MxNxK[:AB[C]]]...");
    }
    if (threads < 1) bench_die("--threads must be >= 1");
    for (int i = 0; i < n_products; i++) time_product(products[i], threads);
    if (n_products) return 0;
    if (sized) {
        if (reps > 0) size.reps = reps;
        profile(&size, threads);
        return 0;
    }
    size_t count;
    const bench_config *configs = bench_configs(quick, &count);
    for (size_t k = 0; k < count; k++) {
        if (only && strcmp(only, configs[k].name)) continue;
        bench_config c = configs[k];
        if (reps > 0) c.reps = reps;
        profile(&c, threads);
    }
    return 0;
}
