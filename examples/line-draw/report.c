#include "report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "stats.h"
#include "svg.h"

static const run_result *result(const plan *p, const run_result *res, size_t v, size_t s)
{
    return &res[v * p->n_seeds + s];
}

static const char *color_of(const variant *v) { return ex_model_color(v->color); }

/* ---- CSV tables ----------------------------------------------------------------------- */

static const char curves_header[] = "epoch,model,seed,train,validation";
static const char clip_header[] = "epoch,model,seed,cb_loss,clip_factor,grad_cortex,grad_cb,"
                                  "cortex_share";
static const char runs_header[] = "model,seed,train,validation,test,endpoint_error,jerk,"
                                  "deviation,seconds";
static const char paths_header[] = "model,seed,cue,t,x,y,target_x,target_y";

static int write_curves(const plan *p, const run_result *res, const char *path)
{
    FILE *f = ex_csv_open(path, curves_header);
    if (!f) return -1;
    for (size_t v = 0; v < p->n_variants; v++)
        for (size_t s = 0; s < p->n_seeds; s++)
            for (size_t e = 0; e < p->epochs; e++) {
                const ex_history *h = &result(p, res, v, s)->hist;
                fprintf(f, "%zu,%s,%llu,%.9g,%.9g\n", e + 1, p->variants[v].name, p->seeds[s],
                        h->train[e], h->valid[e]);
            }
    return ex_csv_close(f, path);
}

/* The clip diagnostics per epoch (driver.h: ex_history). */
static int write_clip(const plan *p, const run_result *res, const char *path)
{
    FILE *f = ex_csv_open(path, clip_header);
    if (!f) return -1;
    for (size_t v = 0; v < p->n_variants; v++)
        for (size_t s = 0; s < p->n_seeds; s++)
            for (size_t e = 0; e < p->epochs; e++) {
                const ex_history *h = &result(p, res, v, s)->hist;
                fprintf(f, "%zu,%s,%llu,%.9g,%.9g,%.9g,%.9g,%.9g\n", e + 1, p->variants[v].name,
                        p->seeds[s], h->cb_loss[e], h->clip_factor[e], h->grad_cortex[e],
                        h->grad_cb[e], h->cortex_share[e]);
            }
    return ex_csv_close(f, path);
}

static int write_runs(const plan *p, const run_result *res, const char *path)
{
    FILE *f = ex_csv_open(path, runs_header);
    if (!f) return -1;
    for (size_t v = 0; v < p->n_variants; v++)
        for (size_t s = 0; s < p->n_seeds; s++) {
            const run_result *r = result(p, res, v, s);
            fprintf(f, "%s,%llu,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%.3f\n", p->variants[v].name,
                    p->seeds[s], r->hist.train[p->epochs - 1], r->hist.valid[p->epochs - 1],
                    r->hist.test.loss, r->measures.endpoint_error, r->measures.jerk,
                    r->measures.deviation, r->hist.seconds);
        }
    return ex_csv_close(f, path);
}

static int write_paths(const plan *p, const run_result *res, const char *path)
{
    FILE *f = ex_csv_open(path, paths_header);
    if (!f) return -1;
    for (size_t v = 0; v < p->n_variants; v++)
        for (size_t s = 0; s < p->n_seeds; s++)
            for (int c = 0; c < LD_CUES; c++) {
                float target[LD_STEPS * 2];
                const float *y = result(p, res, v, s)->paths[c];
                ld_target_path(c + LD_MIN_CUE, target);
                for (size_t t = 0; t < LD_STEPS; t++)
                    fprintf(f, "%s,%llu,%d,%zu,%.6g,%.6g,%.6g,%.6g\n", p->variants[v].name,
                            p->seeds[s], c + LD_MIN_CUE, t, y[2 * t], y[2 * t + 1],
                            target[2 * t], target[2 * t + 1]);
            }
    return ex_csv_close(f, path);
}

/* ---- reading them back (--report-only) ------------------------------------------------- */

static int find_variant(const plan *p, const char *name)
{
    for (size_t v = 0; v < p->n_variants; v++)
        if (!strcmp(p->variants[v].name, name)) return (int)v;
    return -1;
}

static int find_seed(const plan *p, unsigned long long seed)
{
    for (size_t s = 0; s < p->n_seeds; s++)
        if (p->seeds[s] == seed) return (int)s;
    return -1;
}

