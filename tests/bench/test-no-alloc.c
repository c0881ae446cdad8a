/*
 * Steady-state steps perform zero heap allocations (issue 5; docs/guide.md §3).
 *
 * This program defines malloc, calloc, realloc, free and the aligned allocators
 * itself and forwards them to glibc's __libc_* entry points.  The dynamic linker
 * binds every shared object's malloc to the executable's definition, so the counts
 * include calls made inside libccrnn.so, libblis.so and libgomp (which a
 * -Wl,--wrap=malloc wrapper would miss).  After warm-up it runs, with counting on:
 * a paper-sized ccRNN training batch (forward, output gradients, synthetic gradient,
 * backward, cerebellar learning, optimizer step), an online learning step at batch 1,
 * and inference steps.  Every allocation is attributed to the API call in progress
 * and to the shared object that called the allocator (the return address; a tail call
 * such as libgomp's free at the end of a parallel region shows as its caller), and
 * printed; any allocation fails the test.
 *
 * Usage: test-no-alloc [threads] [own]   (BLIS threads per handle, default 1)
 * With "own", only allocations whose caller is libccrnn itself fail the test; those
 * made inside BLIS's threading runtime (libgomp) are still counted and printed.
 */
#define _GNU_SOURCE 1

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ccrnn/ccrnn.h"

#include "alloc_counter.h"

/* ---- counting allocator ----------------------------------------------------------- */

/* Counters by enum ex_alloc_kind (the allocator: examples/common/alloc_counter.c). */
#define N_COUNTERS EX_ALLOC_KINDS
static const char *counter_names[N_COUNTERS] = {"malloc", "calloc", "realloc", "free",
                                                "aligned"};
static int counting;
static unsigned long counters[N_COUNTERS];

/* Which shared object called the allocator: the first few distinct callers are
 * named in the report (dladdr reads the loader's tables; it does not allocate). */
#define MAX_CALLERS 8
static const char *caller_names[MAX_CALLERS];
static unsigned long caller_counts[MAX_CALLERS];

static void book_caller(const void *ret)
{
    Dl_info info;
    const char *name = dladdr(ret, &info) && info.dli_fname ? info.dli_fname : "?";
    for (int i = 0; i < MAX_CALLERS; i++) {
        if (!caller_names[i]) caller_names[i] = name;
        if (caller_names[i] == name || !strcmp(caller_names[i], name)) {
            __atomic_add_fetch(&caller_counts[i], 1, __ATOMIC_RELAXED);
            return;
        }
    }
}

/* Atomic: BLIS worker threads may allocate while the main thread waits in a call. */
void ex_alloc_event(int kind, const void *caller)
{
    if (!__atomic_load_n(&counting, __ATOMIC_RELAXED)) return;
    __atomic_add_fetch(&counters[kind], 1, __ATOMIC_RELAXED);
    book_caller(caller);
}

static unsigned long total_count(void)
{
    unsigned long t = 0;
    for (int i = 0; i < N_COUNTERS; i++) t += __atomic_load_n(&counters[i], __ATOMIC_RELAXED);
    return t;
}

/* ---- per-call attribution --------------------------------------------------------- */

#define MAX_CALLS 16

typedef struct call_stat {
    const char *name;
    unsigned long calls, events[N_COUNTERS];
} call_stat;

static call_stat stats[MAX_CALLS];
static int n_stats, failures, own_only;

static call_stat *stat_for(const char *name)
{
    for (int i = 0; i < n_stats; i++)
        if (!strcmp(stats[i].name, name)) return &stats[i];
    if (n_stats == MAX_CALLS) abort();
    stats[n_stats].name = name;
    return &stats[n_stats++];
}

/* Runs one library call (already evaluated into st by the macro) and books the
 * allocation events that happened during it. */
#define CALL(name, expr)                                                                 \
    do {                                                                                 \
        unsigned long before_[N_COUNTERS];                                               \
        for (int i_ = 0; i_ < N_COUNTERS; i_++) before_[i_] = counters[i_];              \
        int st_ = (expr);                                                                \
        call_stat *s_ = stat_for(name);                                                  \
        s_->calls++;                                                                     \
        for (int i_ = 0; i_ < N_COUNTERS; i_++) s_->events[i_] += counters[i_] - before_[i_]; \
        if (st_ != CCRNN_OK) {                                                           \
            fprintf(stderr, "%s failed: %s (%s)\n", name, ccrnn_strerror(st_),          \
                    ccrnn_last_error());                                                 \
            exit(2);                                                                     \
        }                                                                                \
    } while (0)

