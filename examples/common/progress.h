/* A one-line progress bar on stderr (model, seed, epoch, loss, time left).  It draws
 * only when stderr is a terminal, so logs and pipes stay clean.
 *
 * Work is counted in units (e.g. training batches) of up to EX_PROGRESS_KINDS kinds
 * (e.g. one per model), because a ccRNN batch costs several cRNN batches: the time
 * left sums each kind's remaining units times that kind's measured time per unit. */
#ifndef EX_PROGRESS_H
#define EX_PROGRESS_H

#include <stddef.h>

#define EX_PROGRESS_KINDS 8

typedef struct ex_progress {
    int active;                          /* stderr is a terminal */
    size_t kinds, kind;                  /* number of kinds; the current one */
    size_t total[EX_PROGRESS_KINDS], done[EX_PROGRESS_KINDS];
    double spent[EX_PROGRESS_KINDS];     /* seconds spent on each kind */
    double start, last_tick, last_draw;
    char label[96];                      /* e.g. "ccRNN seed 1243" */
} ex_progress;

/* One kind of work: `total` units in the whole program. */
void ex_progress_init(ex_progress *p, size_t total);
/* units[k]: work units of kind k in the whole program (kinds <= EX_PROGRESS_KINDS). */
void ex_progress_init_kinds(ex_progress *p, size_t kinds, const size_t *units);
/* The work that follows is of `kind` and shown as `label`. */
void ex_progress_begin(ex_progress *p, size_t kind, const char *label);
/* Same as ex_progress_begin(p, 0, label). */
void ex_progress_label(ex_progress *p, const char *label);
/* Count `units` more done; redraws at most ten times a second. */
void ex_progress_advance(ex_progress *p, size_t units, size_t epoch, size_t epochs, double loss);
/* Erase the bar so that following output starts on a clean line. */
void ex_progress_finish(ex_progress *p);

#endif
