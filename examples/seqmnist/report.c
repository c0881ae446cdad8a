#include "report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "stats.h"
#include "svg.h"
#include "targets.h"

/* ---- the sweep's storage --------------------------------------------------------- */

static size_t run_count(const seqmnist_sweep *s) { return s->n_tau * s->n_model * s->n_seed; }

int seqmnist_sweep_alloc(seqmnist_sweep *s)
{
    size_t n = run_count(s), E = s->epochs;
    s->runs = calloc(n, sizeof *s->runs);
    s->drawings = calloc(s->n_tau * s->n_model * (s->n_draw ? s->n_draw : 1) *
                             SEQMNIST_STEPS * 2,
                         sizeof(float));
    if (!s->runs || !s->drawings) return -1;
    for (size_t i = 0; i < n; i++) {
        seqmnist_run *r = &s->runs[i];
        r->train_loss = calloc(E, sizeof(double));
        r->train_acc = calloc(E, sizeof(double));
        r->cb_loss = calloc(E, sizeof(double));
        r->seconds = calloc(E, sizeof(double));
        r->valid = calloc(E, sizeof(seqmnist_eval));
        if (!r->train_loss || !r->train_acc || !r->cb_loss || !r->seconds || !r->valid)
            return -1;
    }
    return 0;
}

void seqmnist_sweep_free(seqmnist_sweep *s)
{
    for (size_t i = 0; s->runs && i < run_count(s); i++) {
        seqmnist_run *r = &s->runs[i];
        free(r->train_loss), free(r->train_acc), free(r->cb_loss), free(r->seconds);
        free(r->valid);
    }
    free(s->runs);
    free(s->drawings);
    s->runs = NULL;
    s->drawings = NULL;
}

seqmnist_run *seqmnist_sweep_run(seqmnist_sweep *s, size_t tau, size_t model, size_t seed)
{
    return &s->runs[(tau * s->n_model + model) * s->n_seed + seed];
}

static const seqmnist_run *run_at(const seqmnist_sweep *s, size_t tau, size_t model,
                                  size_t seed)
{
    return &s->runs[(tau * s->n_model + model) * s->n_seed + seed];
}

float *seqmnist_sweep_drawing(seqmnist_sweep *s, size_t tau, size_t model)
{
    return s->drawings + (tau * s->n_model + model) * s->n_draw * SEQMNIST_STEPS * 2;
}

const char *seqmnist_model_name(int model) { return model == SEQMNIST_CCRNN ? "ccRNN" : "cRNN"; }

/* ---- CSV ------------------------------------------------------------------------- */

FILE *seqmnist_curves_open(const char *dir)
{
    char path[4096];
    return ex_csv_open(ex_path_join(path, sizeof path, dir, "curves.csv"),
                       "task,model,tau,seed,epoch,train_loss,train_acc,cb_loss,train_seconds,"
                       "valid_loss,valid_acc,valid_certainty,valid_end_error");
}

void seqmnist_curves_append(FILE *f, const seqmnist_sweep *s, size_t tau, size_t model,
                            size_t seed)
{
    const seqmnist_run *r = run_at(s, tau, model, seed);
    for (size_t e = 0; e < s->epochs; e++) {
        const seqmnist_eval *v = &r->valid[e];
        fprintf(f, "\n%s,%s,%zu,%llu,%zu,%.8g,%.8g,%.8g,%.4f,%.8g,%.8g,%.8g,%.8g",
                seqmnist_kind_name(s->kind), seqmnist_model_name(s->models[model]),
                s->taus[tau], s->seeds[seed], e + 1, r->train_loss[e], r->train_acc[e],
                r->cb_loss[e], r->seconds[e], v->loss, v->acc, v->cert, v->end_err);
    }
    fflush(f);
}