/* Split a CSV line (no quoting in our files) into at most max fields; returns the count. */
static size_t split_csv(char *line, char **field, size_t max)
{
    size_t n = 0;
    line[strcspn(line, "\r\n")] = '\0';
    for (char *p = line; n < max;) {
        field[n++] = p;
        p = strchr(p, ',');
        if (!p) break;
        *p++ = '\0';
    }
    return n;
}

/* Calls row(ctx, fields) for every data row of dir/name whose model and seed belong to
 * the plan (other rows, and repeated header lines of concatenated files, are skipped). */
static int read_csv(const plan *p, const char *name, size_t n_fields,
                    void (*row)(const plan *, run_result *, int, int, char **), run_result *res)
{
    char path[4096], line[1024];
    ex_path_join(path, sizeof path, p->out, name);
    FILE *f = fopen(path, "r");
    if (!f) return fprintf(stderr, "line-draw: cannot read '%s'\n", path), -1;
    int model_col = strcmp(name, "curves.csv") && strcmp(name, "clip.csv") ? 0 : 1;
    while (fgets(line, sizeof line, f)) {
        char *field[16];
        if (split_csv(line, field, 16) != n_fields) continue;
        int v = find_variant(p, field[model_col]);
        int s = find_seed(p, strtoull(field[model_col + 1], NULL, 10));
        if (v >= 0 && s >= 0) row(p, res, v, s, field);
    }
    fclose(f);
    return 0;
}

static void curve_row(const plan *p, run_result *res, int v, int s, char **f)
{
    ex_history *h = &res[(size_t)v * p->n_seeds + (size_t)s].hist;
    size_t e = strtoul(f[0], NULL, 10);
    if (e < 1 || e > p->epochs) return;
    e--;
    h->train[e] = strtod(f[3], NULL), h->valid[e] = strtod(f[4], NULL);
}

static void clip_row(const plan *p, run_result *res, int v, int s, char **f)
{
    ex_history *h = &res[(size_t)v * p->n_seeds + (size_t)s].hist;
    size_t e = strtoul(f[0], NULL, 10);
    if (e < 1 || e > p->epochs) return;
    e--;
    h->cb_loss[e] = strtod(f[3], NULL), h->clip_factor[e] = strtod(f[4], NULL);
    h->grad_cortex[e] = strtod(f[5], NULL), h->grad_cb[e] = strtod(f[6], NULL);
    h->cortex_share[e] = strtod(f[7], NULL);
}

static void run_row(const plan *p, run_result *res, int v, int s, char **f)
{
    run_result *r = &res[(size_t)v * p->n_seeds + (size_t)s];
    r->hist.test.loss = strtod(f[4], NULL);
    r->measures.endpoint_error = strtod(f[5], NULL);
    r->measures.jerk = strtod(f[6], NULL);
    r->measures.deviation = strtod(f[7], NULL);
    r->hist.seconds = strtod(f[8], NULL);
    r->done = 1;
}

static void path_row(const plan *p, run_result *res, int v, int s, char **f)
{
    run_result *r = &res[(size_t)v * p->n_seeds + (size_t)s];
    long cue = strtol(f[2], NULL, 10);
    size_t t = strtoul(f[3], NULL, 10);
    if (cue < LD_MIN_CUE || cue > LD_MAX_CUE || t >= LD_STEPS) return;
    r->paths[cue - LD_MIN_CUE][2 * t] = strtof(f[4], NULL);
    r->paths[cue - LD_MIN_CUE][2 * t + 1] = strtof(f[5], NULL);
}

static int alloc_hist(ex_history *h, size_t E)
{
    memset(h, 0, sizeof *h);
    h->epochs = E;
    double **arr[] = {&h->train, &h->valid, &h->train_acc, &h->valid_acc, &h->cb_loss,
                      &h->clip_factor, &h->grad_cortex, &h->grad_cb, &h->cortex_share};
    for (size_t i = 0; i < sizeof arr / sizeof arr[0]; i++) {
        *arr[i] = malloc(E * sizeof(double));
        if (!*arr[i]) return -1;
        for (size_t e = 0; e < E; e++) (*arr[i])[e] = NAN;
    }
    return 0;
}

