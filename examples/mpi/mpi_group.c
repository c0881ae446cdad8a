#include "mpi_group.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>

int ex_mpi_sum(float *buf, size_t n, void *ctx)
{
    MPI_Comm comm = *(MPI_Comm *)ctx;
    if (n > INT_MAX) {
        fprintf(stderr, "ex_mpi_sum: %zu values do not fit one MPI count\n", n);
        return -1;
    }
    int rc = MPI_Allreduce(MPI_IN_PLACE, buf, (int)n, MPI_FLOAT, MPI_SUM, comm);
    if (rc != MPI_SUCCESS) {
        char msg[MPI_MAX_ERROR_STRING];
        int len = 0;
        MPI_Error_string(rc, msg, &len);
        fprintf(stderr, "MPI_Allreduce failed: %s\n", msg);
        return -1;
    }
    return 0;
}

void ex_mpi_data_parallel(ex_config *cfg, MPI_Comm *comm)
{
    int rank = 0, size = 1;
    MPI_Comm_rank(*comm, &rank);
    MPI_Comm_size(*comm, &size);
    if (size <= 1) return;
    cfg->parallel.rank = (size_t)rank;
    cfg->parallel.ranks = (size_t)size;
    cfg->parallel.reduce = ex_mpi_sum;
    cfg->parallel.ctx = comm;
}

void ex_mpi_say(const char *fmt, ...)
{
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    if (rank != 0) return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
}
