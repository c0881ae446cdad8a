/* analyses: the paper's predictions beyond learning curves (docs/results/analyses.md).
 *
 *   analyses study --task line|class   one set of runs per seed gives three figures:
 *       gradient alignment over training (cosine and correlation of the cerebellum's
 *       prediction and of its bootstrapped target with the true full-BPTT gradient),
 *       cortical and cerebellar activity over learning, and cerebellar ablation and
 *       inferior-olive lesions early, mid and late against the intact ccRNN and cRNN.
 *   analyses sweep --task line|class --fibres LIST --widths LIST   mossy fibres per
 *       cerebellar unit (at the default width) and cerebellar width (all fibres)
 *
 * The loop is visible in train_run: epochs of batches through the shared driver, the
 * driver's recorder switched on for the last batch of every epoch, snapshots of the
 * intact model at the lesion epochs from which the lesioned variants continue. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "args.h"
#include "driver.h"
#include "figures.h"
#include "linedraw.h"
#include "output.h"
#include "rng.h"
#include "stats.h"
#include "svg.h"
#include "task.h"

#define MAX_SEEDS 16
#define MAX_AT 8
#define MAX_VALUES 16
#define MAX_ACT 8
#define N_ALIGN 5 /* cos(pred, true), cos(delta, true), r(pred, true), r(delta, true),
                     cos(pred, delta) */
#define N_MEASURES 4 /* population correlation, pairwise |r|, sparsity, coding space */

static const unsigned long long line_seeds[10] = {1, 2, 1243, 34521, 135235,
                                                  236236, 7, 12, 1115, 987};
static const unsigned long long mnist_seeds[6] = {521, 1243, 34521, 135235, 236236, 54354};

typedef struct options {
    const char *task, *seeds, *out, *data, *at, *fibres, *widths, *lesions;
    long epochs, bptt, test_size, max_train, threads;
} options;

/* ---- the task ----------------------------------------------------------------------- */

typedef struct task_ctx {
    int line; /* 1: line drawing, 0: seqMNIST classification */
    ex_task *task;
    ld_data ld;
    ex_task ld_task;
    seqmnist_task sm;
} task_ctx;

static int task_open(const options *o, task_ctx *t)
{
    memset(t, 0, sizeof *t);
    t->line = strcmp(o->task, "line") == 0;
    if (t->line) {
        ld_task_init(&t->ld_task, &t->ld, 2, 800, 200, (size_t)o->test_size);
        t->task = &t->ld_task;
        return 0;
    }
    if (strcmp(o->task, "class")) {
        fprintf(stderr, "analyses: --task must be line or class\n");
        return -1;
    }
    seqmnist_task_options so = {SEQMNIST_CLASS, o->data, 0.2, (size_t)o->max_train, 0, 0, 1, 0,
                                0};
    char err[512];
    if (seqmnist_task_init(&t->sm, &so, err, sizeof err)) {
        fprintf(stderr, "analyses: %s\n", err);
        return -1;
    }
    t->task = &t->sm.task;
    return 0;
}

static void task_seed(task_ctx *t, uint64_t seed)
{
    if (t->line) t->ld.seed = seed; /* as line-draw: the data follow the run's seed */
    else seqmnist_task_set_seed(&t->sm, ex_hash(seed, 0xDA7Au));
}

/* The paper's settings of each task (docs/model.md): line drawing LSTM 50, cerebellum
 * 2 x 400, lr 1e-3; seqMNIST LSTM 30, one hidden layer of 2H, lr 1e-4. */
static void base_config(const options *o, const task_ctx *t, int cerebellum, uint64_t seed,
                        ex_config *c)
{
    ex_config_defaults(c);
    c->cerebellum = cerebellum;
    c->epochs = (size_t)o->epochs;
    c->bptt = (size_t)o->bptt;
    c->threads = (int)o->threads;
    c->seed = seed;
    if (!t->line) {
        c->hidden = 30;
        c->cb_layers = 1;
        c->cb_width = 60;
        c->lr = 1e-4;
    }
}

/* ---- snapshots: the whole training state between epochs ----------------------------- */

typedef struct snapshot {
    float *cx, *cb;
    void *opt;
    size_t n_opt;
} snapshot;

static size_t tensor_size(size_t rows, size_t cols) { return rows * (cols ? cols : 1); }

/* Copy every tensor of the model into (dir 0) or out of (dir 1) the snapshot. */
static int snapshot_move(ex_model *m, snapshot *s, int restore)
{
    ccrnn_cortex *cx = ex_model_cortex(m);
    ccrnn_cerebellum *cb = ex_model_cerebellum(m);
    size_t count = 0, off = 0, rows, cols, offset;
    const char *name;
    int st = ccrnn_cortex_tensor_count(cx, &count);
    for (size_t i = 0; i < count && !st; i++, off += tensor_size(rows, cols)) {
        st = ccrnn_cortex_tensor_info(cx, i, &name, &rows, &cols, &offset);
        if (st) break;
        if (!restore && !s->cx) return -1;
        st = restore ? ccrnn_cortex_set_tensor(cx, name, s->cx + off, tensor_size(rows, cols))
                     : ccrnn_cortex_get_tensor(cx, name, s->cx + off, tensor_size(rows, cols));
    }
    count = 0, off = 0;
    if (!st) st = ccrnn_cerebellum_tensor_count(cb, &count);
    for (size_t i = 0; i < count && !st; i++, off += tensor_size(rows, cols)) {
        st = ccrnn_cerebellum_tensor_info(cb, i, &name, &rows, &cols, &offset);
        if (st) break;
        st = restore ? ccrnn_cerebellum_set_tensor(cb, name, s->cb + off, tensor_size(rows, cols))
                     : ccrnn_cerebellum_get_tensor(cb, name, s->cb + off, tensor_size(rows, cols));
    }
    if (!st && restore) st = ccrnn_optimizer_load_mem(ex_model_optimizer(m), s->opt, s->n_opt);
    if (!st && !restore)
        st = ccrnn_optimizer_save_mem(ex_model_optimizer(m), s->opt, s->n_opt, &s->n_opt);
    if (st) fprintf(stderr, "analyses: snapshot: %s (%s)\n", ccrnn_strerror(st), ccrnn_last_error());
    return st;
}

static int snapshot_take(ex_model *m, snapshot *s)
{
    size_t n_cx = 0, n_cb = 0, count, rows, cols, offset;
    const char *name;
    ccrnn_cortex_tensor_count(ex_model_cortex(m), &count);
    for (size_t i = 0; i < count; i++) {
        ccrnn_cortex_tensor_info(ex_model_cortex(m), i, &name, &rows, &cols, &offset);
        n_cx += tensor_size(rows, cols);
    }
    ccrnn_cerebellum_tensor_count(ex_model_cerebellum(m), &count);
    for (size_t i = 0; i < count; i++) {
        ccrnn_cerebellum_tensor_info(ex_model_cerebellum(m), i, &name, &rows, &cols, &offset);
        n_cb += tensor_size(rows, cols);
    }
    ccrnn_optimizer_save_mem(ex_model_optimizer(m), NULL, 0, &s->n_opt);
    s->cx = malloc(n_cx * sizeof(float));
    s->cb = malloc(n_cb * sizeof(float));
    s->opt = malloc(s->n_opt);
    if (!s->cx || !s->cb || !s->opt) return -1;
    return snapshot_move(m, s, 0);
}