int read_results(const plan *p, run_result *res)
{
    for (size_t i = 0; i < p->n_variants * p->n_seeds; i++)
        if (alloc_hist(&res[i].hist, p->epochs)) return -1;
    if (read_csv(p, "curves.csv", 5, curve_row, res) || read_csv(p, "clip.csv", 8, clip_row, res) ||
        read_csv(p, "runs.csv", 9, run_row, res) ||
        read_csv(p, "trajectories.csv", 8, path_row, res))
        return -1;
    for (size_t v = 0; v < p->n_variants; v++)
        for (size_t s = 0; s < p->n_seeds; s++) {
            const run_result *r = result(p, res, v, s);
            if (!r->done || isnan(r->hist.valid[p->epochs - 1])) {
                fprintf(stderr, "line-draw: no results for %s seed %llu (%zu epochs) in %s\n",
                        p->variants[v].name, p->seeds[s], p->epochs, p->out);
                return -1;
            }
        }
    return 0;
}

/* ---- summary ------------------------------------------------------------------------- */

enum { M_TRAIN, M_VALID, M_VALID_MEAN, M_VALID_EARLY, M_TEST, M_END, M_JERK, M_DEV, M_SECONDS,
       N_METRICS };

static const char *const metric_key[N_METRICS] = {
    "train_mse_final", "validation_mse_final", "validation_mse_mean_over_epochs",
    "validation_mse_early", "test_mse", "endpoint_error", "squared_jerk", "deviation_from_line",
    "seconds_per_run"};
static const char *const metric_label[N_METRICS] = {
    "train MSE, last epoch", "validation MSE, last epoch", "validation MSE, mean of epochs",
    "validation MSE, epoch 20", "test MSE", "endpoint error (t = 9)", "mean squared jerk",
    "deviation from the line", "seconds per run"};

/* The early checkpoint: epoch 20, where the ccRNN lags in the reference setting. */
static size_t early_epoch(const plan *p) { return p->epochs < 20 ? p->epochs : 20; }

static double metric_value(const plan *p, const run_result *r, int k)
{
    const ex_history *h = &r->hist;
    double sum = 0.0;
    switch (k) {
    case M_TRAIN: return h->train[p->epochs - 1];
    case M_VALID: return h->valid[p->epochs - 1];
    case M_VALID_MEAN:
        for (size_t e = 0; e < p->epochs; e++) sum += h->valid[e];
        return sum / (double)p->epochs;
    case M_VALID_EARLY: return h->valid[early_epoch(p) - 1];
    case M_TEST: return h->test.loss;
    case M_END: return r->measures.endpoint_error;
    case M_JERK: return r->measures.jerk;
    case M_DEV: return r->measures.deviation;
    default: return h->seconds;
    }
}

static void metric_values(const plan *p, const run_result *res, size_t v, int k, double *vals)
{
    for (size_t s = 0; s < p->n_seeds; s++) vals[s] = metric_value(p, result(p, res, v, s), k);
}

static void metric_stats(const plan *p, const run_result *res, size_t v, int k, double *mean,
                         double *sem)
{
    double vals[MAX_SEEDS];
    metric_values(p, res, v, k, vals);
    ex_mean_sem(vals, p->n_seeds, mean, sem);
}

/* Model a against model b on metric k, paired by seed (every metric: lower is better). */
static void paired(const plan *p, const run_result *res, size_t a, size_t b, int k,
                   ex_paired *out)
{
    double va[MAX_SEEDS], vb[MAX_SEEDS];
    metric_values(p, res, a, k, va);
    metric_values(p, res, b, k, vb);
    ex_paired_summary(va, vb, p->n_seeds, 1, out);
}

/* The comparisons reported: every ccRNN variant against the cRNN, and every other
 * ccRNN variant against the plain ccRNN.  Returns the number of pairs written. */
static size_t comparisons(const plan *p, size_t pairs[][2], size_t cap)
{
    int crnn = find_variant(p, "crnn"), ccrnn = find_variant(p, "ccrnn");
    size_t n = 0;
    for (size_t v = 0; v < p->n_variants && n < cap; v++)
        if (crnn >= 0 && (int)v != crnn) pairs[n][0] = v, pairs[n++][1] = (size_t)crnn;
    for (size_t v = 0; v < p->n_variants && n < cap; v++)
        if (ccrnn >= 0 && (int)v != ccrnn && (int)v != crnn)
            pairs[n][0] = v, pairs[n++][1] = (size_t)ccrnn;
    return n;
}

