/* ccrnn-dp-bench: the two numbers that decide whether data parallelism pays off, and
 * the projection they give (docs/scale-out.md).
 *
 *   ccrnn-dp-bench --shape seqmnist --hidden 256        (1 process: compute per shard)
 *   mpirun -np 2 ccrnn-dp-bench --shape seqmnist --hidden 256   (the Allreduce)
 *
 * One process: the time of one training step (forward, windowed backward, optimizer
 * step) on the shard a rank gets when a batch of --batch samples is split over N ranks,
 * for every N in --ranks, as CPU time (what the step takes on a core of its own; the
 * wall time is printed beside it), and the projected step time over N ranks,
 *   T(N) = T_compute(shard of B/N) + T_allreduce(N),
 *   T_allreduce(N) = 2 (N-1) alpha + 2 (N-1)/N * bytes / beta   (ring Allreduce),
 * with bytes = 4 x (parameters + 3) and the link's latency alpha and bandwidth beta
 * given as options (assumptions about a cluster, not measurements).
 * Several processes: the measured time of the one MPI_Allreduce of that buffer (wall
 * and CPU time of the slowest rank). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mpi.h>

#include "args.h"
#include "driver.h"
#include "mpi_group.h"
#include "rng.h"

typedef struct options {
    const char *shape, *model, *ranks;
    long hidden, cb_layers, cb_width, bptt, batch, steps, reps;
    double gbps, latency_us;
} options;

/* Random data of the task's shape: timing does not depend on the values. */
static int random_fill(void *ctx, int split, size_t epoch, size_t first, size_t count, float *x,
                       float *y, int32_t *labels)
{
    const ex_task *t = ctx;
    ex_rng r;
    ex_rng_seed(&r, ex_hash(ex_hash((uint64_t)split, epoch), first));
    for (size_t i = 0; i < count * t->length * t->n_in; i++) x[i] = (float)ex_rng_normal(&r);
    if (y)
        for (size_t i = 0; i < count * t->length * t->n_out; i++) y[i] = (float)ex_rng_normal(&r);
    if (labels)
        for (size_t i = 0; i < count; i++)
            labels[i] = (int32_t)ex_rng_int(&r, 0, (long)t->n_out - 1);
    return 0;
}

static int make_task(const options *o, ex_task *t, ex_config *cfg)
{
    memset(t, 0, sizeof *t);
    t->fill = random_fill;
    t->ctx = t;
    t->n_samples[EX_TRAIN] = t->n_samples[EX_VALID] = t->n_samples[EX_TEST] = 1;
    if (strcmp(o->shape, "line-draw") == 0) { /* input 1, output 2, L 10, every 2nd step */
        t->name = "line-draw", t->n_in = 1, t->n_out = 2, t->length = 10, t->sparse = 2;
        t->loss = EX_LOSS_MSE;
        cfg->hidden = 50, cfg->cb_layers = 2, cfg->cb_width = 400;
    } else if (strcmp(o->shape, "seqmnist") == 0) { /* rows of 28 pixels, 10 classes */
        t->name = "seqmnist-class", t->n_in = 28, t->n_out = 10, t->length = 28;
        t->loss = EX_LOSS_XENT, t->last_only = 1;
        cfg->hidden = 30, cfg->cb_layers = 1, cfg->cb_width = 0;
    } else {
        fprintf(stderr, "ccrnn-dp-bench: --shape must be line-draw or seqmnist\n");
        return -1;
    }
    if (o->hidden) cfg->hidden = (size_t)o->hidden;
    if (o->cb_layers >= 0) cfg->cb_layers = (size_t)o->cb_layers;
    if (o->cb_width) cfg->cb_width = (size_t)o->cb_width;
    if (!cfg->cb_width) cfg->cb_width = 2 * cfg->hidden;
    cfg->cerebellum = strcmp(o->model, "ccrnn") == 0;
    cfg->bptt = (size_t)o->bptt;
    return 0;
}