static void snapshot_free(snapshot *s)
{
    free(s->cx), free(s->cb), free(s->opt);
    memset(s, 0, sizeof *s);
}

/* ---- recording: alignment every epoch, activity at some epochs ---------------------- */

typedef struct recording {
    size_t H, Z, width, rows_cap;
    int activity;                 /* collect activity rows in this batch */
    double sum[N_ALIGN];
    size_t count[N_ALIGN];
    float *cortex, *cb;           /* rows of H and of width */
    size_t n_cortex, n_cb;
} recording;

static void add_measure(recording *r, int i, double v)
{
    if (isfinite(v)) r->sum[i] += v, r->count[i]++;
}

static int on_window(void *ctx, const ex_window_record *w)
{
    recording *r = ctx;
    size_t Z = w->state_size;
    for (size_t b = 0; b < w->batch; b++) {
        const float *g = w->true_grad + b * Z;
        if (w->prediction) {
            add_measure(r, 0, ex_cosine(w->prediction + b * Z, g, Z));
            add_measure(r, 1, ex_cosine(w->target + b * Z, g, Z));
            add_measure(r, 2, ex_pearson(w->prediction + b * Z, g, Z));
            add_measure(r, 3, ex_pearson(w->target + b * Z, g, Z));
            add_measure(r, 4, ex_cosine(w->prediction + b * Z, w->target + b * Z, Z));
        }
        /* activity: skip the zero start state, which is an input, not activity */
        if (!r->activity || w->window == 0 || r->n_cortex >= r->rows_cap) continue;
        memcpy(r->cortex + r->n_cortex++ * r->H, w->z + b * Z, r->H * sizeof(float));
        if (w->hidden && r->width)
            memcpy(r->cb + r->n_cb++ * r->width, w->hidden + b * w->cb_width,
                   r->width * sizeof(float));
    }
    return 0;
}

static void population_measures(const float *x, size_t n, size_t units, double *out)
{
    out[0] = ex_population_correlation(x, n, units);
    out[1] = ex_mean_abs_correlation(x, n, units);
    out[2] = ex_sparsity(x, n, units);
    out[3] = ex_coding_space(x, n, units);
}

/* ---- one training run ---------------------------------------------------------------- */

typedef struct run_result {
    double *valid, *valid_acc;     /* per epoch */
    double test_loss, test_acc;
    ld_measures ataxia;            /* line drawing: on the test set */
    double *align;                 /* per epoch x N_ALIGN (intact ccRNN) */
    double act[MAX_ACT][2][N_MEASURES]; /* activity epoch x (cortex, cerebellum) x measure */
} run_result;

typedef struct run_spec {
    ex_config cfg;
    size_t from;                   /* first epoch to train (1, or a lesion epoch) */
    const snapshot *resume;        /* state at the start of epoch `from` */
    int record;                    /* alignment every epoch, activity at act_epochs */
    const size_t *act_epochs;
    size_t n_act;
    const size_t *snap_at;         /* take snapshots at the start of these epochs */
    snapshot *snaps;
    size_t n_snap;
} run_spec;

static int run_alloc(run_result *r, size_t epochs)
{
    memset(r, 0, sizeof *r);
    r->valid = malloc(epochs * sizeof(double));
    r->valid_acc = malloc(epochs * sizeof(double));
    r->align = malloc(epochs * N_ALIGN * sizeof(double));
    if (!r->valid || !r->valid_acc || !r->align) return -1;
    for (size_t i = 0; i < epochs; i++) r->valid[i] = r->valid_acc[i] = NAN;
    for (size_t i = 0; i < epochs * N_ALIGN; i++) r->align[i] = NAN;
    for (size_t i = 0; i < MAX_ACT * 2 * N_MEASURES; i++) (&r->act[0][0][0])[i] = NAN;
    return 0;
}

static void run_free(run_result *r) { free(r->valid), free(r->valid_acc), free(r->align); }

static int line_ataxia(ex_model *m, task_ctx *t, ld_measures *out)
{
    size_t n = t->task->n_samples[EX_TEST];
    float *x = malloc(n * LD_STEPS * sizeof(float)), *y = malloc(n * LD_STEPS * 2 * sizeof(float));
    int *cues = malloc(n * sizeof(int)), st = CCRNN_ERR_NOMEM;
    if (x && y && cues) {
        ld_fill(&t->ld, EX_TEST, 0, 0, n, x, NULL, NULL);
        for (size_t i = 0; i < n; i++) cues[i] = ld_sample_cue(&t->ld, EX_TEST, 0, i);
        st = ex_model_predict(m, x, n, y);
        if (!st) ld_measure(y, cues, n, out);
    }
    free(x), free(y), free(cues);
    return st;
}

static int train_run(task_ctx *t, const run_spec *sp, run_result *res)
{
    const ex_task *task = t->task;
    const ex_config *cfg = &sp->cfg;
    size_t B = cfg->batch, n = task->n_samples[EX_TRAIN], L = task->length;
    int mse = task->loss == EX_LOSS_MSE, st;
    ex_model *m = NULL;
    recording rec;
    memset(&rec, 0, sizeof rec);
    float *x = malloc(B * L * task->n_in * sizeof(float));
    float *y = malloc(B * L * task->n_out * sizeof(float));
    int32_t *labels = malloc(B * sizeof(int32_t));
    if (!x || !y || !labels) return CCRNN_ERR_NOMEM;
    task_seed(t, cfg->seed);
    st = ex_model_create(cfg, task, &m);
    if (!st && sp->resume) st = snapshot_move(m, (snapshot *)sp->resume, 1);
    if (!st && sp->record) {
        ccrnn_cortex_shape(ex_model_cortex(m), NULL, NULL, &rec.H, NULL, &rec.Z, NULL, NULL);
        rec.width = cfg->cerebellum && cfg->cb_layers ? cfg->cb_width : 0;
        rec.rows_cap = B * ex_window_count(L, cfg->bptt);
        rec.cortex = malloc(rec.rows_cap * rec.H * sizeof(float));
        rec.cb = malloc(rec.rows_cap * (rec.width ? rec.width : 1) * sizeof(float));
        if (!rec.cortex || !rec.cb) st = CCRNN_ERR_NOMEM;
    }
    for (size_t epoch = sp->from; !st && epoch <= cfg->epochs; epoch++) {
        size_t e = epoch - 1, act = MAX_ACT;
        for (size_t i = 0; i < sp->n_snap && !st; i++)
            if (sp->snap_at[i] == epoch) st = snapshot_take(m, &sp->snaps[i]);
        for (size_t i = 0; i < sp->n_act; i++)
            if (sp->act_epochs[i] == epoch) act = i;
        if (!st) st = ex_model_begin_epoch(m, epoch);
        for (size_t first = 0; first < n && !st; first += B) {
            size_t count = n - first < B ? n - first : B;
            int last = first + count >= n;
            if (task->fill(task->ctx, EX_TRAIN, epoch, first, count, x, mse ? y : NULL, labels))
                st = CCRNN_ERR_IO;
            if (!st && sp->record && last) {
                memset(rec.sum, 0, sizeof rec.sum), memset(rec.count, 0, sizeof rec.count);
                rec.activity = act < MAX_ACT;
                rec.n_cortex = rec.n_cb = 0;
                st = ex_model_set_recorder(m, on_window, &rec);
            }
            if (!st)
                st = ex_model_train_batch(m, x, mse ? y : NULL, mse ? NULL : labels, count, NULL);
            if (!st && sp->record && last) st = ex_model_set_recorder(m, NULL, NULL);
        }
        if (!st && sp->record) {
            for (int i = 0; i < N_ALIGN; i++)
                res->align[e * N_ALIGN + i] = rec.count[i] ? rec.sum[i] / rec.count[i] : NAN;
            if (act < MAX_ACT) {
                population_measures(rec.cortex, rec.n_cortex, rec.H, res->act[act][0]);
                if (rec.n_cb) population_measures(rec.cb, rec.n_cb, rec.width, res->act[act][1]);
            }
        }
        ex_metrics v;
        if (!st) st = ex_model_evaluate(m, EX_VALID, &v);
        if (!st) res->valid[e] = v.loss, res->valid_acc[e] = v.accuracy;
    }
    ex_metrics tm;
    if (!st) st = ex_model_evaluate(m, EX_TEST, &tm);
    if (!st) res->test_loss = tm.loss, res->test_acc = tm.accuracy;
    if (!st && t->line) st = line_ataxia(m, t, &res->ataxia);
    ex_model_destroy(m);
    free(x), free(y), free(labels), free(rec.cortex), free(rec.cb);
    return st;
}

