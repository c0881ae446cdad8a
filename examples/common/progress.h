/* A one-line progress bar on stderr (model, seed, epoch, loss, time left).  It draws
 * only when stderr is a terminal, so logs and pipes stay clean. */
#ifndef EX_PROGRESS_H
#define EX_PROGRESS_H

#include <stddef.h>

typedef struct ex_progress {
    int active;         /* stderr is a terminal */
    size_t total, done; /* work units (training batches) */
    double start, last_draw;
    char label[96];     /* e.g. "ccRNN seed 1243" */
} ex_progress;

/* total: work units of the whole program (e.g. runs x epochs x batches). */
void ex_progress_init(ex_progress *p, size_t total);
void ex_progress_label(ex_progress *p, const char *label);
/* Count `units` more done; redraws at most ten times a second. */
void ex_progress_advance(ex_progress *p, size_t units, size_t epoch, size_t epochs, double loss);
/* Erase the bar so that following output starts on a clean line. */
void ex_progress_finish(ex_progress *p);

#endif