static int write_runs(const seqmnist_sweep *s, const char *dir)
{
    char path[4096];
    ex_path_join(path, sizeof path, dir, "runs.csv");
    FILE *f = ex_csv_open(path, "task,model,tau,seed,epochs,valid_loss,valid_acc,valid_certainty,"
                                "valid_end_error,test_loss,test_acc,test_certainty,"
                                "test_end_error,train_seconds_per_epoch");
    if (!f) return -1;
    for (size_t ti = 0; ti < s->n_tau; ti++)
        for (size_t mi = 0; mi < s->n_model; mi++)
            for (size_t si = 0; si < s->n_seed; si++) {
                const seqmnist_run *r = run_at(s, ti, mi, si);
                const seqmnist_eval *v = &r->valid[s->epochs - 1], *t = &r->test;
                double secs = 0.0;
                for (size_t e = 0; e < s->epochs; e++) secs += r->seconds[e];
                fprintf(f, "\n%s,%s,%zu,%llu,%zu,%.8g,%.8g,%.8g,%.8g,%.8g,%.8g,%.8g,%.8g,%.4f",
                        seqmnist_kind_name(s->kind), seqmnist_model_name(s->models[mi]),
                        s->taus[ti], s->seeds[si], s->epochs, v->loss, v->acc, v->cert,
                        v->end_err, t->loss, t->acc, t->cert, t->end_err,
                        secs / (double)s->epochs);
            }
    return ex_csv_close(f, path);
}

/* ---- statistics over seeds -------------------------------------------------------- */

/* Which number a table or figure shows. */
enum metric { M_LOSS, M_ACC, M_CERT, M_END, M_SECONDS };

static double pick(const seqmnist_eval *v, int metric)
{
    switch (metric) {
    case M_ACC: return v->acc;
    case M_CERT: return v->cert;
    case M_END: return v->end_err;
    default: return v->loss;
    }
}

static double seconds_per_epoch(const seqmnist_run *r, size_t epochs)
{
    double secs = 0.0;
    for (size_t e = 0; e < epochs; e++) secs += r->seconds[e];
    return secs / (double)epochs;
}

/* Mean and SEM over seeds of a metric at `epoch` (0-based; epochs = the test set). */
static void over_seeds(const seqmnist_sweep *s, size_t ti, size_t mi, size_t epoch, int metric,
                       double *mean, double *sem)
{
    double v[SEQMNIST_MAX_LIST];
    for (size_t si = 0; si < s->n_seed; si++) {
        const seqmnist_run *r = run_at(s, ti, mi, si);
        if (metric == M_SECONDS) v[si] = seconds_per_epoch(r, s->epochs);
        else v[si] = pick(epoch < s->epochs ? &r->valid[epoch] : &r->test, metric);
    }
    ex_mean_sem(v, s->n_seed, mean, sem);
}

static int primary_metric(const seqmnist_sweep *s) { return s->kind == SEQMNIST_CLASS ? M_ACC : M_LOSS; }

/* A log axis only when the curves span more than a decade (below that it has too few
 * labelled ticks to read). */
static int wants_log(int metric, const double *v, size_t n)
{
    double lo = INFINITY, hi = 0.0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(v[i]) && v[i] > 0) lo = fmin(lo, v[i]), hi = fmax(hi, v[i]);
    return metric == M_LOSS && hi > 10.0 * lo;
}

static const char *metric_name(int metric)
{
    static const char *const names[] = {"MSE", "accuracy", "certainty", "endpoint error",
                                        "seconds per epoch"};
    return names[metric];
}

static int write_summary_csv(const seqmnist_sweep *s, const char *dir)
{
    static const int metrics[] = {M_LOSS, M_ACC, M_CERT, M_END};
    char path[4096];
    ex_path_join(path, sizeof path, dir, "summary.csv");
    FILE *f = ex_csv_open(path, "task,model,tau,seeds,epochs,split,metric,mean,sem");
    if (!f) return -1;
    for (size_t ti = 0; ti < s->n_tau; ti++)
        for (size_t mi = 0; mi < s->n_model; mi++)
            for (size_t split = 0; split < 2; split++)
                for (size_t k = 0; k < sizeof metrics / sizeof metrics[0]; k++) {
                    int cls = s->kind == SEQMNIST_CLASS, m = metrics[k];
                    if (cls ? m == M_END : (m == M_ACC || m == M_CERT)) continue;
                    double mean, sem;
                    over_seeds(s, ti, mi, split ? s->epochs : s->epochs - 1, m, &mean, &sem);
                    fprintf(f, "\n%s,%s,%zu,%zu,%zu,%s,%s,%.8g,%.8g",
                            seqmnist_kind_name(s->kind), seqmnist_model_name(s->models[mi]),
                            s->taus[ti], s->n_seed, s->epochs, split ? "test" : "valid",
                            cls && m == M_LOSS ? "cross-entropy" : metric_name(m), mean, sem);
                }
    return ex_csv_close(f, path);
}