/* ---- options ------------------------------------------------------------------------- */

static size_t parse_seeds(const options *o, const task_ctx *t, unsigned long long *seeds)
{
    size_t n = ex_parse_uint_list(o->seeds, seeds, MAX_SEEDS);
    if (n == 1 && !strchr(o->seeds, ',')) { /* a bare number is a count of paper seeds */
        size_t k = (size_t)seeds[0], max = t->line ? 10 : 6;
        if (k < 1 || k > max) return 0;
        memcpy(seeds, t->line ? line_seeds : mnist_seeds, k * sizeof seeds[0]);
        n = k;
    }
    return n;
}

/* The metrics compared between models: name, lower is better, value of a run. */
typedef struct metric {
    const char *name, *label;
    int lower_better;
} metric;

static const metric line_metrics[4] = {{"test_mse", "test MSE", 1},
                                       {"endpoint", "endpoint error", 1},
                                       {"jerk", "jerk", 1},
                                       {"deviation", "deviation from the line", 1}};
static const metric class_metrics[2] = {{"test_xent", "test cross-entropy", 1},
                                        {"test_acc", "test accuracy", 0}};

static double metric_value(const run_result *r, int line, size_t i)
{
    if (!line) return i == 0 ? r->test_loss : r->test_acc;
    switch (i) {
    case 0: return r->test_loss;
    case 1: return r->ataxia.endpoint_error;
    case 2: return r->ataxia.jerk;
    default: return r->ataxia.deviation;
    }
}

/* ---- study: alignment, activity and lesions ------------------------------------------ */

enum { LESION_ABLATE = 0, LESION_FROZEN = 1, LESION_REFERENCE = 2, N_LESIONS = 3 };
static const char *const lesion_names[N_LESIONS] = {"ablated", "io-lesion-frozen",
                                                    "io-lesion-reference"};
static const char *const lesion_labels[N_LESIONS] = {
    "cerebellum ablated", "IO lesion, frozen (no gradient)",
    "IO lesion, reference (gradients kept, in the clip norm)"};
static const char *const lesion_colors[N_LESIONS] = {"#7f7f7f", "#9467bd", "#ff7f0e"};

/* Does this library accept the reference IO lesion (CCRNN_PARAM_IO_LESION = 2)? */
static int reference_lesion_available(void)
{
    ccrnn_cerebellum *cb = NULL;
    int ok = ccrnn_cerebellum_create(2, 0, 2, 0, 0, 1, 1, 0, &cb) == CCRNN_OK &&
             ccrnn_cerebellum_set_param(cb, CCRNN_PARAM_IO_LESION, 2) == CCRNN_OK;
    ccrnn_cerebellum_destroy(cb);
    return ok;
}

typedef struct study {
    const options *o;
    task_ctx *t;
    size_t n_seeds, n_at, n_act, epochs;
    unsigned long long seeds[MAX_SEEDS];
    size_t at[MAX_AT], act_epochs[MAX_ACT];
    int lesion_on[N_LESIONS];
    run_result *intact, *crnn;     /* [seed] */
    run_result *lesioned;          /* [(at * N_LESIONS + kind) * n_seeds + seed] */
} study;

static run_result *lesion_run(study *s, size_t a, size_t k, size_t si)
{
    return &s->lesioned[(a * N_LESIONS + k) * s->n_seeds + si];
}

static int study_seed(study *s, size_t si)
{
    snapshot snaps[MAX_AT];
    memset(snaps, 0, sizeof snaps);
    run_spec sp;
    memset(&sp, 0, sizeof sp);
    uint64_t seed = s->seeds[si];
    double t0 = ex_now();
    base_config(s->o, s->t, 1, seed, &sp.cfg);
    sp.from = 1, sp.record = 1, sp.act_epochs = s->act_epochs, sp.n_act = s->n_act;
    sp.snap_at = s->at, sp.snaps = snaps, sp.n_snap = s->n_at;
    int st = train_run(s->t, &sp, &s->intact[si]);
    printf("  seed %llu: ccRNN %.1f s", (unsigned long long)seed, ex_now() - t0), fflush(stdout);
    base_config(s->o, s->t, 0, seed, &sp.cfg);
    sp.snap_at = NULL, sp.n_snap = 0;
    t0 = ex_now();
    if (!st) st = train_run(s->t, &sp, &s->crnn[si]);
    printf(", cRNN %.1f s", ex_now() - t0), fflush(stdout);
    t0 = ex_now();
    for (size_t a = 0; a < s->n_at && !st; a++)
        for (size_t k = 0; k < N_LESIONS && !st; k++) {
            run_result *r = lesion_run(s, a, k, si);
            if (!s->lesion_on[k]) continue;
            memset(&sp, 0, sizeof sp);
            base_config(s->o, s->t, 1, seed, &sp.cfg);
            if (k == LESION_ABLATE) sp.cfg.ablate_at = s->at[a];
            else sp.cfg.io_lesion_at = s->at[a], sp.cfg.io_lesion_kind = (int)k;
            sp.from = s->at[a];
            sp.resume = &snaps[a];
            st = train_run(s->t, &sp, r);
            /* the epochs before the lesion are the intact run's */
            for (size_t e = 0; e + 1 < s->at[a]; e++)
                r->valid[e] = s->intact[si].valid[e], r->valid_acc[e] = s->intact[si].valid_acc[e];
        }
    printf(", lesions %.1f s\n", ex_now() - t0);
    for (size_t a = 0; a < MAX_AT; a++) snapshot_free(&snaps[a]);
    return st;
}

