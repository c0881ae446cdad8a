/* What a line-draw invocation ran and found, and how it is written out: CSV tables,
 * the summary (mean +- SEM over seeds per model) and the SVG figures. */
#ifndef LINEDRAW_REPORT_H
#define LINEDRAW_REPORT_H

#include <stddef.h>

#include "driver.h"
#include "linedraw.h"

#define MAX_VARIANTS 8
#define MAX_SEEDS 64

typedef struct variant {
    const char *name;     /* crnn, ccrnn, ccrnn-ablated, ccrnn-lesioned, ccrnn-mean, ... (CSV) */
    char label[80];       /* for people: figures and the summary */
    const char *color;    /* ex_model_color() key */
    int cerebellum;
    size_t ablate_at, io_lesion_at;
    int cb_loss_mean, separate_clip, end_synthetic; /* the reference quirks (driver.h) */
} variant;

typedef struct plan {
    variant variants[MAX_VARIANTS];
    size_t n_variants;
    unsigned long long seeds[MAX_SEEDS];
    size_t n_seeds;
    size_t epochs;
    const char *out;
    char settings[256];   /* the ccRNN's quirk settings, for the summary */
} plan;

typedef struct run_result {
    int done;
    ex_history hist;
    ld_measures measures;                 /* on the test set */
    float paths[LD_CUES][LD_STEPS * 2];   /* drawn path per cue, noise-free input */
} run_result;

/* res[v * n_seeds + s].  Writes every file into p->out and prints the summary and the
 * file names to stdout.  Returns 0 or -1. */
int write_report(const plan *p, const run_result *res);

/* The reverse, for --report-only: fill res (histories allocated here, free with
 * ex_history_free) from the curves.csv, runs.csv and trajectories.csv in p->out, which
 * may hold the rows of several runs concatenated.  Every (model, seed) of the plan must
 * be present.  Returns 0 or -1 (message on stderr). */
int read_results(const plan *p, run_result *res);

#endif