static int write_summary_csv(const plan *p, const run_result *res, const char *path)
{
    FILE *f = ex_csv_open(path, "model,metric,mean,sem,n");
    if (!f) return -1;
    for (size_t v = 0; v < p->n_variants; v++)
        for (int k = 0; k < N_METRICS; k++) {
            double m, e;
            metric_stats(p, res, v, k, &m, &e);
            fprintf(f, "%s,%s,%.9g,%.9g,%zu\n", p->variants[v].name, metric_key[k], m, e,
                    p->n_seeds);
        }
    return ex_csv_close(f, path);
}

static int write_paired_csv(const plan *p, const run_result *res, const char *path)
{
    FILE *f = ex_csv_open(path, "model_a,model_b,metric,n,mean_a,sem_a,mean_b,sem_b,diff_mean,"
                                "diff_sem,p_wilcoxon,p_ttest,a_better,b_better");
    if (!f) return -1;
    size_t pairs[2 * MAX_VARIANTS][2], np = comparisons(p, pairs, 2 * MAX_VARIANTS);
    for (size_t i = 0; i < np; i++)
        for (int k = 0; k < N_METRICS; k++) {
            if (k == M_SECONDS) continue;
            ex_paired q;
            paired(p, res, pairs[i][0], pairs[i][1], k, &q);
            fprintf(f, "%s,%s,%s,%zu,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%.6g,%.6g,%zu,%zu\n",
                    p->variants[pairs[i][0]].name, p->variants[pairs[i][1]].name, metric_key[k],
                    q.n, q.mean_a, q.sem_a, q.mean_b, q.sem_b, q.diff_mean, q.diff_sem,
                    q.p_wilcoxon, q.p_t, q.wins_a, q.wins_b);
        }
    return ex_csv_close(f, path);
}

static void format_stat(double m, double e, char *buf, size_t cap)
{
    if (isfinite(e)) snprintf(buf, cap, "%.4g ± %.2g", m, e);
    else snprintf(buf, cap, "%.4g", m);
}

static void print_summary(FILE *f, const plan *p, const run_result *res)
{
    fprintf(f, "line-draw summary: mean ± SEM over %zu seed(s) (", p->n_seeds);
    for (size_t s = 0; s < p->n_seeds; s++) fprintf(f, "%s%llu", s ? " " : "", p->seeds[s]);
    fprintf(f, "), %zu epochs\n%s\n\n%-32s", p->epochs, p->settings, "metric");
    for (size_t v = 0; v < p->n_variants; v++) fprintf(f, "  %-20s", p->variants[v].name);
    fputc('\n', f);
    for (int k = 0; k < N_METRICS; k++) {
        char label[64];
        snprintf(label, sizeof label, "%s", metric_label[k]);
        if (k == M_VALID_EARLY) snprintf(label, sizeof label, "validation MSE, epoch %zu",
                                         early_epoch(p));
        fprintf(f, "%-32s", label);
        for (size_t v = 0; v < p->n_variants; v++) {
            double m, e;
            char buf[64];
            metric_stats(p, res, v, k, &m, &e);
            format_stat(m, e, buf, sizeof buf);
            fprintf(f, "  %-21s", buf);
        }
        fputc('\n', f);
    }
    fputc('\n', f);
    for (size_t v = 0; v < p->n_variants; v++)
        fprintf(f, "%s = %s\n", p->variants[v].name, p->variants[v].label);
    size_t pairs[2 * MAX_VARIANTS][2], np = comparisons(p, pairs, 2 * MAX_VARIANTS);
    if (np) fprintf(f, "\nPaired by seed, A - B: mean ± SEM of the per-seed differences "
                       "(lower is better for every metric)\n");
    for (size_t i = 0; i < np; i++) {
        fprintf(f, "\nA = %s, B = %s\n", p->variants[pairs[i][0]].name,
                p->variants[pairs[i][1]].name);
        for (int k = 0; k < N_METRICS; k++) {
            if (k == M_SECONDS || k == M_TRAIN) continue;
            ex_paired q;
            char buf[256], label[64];
            paired(p, res, pairs[i][0], pairs[i][1], k, &q);
            snprintf(label, sizeof label, "%s", metric_label[k]);
            if (k == M_VALID_EARLY) snprintf(label, sizeof label, "validation MSE, epoch %zu",
                                             early_epoch(p));
            fprintf(f, "  %-32s %s\n", label, ex_paired_format(&q, "A", 4, buf, sizeof buf));
        }
    }
}