static void seed_values(const run_result *runs, size_t n, int line, size_t metric, double *out)
{
    for (size_t i = 0; i < n; i++) out[i] = metric_value(&runs[i], line, metric);
}

static int write_study_csv(const study *s, const char *dir)
{
    char path[4096];
    FILE *f = ex_csv_open(ex_path_join(path, sizeof path, dir, "alignment.csv"),
                          "seed,epoch,cos_prediction_true,cos_target_true,r_prediction_true,"
                          "r_target_true,cos_prediction_target");
    if (!f) return -1;
    for (size_t si = 0; si < s->n_seeds; si++)
        for (size_t e = 0; e < s->epochs; e++) {
            const double *a = s->intact[si].align + e * N_ALIGN;
            fprintf(f, "%llu,%zu,%.6g,%.6g,%.6g,%.6g,%.6g\n", s->seeds[si], e + 1, a[0], a[1],
                    a[2], a[3], a[4]);
        }
    if (ex_csv_close(f, path)) return -1;
    f = ex_csv_open(ex_path_join(path, sizeof path, dir, "activity.csv"),
                    "model,population,seed,epoch,population_correlation,mean_abs_correlation,"
                    "sparsity,coding_space");
    if (!f) return -1;
    for (size_t si = 0; si < s->n_seeds; si++)
        for (size_t i = 0; i < s->n_act; i++)
            for (int p = 0; p < 3; p++) {
                const run_result *r = p == 2 ? &s->crnn[si] : &s->intact[si];
                const double *v = r->act[i][p == 1];
                fprintf(f, "%s,%s,%llu,%zu,%.6g,%.6g,%.6g,%.6g\n", p == 2 ? "crnn" : "ccrnn",
                        p == 1 ? "cerebellum" : "cortex", s->seeds[si], s->act_epochs[i], v[0],
                        v[1], v[2], v[3]);
            }
    if (ex_csv_close(f, path)) return -1;
    f = ex_csv_open(ex_path_join(path, sizeof path, dir, "runs.csv"),
                    "model,lesion_epoch,seed,test_loss,test_accuracy,endpoint_error,jerk,deviation");
    if (!f) return -1;
    for (size_t si = 0; si < s->n_seeds; si++) {
        const run_result *r[2] = {&s->crnn[si], &s->intact[si]};
        for (int i = 0; i < 2; i++)
            fprintf(f, "%s,0,%llu,%.6g,%.6g,%.6g,%.6g,%.6g\n", i ? "ccrnn" : "crnn", s->seeds[si],
                    r[i]->test_loss, r[i]->test_acc, r[i]->ataxia.endpoint_error,
                    r[i]->ataxia.jerk, r[i]->ataxia.deviation);
        for (size_t a = 0; a < s->n_at; a++)
            for (size_t k = 0; k < N_LESIONS; k++) {
                if (!s->lesion_on[k]) continue;
                const run_result *l = lesion_run((study *)s, a, k, si);
                fprintf(f, "%s,%zu,%llu,%.6g,%.6g,%.6g,%.6g,%.6g\n", lesion_names[k], s->at[a],
                        s->seeds[si], l->test_loss, l->test_acc, l->ataxia.endpoint_error,
                        l->ataxia.jerk, l->ataxia.deviation);
            }
    }
    if (ex_csv_close(f, path)) return -1;
    f = ex_csv_open(ex_path_join(path, sizeof path, dir, "curves.csv"),
                    "model,lesion_epoch,seed,epoch,valid_loss,valid_accuracy");
    if (!f) return -1;
    for (size_t si = 0; si < s->n_seeds; si++)
        for (size_t e = 0; e < s->epochs; e++) {
            fprintf(f, "crnn,0,%llu,%zu,%.6g,%.6g\n", s->seeds[si], e + 1, s->crnn[si].valid[e],
                    s->crnn[si].valid_acc[e]);
            fprintf(f, "ccrnn,0,%llu,%zu,%.6g,%.6g\n", s->seeds[si], e + 1,
                    s->intact[si].valid[e], s->intact[si].valid_acc[e]);
            for (size_t a = 0; a < s->n_at; a++)
                for (size_t k = 0; k < N_LESIONS; k++)
                    if (s->lesion_on[k])
                        fprintf(f, "%s,%zu,%llu,%zu,%.6g,%.6g\n", lesion_names[k], s->at[a],
                                s->seeds[si], e + 1, lesion_run((study *)s, a, k, si)->valid[e],
                                lesion_run((study *)s, a, k, si)->valid_acc[e]);
        }
    return ex_csv_close(f, path);
}

/* Mean and SEM over seeds of one activity measure. */
static void activity_stats(const study *s, int model_crnn, int pop, size_t i, int meas,
                           double *mean, double *sem)
{
    double v[MAX_SEEDS];
    size_t n = 0;
    for (size_t si = 0; si < s->n_seeds; si++) {
        const run_result *r = model_crnn ? &s->crnn[si] : &s->intact[si];
        double x = r->act[i][pop][meas];
        if (isfinite(x)) v[n++] = x;
    }
    *mean = ex_mean(v, n), *sem = ex_sem(v, n);
}

static const char *const measure_names[N_MEASURES] = {"population correlation",
                                                      "mean abs. pairwise r", "sparsity",
                                                      "coding space (total variance)"};

