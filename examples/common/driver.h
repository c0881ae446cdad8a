/* The training driver shared by the task programs: docs/model.md §learning procedure for
 * any task.
 *
 * A task says how to fill a batch (inputs x[B][L][I], regression targets y[B][L][D]
 * or class labels[B]) and which steps are supervised.  The driver owns one model
 * (cortex, optional cerebellum, one optimizer over both) and runs the loop of
 * ex_model_train_batch: truncation windows of tau steps, the synthetic gradient at
 * each window end (ccRNN), one clipped Adam step per batch.  Evaluation runs the
 * cortex alone in inference mode over whole sequences from the zero state. */
#ifndef EX_DRIVER_H
#define EX_DRIVER_H

#include <stddef.h>
#include <stdint.h>

#include <ccrnn/ccrnn.h>

#include "progress.h"

enum ex_split { EX_TRAIN = 0, EX_VALID = 1, EX_TEST = 2 };
enum ex_loss { EX_LOSS_MSE = 0, EX_LOSS_XENT = 1 };

typedef struct ex_task {
    const char *name;
    size_t n_in, n_out, length; /* I, D (or classes), L */
    int loss;                   /* enum ex_loss */
    int last_only;              /* supervise only the last step (e.g. classification) */
    size_t sparse;              /* otherwise supervise global steps t with t % sparse == 0 */
    size_t n_samples[3];        /* per split: training (per epoch), validation, test */
    /* Fill `count` samples of a split, starting at sample `first`, for `epoch`
     * (1-based; 0 for validation and test, which must not change between calls).
     * x: count*L*n_in; y: count*L*n_out (MSE; else NULL); labels: count (XENT; else
     * NULL).  Returns 0, or nonzero on failure (after printing why). */
    int (*fill)(void *ctx, int split, size_t epoch, size_t first, size_t count, float *x,
                float *y, int32_t *labels);
    void *ctx;
} ex_task;

/* Data parallelism (examples/mpi): every process of a group holds the same model and is
 * given the same whole batch; process `rank` of `ranks` trains on its shard, samples
 * [count*rank/ranks, count*(rank+1)/ranks), with every loss normalised by the whole
 * batch, and before the optimizer step `reduce` sums, in place over the group, one
 * buffer: the cortex's gradients, the cerebellum's, then 3 metric sums (one
 * MPI_Allreduce).  The summed gradient is the whole batch's, so the clip and the step
 * are those of single-process training.  ranks <= 1: no sharding (reduce, if set, sees
 * the whole batch's gradient).  All zero (the default): off.  Not for the reference IO
 * lesion (gradients that are never zeroed would be summed again at every step). */
typedef int (*ex_reduce_fn)(float *buf, size_t n, void *ctx); /* 0 on success */
typedef struct ex_parallel {
    size_t rank, ranks;
    ex_reduce_fn reduce;
    void *ctx;
} ex_parallel;

typedef struct ex_config {
    int cerebellum;             /* 0: cRNN (cortex alone); 1: ccRNN */
    int cell;                   /* enum ccrnn_cell */
    size_t hidden;              /* H */
    size_t cb_layers, cb_width; /* hidden ReLU layers of the cerebellum and their width */
    size_t bptt;                /* tau: truncation window length */
    size_t batch;               /* B */
    size_t epochs;
    double lr, beta1, beta2, eps, clip;
    double sg_scale;            /* scale of the injected synthetic gradient (0.1) */
    size_t ablate_at;           /* 1-based epoch from which the cerebellum is ablated; 0 never */
    size_t io_lesion_at;        /* 1-based epoch from which it is frozen (IO lesion); 0 never */
    int io_lesion_kind;         /* CCRNN_PARAM_IO_LESION value: 1 frozen (also when 0), 2 the
                                   reference's (gradients kept, counted in the clip norm) */
    size_t fibres;              /* mossy fibres per cerebellar input unit; 0 = all */
    int cb_loss_mean;           /* cerebellar loss divided by the batch (1) or summed (0) */
    /* Reference quirks, each selectable (defaults = the reference code): */
    int end_synthetic;          /* 1: inject the synthetic gradient at the sequence end too
                                   (reference); 0: nothing beyond the last step (paper) */
    int separate_clip;          /* 0: one global clip over cortex + cerebellum (reference);
                                   1: cortex and cerebellum each clipped at `clip` alone */
    int threads;                /* BLIS threads per handle */
    uint64_t seed;
    ex_parallel parallel;       /* data parallelism; all zero = off */
} ex_config;

/* The paper's common settings: LSTM, Adam lr 1e-3, betas (0.9, 0.98), eps 1e-9, clip 1,
 * synthetic-gradient scale 0.1, batch 50, tau 1, summed cerebellar loss, synthetic
 * gradient at the sequence end, one shared clip, 1 thread. */
void ex_config_defaults(ex_config *cfg);

/* ---- window and supervision bookkeeping (docs/model.md §learning procedure) ------ */

/* K = floor((L - 1) / tau) + 1 windows. */
size_t ex_window_count(size_t length, size_t tau);
/* Window k covers global steps [*start, *end) = [k tau, min((k+1) tau, L)). */
void ex_window_bounds(size_t length, size_t tau, size_t k, size_t *start, size_t *end);
/* Is global step t supervised? */
int ex_step_supervised(const ex_task *task, size_t t);
/* Supervised steps in [start, end). */
size_t ex_supervised_count(const ex_task *task, size_t start, size_t end);