/* ---- Markdown summary ------------------------------------------------------------- */

static void md_cell(FILE *f, double mean, double sem, int digits)
{
    if (isfinite(sem)) fprintf(f, " %.*f ± %.*f |", digits, mean, digits, sem);
    else fprintf(f, " %.*f |", digits, mean);
}

static void tau_label(FILE *f, size_t tau)
{
    if (tau >= SEQMNIST_STEPS) fprintf(f, "| %zu (full BPTT) |", tau);
    else fprintf(f, "| %zu |", tau);
}

/* The value of a metric in one run (epoch == epochs: the test set). */
static double run_value(const seqmnist_sweep *s, size_t ti, size_t mi, size_t si, size_t epoch,
                        int metric)
{
    const seqmnist_run *r = run_at(s, ti, mi, si);
    if (metric == M_SECONDS) return seconds_per_epoch(r, s->epochs);
    return pick(epoch < s->epochs ? &r->valid[epoch] : &r->test, metric);
}

/* ccRNN - cRNN per seed (the two share the seed's cortex initialisation and data
 * order, so the comparison is paired): mean and SEM of the differences, and how many
 * seeds moved in the metric's good direction (higher accuracy or certainty, lower
 * loss or endpoint error). */
static void paired_difference(const seqmnist_sweep *s, size_t ti, size_t epoch, int metric,
                              ex_paired *out)
{
    double cc[SEQMNIST_MAX_LIST], c[SEQMNIST_MAX_LIST];
    int up = metric == M_ACC || metric == M_CERT;
    for (size_t si = 0; si < s->n_seed; si++) {
        cc[si] = run_value(s, ti, 1, si, epoch, metric);
        c[si] = run_value(s, ti, 0, si, epoch, metric);
    }
    ex_paired_summary(cc, c, s->n_seed, !up, out);
}

static void fmt_p(FILE *f, double p)
{
    if (isnan(p)) fprintf(f, " – |");
    else if (p < 1e-3) fprintf(f, " %.1e |", p);
    else fprintf(f, " %.3f |", p);
}

/* One table: a row per tau, a column per model (mean +- SEM over seeds), then, when
 * both models ran, the paired ccRNN - cRNN difference. */
static void md_table(FILE *f, const seqmnist_sweep *s, int metric, int test, int digits)
{
    size_t epoch = test ? s->epochs : s->epochs - 1;
    int both = s->n_model == 2 && s->models[0] == SEQMNIST_CRNN && metric != M_SECONDS;
    int up = metric == M_ACC || metric == M_CERT;
    fprintf(f, "| τ |");
    for (size_t mi = 0; mi < s->n_model; mi++) fprintf(f, " %s |", seqmnist_model_name(s->models[mi]));
    if (both)
        fprintf(f, " ccRNN − cRNN, paired by seed | Wilcoxon p | paired t p | seeds with ccRNN "
                   "%s |", up ? "higher" : "lower");
    fprintf(f, "\n|---|");
    for (size_t mi = 0; mi < s->n_model + (both ? 4 : 0); mi++) fprintf(f, "---|");
    fprintf(f, "\n");
    for (size_t ti = 0; ti < s->n_tau; ti++) {
        tau_label(f, s->taus[ti]);
        for (size_t mi = 0; mi < s->n_model; mi++) {
            double mean, sem;
            over_seeds(s, ti, mi, epoch, metric, &mean, &sem);
            md_cell(f, mean, sem, digits);
        }
        if (both) {
            ex_paired q;
            paired_difference(s, ti, epoch, metric, &q);
            if (isfinite(q.diff_sem))
                fprintf(f, " %+.*f ± %.*f |", digits, q.diff_mean, digits, q.diff_sem);
            else fprintf(f, " %+.*f |", digits, q.diff_mean);
            fmt_p(f, q.p_wilcoxon);
            fmt_p(f, q.p_t);
            fprintf(f, " %zu of %zu |", q.wins_a, q.n);
        }
        fprintf(f, "\n");
    }
    fprintf(f, "\n");
}