static int study_figures(const study *s, const char *dir, FILE *md)
{
    char path[4096];
    size_t E = s->epochs;
    double *x = malloc(E * sizeof(double)), *mean = malloc(E * N_ALIGN * sizeof(double));
    double *sem = malloc(E * N_ALIGN * sizeof(double));
    if (!x || !mean || !sem) return -1;
    for (size_t e = 0; e < E; e++) {
        x[e] = (double)(e + 1);
        for (int i = 0; i < N_ALIGN; i++) {
            double v[MAX_SEEDS];
            size_t n = 0;
            for (size_t si = 0; si < s->n_seeds; si++) {
                double a = s->intact[si].align[e * N_ALIGN + i];
                if (isfinite(a)) v[n++] = a;
            }
            mean[i * E + e] = ex_mean(v, n), sem[i * E + e] = ex_sem(v, n);
        }
    }
    an_series al[5] = {
        {"cerebellar prediction C(z) vs true", "#d62728", 0, x, mean, sem, E},
        {"bootstrapped target delta vs true", "#ff7f0e", 0, x, mean + E, sem + E, E},
        {"C(z) vs its target delta (how well it fits)", "#2ca02c", 1, x, mean + 4 * E,
         sem + 4 * E, E},
        {"cerebellar prediction C(z) vs true", "#d62728", 0, x, mean + 2 * E, sem + 2 * E, E},
        {"bootstrapped target delta vs true", "#ff7f0e", 0, x, mean + 3 * E, sem + 3 * E, E}};
    an_panel ap[2] = {{"cosine similarity", "epoch", "cosine", al, 3},
                      {"Pearson correlation", "epoch", "r", al + 3, 2}};
    char title[256];
    snprintf(title, sizeof title, "%s: synthetic against true (full-BPTT) gradient, mean +- SEM "
                                  "over %zu seeds", s->t->line ? "line drawing" : "seqMNIST",
             s->n_seeds);
    int st = an_plot_panels(ex_path_join(path, sizeof path, dir, "alignment.svg"), title, ap, 2);
    fprintf(md, "## Gradient alignment\n\n![alignment](alignment.svg)\n\n"
                "| epoch | cos(C(z), true) | cos(delta, true) | r(C(z), true) | r(delta, true) "
                "| cos(C(z), delta) |\n|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < s->n_act; i++) {
        size_t e = s->act_epochs[i] - 1;
        fprintf(md, "| %zu |", e + 1);
        for (int j = 0; j < N_ALIGN; j++)
            fprintf(md, " %.3f ± %.3f |", mean[j * E + e], sem[j * E + e]);
        fprintf(md, "\n");
    }
    /* activity: measure panels, x = epoch */
    double ax[MAX_ACT], am[3][N_MEASURES][MAX_ACT], as[3][N_MEASURES][MAX_ACT];
    for (size_t i = 0; i < s->n_act; i++) {
        ax[i] = (double)s->act_epochs[i];
        for (int meas = 0; meas < N_MEASURES; meas++) {
            activity_stats(s, 0, 0, i, meas, &am[0][meas][i], &as[0][meas][i]);
            activity_stats(s, 0, 1, i, meas, &am[1][meas][i], &as[1][meas][i]);
            activity_stats(s, 1, 0, i, meas, &am[2][meas][i], &as[2][meas][i]);
        }
    }
    an_series act[N_MEASURES][3];
    an_panel pp[N_MEASURES];
    for (int meas = 0; meas < N_MEASURES; meas++) {
        act[meas][0] = (an_series){"ccRNN cortex (h)", "#d62728", 0, ax, am[0][meas], as[0][meas],
                                   s->n_act};
        act[meas][1] = (an_series){"cRNN cortex (h)", "#1f77b4", 0, ax, am[2][meas], as[2][meas],
                                   s->n_act};
        act[meas][2] = (an_series){"ccRNN cerebellum (first hidden layer)", "#2ca02c", 1, ax,
                                   am[1][meas], as[1][meas], s->n_act};
        pp[meas] = (an_panel){measure_names[meas], "epoch", measure_names[meas], act[meas], 3};
    }
    snprintf(title, sizeof title, "%s: activity over learning (training batch, mean +- SEM over "
                                  "%zu seeds)", s->t->line ? "line drawing" : "seqMNIST",
             s->n_seeds);
    if (!st)
        st = an_plot_panels(ex_path_join(path, sizeof path, dir, "activity.svg"), title, pp,
                            N_MEASURES);
    fprintf(md, "\n## Activity over learning\n\n![activity](activity.svg)\n\n"
                "| population | measure |");
    for (size_t i = 0; i < s->n_act; i++) fprintf(md, " epoch %zu |", s->act_epochs[i]);
    fprintf(md, " last − first, paired |\n|---|---|");
    for (size_t i = 0; i <= s->n_act; i++) fprintf(md, "---|");
    fprintf(md, "\n");
    static const char *const pops[3] = {"ccRNN cortex", "ccRNN cerebellum", "cRNN cortex"};
    for (int p = 0; p < 3; p++)
        for (int meas = 0; meas < N_MEASURES; meas++) {
            fprintf(md, "| %s | %s |", pops[p], measure_names[meas]);
            for (size_t i = 0; i < s->n_act; i++)
                fprintf(md, " %.3g ± %.2g |", am[p][meas][i], as[p][meas][i]);
            double first[MAX_SEEDS], last[MAX_SEEDS];
            for (size_t si = 0; si < s->n_seeds; si++) {
                const run_result *r = p == 2 ? &s->crnn[si] : &s->intact[si];
                first[si] = r->act[0][p == 1][meas];
                last[si] = r->act[s->n_act - 1][p == 1][meas];
            }
            ex_paired pr;
            ex_paired_summary(last, first, s->n_seeds, 0, &pr);
            fprintf(md, " %+.3g ± %.2g (Wilcoxon p = %.3f, t-test p = %.3f; higher at the end in "
                        "%zu/%zu seeds) |\n", pr.diff_mean, pr.diff_sem, pr.p_wilcoxon, pr.p_t,
                    pr.wins_a, pr.n);
        }
    free(x), free(mean), free(sem);
    return st;
}

