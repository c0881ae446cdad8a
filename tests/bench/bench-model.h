/* Shared by ccrnn-bench and ccrnn-profile: the benchmark configurations, their FLOP
 * counts, and the training/inference procedures of the project's PyTorch reference
 * (tests/bench/torch-reference.py, batch and online modes; docs/performance.md
 * §Method) driven through the public API. */
#ifndef CCRNN_BENCH_MODEL_H
#define CCRNN_BENCH_MODEL_H

#include <stddef.h>

#include "ccrnn/ccrnn.h"

enum bench_kind { KIND_BATCH, KIND_ONLINE_LEARN, KIND_ONLINE_INFER };

typedef struct bench_config {
    const char *name;
    int kind;
    size_t B, I, H, O, S, L, seq, T;
    int reps, warmup; /* batches (KIND_BATCH) or steps (online) */
} bench_config;

/* The five configurations, full size or (quick) toy size; *count receives 5. */
const bench_config *bench_configs(int quick, size_t *count);
/* A configuration from a --size value "KEY=VALUE,...": keys name, kind (batch,
 * online-learn, online-infer), B, I, H, O, S, L, seq, T, reps, warmup; unset keys keep
 * the paper (batch) or online-learn (online kinds) values.  The name is copied into
 * name_buf (BENCH_NAME_LEN bytes), which out->name then points to.  Dies on bad input. */
enum { BENCH_NAME_LEN = 64 };
void bench_parse_size(const char *spec, bench_config *out, char *name_buf);
size_t bench_windows(const bench_config *c);

/* FLOPs of one unit of work (a batch, or one online step); see bench-model.c. */
double bench_unit_flops(const bench_config *c);

/* Library calls the procedures make, for the per-call time breakdown. */
enum bench_call {
    CALL_RESET, CALL_BEGIN_WINDOW, CALL_FORWARD, CALL_LOSS, CALL_OUTPUT_GRAD,
    CALL_SYNTHETIC_GRADIENT, CALL_BACKWARD, CALL_LEARN, CALL_OPTIMIZER_STEP, N_BENCH_CALLS
};
extern const char *const bench_call_names[N_BENCH_CALLS];

/* When non-NULL, each library call's duration (seconds) is added to its entry. */
extern double *bench_call_seconds;

typedef struct bench_model {
    const bench_config *c;
    ccrnn_cortex *cx;
    ccrnn_cerebellum *cb;     /* NULL for the cRNN and for inference */
    ccrnn_optimizer *opt;
    float *x, *target;        /* seq x B x I inputs, seq x B x O targets (step-major) */
    float *y, *dy;            /* T x B x O (a window's outputs), B x O */
    float *dz_end, *dz_start; /* B x 2H */
    int stepwise;             /* CCRNN_BENCH_STEPWISE: ccrnn_cortex_forward per step */
} bench_model;

void bench_model_create(bench_model *m, const bench_config *c, int threads);
void bench_model_destroy(bench_model *m);
/* One unit of work; i numbers the online steps (selects the input row). */
void bench_run_unit(bench_model *m, size_t i);
/* Median seconds per unit over c->reps units after c->warmup untimed ones. */
double bench_time_config(const bench_config *c, int threads);

/* Seconds on the wall clock, or (bench_cpu_clock = 1) on the process's CPU-time clock,
 * which leaves out time spent descheduled when other jobs share the cores. */
extern int bench_cpu_clock;
double bench_now(void);
double bench_median(double *v, size_t n); /* sorts v */
void *bench_xmalloc(size_t n);
void bench_die(const char *fmt, ...);
void bench_fill_uniform(float *x, size_t n);
/* Ends the run with the library message when status is not CCRNN_OK. */
void bench_check(int status, const char *call);

#endif
