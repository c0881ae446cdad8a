/* ccrnn-sweep: run a task program's sweep over MPI ranks (docs/scale-out.md).
 *
 *   mpirun -np 4 ccrnn-sweep line-draw --paper --model all --out results/line-draw
 *   mpirun -np 8 ccrnn-sweep seqmnist --task class --bptt 1,2,4,7,28 --seeds 5
 *
 * The options after the task's name are the program's own (line-draw, seqmnist), and
 * the results folder is the one it writes, with the same numbers for the same seeds. */
#include "sweep.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sweep_owner(size_t j, int size)
{
    size_t n = (size_t)size, round = j / n, pos = j % n;
    return (int)(round % 2 == 0 ? pos : n - 1 - pos);
}

void sweep_put(sweep_row *r, double x)
{
    if (r->n < r->width) r->v[r->n] = x;
    r->n++;
}

void sweep_put_n(sweep_row *r, const double *x, size_t n)
{
    for (size_t i = 0; i < n; i++) sweep_put(r, x[i]);
}

void sweep_put_f(sweep_row *r, const float *x, size_t n)
{
    for (size_t i = 0; i < n; i++) sweep_put(r, (double)x[i]);
}

double sweep_get(sweep_row *r) { return r->n < r->width ? r->v[r->n++] : 0.0; }

void sweep_get_n(sweep_row *r, double *x, size_t n)
{
    for (size_t i = 0; i < n; i++) x[i] = sweep_get(r);
}

void sweep_get_f(sweep_row *r, float *x, size_t n)
{
    for (size_t i = 0; i < n; i++) x[i] = (float)sweep_get(r); /* exact: packed from float */
}

int sweep_gather(const double *mine, size_t n_runs, size_t width, double *all, MPI_Comm comm)
{
    int rank, size, rc = MPI_SUCCESS;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    size_t n_mine = 0;
    for (size_t j = 0; j < n_runs; j++) n_mine += sweep_owner(j, size) == rank;
    int *counts = calloc((size_t)size, sizeof(int)), *displs = calloc((size_t)size, sizeof(int));
    double *packed = rank == 0 ? malloc((n_runs * width + 1) * sizeof(double)) : NULL;
    int ok = counts && displs && (rank != 0 || packed) && n_runs * width <= 0x7fffffff;
    if (ok && rank == 0) {
        for (size_t j = 0; j < n_runs; j++) counts[sweep_owner(j, size)] += (int)width;
        for (int r = 1; r < size; r++) displs[r] = displs[r - 1] + counts[r - 1];
    }
    if (ok) rc = MPI_Gatherv(mine, (int)(n_mine * width), MPI_DOUBLE, packed, counts, displs,
                             MPI_DOUBLE, 0, comm);
    if (ok && rc == MPI_SUCCESS && rank == 0) {
        /* Each rank's rows arrive in its own run order: deal them back out by owner. */
        for (size_t j = 0; j < n_runs; j++) {
            int r = sweep_owner(j, size);
            memcpy(all + j * width, packed + displs[r], width * sizeof(double));
            displs[r] += (int)width;
        }
    }
    free(counts), free(displs), free(packed);
    if (!ok || rc != MPI_SUCCESS) fprintf(stderr, "ccrnn-sweep: gathering the results failed\n");
    return ok && rc == MPI_SUCCESS ? 0 : -1;
}

int sweep_any_failed(int status, MPI_Comm comm)
{
    int mine = status != 0, any = 0;
    MPI_Allreduce(&mine, &any, 1, MPI_INT, MPI_MAX, comm);
    return any;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: mpirun -np N ccrnn-sweep TASK [the task program's options]\n"
               "  TASK: line-draw or seqmnist; `ccrnn-sweep TASK --help` lists its options.\n"
               "Spreads the program's independent runs (model x truncation x seed) over the\n"
               "ranks and writes the same results folder as the program, on rank 0.\n");
}

/* How the work was spread: each rank's CPU seconds (its runs) against the wall time. */
static void report_balance(double wall, MPI_Comm comm)
{
    int rank, size;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    double cpu = ex_cpu_seconds(), *all = rank == 0 ? malloc((size_t)size * sizeof(double)) : NULL;
    MPI_Gather(&cpu, 1, MPI_DOUBLE, all, 1, MPI_DOUBLE, 0, comm);
    if (rank != 0 || !all) return;
    double sum = 0.0, max = 0.0;
    for (int r = 0; r < size; r++) sum += all[r], max = all[r] > max ? all[r] : max;
    printf("\nccrnn-sweep: %d rank(s), %.1f s wall; CPU seconds per rank:", size, wall);
    for (int r = 0; r < size; r++) printf(" %.1f", all[r]);
    printf(" (total %.1f, busiest %.1f)\n", sum, max);
    free(all);
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    int rank, rc;
    double t0 = MPI_Wtime();
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    if (argc >= 2 && strcmp(argv[1], "line-draw") == 0) {
        rc = sweep_line_draw(argc - 1, argv + 1, MPI_COMM_WORLD);
    } else if (argc >= 2 && strcmp(argv[1], "seqmnist") == 0) {
        rc = sweep_seqmnist(argc - 1, argv + 1, MPI_COMM_WORLD);
    } else if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        if (rank == 0) usage(stdout);
        rc = 0;
    } else {
        if (rank == 0) usage(stderr);
        rc = 2;
    }
    if (argc >= 2 && argv[1][0] != '-') report_balance(MPI_Wtime() - t0, MPI_COMM_WORLD);
    MPI_Finalize();
    return rc;
}