static int study_lesion_figures(const study *s, const char *dir, FILE *md)
{
    char path[4096], title[256];
    int line = s->t->line;
    size_t n_metrics = line ? 4 : 2, n_kinds = N_LESIONS + 1, n_groups = s->n_at + 1;
    const metric *mt = line ? line_metrics : class_metrics;
    char group_names[MAX_AT + 1][48];
    const char *groups[MAX_AT + 1];
    const char *kinds[N_LESIONS + 1] = {lesion_labels[0], lesion_labels[1], lesion_labels[2],
                                        "cRNN (no cerebellum at all)"};
    const char *colors[N_LESIONS + 1] = {lesion_colors[0], lesion_colors[1], lesion_colors[2],
                                         "#1f77b4"};
    for (size_t a = 0; a < s->n_at; a++) {
        snprintf(group_names[a], sizeof group_names[a], "from epoch %zu", s->at[a]);
        groups[a] = group_names[a];
    }
    groups[s->n_at] = "cRNN";
    double val[4][(MAX_AT + 1) * (N_LESIONS + 1)], err[4][(MAX_AT + 1) * (N_LESIONS + 1)];
    an_bars bars[4];
    fprintf(md, "\n## Cerebellar ablation and inferior-olive lesions\n\n"
                "![lesions](lesions.svg)\n\nEffect = lesioned − intact ccRNN at the end of "
                "training (same seed, paired); positive = worse for an error.\n\n"
                "| metric | model | value | lesioned − intact ccRNN (paired) |\n|---|---|---|---|\n");
    for (size_t mi = 0; mi < n_metrics; mi++) {
        double intact[MAX_SEEDS], other[MAX_SEEDS];
        seed_values(s->intact, s->n_seeds, line, mi, intact);
        fprintf(md, "| %s | intact ccRNN | %.4g ± %.2g | |\n", mt[mi].label,
                ex_mean(intact, s->n_seeds), ex_sem(intact, s->n_seeds));
        for (size_t g = 0; g < n_groups; g++)
            for (size_t k = 0; k < n_kinds; k++) {
                size_t i = g * n_kinds + k;
                val[mi][i] = err[mi][i] = NAN;
                int is_crnn = g == s->n_at;
                if (is_crnn != (k == N_LESIONS) || (!is_crnn && !s->lesion_on[k])) continue;
                for (size_t si = 0; si < s->n_seeds; si++)
                    other[si] = metric_value(is_crnn ? &s->crnn[si] : lesion_run((study *)s, g, k, si),
                                             line, mi);
                ex_paired pr;
                char buf[256], name[96];
                ex_paired_summary(other, intact, s->n_seeds, mt[mi].lower_better, &pr);
                val[mi][i] = pr.diff_mean, err[mi][i] = pr.diff_sem;
                if (is_crnn) snprintf(name, sizeof name, "cRNN");
                else snprintf(name, sizeof name, "%s, epoch %zu", lesion_labels[k], s->at[g]);
                fprintf(md, "| %s | %s | %.4g ± %.2g | %s |\n", mt[mi].label, name, pr.mean_a,
                        pr.sem_a, ex_paired_format(&pr, "lesioned", 3, buf, sizeof buf));
            }
        bars[mi] = (an_bars){mt[mi].label, "lesioned − intact ccRNN", groups, n_groups, kinds,
                             colors, n_kinds, val[mi], err[mi]};
    }
    snprintf(title, sizeof title, "%s: effect of lesions at the end of training (mean +- SEM of "
                                  "the paired difference, %zu seeds)",
             line ? "line drawing" : "seqMNIST", s->n_seeds);
    int st = an_plot_bars(ex_path_join(path, sizeof path, dir, "lesions.svg"), title, bars,
                          n_metrics);
    /* validation curves, one panel per lesion epoch */
    size_t E = s->epochs;
    double *x = malloc(E * sizeof(double)), *buf = malloc((N_LESIONS + 2) * 2 * E * sizeof(double));
    an_series ser[MAX_AT][N_LESIONS + 2];
    an_panel pan[MAX_AT];
    for (size_t e = 0; e < E; e++) x[e] = (double)(e + 1);
    int acc = !line;
    for (size_t j = 0; j < N_LESIONS + 2; j++)
        for (size_t e = 0; e < E; e++) {
            double v[MAX_SEEDS];
            for (size_t si = 0; si < s->n_seeds; si++) {
                const run_result *r = j == 0 ? &s->intact[si] : &s->crnn[si];
                v[si] = acc ? r->valid_acc[e] : r->valid[e];
            }
            buf[(j * 2) * E + e] = ex_mean(v, s->n_seeds);
            buf[(j * 2 + 1) * E + e] = ex_sem(v, s->n_seeds);
        }
    double *lv = malloc(s->n_at * N_LESIONS * 2 * E * sizeof(double));
    for (size_t a = 0; a < s->n_at; a++) {
        size_t ns = 0;
        ser[a][ns++] = (an_series){"intact ccRNN", "#d62728", 0, x, buf, buf + E, E};
        ser[a][ns++] = (an_series){"cRNN", "#1f77b4", 0, x, buf + 2 * E, buf + 3 * E, E};
        for (size_t k = 0; k < N_LESIONS; k++) {
            if (!s->lesion_on[k]) continue;
            double *m = lv + ((a * N_LESIONS + k) * 2) * E, *sm = m + E;
            for (size_t e = 0; e < E; e++) {
                double v[MAX_SEEDS];
                for (size_t si = 0; si < s->n_seeds; si++) {
                    const run_result *r = lesion_run((study *)s, a, k, si);
                    v[si] = acc ? r->valid_acc[e] : r->valid[e];
                }
                m[e] = ex_mean(v, s->n_seeds), sm[e] = ex_sem(v, s->n_seeds);
            }
            ser[a][ns++] = (an_series){lesion_labels[k], lesion_colors[k], 0, x, m, sm, E};
        }
        snprintf(group_names[a], sizeof group_names[a], "lesion at epoch %zu", s->at[a]);
        pan[a] = (an_panel){group_names[a], "epoch", acc ? "validation accuracy" : "validation MSE",
                            ser[a], ns};
    }
    snprintf(title, sizeof title, "%s: validation %s with lesions (mean +- SEM, %zu seeds)",
             line ? "line drawing" : "seqMNIST", acc ? "accuracy" : "MSE", s->n_seeds);
    if (!st)
        st = an_plot_panels(ex_path_join(path, sizeof path, dir, "lesion-curves.svg"), title, pan,
                            s->n_at);
    fprintf(md, "\n![validation curves with lesions](lesion-curves.svg)\n");
    free(x), free(buf), free(lv);
    return st;
}

static size_t parse_at(const char *text, size_t *out, size_t epochs)
{
    unsigned long long v[MAX_AT];
    size_t n = ex_parse_uint_list(text, v, MAX_AT);
    for (size_t i = 0; i < n; i++) {
        if (v[i] < 2 || v[i] > epochs) return 0;
        out[i] = (size_t)v[i];
    }
    return n;
}

static int cmd_study(const options *o, task_ctx *t, const char *dir)
{
    study s;
    memset(&s, 0, sizeof s);
    s.o = o, s.t = t, s.epochs = (size_t)o->epochs;
    s.n_seeds = parse_seeds(o, t, s.seeds);
    s.n_at = parse_at(o->at, s.at, s.epochs);
    if (!s.n_seeds || !s.n_at) {
        fprintf(stderr, "analyses: bad --seeds or --at (lesion epochs 2..epochs)\n");
        return 2;
    }
    const size_t fr[5][2] = {{1, 1}, {1, 10}, {1, 4}, {1, 2}, {1, 1}};
    for (size_t i = 0; i < 5; i++) { /* epochs 1, E/10, E/4, E/2, E */
        size_t e = i == 0 ? 1 : s.epochs * fr[i][0] / fr[i][1];
        if (e >= 1 && (s.n_act == 0 || e > s.act_epochs[s.n_act - 1])) s.act_epochs[s.n_act++] = e;
    }
    s.lesion_on[LESION_ABLATE] = strstr(o->lesions, "ablate") != NULL;
    s.lesion_on[LESION_FROZEN] = strstr(o->lesions, "frozen") != NULL;
    s.lesion_on[LESION_REFERENCE] = strstr(o->lesions, "reference") != NULL;
    if (s.lesion_on[LESION_REFERENCE] && !reference_lesion_available()) {
        printf("analyses: this library has no reference IO lesion (IO_LESION = 2): skipped\n");
        s.lesion_on[LESION_REFERENCE] = 0;
    }
    s.intact = calloc(s.n_seeds, sizeof *s.intact);
    s.crnn = calloc(s.n_seeds, sizeof *s.crnn);
    s.lesioned = calloc(s.n_seeds * s.n_at * N_LESIONS, sizeof *s.lesioned);
    int st = !s.intact || !s.crnn || !s.lesioned;
    for (size_t i = 0; i < s.n_seeds && !st; i++)
        st = run_alloc(&s.intact[i], s.epochs) || run_alloc(&s.crnn[i], s.epochs);
    for (size_t i = 0; i < s.n_seeds * s.n_at * N_LESIONS && !st; i++)
        st = run_alloc(&s.lesioned[i], s.epochs);
    printf("analyses study --task %s: %zu seeds x %zu epochs, tau %ld, lesions at", o->task,
           s.n_seeds, s.epochs, o->bptt);
    for (size_t a = 0; a < s.n_at; a++) printf(" %zu", s.at[a]);
    printf("\n");
    double t0 = ex_now();
    for (size_t si = 0; si < s.n_seeds && !st; si++) st = study_seed(&s, si);
    char path[4096];
    FILE *md = NULL;
    if (!st) st = write_study_csv(&s, dir);
    if (!st) st = !(md = fopen(ex_path_join(path, sizeof path, dir, "summary.md"), "w"));
    if (!st) {
        fprintf(md, "# analyses study, %s (generated)\n\n%zu seeds, %zu epochs, tau %ld; "
                    "%.0f s of training and analysis in this process.\n\n",
                t->line ? "line drawing" : "seqMNIST classification", s.n_seeds, s.epochs, o->bptt,
                ex_now() - t0);
        st = study_figures(&s, dir, md) || study_lesion_figures(&s, dir, md);
        fclose(md);
    }
    for (size_t i = 0; i < s.n_seeds && s.intact; i++) run_free(&s.intact[i]), run_free(&s.crnn[i]);
    for (size_t i = 0; s.lesioned && i < s.n_seeds * s.n_at * N_LESIONS; i++)
        run_free(&s.lesioned[i]);
    free(s.intact), free(s.crnn), free(s.lesioned);
    if (!st) printf("analyses: wrote %s/summary.md\n", dir);
    return st ? 1 : 0;
}