/* CPU and wall seconds per training step on batches of `count` samples (one process). */
static double step_seconds(const ex_config *base, ex_task *t, size_t count, long steps,
                           size_t *n_params, double *wall)
{
    ex_config cfg = *base;
    cfg.batch = count;
    ex_model *m = NULL;
    float *x = malloc(count * t->length * t->n_in * sizeof(float));
    float *y = malloc(count * t->length * t->n_out * sizeof(float));
    int32_t *labels = malloc(count * sizeof(int32_t));
    double secs = NAN;
    if (x && y && labels && !ex_model_create(&cfg, t, &m)) {
        size_t n_cx = 0, n_cb = 0;
        ccrnn_cortex_params(ex_model_cortex(m), NULL, NULL, &n_cx);
        if (ex_model_cerebellum(m))
            ccrnn_cerebellum_params(ex_model_cerebellum(m), NULL, NULL, &n_cb);
        *n_params = n_cx + n_cb;
        t->fill(t, EX_TRAIN, 1, 0, count, x, y, labels);
        int st = ex_model_train_batch(m, x, y, labels, count, NULL); /* warm-up */
        double t0 = MPI_Wtime(), c0 = ex_cpu_seconds();
        for (long s = 0; s < steps && !st; s++)
            st = ex_model_train_batch(m, x, y, labels, count, NULL);
        if (!st) secs = (ex_cpu_seconds() - c0) / (double)steps;
        if (!st) *wall = (MPI_Wtime() - t0) / (double)steps;
    }
    ex_model_destroy(m);
    free(x), free(y), free(labels);
    return secs;
}

static void compute_and_project(const options *o, ex_config *cfg, ex_task *t)
{
    unsigned long long ranks[32];
    size_t n_ranks = ex_parse_uint_list(o->ranks, ranks, 32), n_params = 0, B = (size_t)o->batch;
    double alpha = o->latency_us * 1e-6, beta = o->gbps * 1e9 / 8.0, t1, w1 = NAN, w = NAN;
    printf("%s %s: H %zu, cerebellum %zu x %zu, tau %zu, batch %zu, %ld timed steps each\n",
           o->model, t->name, cfg->hidden, cfg->cerebellum ? cfg->cb_layers : 0,
           cfg->cerebellum ? cfg->cb_width : 0, cfg->bptt, B, o->steps);
    printf("projection link (assumed): %.3g Gbit/s, %.3g us latency, ring Allreduce\n\n",
           o->gbps, o->latency_us);
    printf("%6s %6s %12s %10s %14s %12s %9s %11s\n", "ranks", "shard", "compute ms",
           "(wall ms)", "allreduce ms", "step ms", "speed-up", "efficiency");
    t1 = step_seconds(cfg, t, B, o->steps, &n_params, &w1); /* one process, the whole batch */
    for (size_t i = 0; i < n_ranks; i++) {
        size_t N = (size_t)ranks[i], shard = (B + N - 1) / N; /* the largest shard sets the pace */
        if (N == 0 || shard == 0) continue;
        double tc = N == 1 ? t1 : step_seconds(cfg, t, shard, o->steps, &n_params, &w);
        if (N == 1) w = w1;
        double bytes = 4.0 * (double)(n_params + 3);
        double ta = N > 1 ? 2.0 * (double)(N - 1) * alpha +
                                2.0 * (double)(N - 1) / (double)N * bytes / beta
                          : 0.0;
        double step = tc + ta, speedup = t1 / step;
        printf("%6zu %6zu %12.3f %10.1f %14.3f %12.3f %9.2f %11.2f\n", N, shard, 1e3 * tc,
               1e3 * w, 1e3 * ta, 1e3 * step, speedup, speedup / (double)N);
        fflush(stdout);
    }
    printf("\nparameters %zu; Allreduce buffer %zu floats = %.3f MB per step\n", n_params,
           n_params + 3, 4.0 * (double)(n_params + 3) / 1e6);
}