static int write_text(const plan *p, const run_result *res, const char *path,
                      void (*print)(FILE *, const plan *, const run_result *))
{
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "cannot write '%s'\n", path);
        return -1;
    }
    print(f, p, res);
    return ex_csv_close(f, path);
}

/* Per-epoch means over seeds of one history column. */
enum { H_TRAIN, H_VALID, H_CLIP, H_SHARE, H_GCX, H_GCB };

static double hist_value(const ex_history *h, int which, size_t e)
{
    switch (which) {
    case H_TRAIN: return h->train[e];
    case H_VALID: return h->valid[e];
    case H_CLIP: return h->clip_factor[e];
    case H_SHARE: return h->cortex_share[e];
    case H_GCX: return h->grad_cortex[e];
    default: return h->grad_cb[e];
    }
}

static void epoch_stats(const plan *p, const run_result *res, size_t v, int which, size_t e,
                        double *mean, double *sem)
{
    double vals[MAX_SEEDS];
    for (size_t s = 0; s < p->n_seeds; s++)
        vals[s] = hist_value(&result(p, res, v, s)->hist, which, e);
    ex_mean_sem(vals, p->n_seeds, mean, sem);
}

/* epochs.md: validation MSE and the clip diagnostics at checkpoint epochs. */
static void print_epochs(FILE *f, const plan *p, const run_result *res)
{
    size_t marks[32], nm = 0, stride = p->epochs >= 50 ? 10 : p->epochs >= 10 ? 5 : 1;
    int crnn = find_variant(p, "crnn");
    for (size_t e = 1; e <= p->epochs && nm < 32; e++)
        if (e == 1 || e == 5 || e % stride == 0 || e == p->epochs) marks[nm++] = e;
    fprintf(f, "# line-draw per epoch (mean ± SEM over %zu seeds)\n\n%s\n\n", p->n_seeds,
            p->settings);
    fprintf(f, "## Validation MSE\n\nLast columns: seeds where the model is below the cRNN "
               "at that epoch, and the Wilcoxon signed-rank p-value of the paired "
               "difference.\n\n| epoch |");
    for (size_t v = 0; v < p->n_variants; v++) fprintf(f, " %s |", p->variants[v].name);
    for (size_t v = 0; v < p->n_variants; v++)
        if ((int)v != crnn && crnn >= 0) fprintf(f, " %s < crnn (p) |", p->variants[v].name);
    fprintf(f, "\n|---|");
    for (size_t v = 0; v < p->n_variants; v++)
        fprintf(f, "---|%s", (int)v != crnn && crnn >= 0 ? "---|" : "");
    fputc('\n', f);
    for (size_t i = 0; i < nm; i++) {
        size_t e = marks[i] - 1;
        fprintf(f, "| %zu |", marks[i]);
        for (size_t v = 0; v < p->n_variants; v++) {
            double m, s;
            epoch_stats(p, res, v, H_VALID, e, &m, &s);
            fprintf(f, " %.2f ± %.2f |", m, s);
        }
        for (size_t v = 0; v < p->n_variants; v++) {
            if ((int)v == crnn || crnn < 0) continue;
            double a[MAX_SEEDS], b[MAX_SEEDS];
            ex_paired q;
            for (size_t s = 0; s < p->n_seeds; s++) {
                a[s] = result(p, res, v, s)->hist.valid[e];
                b[s] = result(p, res, (size_t)crnn, s)->hist.valid[e];
            }
            ex_paired_summary(a, b, p->n_seeds, 1, &q);
            fprintf(f, " %zu/%zu (%.3g) |", q.wins_a, q.n, q.p_wilcoxon);
        }
        fputc('\n', f);
    }
    fprintf(f, "\n## Gradient clipping\n\nPer batch, before the optimizer step: the factor "
               "the clip scales the cortex's gradient by (1 = not clipped), and the cortex's "
               "share of the squared gradient norm |g_cortex|² / (|g_cortex|² + "
               "|g_cerebellum|²); epoch means, then mean ± SEM over seeds.\n\n| epoch |");
    for (size_t v = 0; v < p->n_variants; v++) fprintf(f, " clip: %s |", p->variants[v].name);
    for (size_t v = 0; v < p->n_variants; v++)
        if (p->variants[v].cerebellum) fprintf(f, " share: %s |", p->variants[v].name);
    fprintf(f, "\n|---|");
    for (size_t v = 0; v < p->n_variants; v++)
        fprintf(f, "---|%s", p->variants[v].cerebellum ? "---|" : "");
    fputc('\n', f);
    for (size_t i = 0; i < nm; i++) {
        size_t e = marks[i] - 1;
        fprintf(f, "| %zu |", marks[i]);
        for (size_t v = 0; v < p->n_variants; v++) {
            double m, s;
            epoch_stats(p, res, v, H_CLIP, e, &m, &s);
            fprintf(f, " %.3f ± %.3f |", m, s);
        }
        for (size_t v = 0; v < p->n_variants; v++) {
            if (!p->variants[v].cerebellum) continue;
            double m, s;
            epoch_stats(p, res, v, H_SHARE, e, &m, &s);
            fprintf(f, " %.3f ± %.3f |", m, s);
        }
        fputc('\n', f);
    }
}

