/* ccrnn-sweep seqmnist: the seqMNIST program's runs spread over the ranks.
 * The program's own source is compiled here with its main renamed (see sweep.h). */
#define main seqmnist_main
#include "../seqmnist/seqmnist.c"
#undef main

#include "sweep.h"

/* One run's results as a row of doubles: the per-epoch curves, the test metrics, and
 * for the first seed the drawings of the test images. */
static size_t row_width(const seqmnist_sweep *s)
{
    return 8 * s->epochs + 4 + 1 + s->n_draw * SEQMNIST_STEPS * 2;
}

static void put_eval(sweep_row *row, const seqmnist_eval *e)
{
    sweep_put(row, e->loss), sweep_put(row, e->acc), sweep_put(row, e->cert);
    sweep_put(row, e->end_err);
}

static void get_eval(sweep_row *row, seqmnist_eval *e)
{
    e->loss = sweep_get(row), e->acc = sweep_get(row), e->cert = sweep_get(row);
    e->end_err = sweep_get(row);
}

static void pack(seqmnist_sweep *s, size_t ti, size_t mi, size_t si, sweep_row *row)
{
    const seqmnist_run *r = seqmnist_sweep_run(s, ti, mi, si);
    size_t E = s->epochs;
    sweep_put_n(row, r->train_loss, E), sweep_put_n(row, r->train_acc, E);
    sweep_put_n(row, r->cb_loss, E), sweep_put_n(row, r->seconds, E);
    for (size_t e = 0; e < E; e++) put_eval(row, &r->valid[e]);
    put_eval(row, &r->test);
    sweep_put(row, r->done);
    if (si == 0)
        sweep_put_f(row, seqmnist_sweep_drawing(s, ti, mi), s->n_draw * SEQMNIST_STEPS * 2);
}

static void unpack(seqmnist_sweep *s, size_t ti, size_t mi, size_t si, sweep_row *row)
{
    seqmnist_run *r = seqmnist_sweep_run(s, ti, mi, si);
    size_t E = s->epochs;
    sweep_get_n(row, r->train_loss, E), sweep_get_n(row, r->train_acc, E);
    sweep_get_n(row, r->cb_loss, E), sweep_get_n(row, r->seconds, E);
    for (size_t e = 0; e < E; e++) get_eval(row, &r->valid[e]);
    get_eval(row, &r->test);
    r->done = (int)sweep_get(row);
    if (si == 0)
        sweep_get_f(row, seqmnist_sweep_drawing(s, ti, mi), s->n_draw * SEQMNIST_STEPS * 2);
}

/* Run j in the program's order: truncations outer, then models, then seeds. */
static void run_index(const seqmnist_sweep *s, size_t j, size_t *ti, size_t *mi, size_t *si)
{
    *si = j % s->n_seed;
    *mi = j / s->n_seed % s->n_model;
    *ti = j / (s->n_seed * s->n_model);
}

/* Train this rank's runs, gather every run on rank 0 and write curves.csv there. */
static int run_spread(const options *o, seqmnist_task *t, seqmnist_sweep *s, const char *out,
                      MPI_Comm comm)
{
    int rank, size;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    size_t n_runs = s->n_tau * s->n_model * s->n_seed, width = row_width(s), mine = 0, k = 0;
    for (size_t j = 0; j < n_runs; j++) mine += sweep_owner(j, size) == rank;
    double *rows = calloc(n_runs * width, sizeof(double));
    double *all = rank == 0 ? calloc(n_runs * width, sizeof(double)) : NULL;
    int st = !rows || (rank == 0 && !all) ? -1 : 0;
    ex_progress pg;
    size_t batches = (t->n_train + (size_t)o->batch - 1) / (size_t)o->batch;
    ex_progress_init(&pg, mine * s->epochs * batches);
    for (size_t j = 0; j < n_runs && !st; j++) {
        size_t ti, mi, si;
        if (sweep_owner(j, size) != rank) continue;
        run_index(s, j, &ti, &mi, &si);
        char label[96];
        snprintf(label, sizeof label, "%s tau %zu seed %llu", seqmnist_model_name(s->models[mi]),
                 s->taus[ti], s->seeds[si]);
        ex_progress_label(&pg, label);
        st = train_run(o, t, s, ti, mi, si, &pg);
        ex_progress_finish(&pg);
        if (st) break;
        print_run(s, ti, mi, si);
        sweep_row row = {rows + k++ * width, 0, width};
        pack(s, ti, mi, si, &row);
    }
    if (sweep_any_failed(st, comm)) st = -1;
    if (!st) st = sweep_gather(rows, n_runs, width, all, comm);
    if (!st && rank == 0) {
        FILE *curves = seqmnist_curves_open(out);
        if (!curves) st = -1;
        for (size_t j = 0; j < n_runs && !st; j++) {
            size_t ti, mi, si;
            run_index(s, j, &ti, &mi, &si);
            sweep_row row = {all + j * width, 0, width};
            unpack(s, ti, mi, si, &row);
            seqmnist_curves_append(curves, s, ti, mi, si);
        }
        char path[4096];
        if (curves && ex_csv_close(curves, ex_path_join(path, sizeof path, out, "curves.csv")))
            st = -1;
    }
    free(rows), free(all);
    return st;
}

