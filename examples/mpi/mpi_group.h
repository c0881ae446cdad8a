/* The MPI side of the examples' data parallelism and sweeps, kept out of the library
 * and out of examples/common (which build without MPI). */
#ifndef EX_MPI_GROUP_H
#define EX_MPI_GROUP_H

#include <stddef.h>

#include <mpi.h>

#include "driver.h"

/* ex_reduce_fn for cfg->parallel: sum buf over the communicator *(MPI_Comm *)ctx in
 * place with one MPI_Allreduce.  Returns 0, or -1 (message on stderr). */
int ex_mpi_sum(float *buf, size_t n, void *ctx);

/* Make cfg data-parallel over *comm (which must outlive the model): this process's
 * rank and the group size, and ex_mpi_sum as the reduce.  A group of one is left
 * single-process. */
void ex_mpi_data_parallel(ex_config *cfg, MPI_Comm *comm);

/* CPU seconds this process has used (all its threads).  On a shared machine the wall
 * time of a step includes the time other programs held the core; the CPU time is what
 * the step would take on a core of its own. */
double ex_cpu_seconds(void);

/* Rank 0 of comm receives the largest value over the ranks (others get 0). */
double ex_mpi_max(double x, MPI_Comm comm);

/* Between these two calls, ranks other than 0 of MPI_COMM_WORLD write nothing to
 * stdout and stderr: for option parsing that every rank does and rank 0 reports. */
void ex_mpi_quiet_begin(void);
void ex_mpi_quiet_end(void);

#endif
