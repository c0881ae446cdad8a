/* ccrnn-dp-train: one network trained data-parallel over MPI ranks (docs/scale-out.md).
 *
 *   mpirun -np 4 ccrnn-dp-train --task line-draw --model ccrnn --epochs 20
 *   mpirun -np 4 ccrnn-dp-train --task seqmnist-class --data data/mnist --hidden 256
 *
 * Every rank builds the same model from the same seed and reads the same whole batch;
 * the driver trains each rank on its shard of the batch and sums all gradients with
 * one MPI_Allreduce before the optimizer step (ex_config.parallel, set by
 * ex_mpi_data_parallel), so the ranks stay identical and the training is the
 * single-process training on the whole batch, to float32 rounding.  Rank 0 validates
 * after every epoch, tests at the end and writes curves.csv into --out. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mpi.h>

#include "args.h"
#include "driver.h"
#include "linedraw.h"
#include "mpi_group.h"
#include "output.h"
#include "rng.h"
#include "task.h"

typedef struct options {
    const char *task, *model, *data, *out;
    long hidden, cb_layers, cb_width, bptt, batch, epochs, seed, threads, train, valid, test;
    double lr;
} options;

static int parse_options(int argc, char **argv, options *o)
{
    const ex_option table[] = {
        {"task", EX_OPT_STRING, &o->task, 0, 0, "NAME",
         "line-draw, seqmnist-class, seqmnist-line or seqmnist-digit"},
        {"model", EX_OPT_STRING, &o->model, 0, 0, "NAME", "crnn or ccrnn"},
        {"data", EX_OPT_STRING, &o->data, 0, 0, "DIR", "seqMNIST: folder of the IDX files"},
        {"out", EX_OPT_STRING, &o->out, 0, 0, "DIR", "results folder (rank 0 writes curves.csv)"},
        {"hidden", EX_OPT_INT, &o->hidden, 0, 100000, "H", "LSTM units (0: the task's paper size)"},
        {"cb-layers", EX_OPT_INT, &o->cb_layers, -1, 16, "N",
         "cerebellar hidden layers (-1: the task's)"},
        {"cb-width", EX_OPT_INT, &o->cb_width, 0, 100000, "N", "cerebellar width (0: the task's)"},
        {"bptt", EX_OPT_INT, &o->bptt, 1, 100000, "TAU", "truncation window"},
        {"batch", EX_OPT_INT, &o->batch, 1, 100000, "B", "the whole batch, split over the ranks"},
        {"epochs", EX_OPT_INT, &o->epochs, 1, 100000, "N", "training epochs"},
        {"lr", EX_OPT_REAL, &o->lr, 0, 10, "X", "Adam learning rate (0: the task's)"},
        {"seed", EX_OPT_INT, &o->seed, 0, 2147483647, "N", "seed of the weights and the data"},
        {"threads", EX_OPT_INT, &o->threads, 1, 256, "N", "BLIS threads per rank"},
        {"train", EX_OPT_INT, &o->train, 0, 100000000, "N",
         "training samples per epoch (0: the task's)"},
        {"valid", EX_OPT_INT, &o->valid, 0, 100000000, "N", "validation samples (0: the task's)"},
        {"test", EX_OPT_INT, &o->test, 0, 100000000, "N", "test samples (0: the task's)"},
    };
    const char *about =
        "Train one cRNN or ccRNN data-parallel: each MPI rank trains a shard of every batch\n"
        "and one MPI_Allreduce sums the gradients before each optimizer step.";
    ex_mpi_quiet_begin(); /* every rank parses; rank 0 reports */
    int rc = ex_args_parse(argc, argv, about, table, sizeof table / sizeof table[0]);
    ex_mpi_quiet_end();
    return rc;
}

/* The task, and the paper's sizes for it where the options leave them open. */
typedef struct task_setup {
    ex_task *task;
    ld_data ld;
    ex_task ld_task;
    seqmnist_task sq;
    int is_seqmnist;
} task_setup;

