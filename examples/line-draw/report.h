/* What a line-draw invocation ran and found, and how it is written out: CSV tables,
 * the summary (mean +- SEM over seeds per model) and the SVG figures. */
#ifndef LINEDRAW_REPORT_H
#define LINEDRAW_REPORT_H

#include <stddef.h>

#include "driver.h"
#include "linedraw.h"

#define MAX_VARIANTS 4
#define MAX_SEEDS 64

typedef struct variant {
    const char *name;     /* crnn, ccrnn, ccrnn-ablated, ccrnn-lesioned (CSV) */
    char label[64];       /* for people: figures and the summary */
    int cerebellum;
    size_t ablate_at, io_lesion_at;
} variant;

typedef struct plan {
    variant variants[MAX_VARIANTS];
    size_t n_variants;
    unsigned long long seeds[MAX_SEEDS];
    size_t n_seeds;
    size_t epochs;
    const char *out;
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

#endif