static void reset_stats(void)
{
    memset(stats, 0, sizeof stats);
    n_stats = 0;
    for (int i = 0; i < N_COUNTERS; i++) counters[i] = 0;
    for (int i = 0; i < MAX_CALLERS; i++) {
        caller_names[i] = NULL;
        caller_counts[i] = 0;
    }
}

/* Prints the calls that allocated; returns the number of allocation events. */
static unsigned long report(const char *phase)
{
    unsigned long total = total_count();
    printf("%-28s %lu allocation events\n", phase, total);
    for (int i = 0; i < n_stats; i++) {
        unsigned long sum = 0;
        for (int k = 0; k < N_COUNTERS; k++) sum += stats[i].events[k];
        if (!sum) continue;
        printf("    %-32s %lu calls:", stats[i].name, stats[i].calls);
        for (int k = 0; k < N_COUNTERS; k++)
            if (stats[i].events[k]) printf(" %s %lu", counter_names[k], stats[i].events[k]);
        printf("\n");
    }
    unsigned long own = 0;
    for (int i = 0; i < MAX_CALLERS && caller_names[i]; i++) {
        printf("    called from %s: %lu\n", caller_names[i], caller_counts[i]);
        if (strstr(caller_names[i], "libccrnn")) own += caller_counts[i];
    }
    if (own_only ? own != 0 : total != 0) failures++;
    return total;
}

/* ---- the model (paper sizes) ------------------------------------------------------ */

enum { B = 50, I = 28, H = 50, O = 2, S = 400, SEQ = 28, T = 7, Z = 2 * H };

typedef struct model {
    ccrnn_cortex *cx;
    ccrnn_cerebellum *cb;
    ccrnn_optimizer *opt;
} model;

static float xs[SEQ][B * I], ys[SEQ][B * O], y[B * O], dy[B * O], dz_end[B * Z], dz_start[B * Z];

static void model_create(model *m, size_t batch, size_t window, int threads)
{
    CALL("ccrnn_cortex_create",
         ccrnn_cortex_create(CCRNN_CELL_LSTM, I, H, O, batch, window, 1, &m->cx));
    CALL("ccrnn_cerebellum_create", ccrnn_cerebellum_create(Z, 0, Z, 1, S, batch, 2, 0, &m->cb));
    CALL("ccrnn_optimizer_create", ccrnn_optimizer_create(CCRNN_OPT_ADAM, &m->opt));
    CALL("ccrnn_optimizer_add_cortex", ccrnn_optimizer_add_cortex(m->opt, m->cx, NULL));
    CALL("ccrnn_optimizer_add_cerebellum", ccrnn_optimizer_add_cerebellum(m->opt, m->cb, NULL));
    CALL("set_param", ccrnn_optimizer_set_param(m->opt, CCRNN_PARAM_CLIP_NORM, 1.0));
    CALL("set_param", ccrnn_cortex_set_param(m->cx, CCRNN_PARAM_THREADS, threads));
    CALL("set_param", ccrnn_cerebellum_set_param(m->cb, CCRNN_PARAM_THREADS, threads));
    CALL("ccrnn_cortex_reset", ccrnn_cortex_reset(m->cx, batch));
}

static void model_destroy(model *m)
{
    ccrnn_optimizer_destroy(m->opt);
    ccrnn_cerebellum_destroy(m->cb);
    ccrnn_cortex_destroy(m->cx);
}

