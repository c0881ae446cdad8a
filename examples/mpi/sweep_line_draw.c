/* ccrnn-sweep line-draw: the line-drawing program's runs spread over the ranks.
 * The program's own source is compiled here with its main renamed (see sweep.h). */
#define main line_draw_main
#include "../line-draw/line_draw.c"
#undef main

#include "sweep.h"

/* One run's results as a row of doubles: the curves, the test metrics, the time, the
 * ataxia measures and the drawn path of every cue. */
static size_t row_width(const plan *p)
{
    return 9 * p->epochs + 4 + 3 + LD_CUES * LD_STEPS * 2 + 1;
}

static void pack(const plan *p, const run_result *r, sweep_row *row)
{
    const ex_history *h = &r->hist;
    size_t E = p->epochs;
    sweep_put_n(row, h->train, E), sweep_put_n(row, h->valid, E);
    sweep_put_n(row, h->train_acc, E), sweep_put_n(row, h->valid_acc, E);
    sweep_put_n(row, h->cb_loss, E);
    sweep_put_n(row, h->clip_factor, E), sweep_put_n(row, h->grad_cortex, E);
    sweep_put_n(row, h->grad_cb, E), sweep_put_n(row, h->cortex_share, E);
    sweep_put(row, h->test.loss), sweep_put(row, h->test.accuracy);
    sweep_put(row, h->test.cb_loss), sweep_put(row, h->seconds);
    sweep_put(row, r->measures.endpoint_error), sweep_put(row, r->measures.jerk);
    sweep_put(row, r->measures.deviation);
    sweep_put_f(row, &r->paths[0][0], LD_CUES * LD_STEPS * 2);
    sweep_put(row, r->done);
}

static int unpack(const plan *p, sweep_row *row, run_result *r)
{
    ex_history *h = &r->hist;
    size_t E = p->epochs;
    h->epochs = E;
    h->train = malloc(E * sizeof(double)), h->valid = malloc(E * sizeof(double));
    h->train_acc = malloc(E * sizeof(double)), h->valid_acc = malloc(E * sizeof(double));
    h->cb_loss = malloc(E * sizeof(double));
    h->clip_factor = malloc(E * sizeof(double)), h->grad_cortex = malloc(E * sizeof(double));
    h->grad_cb = malloc(E * sizeof(double)), h->cortex_share = malloc(E * sizeof(double));
    if (!h->train || !h->valid || !h->train_acc || !h->valid_acc || !h->cb_loss ||
        !h->clip_factor || !h->grad_cortex || !h->grad_cb || !h->cortex_share)
        return -1;
    sweep_get_n(row, h->train, E), sweep_get_n(row, h->valid, E);
    sweep_get_n(row, h->train_acc, E), sweep_get_n(row, h->valid_acc, E);
    sweep_get_n(row, h->cb_loss, E);
    sweep_get_n(row, h->clip_factor, E), sweep_get_n(row, h->grad_cortex, E);
    sweep_get_n(row, h->grad_cb, E), sweep_get_n(row, h->cortex_share, E);
    h->test.loss = sweep_get(row), h->test.accuracy = sweep_get(row);
    h->test.cb_loss = sweep_get(row), h->seconds = sweep_get(row);
    r->measures.endpoint_error = sweep_get(row), r->measures.jerk = sweep_get(row);
    r->measures.deviation = sweep_get(row);
    sweep_get_f(row, &r->paths[0][0], LD_CUES * LD_STEPS * 2);
    r->done = (int)sweep_get(row);
    return 0;
}

int sweep_line_draw(int argc, char **argv, MPI_Comm comm)
{
    int rank, size;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    options o;
    plan p;
    default_options(&o);
    ex_mpi_quiet_begin();
    int rc = parse_options(argc, argv, &o);
    if (rc == EX_ARGS_OK) rc = make_plan(&o, &p) ? EX_ARGS_ERROR : EX_ARGS_OK;
    ex_mpi_quiet_end();
    if (rc != EX_ARGS_OK) return rc == EX_ARGS_HELP ? 0 : 2;
    if (sweep_any_failed(rank == 0 && ex_mkdirs(p.out), comm)) return 1;

    /* Runs in the program's order: seeds outer, models inner. */
    size_t nv = p.n_variants, ns = p.n_seeds, n_runs = nv * ns, width = row_width(&p), mine = 0;
    run_result *res = calloc(n_runs, sizeof *res);
    double *rows = calloc(n_runs * width, sizeof(double));
    double *all = rank == 0 ? calloc(n_runs * width, sizeof(double)) : NULL;
    int st = !res || !rows || (rank == 0 && !all) ? -1 : CCRNN_OK;
    for (size_t j = 0; j < n_runs; j++) mine += sweep_owner(j, size) == rank;
    size_t batches = ((size_t)o.train_size + 49) / 50, units[MAX_VARIANTS];
    for (size_t v = 0; v < nv; v++) units[v] = (mine + nv - 1) / nv * p.epochs * batches;
    ex_progress pg;
    ex_progress_init_kinds(&pg, nv, units);
    if (rank == 0)
        printf("line-draw over %d ranks: %zu model(s) x %zu seed(s) x %zu epochs (tau %ld, "
               "feedback every %ld steps)\n", size, nv, ns, p.epochs, o.bptt, o.sparse);
    fflush(stdout);
    size_t k = 0;
    for (size_t j = 0; j < n_runs && st == CCRNN_OK; j++) {
        if (sweep_owner(j, size) != rank) continue;
        size_t s = j / nv, v = j % nv;
        run_result *r = &res[v * ns + s];
        st = run_one(&o, &p, v, s, &pg, r);
        sweep_row row = {rows + k++ * width, 0, width};
        if (st == CCRNN_OK) pack(&p, r, &row);
    }
    ex_progress_finish(&pg);
    if (sweep_any_failed(st, comm)) st = -1;
    if (!st) st = sweep_gather(rows, n_runs, width, all, comm);
    if (!st && rank == 0) {
        for (size_t j = 0; j < n_runs && !st; j++) {
            size_t s = j / nv, v = j % nv;
            sweep_row row = {all + j * width, 0, width};
            ex_history_free(&res[v * ns + s].hist);
            st = unpack(&p, &row, &res[v * ns + s]);
        }
        if (!st) st = write_report(&p, res) ? -1 : 0;
    }
    for (size_t i = 0; res && i < n_runs; i++) ex_history_free(&res[i].hist);
    free(res), free(rows), free(all);
    return st ? 1 : 0;
}
