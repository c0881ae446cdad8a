/* ccrnn-sweep: the sweeps of the task programs spread over MPI ranks.
 *
 * Each task's part (sweep_line_draw.c, sweep_seqmnist.c) compiles that program's own
 * source with its main renamed, so a run here is the very code of the single-machine
 * program: same options, same plan, same run function, same report.  Only the loop
 * over runs changes: rank r trains the runs sweep_owner() gives it, packs each run's
 * results into a row of doubles, and rank 0 gathers the rows and writes the results
 * folder as the program would. */
#ifndef CCRNN_SWEEP_H
#define CCRNN_SWEEP_H

#include <stddef.h>

#include <mpi.h>

#include "mpi_group.h"

/* The rank that trains run j (0-based, in the program's own loop order) of a sweep over
 * `size` ranks: round robin, reversed on every other round ("snake"), so runs of
 * alternating cost (cRNN, ccRNN, cRNN, ...) spread evenly. */
int sweep_owner(size_t j, int size);

/* Rows of `width` doubles, one per run, packed and unpacked in order. */
typedef struct sweep_row {
    double *v;
    size_t n, width;
} sweep_row;

void sweep_put(sweep_row *r, double x);
void sweep_put_n(sweep_row *r, const double *x, size_t n);
void sweep_put_f(sweep_row *r, const float *x, size_t n);
double sweep_get(sweep_row *r);
void sweep_get_n(sweep_row *r, double *x, size_t n);
void sweep_get_f(sweep_row *r, float *x, size_t n);

/* Every rank passes the rows of its own runs (in increasing j, as packed); rank 0
 * receives all n_runs rows into all[n_runs * width] in run order (others: all may be
 * NULL).  Returns 0 or -1. */
int sweep_gather(const double *mine, size_t n_runs, size_t width, double *all, MPI_Comm comm);

/* 1 when any rank passes a nonzero status, on every rank. */
int sweep_any_failed(int status, MPI_Comm comm);

/* The task programs' parts: argv[0] is the task's name, the rest its options. */
int sweep_line_draw(int argc, char **argv, MPI_Comm comm);
int sweep_seqmnist(int argc, char **argv, MPI_Comm comm);

#endif