static void measure_allreduce(const options *o, ex_config *cfg, ex_task *t, MPI_Comm comm)
{
    int rank, size;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    ex_model *m = NULL;
    size_t n_cx = 0, n_cb = 0;
    cfg->batch = 1;
    if (ex_model_create(cfg, t, &m)) MPI_Abort(comm, 1);
    ccrnn_cortex_params(ex_model_cortex(m), NULL, NULL, &n_cx);
    if (ex_model_cerebellum(m)) ccrnn_cerebellum_params(ex_model_cerebellum(m), NULL, NULL, &n_cb);
    ex_model_destroy(m);
    size_t n = n_cx + n_cb + 3;
    float *buf = calloc(n, sizeof(float));
    if (!buf) MPI_Abort(comm, 1);
    for (int w = 0; w < 3; w++) ex_mpi_sum(buf, n, &comm); /* warm-up: connections, buffers */
    MPI_Barrier(comm);
    double t0 = MPI_Wtime(), c0 = ex_cpu_seconds();
    for (long r = 0; r < o->reps; r++) ex_mpi_sum(buf, n, &comm);
    double wall = ex_mpi_max((MPI_Wtime() - t0) / (double)o->reps, comm);
    double cpu = ex_mpi_max((ex_cpu_seconds() - c0) / (double)o->reps, comm);
    if (rank == 0)
        printf("MPI_Allreduce of %zu floats (%.3f MB) over %d ranks: %.3f ms CPU, %.3f ms wall "
               "(mean of %ld, slowest rank)\n", n, 4.0 * (double)n / 1e6, size, 1e3 * cpu,
               1e3 * wall, o->reps);
    free(buf);
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    MPI_Comm comm = MPI_COMM_WORLD;
    int size;
    MPI_Comm_size(comm, &size);
    options o = {"line-draw", "ccrnn", "1,2,4,8,16,25,50", 0, -1, 0, 1, 50, 5, 50, 10.0, 20.0};
    const ex_option table[] = {
        {"shape", EX_OPT_STRING, &o.shape, 0, 0, "NAME", "line-draw or seqmnist (class)"},
        {"model", EX_OPT_STRING, &o.model, 0, 0, "NAME", "crnn or ccrnn"},
        {"hidden", EX_OPT_INT, &o.hidden, 0, 100000, "H", "LSTM units (0: the paper's)"},
        {"cb-layers", EX_OPT_INT, &o.cb_layers, -1, 16, "N", "hidden layers (-1: paper)"},
        {"cb-width", EX_OPT_INT, &o.cb_width, 0, 100000, "N", "cerebellar width (0: paper, 2H)"},
        {"bptt", EX_OPT_INT, &o.bptt, 1, 100000, "TAU", "truncation window"},
        {"batch", EX_OPT_INT, &o.batch, 1, 100000, "B", "the whole batch"},
        {"ranks", EX_OPT_STRING, &o.ranks, 0, 0, "LIST", "rank counts to project"},
        {"steps", EX_OPT_INT, &o.steps, 1, 100000, "N", "timed steps per shard size"},
        {"reps", EX_OPT_INT, &o.reps, 1, 1000000, "N", "timed Allreduces"},
        {"link-gbps", EX_OPT_REAL, &o.gbps, 1e-3, 1e6, "X", "assumed link bandwidth, Gbit/s"},
        {"link-latency-us", EX_OPT_REAL, &o.latency_us, 0, 1e6, "X", "assumed latency, us"},
    };
    ex_mpi_quiet_begin();
    int rc = ex_args_parse(argc, argv,
                           "Time a training step per shard size (1 process) or the gradient "
                           "Allreduce (several), and project the speed-up over N ranks.",
                           table, sizeof table / sizeof table[0]);
    ex_mpi_quiet_end();
    ex_config cfg;
    ex_task task;
    ex_config_defaults(&cfg);
    if (rc == EX_ARGS_OK && make_task(&o, &task, &cfg)) rc = EX_ARGS_ERROR;
    if (rc == EX_ARGS_OK) {
        if (size == 1) compute_and_project(&o, &cfg, &task);
        else measure_allreduce(&o, &cfg, &task, comm);
    }
    MPI_Finalize();
    return rc == EX_ARGS_OK || rc == EX_ARGS_HELP ? 0 : 2;
}
