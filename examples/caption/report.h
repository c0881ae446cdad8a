/* What the caption program records and writes: the plan of runs (truncations, models,
 * seeds), each run's curves and test metrics, and the output files (CSV tables, the
 * summary with paired statistics, learning-curve SVGs and the samples page). */
#ifndef CAP_REPORT_H
#define CAP_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "data.h"
#include "vocab.h"

#define CAP_MAX_TAU 8
#define CAP_MAX_SEEDS 16
#define CAP_SAMPLE_TEXT 160

typedef struct cap_plan {
    size_t tau[CAP_MAX_TAU], n_tau;        /* 0 = full BPTT */
    unsigned models;                       /* bit 0: cRNN, bit 1: ccRNN */
    unsigned long long seeds[CAP_MAX_SEEDS];
    size_t n_seeds, epochs, max_len;
    int full_ccrnn;                        /* also the ccRNN at full BPTT */
    const char *out;
} cap_plan;

typedef struct cap_run {
    size_t tau;
    int ccrnn;
    uint64_t seed;
    double *train, *valid, *valid_bleu, *cb_loss; /* per epoch */
    double test, test_bleu, gen_len, ref_len, seconds;
    char *samples;                         /* n_samples x CAP_SAMPLE_TEXT */
} cap_run;

typedef struct cap_results {
    cap_run *runs;
    size_t n_runs, n_samples, epochs;
} cap_results;

/* One run per (tau, seed, model), models in the order cRNN, ccRNN. */
int cap_results_init(cap_results *r, const cap_plan *p, size_t n_samples);
void cap_results_free(cap_results *r);

/* A run's results to a file and back (for runs trained in child processes); the file
 * is raw host-endian data, read only by the process family that wrote it. */
int cap_run_save(const char *path, const cap_run *r, size_t epochs, size_t n_samples);
int cap_run_load(const char *path, cap_run *r, size_t epochs, size_t n_samples);

/* "full" for 0, else the number (one of four rotating static buffers). */
const char *cap_tau_name(size_t tau);
void cap_print_run(FILE *f, const cap_run *r, size_t epochs);

/* curves.csv, runs.csv, summary.md, curves-*.svg and samples.html in p->out; the
 * summary names the command (argv). */
int cap_write_results(const cap_results *r, const cap_plan *p, const cap_corpus *c,
                      int argc, char **argv);

#endif
