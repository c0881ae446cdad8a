/* Results of a seqMNIST sweep (truncations x models x seeds) and what is written from
 * them: CSV tables, a Markdown summary with mean +- SEM, and SVG figures. */
#ifndef SEQMNIST_REPORT_H
#define SEQMNIST_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include "task.h"

#define SEQMNIST_MAX_LIST 16

/* Metrics of a split: MSE tasks fill loss (mean over sample and step of ||y - y*||^2)
 * and end_err (mean distance of the last point to its target); the class task fills
 * loss (cross-entropy), acc and cert (mean max-softmax). */
typedef struct seqmnist_eval {
    double loss, acc, cert, end_err;
} seqmnist_eval;

typedef struct seqmnist_run {
    int done;
    double *train_loss, *train_acc, *cb_loss, *seconds; /* per epoch (training only) */
    seqmnist_eval *valid;                               /* per epoch */
    seqmnist_eval test;                                 /* after the last epoch */
} seqmnist_run;

enum seqmnist_model { SEQMNIST_CRNN = 0, SEQMNIST_CCRNN = 1 };

typedef struct seqmnist_sweep {
    int kind;            /* enum seqmnist_kind */
    size_t epochs;
    size_t n_tau, n_model, n_seed;
    size_t taus[SEQMNIST_MAX_LIST];
    int models[2];       /* enum seqmnist_model */
    unsigned long long seeds[SEQMNIST_MAX_LIST];
    seqmnist_run *runs;  /* [tau][model][seed] */
    size_t n_draw;       /* test images drawn by the first seed's networks */
    float *drawings;     /* [tau][model][n_draw][28][2] */
    const char *command; /* the command line, for the summary */
    int report_only;     /* the summary was rewritten from CSVs by `command` */
    const char *data_dir;
    size_t n_train, n_valid, n_test;
    char settings[320];  /* the model's settings and reference quirks, for the summary */
} seqmnist_sweep;

int seqmnist_sweep_alloc(seqmnist_sweep *s);
void seqmnist_sweep_free(seqmnist_sweep *s);
seqmnist_run *seqmnist_sweep_run(seqmnist_sweep *s, size_t tau, size_t model, size_t seed);
float *seqmnist_sweep_drawing(seqmnist_sweep *s, size_t tau, size_t model);
const char *seqmnist_model_name(int model);

/* curves.csv: one row per run and epoch (opened once, rows appended as runs end). */
FILE *seqmnist_curves_open(const char *dir);
void seqmnist_curves_append(FILE *f, const seqmnist_sweep *s, size_t tau, size_t model,
                            size_t seed);

/* Fill a planned sweep (taus, models, seeds, epochs set; storage allocated) from the
 * curves.csv and runs.csv a run wrote into dir.  Drawings are not stored there, so
 * set n_draw = 0 before reporting.  Returns 0 or -1 (message on stderr). */
int seqmnist_read_results(seqmnist_sweep *s, const char *dir);

/* runs.csv, summary.csv, summary.md and every figure.  Returns 0 or -1. */
int seqmnist_report(const seqmnist_sweep *s, const seqmnist_task *task, const char *dir);

#endif