static int write_summary_md(const seqmnist_sweep *s, const char *dir)
{
    char path[4096];
    ex_path_join(path, sizeof path, dir, "summary.md");
    FILE *f = fopen(path, "w");
    if (!f) return fprintf(stderr, "cannot write '%s'\n", path), -1;
    int cls = s->kind == SEQMNIST_CLASS;
    fprintf(f, "seqMNIST `%s`: %zu training / %zu validation / %zu test images from `%s`, "
               "%zu epochs, %zu seeds (",
            seqmnist_kind_name(s->kind), s->n_train, s->n_valid, s->n_test, s->data_dir,
            s->epochs, s->n_seed);
    for (size_t i = 0; i < s->n_seed; i++) fprintf(f, "%s%llu", i ? ", " : "", s->seeds[i]);
    fprintf(f, "); mean ± SEM over seeds.  %s\n\nThe cRNN and the ccRNN of a seed share the "
               "cortex's initial weights and the order of the training images, so ccRNN − cRNN "
               "is paired by seed: mean ± SEM of the per-seed differences, the two-sided "
               "Wilcoxon signed-rank (exact) and paired t-test p-values, and the seeds where "
               "the ccRNN is better.\n\n", s->settings);
    if (s->report_only)
        fprintf(f, "Rewritten from curves.csv and runs.csv by `%s` (the training command had the "
                   "same options without --report-only).\n\n",
                s->command ? s->command : "?");
    else
        fprintf(f, "Command: `%s`\n\n", s->command ? s->command : "?");
    if (cls) {
        fprintf(f, "Final validation accuracy:\n\n");
        md_table(f, s, M_ACC, 0, 4);
        fprintf(f, "Final validation cross-entropy:\n\n");
        md_table(f, s, M_LOSS, 0, 4);
        fprintf(f, "Final validation certainty (mean max-softmax):\n\n");
        md_table(f, s, M_CERT, 0, 4);
        fprintf(f, "Test accuracy:\n\n");
        md_table(f, s, M_ACC, 1, 4);
    } else {
        fprintf(f, "Final validation MSE (mean over samples and steps of ‖y − y*‖²):\n\n");
        md_table(f, s, M_LOSS, 0, 5);
        fprintf(f, "Final validation endpoint error (mean ‖y₂₇ − y*₂₇‖):\n\n");
        md_table(f, s, M_END, 0, 4);
        fprintf(f, "Test MSE:\n\n");
        md_table(f, s, M_LOSS, 1, 5);
    }
    fprintf(f, "Training seconds per epoch:\n\n");
    md_table(f, s, M_SECONDS, 0, 2);
    int bad = ferror(f);
    if (fclose(f) != 0 || bad) return fprintf(stderr, "error writing '%s'\n", path), -1;
    return 0;
}

/* ---- figures ---------------------------------------------------------------------- */