/* One window ending at the synthetic gradient, backward and learning. */
static void window(model *m, size_t batch, size_t first, size_t len)
{
    size_t nx = batch * I, ny = batch * O, nz = batch * Z;
    CALL("ccrnn_cortex_begin_window", ccrnn_cortex_begin_window(m->cx));
    for (size_t s = 0; s < len; s++) {
        CALL("ccrnn_cortex_forward", ccrnn_cortex_forward(m->cx, xs[first + s], nx, y, ny));
        CALL("ccrnn_loss_mse", ccrnn_loss_mse(y, ys[first + s], ny, O, NULL, 0, 0.0, dy, NULL));
        CALL("ccrnn_cortex_output_grad", ccrnn_cortex_output_grad(m->cx, s, dy, ny));
    }
    CALL("ccrnn_synthetic_gradient",
         ccrnn_synthetic_gradient(m->cb, m->cx, NULL, 0, 0.1, dz_end, nz));
    CALL("ccrnn_cortex_backward", ccrnn_cortex_backward(m->cx, dz_end, nz, dz_start, nz));
    CALL("ccrnn_synthetic_gradient_learn",
         ccrnn_synthetic_gradient_learn(m->cb, m->cx, NULL, 0, dz_start, nz, NULL));
}

static void training_batch(model *m)
{
    CALL("ccrnn_cortex_reset", ccrnn_cortex_reset(m->cx, B));
    for (size_t w = 0; w < SEQ; w += T) window(m, B, w, T);
    CALL("ccrnn_optimizer_step", ccrnn_optimizer_step(m->opt));
}

static void online_step(model *m, size_t t)
{
    window(m, 1, t % SEQ, 1);
    CALL("ccrnn_optimizer_step", ccrnn_optimizer_step(m->opt));
}

static void inference_step(model *m, size_t t)
{
    CALL("ccrnn_cortex_forward", ccrnn_cortex_forward(m->cx, xs[t % SEQ], I, y, O));
}

static unsigned lcg(unsigned *s) { return *s = *s * 1103515245u + 12345u; }

static void fill_data(void)
{
    unsigned s = 12345u;
    for (size_t t = 0; t < SEQ; t++) {
        for (size_t i = 0; i < B * I; i++) xs[t][i] = (float)(lcg(&s) >> 8) / 16777216.0f;
        for (size_t i = 0; i < B * O; i++) ys[t][i] = (float)(lcg(&s) >> 8) / 8388608.0f - 1.0f;
    }
}

/* Warm-up runs first with counting off (BLIS sets up its memory pools and threads on
 * first use); then the same work is counted. */
static void check_phase(const char *phase, model *m, void (*unit)(model *, size_t), int n)
{
    for (int i = 0; i < 3; i++) unit(m, (size_t)i);
    reset_stats();
    __atomic_store_n(&counting, 1, __ATOMIC_RELAXED);
    for (int i = 0; i < n; i++) unit(m, (size_t)i);
    __atomic_store_n(&counting, 0, __ATOMIC_RELAXED);
    report(phase);
}

static void batch_unit(model *m, size_t i) { (void)i; training_batch(m); }

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define UNDER_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define UNDER_SANITIZER 1
#endif
#endif

int main(int argc, char **argv)
{
#ifdef UNDER_SANITIZER
    /* The sanitizer's allocator replaces the one this program defines. */
    puts("SKIP: built with a sanitizer, which owns malloc");
    return 77;
#endif
    int threads = argc > 1 ? atoi(argv[1]) : 1;
    if (threads < 1) threads = 1;
    own_only = argc > 2 && !strcmp(argv[2], "own");
    fill_data();
    printf("threads=%d (steady state after 3 warm-up units; counts include libblis/libgomp)\n",
           threads);
    model batch, online, infer;
    model_create(&batch, B, T, threads);
    check_phase("training batch x2", &batch, batch_unit, 2);
    model_destroy(&batch);

    model_create(&online, 1, 1, threads);
    check_phase("online learning step x20", &online, online_step, 20);
    model_destroy(&online);

    model_create(&infer, 1, 1, threads);
    CALL("set_param", ccrnn_cortex_set_param(infer.cx, CCRNN_PARAM_TRAINING, 0));
    check_phase("inference step x20", &infer, inference_step, 20);
    model_destroy(&infer);

    if (own_only)
        printf("%s\n", failures ? "FAIL: libccrnn allocated in steady state"
                                 : "PASS: zero allocations by libccrnn itself");
    else
        printf("%s\n", failures ? "FAIL: steady-state steps allocated" : "PASS: zero allocations");
    return failures ? 1 : 0;
}
