/* mpirun -np 2 test-data-parallel: data-parallel training through the example driver
 * (every rank trains a shard of each batch, one MPI_Allreduce of all gradients per step)
 * equals single-process training on the whole batch.
 *
 * Every rank also trains a reference model on the whole batch.  Both models hand their
 * gradient to a recording reduce just before the optimizer step, so the test compares,
 * step after step: the summed shard gradients against the whole-batch gradient (float32
 * rounding: the sums run in another order), the batch metrics, then the weights after
 * all steps, and that every rank holds bit-identical weights.  Batches of 1 and 7
 * samples give empty and uneven shards.  Exit 77 (skip) with fewer than 2 ranks. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mpi.h>

#include "driver.h"
#include "linedraw.h"
#include "mpi_group.h"
#include "test-support.h"

/* Tolerances: float32 rounding of sums over a few hundred terms, grown over the steps. */
#define GRAD_TOL 1e-5   /* ||g_parallel - g_whole|| / ||g_whole|| per step */
#define LOSS_TOL 1e-5   /* relative, reported batch loss */
#define WEIGHT_TOL 1e-5 /* max |w_parallel - w_whole| after all steps (lr 1e-3 per step) */
#define STEPS 12

static int g_rank, g_size;

/* ---- a small classification task with no data files: which input channel has the
 * largest sum over the sequence (cross-entropy at the last step only). ------------- */
enum { SC_STEPS = 6, SC_IN = 3 };

static int sc_fill(void *ctx, int split, size_t epoch, size_t first, size_t count, float *x,
                   float *y, int32_t *labels)
{
    (void)ctx, (void)y;
    uint64_t seed = ts_seed_mix((uint64_t)split, epoch);
    for (size_t i = 0; i < count; i++) {
        double sum[SC_IN] = {0};
        float *xi = x + i * SC_STEPS * SC_IN;
        ts_toy_sample(seed, first + i, xi, SC_STEPS * SC_IN, NULL, 0, NULL, 0);
        for (size_t t = 0; t < SC_STEPS; t++)
            for (size_t c = 0; c < SC_IN; c++) sum[c] += xi[t * SC_IN + c];
        int best = 0;
        for (int c = 1; c < SC_IN; c++)
            if (sum[c] > sum[best]) best = c;
        labels[i] = best;
    }
    return 0;
}

static void sc_task_init(ex_task *t)
{
    memset(t, 0, sizeof *t);
    t->name = "largest-channel";
    t->n_in = SC_IN, t->n_out = SC_IN, t->length = SC_STEPS;
    t->loss = EX_LOSS_XENT;
    t->last_only = 1;
    t->n_samples[EX_TRAIN] = t->n_samples[EX_VALID] = t->n_samples[EX_TEST] = 64;
    t->fill = sc_fill;
}

/* ---- recording reduce ------------------------------------------------------------- */

typedef struct recorder {
    MPI_Comm *comm; /* NULL: no sum (the whole-batch reference) */
    float *last;    /* the buffer as the optimizer will see it */
    size_t n;
} recorder;

static int record_reduce(float *buf, size_t n, void *ctx)
{
    recorder *r = ctx;
    if (r->comm && ex_mpi_sum(buf, n, r->comm)) return -1;
    if (!r->last) r->last = malloc(n * sizeof(float));
    if (!r->last) return -1;
    memcpy(r->last, buf, n * sizeof(float));
    r->n = n;
    return 0;
}

/* All weights of a model, cortex then cerebellum, through the named-tensor API. */
static size_t tensor_len(size_t rows, size_t cols) { return rows * (cols ? cols : 1); }

static size_t weights(ex_model *m, float *out)
{
    size_t n = 0, count = 0, rows, cols, off;
    const char *name;
    ccrnn_cortex *cx = ex_model_cortex(m);
    ccrnn_cerebellum *cb = ex_model_cerebellum(m);
    ccrnn_cortex_tensor_count(cx, &count);
    for (size_t i = 0; i < count; i++) {
        ccrnn_cortex_tensor_info(cx, i, &name, &rows, &cols, &off);
        if (out) ccrnn_cortex_get_tensor(cx, name, out + n, tensor_len(rows, cols));
        n += tensor_len(rows, cols);
    }
    if (cb) ccrnn_cerebellum_tensor_count(cb, &count);
    for (size_t i = 0; cb && i < count; i++) {
        ccrnn_cerebellum_tensor_info(cb, i, &name, &rows, &cols, &off);
        if (out) ccrnn_cerebellum_get_tensor(cb, name, out + n, tensor_len(rows, cols));
        n += tensor_len(rows, cols);
    }
    return n;
}

static double rel_l2(const float *a, const float *b, size_t n)
{
    double d = 0.0, r = 0.0;
    for (size_t i = 0; i < n; i++) {
        double e = (double)a[i] - (double)b[i];
        d += e * e;
        r += (double)b[i] * (double)b[i];
    }
    return r > 0 ? sqrt(d / r) : sqrt(d);
}

/* ---- one case --------------------------------------------------------------------- */

typedef struct test_case {
    const char *name;
    int line_draw; /* 1: line drawing (MSE, sparse); 0: the classification task */
    int cerebellum, cb_loss_mean;
    size_t bptt;
} test_case;