/* Training or validation metric per epoch, cRNN against ccRNN, at one tau. */
static int plot_curves_at(const seqmnist_sweep *s, size_t ti, int train, const char *dir)
{
    size_t E = s->epochs;
    int metric = primary_metric(s);
    double *x = malloc(E * sizeof *x), *mean = malloc(2 * E * sizeof *mean),
           *sem = malloc(2 * E * sizeof *sem), v[SEQMNIST_MAX_LIST];
    int st = -1;
    if (x && mean && sem) {
        ex_curve c[2];
        for (size_t e = 0; e < E; e++) x[e] = (double)(e + 1);
        for (size_t mi = 0; mi < s->n_model; mi++) {
            for (size_t e = 0; e < E; e++) {
                if (!train) {
                    over_seeds(s, ti, mi, e, metric, &mean[mi * E + e], &sem[mi * E + e]);
                    continue;
                }
                for (size_t si = 0; si < s->n_seed; si++) {
                    const seqmnist_run *r = run_at(s, ti, mi, si);
                    v[si] = metric == M_ACC ? r->train_acc[e] : r->train_loss[e];
                }
                ex_mean_sem(v, s->n_seed, &mean[mi * E + e], &sem[mi * E + e]);
            }
            c[mi].label = seqmnist_model_name(s->models[mi]);
            c[mi].color = ex_model_color(seqmnist_model_name(s->models[mi]));
            c[mi].x = x, c[mi].mean = mean + mi * E, c[mi].sem = sem + mi * E, c[mi].n = E;
        }
        char path[4096], name[64], title[160], ylabel[64], tau[32];
        snprintf(name, sizeof name, "curves-%s-tau%02zu.svg", train ? "train" : "valid",
                 s->taus[ti]);
        if (s->taus[ti] >= SEQMNIST_STEPS) snprintf(tau, sizeof tau, "full BPTT");
        else snprintf(tau, sizeof tau, "τ = %zu", s->taus[ti]);
        snprintf(title, sizeof title, "seqMNIST %s, %s (line: mean, band: ± SEM, %zu seeds)",
                 seqmnist_kind_name(s->kind), tau, s->n_seed);
        snprintf(ylabel, sizeof ylabel, "%s %s", train ? "training" : "validation",
                 metric == M_ACC ? "accuracy" : s->kind == SEQMNIST_CLASS ? "cross-entropy"
                                                                        : "MSE");
        st = ex_plot_curves(ex_path_join(path, sizeof path, dir, name), title, "epoch", ylabel,
                            wants_log(metric, mean, s->n_model * E), c, s->n_model);
    }
    free(x), free(mean), free(sem);
    return st;
}

/* Final validation metric against tau, one curve per model, markers at the measured
 * truncations with SEM error bars. */
static int plot_vs_tau(const seqmnist_sweep *s, const char *dir)
{
    double x[SEQMNIST_MAX_LIST], mean[2][SEQMNIST_MAX_LIST], sem[2][SEQMNIST_MAX_LIST];
    int metric = primary_metric(s);
    ex_curve c[2];
    for (size_t ti = 0; ti < s->n_tau; ti++) x[ti] = (double)s->taus[ti];
    for (size_t mi = 0; mi < s->n_model; mi++) {
        for (size_t ti = 0; ti < s->n_tau; ti++)
            over_seeds(s, ti, mi, s->epochs - 1, metric, &mean[mi][ti], &sem[mi][ti]);
        c[mi].label = seqmnist_model_name(s->models[mi]);
        c[mi].color = ex_model_color(seqmnist_model_name(s->models[mi]));
        c[mi].x = x, c[mi].mean = mean[mi], c[mi].sem = sem[mi], c[mi].n = s->n_tau;
    }
    char path[4096], title[160], ylabel[96];
    snprintf(title, sizeof title, "seqMNIST %s after %zu epochs (mean ± SEM, %zu seeds; 28 = "
                                  "full BPTT)", seqmnist_kind_name(s->kind), s->epochs, s->n_seed);
    snprintf(ylabel, sizeof ylabel, "final validation %s", metric_name(metric));
    return ex_plot_points(ex_path_join(path, sizeof path, dir, "final-vs-tau.svg"), title,
                          "truncation τ (steps)", ylabel, c, s->n_model, NAN);
}

/* The paired, normalised difference (ccRNN - cRNN) / cRNN of the final validation metric
 * per seed, mean +- SEM over seeds, against tau. */
static int plot_difference(const seqmnist_sweep *s, const char *dir)
{
    double x[SEQMNIST_MAX_LIST], mean[SEQMNIST_MAX_LIST], sem[SEQMNIST_MAX_LIST];
    int metric = primary_metric(s);
    for (size_t ti = 0; ti < s->n_tau; ti++) {
        double d[SEQMNIST_MAX_LIST];
        for (size_t si = 0; si < s->n_seed; si++) {
            double c = run_value(s, ti, 0, si, s->epochs - 1, metric);
            d[si] = (run_value(s, ti, 1, si, s->epochs - 1, metric) - c) / c;
        }
        x[ti] = (double)s->taus[ti];
        ex_mean_sem(d, s->n_seed, &mean[ti], &sem[ti]);
    }
    ex_curve c = {"(ccRNN − cRNN) / cRNN", ex_model_color("ccrnn"), x, mean, sem, s->n_tau};
    char path[4096], title[200], ylabel[96];
    snprintf(title, sizeof title, "seqMNIST %s: paired difference after %zu epochs (mean ± SEM, "
                                  "%zu seeds)", seqmnist_kind_name(s->kind), s->epochs, s->n_seed);
    snprintf(ylabel, sizeof ylabel, "normalised %s difference (%s)", metric_name(metric),
             metric == M_ACC ? "> 0: ccRNN better" : "< 0: ccRNN better");
    return ex_plot_points(ex_path_join(path, sizeof path, dir, "difference-vs-tau.svg"), title,
                          "truncation τ (steps; 28 = full BPTT)", ylabel, &c, 1, 0.0);
}