static int setup_task(const options *o, task_setup *ts, ex_config *cfg)
{
    static const char *const kinds[] = {"seqmnist-line", "seqmnist-digit", "seqmnist-class"};
    memset(ts, 0, sizeof *ts);
    if (strcmp(o->task, "line-draw") == 0) {
        ts->ld = (ld_data){(uint64_t)o->seed, 0.0};
        ld_task_init(&ts->ld_task, &ts->ld, 2, o->train ? (size_t)o->train : 800,
                     o->valid ? (size_t)o->valid : 200, o->test ? (size_t)o->test : 1000);
        ts->task = &ts->ld_task;
        cfg->hidden = 50, cfg->cb_layers = 2, cfg->cb_width = 400, cfg->lr = 1e-3;
        return 0;
    }
    for (int k = SEQMNIST_LINE; k <= SEQMNIST_CLASS; k++) {
        if (strcmp(o->task, kinds[k]) != 0) continue;
        seqmnist_task_options to = {k, o->data, 0.2, (size_t)o->train, (size_t)o->valid,
                                    (size_t)o->test, k == SEQMNIST_LINE ? 4 : 1, 0, 0};
        char err[1024];
        if (seqmnist_task_init(&ts->sq, &to, err, sizeof err)) {
            fprintf(stderr, "ccrnn-dp-train: %s\n", err);
            return -1;
        }
        seqmnist_task_set_seed(&ts->sq, ex_hash((uint64_t)o->seed, 0xDA7Au));
        ts->task = &ts->sq.task;
        ts->is_seqmnist = 1;
        cfg->hidden = 30, cfg->cb_layers = 1, cfg->cb_width = 0, cfg->lr = 1e-4;
        return 0;
    }
    fprintf(stderr, "ccrnn-dp-train: unknown --task '%s'\n", o->task);
    return -1;
}