/* ---- one model ---------------------------------------------------------------------- */

typedef struct ex_model ex_model;

/* Metrics of a batch or a split.  MSE tasks: loss is the MSE as docs/model.md reports it
 * (training: (1/L) sum over supervised t of mean_b ||y - y*||^2; evaluation: mean
 * over all (sample, step) of ||y - y*||^2) and accuracy is NaN.  XENT tasks: the mean
 * cross-entropy of the last step and the accuracy. */
typedef struct ex_metrics {
    double loss;
    double accuracy;
    double cb_loss; /* training only: summed cerebellar regression loss of the batch */
    /* training only, measured before the optimizer step: L2 norms of the cortex's and
     * the cerebellum's accumulated gradients (0 without a cerebellum) and the factor
     * the clip scaled the cortex's gradient by (1 = not clipped) */
    double grad_cortex, grad_cb, clip_factor;
} ex_metrics;

/* Create the cortex (and the cerebellum when cfg->cerebellum) and the optimizer. */
int ex_model_create(const ex_config *cfg, const ex_task *task, ex_model **out);
void ex_model_destroy(ex_model *m);
ccrnn_cortex *ex_model_cortex(ex_model *m);
ccrnn_cerebellum *ex_model_cerebellum(ex_model *m);
ccrnn_optimizer *ex_model_optimizer(ex_model *m);
/* Apply the epoch's ablation / lesion switches (called at the start of each epoch). */
int ex_model_begin_epoch(ex_model *m, size_t epoch);
/* One training batch of `count` <= batch samples (layouts as ex_task.fill): forward,
 * windowed backward, one optimizer step.  out may be NULL.  Data-parallel
 * (cfg->parallel): every process passes the whole batch and trains on its shard;
 * out holds the whole batch's metrics. */
int ex_model_train_batch(ex_model *m, const float *x, const float *y, const int32_t *labels,
                         size_t count, ex_metrics *out);
/* Inference from the zero state over whole sequences: y[count][L][n_out]. */
int ex_model_predict(ex_model *m, const float *x, size_t count, float *y);
/* Metrics of a whole split (validation or test; every step scored for MSE). */
int ex_model_evaluate(ex_model *m, int split, ex_metrics *out);

/* ---- gradient recording (docs/results/analyses.md) ------------------------------- */

/* What the driver saw at the start of window k of a training batch, handed to a
 * recorder after the window's backward pass.  Buffers are the driver's, valid during
 * the call; rows are samples (B rows of Z, or of cb_width). */
typedef struct ex_window_record {
    size_t window, start;       /* k and its first global step */
    size_t batch, state_size;   /* B, Z */
    size_t cb_width;            /* units of the cerebellum's first hidden layer (0: none) */
    const float *z;             /* z_k */
    const float *prediction;    /* C(z_k), the cerebellum's prediction (NULL: cRNN, ablated) */
    const float *target;        /* delta_k, the bootstrapped target it learns (NULL: idem) */
    const float *hidden;        /* the cerebellum's first hidden layer at z_k (NULL: idem) */
    const float *true_grad;     /* d(task loss of windows k..K-1)/dz_k by full BPTT */
} ex_window_record;

/* Return 0 to go on; nonzero stops training with CCRNN_ERR_IO. */
typedef int (*ex_record_fn)(void *ctx, const ex_window_record *r);

/* Record every window of the training batches that follow (fn NULL: stop).  The true
 * gradient comes from a probe: a second cortex that takes the batch's weights and z_k
 * and runs the rest of the sequence with no truncation, so the trained cortex, its
 * gradients and the optimizer are untouched and training stays bit-identical.  Off
 * (the default), recording costs one test per window. */
int ex_model_set_recorder(ex_model *m, ex_record_fn fn, void *ctx);

/* ---- a whole run: epochs of training with validation, then the test -------------- */

typedef struct ex_history {
    size_t epochs;
    double *train, *valid;          /* per epoch (loss as ex_metrics) */
    double *train_acc, *valid_acc;  /* per epoch (XENT tasks; NaN otherwise) */
    double *cb_loss;                /* per epoch: mean cerebellar loss per batch */
    /* per epoch, means over the batches of: the cortex's clip factor, the cortex's and
     * the cerebellum's gradient norms before clipping, and the cortex's share of the
     * squared gradient norm (|g_cx|^2 / (|g_cx|^2 + |g_cb|^2)) */
    double *clip_factor, *grad_cortex, *grad_cb, *cortex_share;
    ex_metrics test;
    double seconds;                 /* wall time of training and evaluation */
} ex_history;

/* Train a fresh model for cfg->epochs epochs, validating after each, then test.
 * On success *model_out (if not NULL) receives the trained model (caller destroys)
 * and hist holds the curves (free with ex_history_free).  progress may be NULL. */
int ex_train(const ex_config *cfg, const ex_task *task, ex_progress *progress,
             ex_history *hist, ex_model **model_out);
void ex_history_free(ex_history *hist);

#endif