/* Final validation metric per tau and model: bars (mean), error bars (SEM), dots (seeds). */
static int plot_bars(const seqmnist_sweep *s, const char *dir)
{
    ex_bar bars[2 * SEQMNIST_MAX_LIST];
    double v[2 * SEQMNIST_MAX_LIST][SEQMNIST_MAX_LIST];
    char group[SEQMNIST_MAX_LIST][24];
    int metric = primary_metric(s);
    size_t n = 0;
    for (size_t ti = 0; ti < s->n_tau; ti++) {
        if (s->taus[ti] >= SEQMNIST_STEPS) snprintf(group[ti], sizeof group[ti], "full");
        else snprintf(group[ti], sizeof group[ti], "τ = %zu", s->taus[ti]);
        for (size_t mi = 0; mi < s->n_model; mi++, n++) {
            double m, e;
            for (size_t si = 0; si < s->n_seed; si++)
                v[n][si] = run_value(s, ti, mi, si, s->epochs - 1, metric);
            ex_mean_sem(v[n], s->n_seed, &m, &e);
            const char *name = seqmnist_model_name(s->models[mi]);
            bars[n] = (ex_bar){group[ti], name, ex_model_color(name), m, e, v[n], s->n_seed};
        }
    }
    char path[4096], title[200], ylabel[96];
    snprintf(title, sizeof title, "seqMNIST %s after %zu epochs (bar: mean, error bar: ± SEM, "
                                  "dots: %zu seeds)", seqmnist_kind_name(s->kind), s->epochs,
             s->n_seed);
    snprintf(ylabel, sizeof ylabel, "final validation %s", metric_name(metric));
    return ex_plot_bars(ex_path_join(path, sizeof path, dir, "final-bars.svg"), title, ylabel,
                        bars, n);
}

/* ---- drawings: test images, and what each model drew against the target ----------- */

typedef struct cell {
    double left, top, side;
    double lo, hi; /* data window [lo, hi]^2 */
} cell;

static double cell_x(const cell *c, double x) { return c->left + (x - c->lo) / (c->hi - c->lo) * c->side; }
static double cell_y(const cell *c, double y) { return c->top + (c->hi - y) / (c->hi - c->lo) * c->side; }

static void draw_image(ex_svg *svg, const cell *c, const unsigned char *img)
{
    double px = c->side / SEQMNIST_IDX_SIDE;
    ex_svg_rect(svg, c->left, c->top, c->side, c->side, "#999999", "white");
    for (size_t r = 0; r < SEQMNIST_IDX_SIDE; r++)
        for (size_t k = 0; k < SEQMNIST_IDX_SIDE; k++) {
            unsigned v = img[r * SEQMNIST_IDX_SIDE + k];
            if (v < 16) continue; /* near-white: leave the background */
            char fill[8];
            snprintf(fill, sizeof fill, "#%02x%02x%02x", 255 - v, 255 - v, 255 - v);
            ex_svg_rect(svg, c->left + (double)k * px, c->top + (double)r * px, px + 0.3,
                        px + 0.3, NULL, fill);
        }
}