/* ---- figures ------------------------------------------------------------------------- */

static int plot_history(const plan *p, const run_result *res, int which, int log_y,
                        int ccrnn_only, const char *what, const char *ylabel, const char *path)
{
    size_t E = p->epochs, nv = p->n_variants, nc = 0;
    double *buf = malloc((1 + 2 * nv) * E * sizeof(double));
    ex_curve curves[MAX_VARIANTS];
    if (!buf) return -1;
    for (size_t e = 0; e < E; e++) buf[e] = (double)(e + 1);
    for (size_t v = 0; v < nv; v++) {
        if (ccrnn_only && !p->variants[v].cerebellum) continue;
        double *mean = buf + (1 + 2 * v) * E, *sem = mean + E;
        for (size_t e = 0; e < E; e++) epoch_stats(p, res, v, which, e, &mean[e], &sem[e]);
        curves[nc++] = (ex_curve){p->variants[v].label, color_of(&p->variants[v]), buf, mean,
                                  sem, E};
    }
    char title[160];
    snprintf(title, sizeof title, "Line drawing: %s (line: mean, band: ± SEM, %zu seeds)", what,
             p->n_seeds);
    int st = ex_plot_curves(path, title, "epoch", ylabel, log_y, curves, nc);
    free(buf);
    return st;
}

static int plot_bars(const plan *p, const run_result *res, const char *path)
{
    ex_bar bars[2 * MAX_VARIANTS];
    double vals[2][MAX_VARIANTS][MAX_SEEDS];
    static const int metric[2] = {M_VALID_EARLY, M_VALID};
    char group[2][48];
    snprintf(group[0], sizeof group[0], "epoch %zu", early_epoch(p));
    snprintf(group[1], sizeof group[1], "epoch %zu (last)", p->epochs);
    size_t n = 0;
    for (int g = 0; g < 2; g++)
        for (size_t v = 0; v < p->n_variants; v++) {
            double m, s;
            metric_values(p, res, v, metric[g], vals[g][v]);
            ex_mean_sem(vals[g][v], p->n_seeds, &m, &s);
            bars[n++] = (ex_bar){group[g], p->variants[v].label, color_of(&p->variants[v]), m, s,
                                 vals[g][v], p->n_seeds};
        }
    char title[128];
    snprintf(title, sizeof title, "Line drawing: validation MSE (bar: mean, error bar: ± SEM, "
                                  "dots: %zu seeds)", p->n_seeds);
    return ex_plot_bars(path, title, "validation MSE", bars, n);
}

