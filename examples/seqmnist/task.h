/* The three seqMNIST tasks (docs/model.md §seqMNIST) as ex_task objects for the shared driver:
 * input at step t is image row t (28 pixels / 255), L = 28; the label selects a line
 * (line), a digit template (digit) or is itself the target (class). */
#ifndef SEQMNIST_TASK_H
#define SEQMNIST_TASK_H

#include <stddef.h>
#include <stdint.h>

#include "driver.h"
#include "idx.h"

#define SEQMNIST_STEPS 28
#define SEQMNIST_INPUTS 28

enum seqmnist_kind { SEQMNIST_LINE = 0, SEQMNIST_DIGIT = 1, SEQMNIST_CLASS = 2 };

typedef struct seqmnist_task_options {
    int kind;               /* enum seqmnist_kind */
    const char *data_dir;   /* train-* and t10k-* IDX files */
    double val_frac;        /* held out of the training file for validation (0.2) */
    size_t max_train, max_valid, max_test; /* caps on each split (0 = all) */
    size_t sparse;          /* drawing tasks: supervise steps t with t mod sparse == 0 */
    int grid_endpoints;     /* line: the reference's random 4x4 grid endpoints */
    uint64_t split_seed;    /* the fixed train/validation split */
} seqmnist_task_options;

typedef struct seqmnist_task {
    ex_task task;            /* handed to the driver; task.ctx points back here */
    int kind;
    seqmnist_set train_file, test_file;
    size_t *train_idx, *valid_idx; /* indices into train_file */
    size_t n_train, n_valid, n_test;
    size_t *order;           /* this epoch's shuffled training order */
    size_t order_epoch;
    uint64_t shuffle_seed;
    double targets[10][SEQMNIST_STEPS * 2]; /* drawing tasks: path per label */
} seqmnist_task;

/* Load the data and build the task.  Returns 0, or -1 with a message in err. */
int seqmnist_task_init(seqmnist_task *t, const seqmnist_task_options *o, char *err,
                       size_t err_cap);
void seqmnist_task_free(seqmnist_task *t);

/* Seed of the per-epoch training shuffle (set once per run). */
void seqmnist_task_set_seed(seqmnist_task *t, uint64_t seed);

/* The image and label of sample i of a split (enum ex_split; training samples in
 * file-split order, not the epoch's shuffled order). */
const unsigned char *seqmnist_task_image(const seqmnist_task *t, int split, size_t i,
                                         int *label);

/* ex_task.fill: x[count][28][28] pixels / 255, y[count][28][2] targets, labels[count]. */
int seqmnist_task_fill(void *ctx, int split, size_t epoch, size_t first, size_t count,
                       float *x, float *y, int32_t *labels);

const char *seqmnist_kind_name(int kind);

#endif