static void draw_path(ex_svg *svg, const cell *c, const double *xy, const char *color,
                      double width, int dashed)
{
    double pts[SEQMNIST_STEPS * 2];
    for (size_t t = 0; t < SEQMNIST_STEPS; t++) {
        pts[2 * t] = cell_x(c, xy[2 * t]);
        pts[2 * t + 1] = cell_y(c, xy[2 * t + 1]);
    }
    ex_svg_polyline(svg, pts, SEQMNIST_STEPS, color, width, dashed, 1.0);
    ex_svg_circle(svg, pts[2 * SEQMNIST_STEPS - 2], pts[2 * SEQMNIST_STEPS - 1], 2.5, color);
}

static void draw_panel(ex_svg *svg, const cell *c, const double *target, const float *pred,
                       const char *color)
{
    double xy[SEQMNIST_STEPS * 2];
    ex_svg_rect(svg, c->left, c->top, c->side, c->side, "#999999", "white");
    ex_svg_clip_begin(svg, c->left, c->top, c->side, c->side);
    if (c->lo < 0) { /* the origin, where every line starts */
        ex_svg_line(svg, cell_x(c, c->lo), cell_y(c, 0), cell_x(c, c->hi), cell_y(c, 0),
                    "#e0e0e0", 1, 0);
        ex_svg_line(svg, cell_x(c, 0), cell_y(c, c->lo), cell_x(c, 0), cell_y(c, c->hi),
                    "#e0e0e0", 1, 0);
    }
    draw_path(svg, c, target, "#888888", 1.5, 1);
    for (size_t k = 0; k < SEQMNIST_STEPS * 2; k++) xy[k] = (double)pred[k];
    draw_path(svg, c, xy, color, 2.0, 0);
    ex_svg_clip_end(svg);
}

static int plot_drawings_at(const seqmnist_sweep *s, const seqmnist_task *t, size_t ti,
                            const char *dir)
{
    const double side = 120, gap = 14, left = 70, top = 50;
    size_t n = s->n_draw, rows = 1 + s->n_model;
    cell c = {0, 0, side, -11.5, 11.5};
    if (s->kind == SEQMNIST_DIGIT) c.lo = -0.2, c.hi = 1.2;
    char path[4096], name[64], title[160];
    snprintf(name, sizeof name, "drawings-tau%02zu.svg", s->taus[ti]);
    ex_svg *svg = ex_svg_open(ex_path_join(path, sizeof path, dir, name),
                              left + (double)n * (side + gap) + 10,
                              top + (double)rows * (side + gap) + 20);
    if (!svg) return -1;
    snprintf(title, sizeof title,
             "seqMNIST %s, τ = %zu%s: first %zu test images (dashed: target; seed %llu)",
             seqmnist_kind_name(s->kind), s->taus[ti],
             s->taus[ti] >= SEQMNIST_STEPS ? " (full BPTT)" : "", n, s->seeds[0]);
    ex_svg_text(svg, left, 24, 15, "start", 0, "black", title);
    for (size_t r = 0; r < rows; r++) {
        const char *label = r == 0 ? "input" : seqmnist_model_name(s->models[r - 1]);
        double y = top + (double)r * (side + gap);
        ex_svg_text(svg, left - 8, y + side / 2, 13, "end", 0, "black", label);
        for (size_t i = 0; i < n; i++) {
            int lab = 0;
            const unsigned char *img = seqmnist_task_image(t, EX_TEST, i, &lab);
            c.left = left + (double)i * (side + gap), c.top = y;
            if (r == 0) {
                draw_image(svg, &c, img);
                continue;
            }
            const float *pred = seqmnist_sweep_drawing((seqmnist_sweep *)s, ti, r - 1) +
                                i * SEQMNIST_STEPS * 2;
            draw_panel(svg, &c, t->targets[lab], pred,
                       ex_model_color(seqmnist_model_name(s->models[r - 1])));
        }
    }
    return ex_svg_close(svg);
}

int seqmnist_report(const seqmnist_sweep *s, const seqmnist_task *task, const char *dir)
{
    int st = write_runs(s, dir) | write_summary_csv(s, dir) | write_summary_md(s, dir);
    int both = s->n_model == 2 && s->models[0] == SEQMNIST_CRNN;
    for (size_t ti = 0; ti < s->n_tau; ti++) {
        st |= plot_curves_at(s, ti, 0, dir) | plot_curves_at(s, ti, 1, dir);
        if (s->n_draw > 0) st |= plot_drawings_at(s, task, ti, dir);
    }
    if (s->n_tau > 1) st |= plot_vs_tau(s, dir);
    if (both) st |= plot_difference(s, dir) | plot_bars(s, dir);
    return st ? -1 : 0;
}