/* ---- sweeps: mossy fibres and cerebellar width ---------------------------------------- */

/* One sweep point: a ccRNN with `fibres` mossy fibres per cerebellar unit (the full
 * count Z for all) and `width` units per hidden layer. */
typedef struct sweep_point {
    size_t fibres, width;
} sweep_point;

/* The points of a sweep axis (0: fibres, 1: width) in list order; the default model
 * (all fibres, default width) is one point shared by both axes. */
static size_t axis_points(const sweep_point *pts, size_t n, size_t Z, size_t width0, int axis,
                          size_t *idx)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (axis == 0 ? pts[i].width == width0 : pts[i].fibres == Z) idx[k++] = i;
    return k;
}

static int cmd_sweep(const options *o, task_ctx *t, const char *dir)
{
    unsigned long long seeds[MAX_SEEDS], fl[MAX_VALUES], wl[MAX_VALUES];
    size_t n_seeds = parse_seeds(o, t, seeds), E = (size_t)o->epochs;
    size_t nf = o->fibres ? ex_parse_uint_list(o->fibres, fl, MAX_VALUES) : 0;
    size_t nw = o->widths ? ex_parse_uint_list(o->widths, wl, MAX_VALUES) : 0;
    if (!n_seeds || (!nf && !nw) || (o->fibres && !nf) || (o->widths && !nw)) {
        fprintf(stderr, "analyses sweep: give --fibres LIST and/or --widths LIST (and valid "
                        "--seeds)\n");
        return 2;
    }
    ex_config c0;
    base_config(o, t, 1, 1, &c0);
    size_t Z = 2 * c0.hidden, n_pts = 0; /* LSTM state [h; c] */
    sweep_point pts[2 * MAX_VALUES + 1];
    for (size_t i = 0; i < nf + nw; i++) {
        sweep_point p = {Z, c0.cb_width};
        if (i < nf) p.fibres = fl[i] && fl[i] < Z ? (size_t)fl[i] : Z;
        else p.width = (size_t)wl[i - nf];
        int dup = 0;
        for (size_t j = 0; j < n_pts; j++) dup |= pts[j].fibres == p.fibres && pts[j].width == p.width;
        if (!dup) pts[n_pts++] = p;
    }
    const metric *mt = t->line ? line_metrics : class_metrics;
    run_result *runs = calloc((n_pts + 1) * n_seeds, sizeof *runs); /* last row: cRNN */
    int st = !runs;
    printf("analyses sweep --task %s: %zu ccRNN variants + cRNN, %zu seeds x %zu epochs\n",
           o->task, n_pts, n_seeds, E);
    for (size_t v = 0; v <= n_pts && !st; v++)
        for (size_t si = 0; si < n_seeds && !st; si++) {
            run_spec sp;
            memset(&sp, 0, sizeof sp);
            base_config(o, t, v < n_pts, seeds[si], &sp.cfg);
            if (v < n_pts) sp.cfg.fibres = pts[v].fibres, sp.cfg.cb_width = pts[v].width;
            sp.from = 1;
            double t0 = ex_now();
            st = run_alloc(&runs[v * n_seeds + si], E) || train_run(t, &sp, &runs[v * n_seeds + si]);
            if (v < n_pts) printf("  fibres %zu width %zu", pts[v].fibres, pts[v].width);
            else printf("  cRNN");
            printf(" seed %llu: %.1f s, test loss %.4g\n", seeds[si], ex_now() - t0,
                   runs[v * n_seeds + si].test_loss);
            fflush(stdout);
        }
    char path[4096], title[256];
    FILE *f = st ? NULL : ex_csv_open(ex_path_join(path, sizeof path, dir, "sweep.csv"),
                                      "model,fibres,width,seed,test_loss,test_accuracy,"
                                      "endpoint_error,jerk,deviation,final_valid_loss");
    if (!f) st = 1;
    for (size_t v = 0; v <= n_pts && !st; v++)
        for (size_t si = 0; si < n_seeds; si++) {
            const run_result *r = &runs[v * n_seeds + si];
            fprintf(f, "%s,%zu,%zu,%llu,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g\n",
                    v < n_pts ? "ccrnn" : "crnn", v < n_pts ? pts[v].fibres : 0,
                    v < n_pts ? pts[v].width : 0, seeds[si], r->test_loss, r->test_acc,
                    r->ataxia.endpoint_error, r->ataxia.jerk, r->ataxia.deviation, r->valid[E - 1]);
        }
    if (f && ex_csv_close(f, path)) st = 1;
    FILE *md = st ? NULL : fopen(ex_path_join(path, sizeof path, dir, "summary.md"), "w");
    if (!md) st = 1;
    double xs[2][MAX_VALUES + 1], m[4][2][MAX_VALUES + 1], e[4][2][MAX_VALUES + 1];
    an_series ser[4][2];
    an_panel pan[4];
    size_t n_pan = 0;
    if (!st) {
        fprintf(md, "# analyses sweep of the cerebellum, %s (generated)\n\n%zu seeds, %zu epochs, "
                    "tau %ld; mossy fibres per cerebellar unit out of %zu cortical inputs, and "
                    "the width of each of its %zu hidden layers.\n\n![sweep](sweep.svg)\n\n"
                    "| fibres | width | metric | ccRNN | ccRNN − cRNN (paired) |\n"
                    "|---|---|---|---|---|\n",
                t->line ? "line drawing" : "seqMNIST", n_seeds, E, o->bptt, Z, c0.cb_layers);
        for (int axis = 0; axis < 2; axis++) {
            size_t idx[2 * MAX_VALUES + 1], k = axis_points(pts, n_pts, Z, c0.cb_width, axis, idx);
            if ((axis == 0 && !nf) || (axis == 1 && !nw)) continue;
            for (size_t mi = 0; mi < 2; mi++) {
                double c[MAX_SEEDS], cc[MAX_SEEDS];
                seed_values(&runs[n_pts * n_seeds], n_seeds, t->line, mi, c);
                for (size_t j = 0; j < k; j++) {
                    size_t v = idx[j];
                    xs[axis][j] = log2((double)(axis ? pts[v].width : pts[v].fibres));
                    seed_values(&runs[v * n_seeds], n_seeds, t->line, mi, cc);
                    ex_paired pr;
                    char buf[256];
                    ex_paired_summary(cc, c, n_seeds, mt[mi].lower_better, &pr);
                    m[axis * 2 + mi][0][j] = pr.mean_a, e[axis * 2 + mi][0][j] = pr.sem_a;
                    m[axis * 2 + mi][1][j] = pr.mean_b, e[axis * 2 + mi][1][j] = pr.sem_b;
                    fprintf(md, "| %zu | %zu | %s | %.4g ± %.2g | %s |\n", pts[v].fibres,
                            pts[v].width, mt[mi].label, pr.mean_a, pr.sem_a,
                            ex_paired_format(&pr, "ccRNN", 3, buf, sizeof buf));
                }
                size_t pi = axis * 2 + mi;
                ser[n_pan][0] = (an_series){"ccRNN", "#d62728", 0, xs[axis], m[pi][0], e[pi][0], k};
                ser[n_pan][1] = (an_series){"cRNN (same seeds)", "#1f77b4", 1, xs[axis], m[pi][1],
                                            e[pi][1], k};
                pan[n_pan] = (an_panel){mt[mi].label,
                                        axis ? "log2(width of each cerebellar layer)"
                                             : "log2(mossy fibres per cerebellar unit)",
                                        mt[mi].label, ser[n_pan], 2};
                n_pan++;
            }
        }
        double c[MAX_SEEDS];
        for (size_t mi = 0; mi < 2; mi++) {
            seed_values(&runs[n_pts * n_seeds], n_seeds, t->line, mi, c);
            fprintf(md, "| cRNN | | %s | %.4g ± %.2g | |\n", mt[mi].label, ex_mean(c, n_seeds),
                    ex_sem(c, n_seeds));
        }
        snprintf(title, sizeof title, "%s: cerebellar mossy fibres and width (mean +- SEM, %zu "
                                      "seeds, %zu epochs)",
                 t->line ? "line drawing" : "seqMNIST", n_seeds, E);
        st = an_plot_panels(ex_path_join(path, sizeof path, dir, "sweep.svg"), title, pan, n_pan);
        fclose(md);
    }
    for (size_t i = 0; runs && i < (n_pts + 1) * n_seeds; i++) run_free(&runs[i]);
    free(runs);
    if (!st) printf("analyses: wrote %s/summary.md\n", dir);
    return st ? 1 : 0;
}