static void make_config(const options *o, ex_config *cfg)
{
    if (o->hidden) cfg->hidden = (size_t)o->hidden;
    if (o->cb_layers >= 0) cfg->cb_layers = (size_t)o->cb_layers;
    if (o->cb_width) cfg->cb_width = (size_t)o->cb_width;
    if (cfg->cb_width == 0) cfg->cb_width = 2 * cfg->hidden; /* seqMNIST: 2H */
    if (o->lr > 0) cfg->lr = o->lr;
    cfg->cerebellum = strcmp(o->model, "ccrnn") == 0;
    cfg->bptt = (size_t)o->bptt;
    cfg->batch = (size_t)o->batch;
    cfg->epochs = (size_t)o->epochs;
    cfg->threads = (int)o->threads;
    cfg->seed = (uint64_t)o->seed;
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    MPI_Comm comm = MPI_COMM_WORLD;
    int rank, ranks;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &ranks);
    options o = {"line-draw", "ccrnn", "data/mnist", "results/dp-train", 0, -1, 0, 1, 50,
                 10, 1, 1, 0, 0, 0, 0.0};
    int rc = parse_options(argc, argv, &o);
    if (rc != EX_ARGS_OK) {
        MPI_Finalize();
        return rc == EX_ARGS_HELP ? 0 : 2;
    }
    ex_config cfg;
    ex_config_defaults(&cfg);
    task_setup ts;
    ex_model *m = NULL;
    int st = setup_task(&o, &ts, &cfg);
    if (!st) {
        make_config(&o, &cfg);
        ex_mpi_data_parallel(&cfg, &comm); /* the one line that makes training data-parallel */
        st = ex_model_create(&cfg, ts.task, &m) ? -1 : 0;
    }
    const ex_task *task = ts.task;
    size_t B = cfg.batch, L = task ? task->length : 0, n = task ? task->n_samples[EX_TRAIN] : 0;
    float *x = task ? malloc(B * L * task->n_in * sizeof(float)) : NULL;
    float *y = task ? malloc(B * L * task->n_out * sizeof(float)) : NULL;
    int32_t *labels = malloc(B * sizeof(int32_t));
    if (!st && (!x || !y || !labels)) st = -1;
    FILE *csv = NULL;
    char path[4096];
    if (!st && rank == 0 && (ex_mkdirs(o.out) ||
        !(csv = ex_csv_open(ex_path_join(path, sizeof path, o.out, "curves.csv"),
                            "epoch,ranks,train_loss,train_acc,cb_loss,valid_loss,valid_acc,"
                            "train_seconds,seconds_per_step,cpu_seconds_per_step"))))
        st = -1;
    if (st) {
        MPI_Abort(comm, 1);
        return 1;
    }
    if (rank == 0)
        printf("%s %s, H %zu, batch %zu over %d rank(s) (%zu..%zu samples each), tau %zu, "
               "%zu training samples per epoch\n", o.model, task->name, cfg.hidden, B, ranks,
               B / (size_t)ranks, (B + (size_t)ranks - 1) / (size_t)ranks, cfg.bptt, n);

    int mse = task->loss == EX_LOSS_MSE;
    for (size_t epoch = 1; epoch <= cfg.epochs && !st; epoch++) {
        double loss = 0.0, acc = 0.0, cb = 0.0, t0 = MPI_Wtime(), c0 = ex_cpu_seconds();
        size_t steps = 0;
        st = ex_model_begin_epoch(m, epoch);
        /* Every rank reads the whole batch; the driver trains this rank's shard of it. */
        for (size_t first = 0; first < n && !st; first += B, steps++) {
            size_t count = n - first < B ? n - first : B;
            ex_metrics mt;
            st = task->fill(task->ctx, EX_TRAIN, epoch, first, count, x, mse ? y : NULL,
                            mse ? NULL : labels) ||
                 ex_model_train_batch(m, x, y, labels, count, &mt);
            if (st) MPI_Abort(comm, 1); /* the other ranks wait in the Allreduce */
            loss += mt.loss * (double)count, acc += mt.accuracy * (double)count, cb += mt.cb_loss;
        }
        double secs = MPI_Wtime() - t0;
        /* CPU time: the step on a core of its own (the slowest rank sets the pace). */
        double cpu = ex_mpi_max(ex_cpu_seconds() - c0, comm) / (double)steps;
        ex_metrics v = {NAN, NAN, NAN, NAN, NAN, NAN};
        if (!st && rank == 0 && ex_model_evaluate(m, EX_VALID, &v)) MPI_Abort(comm, 1);
        if (!st && rank == 0) {
            printf("epoch %3zu  train %.5g  validation %.5g%s  (%.2f s training; per step "
                   "%.2f ms wall, %.2f ms CPU)\n", epoch, loss / (double)n, v.loss,
                   mse ? "" : " (cross-entropy)", secs, 1e3 * secs / (double)steps, 1e3 * cpu);
            if (!mse) printf("           accuracy: train %.4f validation %.4f\n",
                             acc / (double)n, v.accuracy);
            fprintf(csv, "%zu,%d,%.9g,%.9g,%.9g,%.9g,%.9g,%.4f,%.6f,%.6f\n", epoch, ranks,
                    loss / (double)n, mse ? NAN : acc / (double)n, cb / (double)steps, v.loss,
                    v.accuracy, secs, secs / (double)steps, cpu);
            fflush(stdout);
        }
    }
    if (!st && rank == 0) {
        ex_metrics t;
        st = ex_model_evaluate(m, EX_TEST, &t);
        if (!st) printf("test %.5g%s\n", t.loss, mse ? "" : " (cross-entropy)");
        if (!st && !mse) printf("test accuracy %.4f\n", t.accuracy);
    }
    if (csv && ex_csv_close(csv, path)) st = -1;
    ex_model_destroy(m);
    if (ts.is_seqmnist) seqmnist_task_free(&ts.sq);
    free(x), free(y), free(labels);
    MPI_Finalize();
    return st ? 1 : 0;
}