/* One panel per model: targets dashed, each seed thin, the mean over seeds bold. */
static int plot_paths(const plan *p, const run_result *res, const char *path)
{
    size_t per_panel = LD_CUES * (p->n_seeds + 2);
    size_t np = p->n_variants * per_panel, k = 0;
    ex_path2d *paths = malloc(np * sizeof *paths);
    double *pts = malloc(np * LD_STEPS * 2 * sizeof(double));
    ex_panel panels[MAX_VARIANTS];
    ex_legend_item legend[LD_CUES + 2];
    static char names[LD_CUES][32];
    if (!paths || !pts) {
        free(paths), free(pts);
        return -1;
    }
    for (size_t v = 0; v < p->n_variants; v++) {
        panels[v] = (ex_panel){p->variants[v].label, paths + k, per_panel};
        for (int c = 0; c < LD_CUES; c++) {
            const char *col = ex_color((size_t)c); /* colours for cues, not models */
            double *xy = pts + k * LD_STEPS * 2;
            float target[LD_STEPS * 2];
            ld_target_path(c + LD_MIN_CUE, target);
            for (size_t i = 0; i < LD_STEPS * 2; i++) xy[i] = target[i];
            paths[k++] = (ex_path2d){xy, LD_STEPS, col, 1.5, 1, 0.7, 0};
            double *mean = pts + (k + p->n_seeds) * LD_STEPS * 2; /* drawn last, on top */
            memset(mean, 0, LD_STEPS * 2 * sizeof(double));
            for (size_t s = 0; s < p->n_seeds; s++) {
                const float *y = result(p, res, v, s)->paths[c];
                xy = pts + (k + s) * LD_STEPS * 2;
                for (size_t i = 0; i < LD_STEPS * 2; i++) {
                    xy[i] = y[i];
                    mean[i] += y[i] / (double)p->n_seeds;
                }
                paths[k + s] = (ex_path2d){xy, LD_STEPS, col, 0.8, 0, 0.35, 0};
            }
            paths[k + p->n_seeds] = (ex_path2d){mean, LD_STEPS, col, 2.5, 0, 1.0, 1};
            k += 1 + p->n_seeds;
        }
    }
    for (int c = 0; c < LD_CUES; c++) {
        int cue = c + LD_MIN_CUE;
        if (cue) snprintf(names[c], sizeof names[c], "cue %+d: %.0f deg", cue, ld_angle_deg(cue));
        else snprintf(names[c], sizeof names[c], "cue 0: stay at origin");
        legend[c] = (ex_legend_item){names[c], ex_color((size_t)c), 0};
    }
    legend[LD_CUES] = (ex_legend_item){"target (dashed)", "#777777", 1};
    legend[LD_CUES + 1] = (ex_legend_item){"thin: each seed", "#777777", 0};
    char title[128];
    snprintf(title, sizeof title, "Drawn paths after %zu epochs (thin: each of %zu seeds, bold: "
                                  "their mean) against the targets", p->epochs, p->n_seeds);
    int st = ex_plot_paths(path, title, panels, p->n_variants, 12.0, legend, LD_CUES + 2);
    free(paths), free(pts);
    return st;
}

int write_report(const plan *p, const run_result *res)
{
    static const char *const files[] = {
        "curves.csv",       "runs.csv",          "trajectories.csv",      "summary.csv",
        "summary.txt",      "paired.csv",        "epochs.md",             "curves-train.svg",
        "curves-validation.svg", "final-bars.svg", "trajectories.svg", "clip-factor.svg",
        "cortex-share.svg", "clip.csv"};
    enum { NF = sizeof files / sizeof files[0] };
    char path[NF][4096];
    for (size_t i = 0; i < NF; i++) ex_path_join(path[i], sizeof path[i], p->out, files[i]);
    int bad = write_curves(p, res, path[0]) | write_runs(p, res, path[1]) |
              write_paths(p, res, path[2]) | write_summary_csv(p, res, path[3]) |
              write_text(p, res, path[4], print_summary) | write_paired_csv(p, res, path[5]) |
              write_text(p, res, path[6], print_epochs) |
              plot_history(p, res, H_TRAIN, 1, 0, "training MSE", "training MSE", path[7]) |
              plot_history(p, res, H_VALID, 1, 0, "validation MSE", "validation MSE", path[8]) |
              plot_bars(p, res, path[9]) | plot_paths(p, res, path[10]) |
              plot_history(p, res, H_CLIP, 0, 0, "clip factor of the cortex's gradient",
                           "clip factor (1 = not clipped)", path[11]) |
              plot_history(p, res, H_SHARE, 0, 1, "cortex's share of the squared gradient norm",
                           "|g_cortex|² / |g_all|²", path[12]) |
              write_clip(p, res, path[13]);
    printf("\n");
    print_summary(stdout, p, res);
    printf("\nfiles:\n");
    for (size_t i = 0; i < NF; i++) printf("  %s\n", path[i]);
    return bad ? -1 : 0;
}