/* ---- main ---------------------------------------------------------------------------- */

int main(int argc, char **argv)
{
    options o;
    memset(&o, 0, sizeof o);
    o.task = "line", o.seeds = "5", o.data = "data/mnist", o.at = NULL;
    o.lesions = "ablate,frozen,reference";
    o.epochs = 0, o.bptt = 0, o.test_size = 10000, o.threads = 1;
    const ex_option table[] = {
        {"task", EX_OPT_STRING, &o.task, 0, 0, "NAME", "line (line drawing) or class (seqMNIST)"},
        {"seeds", EX_OPT_STRING, &o.seeds, 0, 0, "N|LIST", "a count of the paper's seeds or a list"},
        {"epochs", EX_OPT_INT, &o.epochs, 0, 100000, "N", "epochs (0: 100 line, 50 class)"},
        {"bptt", EX_OPT_INT, &o.bptt, 0, 28, "TAU", "truncation (0: 1 line, 2 class)"},
        {"out", EX_OPT_STRING, &o.out, 0, 0, "DIR", "results folder"},
        {"data", EX_OPT_STRING, &o.data, 0, 0, "DIR", "MNIST IDX folder (class)"},
        {"max-train", EX_OPT_INT, &o.max_train, 0, 100000000, "N", "cap the training images"},
        {"test-size", EX_OPT_INT, &o.test_size, 1, 100000000, "N", "line drawing test samples"},
        {"at", EX_OPT_STRING, &o.at, 0, 0, "LIST",
         "study: lesion epochs (default 10,40,70 of 100, scaled to --epochs)"},
        {"lesions", EX_OPT_STRING, &o.lesions, 0, 0, "LIST",
         "study: ablate, frozen and/or reference (IO lesion kinds)"},
        {"fibres", EX_OPT_STRING, &o.fibres, 0, 0, "LIST", "sweep: mossy fibres per unit (0 = all)"},
        {"widths", EX_OPT_STRING, &o.widths, 0, 0, "LIST", "sweep: cerebellar hidden widths"},
        {"threads", EX_OPT_INT, &o.threads, 1, 256, "N", "BLIS threads per network"},
    };
    const char *about =
        "analyses study|sweep [options]: the paper's predictions.  study: gradient alignment,\n"
        "activity over learning and lesions from one set of runs; sweep: --fibres and/or --widths.";
    if (argc < 2 || (strcmp(argv[1], "study") && strcmp(argv[1], "sweep"))) {
        ex_args_help("analyses study|sweep", about, table, sizeof table / sizeof table[0]);
        return argc < 2 ? 2 : (strcmp(argv[1], "--help") && strcmp(argv[1], "-h") ? 2 : 0);
    }
    const char *cmd = argv[1];
    int r = ex_args_parse(argc - 1, argv + 1, about, table, sizeof table / sizeof table[0]);
    if (r != EX_ARGS_OK) return r == EX_ARGS_HELP ? 0 : 2;
    int line = strcmp(o.task, "line") == 0;
    if (!o.epochs) o.epochs = line ? 100 : 50;
    if (!o.bptt) o.bptt = line ? 1 : 2;
    char at[64], out[2048];
    if (!o.at) {
        snprintf(at, sizeof at, "%ld,%ld,%ld", o.epochs / 10 > 1 ? o.epochs / 10 : 2,
                 o.epochs * 4 / 10 > 2 ? o.epochs * 4 / 10 : 2, o.epochs * 7 / 10 > 2 ? o.epochs * 7 / 10 : 2);
        o.at = at;
    }
    if (!o.out) {
        snprintf(out, sizeof out, "results/analyses/%s-%s", cmd, o.task);
        o.out = out;
    }
    task_ctx t;
    if (task_open(&o, &t)) return 1;
    if (ex_mkdirs(o.out)) return 1;
    r = !strcmp(cmd, "study") ? cmd_study(&o, &t, o.out) : cmd_sweep(&o, &t, o.out);
    if (!t.line) seqmnist_task_free(&t.sm);
    return r;
}