static int run_case(const test_case *tc, MPI_Comm *comm)
{
    static const size_t counts[STEPS] = {10, 10, 7, 1, 10, 9, 10, 2, 10, 10, 3, 10};
    ld_data ld = {5, 0.0};
    ex_task task;
    if (tc->line_draw) ld_task_init(&task, &ld, 2, 100, 10, 10);
    else sc_task_init(&task);

    ex_config cfg;
    ex_config_defaults(&cfg);
    cfg.cerebellum = tc->cerebellum;
    cfg.cb_loss_mean = tc->cb_loss_mean;
    cfg.hidden = 16, cfg.cb_layers = 2, cfg.cb_width = 48;
    cfg.bptt = tc->bptt, cfg.batch = 10, cfg.seed = 3;
    ex_config par_cfg = cfg;
    recorder rec_whole = {NULL, NULL, 0}, rec_par = {comm, NULL, 0};
    cfg.parallel = (ex_parallel){0, 1, record_reduce, &rec_whole};
    par_cfg.parallel = (ex_parallel){(size_t)g_rank, (size_t)g_size, record_reduce, &rec_par};

    ex_model *whole = NULL, *par = NULL;
    size_t L = task.length, I = task.n_in, D = task.n_out;
    float *x = malloc(cfg.batch * L * I * sizeof(float));
    float *y = malloc(cfg.batch * L * D * sizeof(float));
    int32_t *labels = malloc(cfg.batch * sizeof(int32_t));
    double grad_err = 0.0, loss_err = 0.0, acc_err = 0.0;
    int ok = x && y && labels && !ex_model_create(&cfg, &task, &whole) &&
             !ex_model_create(&par_cfg, &task, &par);
    for (size_t s = 0; ok && s < STEPS; s++) {
        ex_metrics mw, mp;
        int mse = task.loss == EX_LOSS_MSE;
        ok = !task.fill(task.ctx, EX_TRAIN, 1 + s, 0, counts[s], x, mse ? y : NULL,
                        mse ? NULL : labels) &&
             !ex_model_train_batch(whole, x, y, labels, counts[s], &mw) &&
             !ex_model_train_batch(par, x, y, labels, counts[s], &mp) && rec_whole.n == rec_par.n;
        if (!ok) break;
        double e = rel_l2(rec_par.last, rec_whole.last, rec_whole.n - 3);
        if (e > grad_err) grad_err = e;
        e = fabs(mp.loss - mw.loss) / fabs(mw.loss);
        if (e > loss_err) loss_err = e;
        if (!mse && fabs(mp.accuracy - mw.accuracy) > acc_err)
            acc_err = fabs(mp.accuracy - mw.accuracy);
    }

    /* Weights: against the reference, and bit-identical on every rank. */
    double w_err = 0.0;
    int same = 0;
    if (ok) {
        size_t n = weights(par, NULL);
        float *wp = malloc(n * sizeof(float)), *ww = malloc(n * sizeof(float));
        float *w0 = malloc(n * sizeof(float));
        ok = wp && ww && w0;
        if (ok) {
            weights(par, wp), weights(whole, ww);
            for (size_t i = 0; i < n; i++)
                if (fabs((double)wp[i] - (double)ww[i]) > w_err)
                    w_err = fabs((double)wp[i] - (double)ww[i]);
            memcpy(w0, wp, n * sizeof(float));
            MPI_Bcast(w0, (int)n, MPI_FLOAT, 0, *comm);
            same = memcmp(w0, wp, n * sizeof(float)) == 0;
        }
        free(wp), free(ww), free(w0);
    }
    int pass = ok && grad_err <= GRAD_TOL && loss_err <= LOSS_TOL && acc_err == 0.0 &&
               w_err <= WEIGHT_TOL && same;
    int all_pass = 0;
    MPI_Allreduce(&pass, &all_pass, 1, MPI_INT, MPI_MIN, *comm);
    if (g_rank == 0)
        printf("%s %-58s gradient rel. err %.2e (tol %.0e), loss rel. err %.2e, accuracy "
               "diff %.2g, weights max diff %.2e (tol %.0e), ranks identical: %s\n",
               all_pass ? "PASS" : "FAIL", tc->name, grad_err, GRAD_TOL, loss_err, acc_err,
               w_err, WEIGHT_TOL, same ? "yes" : "no");
    ex_model_destroy(whole), ex_model_destroy(par);
    free(x), free(y), free(labels), free(rec_whole.last), free(rec_par.last);
    return all_pass;
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    MPI_Comm comm = MPI_COMM_WORLD;
    MPI_Comm_rank(comm, &g_rank);
    MPI_Comm_size(comm, &g_size);
    if (g_size < 2) {
        printf("SKIP: data parallelism needs at least 2 ranks (mpirun -np 2 %s)\n", argv[0]);
        MPI_Finalize();
        return 77;
    }
    static const test_case cases[] = {
        {"line drawing, ccRNN, tau 1, summed cerebellar loss", 1, 1, 0, 1},
        {"line drawing, ccRNN, tau 4, cerebellar loss / batch", 1, 1, 1, 4},
        {"line drawing, cRNN, full BPTT", 1, 0, 0, LD_STEPS},
        {"classification (cross-entropy, last step), ccRNN, tau 2", 0, 1, 0, 2},
        {"classification (cross-entropy, last step), cRNN, tau 3", 0, 0, 0, 3},
    };
    int failures = 0;
    if (g_rank == 0)
        printf("data-parallel training over %d ranks against whole-batch training, %d steps "
               "with batches of 1..10 samples\n", g_size, STEPS);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        failures += !run_case(&cases[i], &comm);
    MPI_Finalize();
    return failures ? 1 : 0;
}