/* ---- reading results back (--report-only) ----------------------------------------- */

static int find_index(const seqmnist_sweep *s, const char *model, size_t tau,
                      unsigned long long seed, size_t *ti, size_t *mi, size_t *si)
{
    for (*ti = 0; *ti < s->n_tau && s->taus[*ti] != tau; (*ti)++) continue;
    for (*mi = 0; *mi < s->n_model && strcmp(model, seqmnist_model_name(s->models[*mi])); (*mi)++)
        continue;
    for (*si = 0; *si < s->n_seed && s->seeds[*si] != seed; (*si)++) continue;
    return *ti < s->n_tau && *mi < s->n_model && *si < s->n_seed ? 0 : -1;
}

/* Split a CSV line in place into at most cap fields; returns the count. */
static size_t split_csv(char *line, char **field, size_t cap)
{
    size_t n = 0;
    for (char *p = line; n < cap;) {
        field[n++] = p;
        p = strchr(p, ',');
        if (!p) break;
        *p++ = '\0';
    }
    return n;
}

/* Each data row of dir/name with `want` fields, handed to `row`. */
static int read_csv(const char *dir, const char *name, size_t want,
                    int (*row)(seqmnist_sweep *, char **), seqmnist_sweep *s)
{
    char path[4096], line[1024], *field[16];
    FILE *f = fopen(ex_path_join(path, sizeof path, dir, name), "r");
    if (!f) return fprintf(stderr, "seqmnist: cannot read '%s'\n", path), -1;
    int st = 0, header = 1;
    while (!st && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (header || !*line) {
            header = 0;
            continue;
        }
        if (split_csv(line, field, 16) != want || row(s, field)) {
            fprintf(stderr, "seqmnist: '%s': a row that does not fit this sweep's options\n", path);
            st = -1;
        }
    }
    fclose(f);
    return st;
}

static int curves_row(seqmnist_sweep *s, char **f)
{
    size_t ti, mi, si, e = strtoul(f[4], NULL, 10);
    if (find_index(s, f[1], strtoul(f[2], NULL, 10), strtoull(f[3], NULL, 10), &ti, &mi, &si) ||
        e < 1 || e > s->epochs)
        return -1;
    seqmnist_run *r = seqmnist_sweep_run(s, ti, mi, si);
    e--;
    r->train_loss[e] = strtod(f[5], NULL), r->train_acc[e] = strtod(f[6], NULL);
    r->cb_loss[e] = strtod(f[7], NULL), r->seconds[e] = strtod(f[8], NULL);
    r->valid[e].loss = strtod(f[9], NULL), r->valid[e].acc = strtod(f[10], NULL);
    r->valid[e].cert = strtod(f[11], NULL), r->valid[e].end_err = strtod(f[12], NULL);
    r->done |= 1;
    return 0;
}

static int runs_row(seqmnist_sweep *s, char **f)
{
    size_t ti, mi, si;
    if (find_index(s, f[1], strtoul(f[2], NULL, 10), strtoull(f[3], NULL, 10), &ti, &mi, &si) ||
        strtoul(f[4], NULL, 10) != s->epochs)
        return -1;
    seqmnist_run *r = seqmnist_sweep_run(s, ti, mi, si);
    r->test.loss = strtod(f[9], NULL), r->test.acc = strtod(f[10], NULL);
    r->test.cert = strtod(f[11], NULL), r->test.end_err = strtod(f[12], NULL);
    r->done |= 2;
    return 0;
}

int seqmnist_read_results(seqmnist_sweep *s, const char *dir)
{
    if (read_csv(dir, "curves.csv", 13, curves_row, s) || read_csv(dir, "runs.csv", 14, runs_row, s))
        return -1;
    for (size_t i = 0; i < run_count(s); i++)
        if (s->runs[i].done != 3)
            return fprintf(stderr, "seqmnist: '%s' lacks some runs of this sweep\n", dir), -1;
    return 0;
}
