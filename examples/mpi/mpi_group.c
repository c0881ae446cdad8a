#include "mpi_group.h"

#include <limits.h>
#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

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

double ex_cpu_seconds(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0) return 0.0;
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

double ex_mpi_max(double x, MPI_Comm comm)
{
    double y = 0.0;
    MPI_Reduce(&x, &y, 1, MPI_DOUBLE, MPI_MAX, 0, comm);
    return y;
}

static int saved_out = -1, saved_err = -1;

static int world_rank(void)
{
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    return rank;
}

void ex_mpi_quiet_begin(void)
{
    if (world_rank() == 0) return;
    int null = open("/dev/null", O_WRONLY);
    fflush(stdout), fflush(stderr);
    saved_out = dup(1), saved_err = dup(2);
    if (null >= 0) dup2(null, 1), dup2(null, 2), close(null);
}

void ex_mpi_quiet_end(void)
{
    if (saved_out < 0) return;
    fflush(stdout), fflush(stderr);
    dup2(saved_out, 1), dup2(saved_err, 2);
    close(saved_out), close(saved_err);
    saved_out = saved_err = -1;
}