int sweep_seqmnist(int argc, char **argv, MPI_Comm comm)
{
    int rank, size;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    options o;
    default_options(&o);
    seqmnist_sweep s;
    memset(&s, 0, sizeof s);
    ex_mpi_quiet_begin();
    int pr = parse_options(argc, argv, &o), kind = -1;
    if (pr == EX_ARGS_OK && (kind = parse_kind(o.task)) < 0) {
        fprintf(stderr, "seqmnist: --task must be line, digit or class\n");
        pr = EX_ARGS_ERROR;
    }
    if (pr == EX_ARGS_OK && strcmp(o.endpoints, "circle") != 0 &&
        strcmp(o.endpoints, "grid") != 0) {
        fprintf(stderr, "seqmnist: --endpoints must be circle or grid\n");
        pr = EX_ARGS_ERROR;
    }
    s.kind = kind;
    if (pr == EX_ARGS_OK && plan_sweep(&o, &s)) pr = EX_ARGS_ERROR;
    ex_mpi_quiet_end();
    if (pr != EX_ARGS_OK) return pr == EX_ARGS_HELP ? 0 : 2;
    char out[4096];
    snprintf(out, sizeof out, "%s", o.out ? o.out : "");
    if (!o.out) snprintf(out, sizeof out, "results/seqmnist-%s", o.task);

    /* Every rank loads the data (the task draws each epoch's order from the run seed). */
    seqmnist_task_options to = {kind,
                                o.data,
                                o.val_frac,
                                (size_t)o.max_train,
                                (size_t)o.max_valid,
                                (size_t)o.max_test,
                                (size_t)(o.sparse ? o.sparse : kind == SEQMNIST_LINE ? 4 : 1),
                                strcmp(o.endpoints, "grid") == 0,
                                (uint64_t)o.split_seed};
    seqmnist_task t;
    char err[1024];
    int bad = seqmnist_task_init(&t, &to, err, sizeof err);
    if (bad && rank == 0) fprintf(stderr, "seqmnist: %s\n", err);
    if (sweep_any_failed(bad, comm)) {
        if (!bad) seqmnist_task_free(&t);
        return 1;
    }
    s.n_draw = kind == SEQMNIST_CLASS || o.report_only ? 0 : (size_t)o.draw;
    s.report_only = o.report_only;
    if (s.n_draw > t.n_test) s.n_draw = t.n_test;
    s.data_dir = o.data;
    s.n_train = t.n_train, s.n_valid = t.n_valid, s.n_test = t.n_test;
    describe_settings(&o, kind, to.sparse, &s);
    char *joined = join_argv(argc, argv), command[8192];
    snprintf(command, sizeof command, "mpirun -np %d ccrnn-sweep %s", size, joined ? joined : "");
    s.command = command;
    int st = (rank == 0 && ex_mkdirs(out)) || seqmnist_sweep_alloc(&s) ? -1 : 0;
    if (sweep_any_failed(st, comm)) st = -1;
    if (!st && o.report_only) {
        st = rank == 0 ? seqmnist_read_results(&s, out) : 0; /* nothing to spread */
    } else if (!st) {
        if (rank == 0)
            printf("seqmnist %s over %d ranks: %zu training / %zu validation / %zu test images "
                   "from %s; %zu epochs; results in %s\n",
                   o.task, size, t.n_train, t.n_valid, t.n_test, o.data, s.epochs, out);
        fflush(stdout);
        st = run_spread(&o, &t, &s, out, comm);
    }
    if (!st && rank == 0) st = seqmnist_report(&s, &t, out);
    seqmnist_sweep_free(&s);
    seqmnist_task_free(&t);
    free(joined);
    return st ? 1 : 0;
}
