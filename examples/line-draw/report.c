#include "report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "svg.h"

static const run_result *result(const plan *p, const run_result *res, size_t v, size_t s)
{
    return &res[v * p->n_seeds + s];
}

/* ---- CSV tables ----------------------------------------------------------------------- */

static int write_curves(const plan *p, const run_result *res, const char *path)
{
    FILE *f = ex_csv_open(path, "epoch,model,seed,train,validation");
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

static int write_runs(const plan *p, const run_result *res, const char *path)
{
    FILE *f = ex_csv_open(path, "model,seed,train,validation,test,endpoint_error,jerk,"
                                "deviation,seconds");
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
    FILE *f = ex_csv_open(path, "model,seed,cue,t,x,y,target_x,target_y");
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

/* ---- summary ------------------------------------------------------------------------- */

enum { M_TRAIN, M_VALID, M_VALID_MEAN, M_TEST, M_END, M_JERK, M_DEV, M_SECONDS, N_METRICS };

static const char *const metric_key[N_METRICS] = {
    "train_mse_final", "validation_mse_final", "validation_mse_mean_over_epochs", "test_mse",
    "endpoint_error", "squared_jerk", "deviation_from_line", "seconds_per_run"};
static const char *const metric_label[N_METRICS] = {
    "train MSE, last epoch", "validation MSE, last epoch", "validation MSE, mean of epochs",
    "test MSE", "endpoint error (t = 9)", "mean squared jerk", "deviation from the line",
    "seconds per run"};

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
    case M_TEST: return h->test.loss;
    case M_END: return r->measures.endpoint_error;
    case M_JERK: return r->measures.jerk;
    case M_DEV: return r->measures.deviation;
    default: return h->seconds;
    }
}

static void metric_stats(const plan *p, const run_result *res, size_t v, int k, double *mean,
                         double *sem)
{
    double vals[MAX_SEEDS];
    for (size_t s = 0; s < p->n_seeds; s++) vals[s] = metric_value(p, result(p, res, v, s), k);
    ex_mean_sem(vals, p->n_seeds, mean, sem);
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

static void format_stat(double m, double e, char *buf, size_t cap)
{
    if (isfinite(e)) snprintf(buf, cap, "%.4g +- %.2g", m, e);
    else snprintf(buf, cap, "%.4g", m);
}

static void print_summary(FILE *f, const plan *p, const run_result *res)
{
    fprintf(f, "line-draw summary: mean +- SEM over %zu seed(s) (", p->n_seeds);
    for (size_t s = 0; s < p->n_seeds; s++) fprintf(f, "%s%llu", s ? " " : "", p->seeds[s]);
    fprintf(f, "), %zu epochs\n\n%-32s", p->epochs, "metric");
    for (size_t v = 0; v < p->n_variants; v++) fprintf(f, "  %-20s", p->variants[v].name);
    fputc('\n', f);
    for (int k = 0; k < N_METRICS; k++) {
        fprintf(f, "%-32s", metric_label[k]);
        for (size_t v = 0; v < p->n_variants; v++) {
            double m, e;
            char buf[64];
            metric_stats(p, res, v, k, &m, &e);
            format_stat(m, e, buf, sizeof buf);
            fprintf(f, "  %-20s", buf);
        }
        fputc('\n', f);
    }
    fputc('\n', f);
    for (size_t v = 0; v < p->n_variants; v++)
        fprintf(f, "%s = %s\n", p->variants[v].name, p->variants[v].label);
}

static int write_summary_txt(const plan *p, const run_result *res, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "cannot write '%s'\n", path);
        return -1;
    }
    print_summary(f, p, res);
    return ex_csv_close(f, path);
}

/* ---- figures ------------------------------------------------------------------------- */

static int plot_learning(const plan *p, const run_result *res, int valid, const char *path)
{
    size_t E = p->epochs, nv = p->n_variants;
    double *buf = malloc((1 + 2 * nv) * E * sizeof(double)), vals[MAX_SEEDS];
    ex_curve curves[MAX_VARIANTS];
    if (!buf) return -1;
    for (size_t e = 0; e < E; e++) buf[e] = (double)(e + 1);
    for (size_t v = 0; v < nv; v++) {
        double *mean = buf + (1 + 2 * v) * E, *sem = mean + E;
        for (size_t e = 0; e < E; e++) {
            for (size_t s = 0; s < p->n_seeds; s++) {
                const ex_history *h = &result(p, res, v, s)->hist;
                vals[s] = valid ? h->valid[e] : h->train[e];
            }
            ex_mean_sem(vals, p->n_seeds, &mean[e], &sem[e]);
        }
        curves[v] = (ex_curve){p->variants[v].label, ex_model_color(p->variants[v].name), buf,
                               mean, sem, E};
    }
    char title[128];
    snprintf(title, sizeof title, "Line drawing: %s MSE (mean +- SEM over %zu seeds)",
             valid ? "validation" : "training", p->n_seeds);
    int st = ex_plot_curves(path, title, "epoch", valid ? "validation MSE" : "training MSE", 1,
                            curves, nv);
    free(buf);
    return st;
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
            const char *col = ex_color((size_t)c);
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
    int st = ex_plot_paths(path, "Drawn paths (bold: mean over seeds) against the targets",
                           panels, p->n_variants, 12.0, legend, LD_CUES + 2);
    free(paths), free(pts);
    return st;
}

int write_report(const plan *p, const run_result *res)
{
    static const char *const files[] = {"curves.csv", "runs.csv", "trajectories.csv",
                                        "summary.csv", "summary.txt", "curves-train.svg",
                                        "curves-validation.svg", "trajectories.svg"};
    char path[8][4096];
    for (size_t i = 0; i < 8; i++) ex_path_join(path[i], sizeof path[i], p->out, files[i]);
    int bad = write_curves(p, res, path[0]) | write_runs(p, res, path[1]) |
              write_paths(p, res, path[2]) | write_summary_csv(p, res, path[3]) |
              write_summary_txt(p, res, path[4]) | plot_learning(p, res, 0, path[5]) |
              plot_learning(p, res, 1, path[6]) | plot_paths(p, res, path[7]);
    printf("\n");
    print_summary(stdout, p, res);
    printf("\nfiles:\n");
    for (size_t i = 0; i < 8; i++) printf("  %s\n", path[i]);
    return bad ? -1 : 0;
}
