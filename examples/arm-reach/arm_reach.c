/* arm-reach: a planar two-joint arm in closed loop with a ccRNN controller that learns
 * online, at batch 1, one library call sequence per simulation tick (controller.h).
 *
 * The task (arm.h) is a delayed reach: the target is shown at tick 0 only, the hand
 * holds at the centre until the go tick, then must reach the remembered target.  For
 * every seed the same stream of reaches trains a controller with a cerebellum (ccRNN)
 * and one without (cRNN); then each reaches the 8 targets in inference mode.  Writes
 * curves.csv, runs.csv, paths.csv, learning-curves.svg and reach-paths.svg into --out
 * and prints the summary with the measured step latency. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arm.h"
#include "args.h"
#include "controller.h"
#include "output.h"
#include "rng.h"
#include "svg.h"

#define MAX_SEEDS 32

typedef struct options {
    const char *model, *seeds, *out;
    long trials, bptt, delay, ticks, hidden, cb_layers, cb_width, block, threads;
    double lr, sg_scale;
} options;

typedef struct run_result {
    double *curve;         /* per block of training reaches: mean final distance (cm) */
    size_t n_blocks;
    double final_error;    /* evaluation: mean final distance to the target (cm) */
    double move_error;     /* evaluation: mean distance over the ticks from go on (cm) */
    double *paths;         /* n_targets x (ticks + 1) x 2: hand minus centre (cm) */
    double lat[3];         /* training tick: median, 90th and 99th percentile (us) */
    double lat_mean;       /* training tick: mean (us); with bptt > 1 the cost of a
                              window is spread over its ticks, so this is the one to read */
    double inf_median;     /* inference tick: median (us) */
    double seconds;
} run_result;

static int parse_options(int argc, char **argv, options *o)
{
    const ex_option table[] = {
        {"model", EX_OPT_STRING, &o->model, 0, 0, "M", "crnn, ccrnn or both"},
        {"seeds", EX_OPT_STRING, &o->seeds, 0, 0, "N|LIST",
         "a count (seeds 1..N) or a comma-separated list ('7,' is the single seed 7)"},
        {"trials", EX_OPT_INT, &o->trials, 1, 10000000, "N", "training reaches per run"},
        {"bptt", EX_OPT_INT, &o->bptt, 1, 1000, "T", "ticks per truncation window"},
        {"delay", EX_OPT_INT, &o->delay, 0, 1000, "D", "go tick (hold before it)"},
        {"ticks", EX_OPT_INT, &o->ticks, 2, 10000, "N", "ticks per reach"},
        {"hidden", EX_OPT_INT, &o->hidden, 1, 100000, "H", "LSTM units"},
        {"cb-layers", EX_OPT_INT, &o->cb_layers, 0, 16, "N", "hidden layers of the cerebellum"},
        {"cb-width", EX_OPT_INT, &o->cb_width, 1, 100000, "W", "their width"},
        {"lr", EX_OPT_REAL, &o->lr, 0, 1, "X", "Adam learning rate"},
        {"sg-scale", EX_OPT_REAL, &o->sg_scale, 0, 100, "X",
         "scale of the synthetic gradient injected at each window end"},
        {"block", EX_OPT_INT, &o->block, 1, 1000000, "N", "reaches per learning-curve point"},
        {"threads", EX_OPT_INT, &o->threads, 1, 256, "N", "BLIS threads per handle"},
        {"out", EX_OPT_STRING, &o->out, 0, 0, "DIR", "results folder (created if needed)"},
    };
    const char *about =
        "A two-joint arm learns delayed reaches online (batch 1, one window per tick by\n"
        "default) with a ccRNN controller, with and without its cerebellum.  Prints the\n"
        "final reaching error and the measured latency of a training tick.";
    return ex_args_parse(argc, argv, about, table, sizeof table / sizeof table[0]);
}

static void config_from(const options *o, arm_config *arm, ctl_config *ctl, int cerebellum,
                        uint64_t seed)
{
    arm_config_defaults(arm);
    arm->delay = (size_t)o->delay;
    arm->ticks = (size_t)o->ticks;
    memset(ctl, 0, sizeof *ctl);
    ctl->cerebellum = cerebellum;
    ctl->n_in = ARM_INPUTS;
    ctl->n_out = ARM_OUTPUTS;
    ctl->hidden = (size_t)o->hidden;
    ctl->cb_layers = (size_t)o->cb_layers;
    ctl->cb_width = (size_t)o->cb_width;
    ctl->bptt = (size_t)o->bptt;
    ctl->lr = o->lr;
    ctl->clip = 1.0;
    ctl->sg_scale = o->sg_scale;
    ctl->threads = (int)o->threads;
    ctl->seed = seed;
}

static double distance_cm(const arm_config *arm, const arm_state *s, const double target[2])
{
    double p[2];
    arm_hand(arm, s->q, p);
    return 100.0 * hypot(p[0] - target[0], p[1] - target[1]);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* q-th quantile of v (sorted in place), by the nearest rank. */
static double quantile(double *v, size_t n, double q)
{
    qsort(v, n, sizeof *v, cmp_double);
    size_t i = (size_t)ceil(q * (double)n);
    return v[i > 0 ? i - 1 : 0];
}

/* Online learning: every tick acts, steps the arm and learns (timed together). */
static int train(controller *c, const arm_config *arm, const options *o, uint64_t seed,
                 run_result *r, double *lat)
{
    ex_rng rng;
    ex_rng_seed(&rng, ex_hash(seed, 0xA4A4u)); /* the same reaches for both models */
    double block_sum = 0.0;
    size_t i = 0;
    for (long trial = 0; trial < o->trials; trial++) {
        double target[2], goal[2];
        arm_state s;
        arm_target(arm, (size_t)ex_rng_int(&rng, 0, (long)arm->n_targets - 1), target);
        arm_reset(arm, &s);
        if (ctl_begin_reach(c)) return -1;
        for (size_t t = 0; t < arm->ticks; t++) {
            float x[ARM_INPUTS], u[ARM_OUTPUTS], du[ARM_OUTPUTS];
            arm_input(arm, &s, target, t, x);
            arm_goal(arm, target, t, goal);
            double t0 = ex_now();
            if (ctl_act(c, x, u)) return -1;
            arm_step(arm, &s, u, goal, du);
            if (ctl_learn(c, du, t + 1 == arm->ticks)) return -1;
            lat[i++] = 1e6 * (ex_now() - t0);
        }
        block_sum += distance_cm(arm, &s, target);
        if ((trial + 1) % o->block == 0) {
            r->curve[r->n_blocks++] = block_sum / (double)o->block;
            block_sum = 0.0;
        }
    }
    double sum = 0.0;
    for (size_t j = 0; j < i; j++) sum += lat[j];
    r->lat_mean = sum / (double)i;
    r->lat[0] = quantile(lat, i, 0.5);
    r->lat[1] = quantile(lat, i, 0.9);
    r->lat[2] = quantile(lat, i, 0.99);
    return 0;
}

/* Inference: one reach to each target (repeated for the timing), paths recorded. */
static int evaluate(controller *c, const arm_config *arm, run_result *r, double *lat)
{
    const size_t repeats = 10, n = arm->n_targets, T = arm->ticks;
    size_t i = 0;
    if (ctl_set_training(c, 0)) return -1;
    for (size_t rep = 0; rep < repeats; rep++) {
        double final = 0.0, moving = 0.0;
        for (size_t k = 0; k < n; k++) {
            double target[2], goal[2], p[2];
            float x[ARM_INPUTS], u[ARM_OUTPUTS], du[ARM_OUTPUTS];
            arm_state s;
            double *path = r->paths + k * (T + 1) * 2;
            arm_target(arm, k, target);
            arm_reset(arm, &s);
            if (ctl_begin_reach(c)) return -1;
            path[0] = path[1] = 0.0;
            for (size_t t = 0; t < T; t++) {
                arm_input(arm, &s, target, t, x);
                arm_goal(arm, target, t, goal);
                double t0 = ex_now();
                if (ctl_act(c, x, u)) return -1;
                arm_step(arm, &s, u, goal, du);
                lat[i++] = 1e6 * (ex_now() - t0);
                arm_hand(arm, s.q, p);
                path[2 * (t + 1)] = 100.0 * (p[0] - arm->centre[0]);
                path[2 * (t + 1) + 1] = 100.0 * (p[1] - arm->centre[1]);
                if (t >= arm->delay) moving += distance_cm(arm, &s, target);
            }
            final += distance_cm(arm, &s, target);
        }
        r->final_error = final / (double)n;
        r->move_error = moving / (double)(n * (T - arm->delay));
    }
    r->inf_median = quantile(lat, i, 0.5);
    return ctl_set_training(c, 1);
}

static int run_one(const options *o, int cerebellum, uint64_t seed, run_result *r)
{
    arm_config arm;
    ctl_config cfg;
    controller *c = NULL;
    config_from(o, &arm, &cfg, cerebellum, seed);
    memset(r, 0, sizeof *r);
    r->curve = calloc((size_t)o->trials / (size_t)o->block + 1, sizeof(double));
    r->paths = calloc(arm.n_targets * (arm.ticks + 1) * 2, sizeof(double));
    double *lat = malloc((size_t)o->trials * arm.ticks * sizeof(double) + 10 * arm.n_targets *
                         arm.ticks * sizeof(double));
    double t0 = ex_now();
    int st = r->curve && r->paths && lat ? ctl_create(&cfg, &c) : CCRNN_ERR_NOMEM;
    if (st == CCRNN_OK && (train(c, &arm, o, seed, r, lat) || evaluate(c, &arm, r, lat)))
        st = -1;
    r->seconds = ex_now() - t0;
    ctl_destroy(c);
    free(lat);
    return st;
}

/* ---- output -------------------------------------------------------------------------- */

static const char *const model_name[2] = {"crnn", "ccrnn"};
static const char *const model_label[2] = {"cRNN (no cerebellum)", "ccRNN (with cerebellum)"};
static const char *const model_color[2] = {"#d62728", "#2ca02c"};

static int write_csvs(const options *o, const int *models, size_t n_models,
                      const unsigned long long *seeds, size_t n_seeds, const run_result *res)
{
    char path[1024];
    arm_config arm;
    ctl_config unused;
    config_from(o, &arm, &unused, 0, 0);
    FILE *f = ex_csv_open(ex_path_join(path, sizeof path, o->out, "curves.csv"),
                          "model,seed,trials,final_error_cm");
    if (!f) return -1;
    for (size_t m = 0; m < n_models; m++)
        for (size_t s = 0; s < n_seeds; s++) {
            const run_result *r = &res[m * n_seeds + s];
            for (size_t b = 0; b < r->n_blocks; b++)
                fprintf(f, "%s,%llu,%zu,%.6g\n", model_name[models[m]], seeds[s],
                        (b + 1) * (size_t)o->block, r->curve[b]);
        }
    if (ex_csv_close(f, path)) return -1;
    f = ex_csv_open(ex_path_join(path, sizeof path, o->out, "runs.csv"),
                    "model,seed,final_error_cm,move_error_cm,train_tick_median_us,"
                    "train_tick_p90_us,train_tick_p99_us,train_tick_mean_us,"
                    "inference_tick_median_us,seconds");
    if (!f) return -1;
    for (size_t m = 0; m < n_models; m++)
        for (size_t s = 0; s < n_seeds; s++) {
            const run_result *r = &res[m * n_seeds + s];
            fprintf(f, "%s,%llu,%.6g,%.6g,%.2f,%.2f,%.2f,%.2f,%.2f,%.2f\n",
                    model_name[models[m]], seeds[s], r->final_error, r->move_error, r->lat[0],
                    r->lat[1], r->lat[2], r->lat_mean, r->inf_median, r->seconds);
        }
    if (ex_csv_close(f, path)) return -1;
    f = ex_csv_open(ex_path_join(path, sizeof path, o->out, "paths.csv"),
                    "model,seed,target,tick,x_cm,y_cm");
    if (!f) return -1;
    for (size_t m = 0; m < n_models; m++)
        for (size_t s = 0; s < n_seeds; s++)
            for (size_t k = 0; k < arm.n_targets; k++)
                for (size_t t = 0; t <= arm.ticks; t++) {
                    const double *p = res[m * n_seeds + s].paths + (k * (arm.ticks + 1) + t) * 2;
                    fprintf(f, "%s,%llu,%zu,%zu,%.4f,%.4f\n", model_name[models[m]], seeds[s], k,
                            t, p[0], p[1]);
                }
    return ex_csv_close(f, path);
}

static int plot_curves(const options *o, const int *models, size_t n_models, size_t n_seeds,
                       const run_result *res)
{
    size_t nb = res[0].n_blocks;
    double *buf = calloc(nb * (1 + 2 * n_models) + n_seeds, sizeof(double));
    ex_curve curves[2];
    char path[1024];
    if (!buf) return -1;
    double *x = buf, *col = buf + nb * (1 + 2 * n_models);
    for (size_t b = 0; b < nb; b++) x[b] = (double)((b + 1) * (size_t)o->block);
    for (size_t m = 0; m < n_models; m++) {
        double *mean = buf + nb * (1 + 2 * m), *sem = mean + nb;
        for (size_t b = 0; b < nb; b++) {
            for (size_t s = 0; s < n_seeds; s++) col[s] = res[m * n_seeds + s].curve[b];
            ex_mean_sem(col, n_seeds, &mean[b], &sem[b]);
        }
        curves[m] = (ex_curve){model_label[models[m]], model_color[models[m]], x, mean, sem, nb};
    }
    int st = ex_plot_curves(ex_path_join(path, sizeof path, o->out, "learning-curves.svg"),
                            "Delayed reaching, learned online: final distance to the target",
                            "training reaches", "final distance (cm), mean +- SEM over seeds", 0,
                            curves, n_models);
    free(buf);
    return st;
}

/* Hand paths of the first seed, one panel per model; dashed: the straight reach. */
static int plot_paths(const options *o, const int *models, size_t n_models, size_t n_seeds,
                      const run_result *res)
{
    arm_config arm;
    ctl_config unused;
    config_from(o, &arm, &unused, 0, 0);
    size_t n = arm.n_targets;
    ex_path2d *paths = calloc(2 * n * n_models, sizeof *paths);
    double *straight = calloc(4 * n, sizeof(double));
    ex_panel panels[2];
    char titles[2][96], path[1024];
    if (!paths || !straight) {
        free(paths), free(straight);
        return -1;
    }
    for (size_t k = 0; k < n; k++) {
        double tp[2];
        arm_target(&arm, k, tp);
        straight[4 * k + 2] = 100.0 * (tp[0] - arm.centre[0]);
        straight[4 * k + 3] = 100.0 * (tp[1] - arm.centre[1]);
    }
    for (size_t m = 0; m < n_models; m++) {
        const run_result *r = &res[m * n_seeds];
        ex_path2d *p = paths + 2 * n * m;
        for (size_t k = 0; k < n; k++) {
            p[2 * k] = (ex_path2d){straight + 4 * k, 2, ex_color(k), 1.0, 1, 0.6, 1};
            p[2 * k + 1] = (ex_path2d){r->paths + k * (arm.ticks + 1) * 2, arm.ticks + 1,
                                       ex_color(k), 2.0, 0, 1.0, 1};
        }
        snprintf(titles[m], sizeof titles[m], "%s: final error %.2f cm", model_label[models[m]],
                 r->final_error);
        panels[m] = (ex_panel){titles[m], p, 2 * n};
    }
    ex_legend_item legend[2] = {{"hand path", "#444444", 0}, {"straight line", "#444444", 1}};
    int st = ex_plot_paths(ex_path_join(path, sizeof path, o->out, "reach-paths.svg"),
                           "Reaches to 8 remembered targets (cm from the start; first seed)",
                           panels, n_models, 15.0, legend, 2);
    free(paths), free(straight);
    return st;
}

static void print_summary(const options *o, const int *models, size_t n_models, size_t n_seeds,
                          const run_result *res)
{
    printf("\nsummary over %zu seed(s): mean +- SEM (holding still at the start scores 10 cm)\n",
           n_seeds);
    printf("  %-24s %-16s %-16s %-24s %s\n", "model", "final error cm", "path error cm",
           "train tick us", "inference tick us");
    for (size_t m = 0; m < n_models; m++) {
        double v[4][MAX_SEEDS], mean[4], sem[4];
        for (size_t s = 0; s < n_seeds; s++) {
            const run_result *r = &res[m * n_seeds + s];
            v[0][s] = r->final_error, v[1][s] = r->move_error, v[2][s] = r->lat[0];
            v[3][s] = r->lat_mean;
        }
        for (int k = 0; k < 4; k++) {
            ex_mean_sem(v[k], n_seeds, &mean[k], &sem[k]);
            if (!isfinite(sem[k])) sem[k] = 0.0;
        }
        double inf[MAX_SEEDS], inf_mean, inf_sem;
        for (size_t s = 0; s < n_seeds; s++) inf[s] = res[m * n_seeds + s].inf_median;
        ex_mean_sem(inf, n_seeds, &inf_mean, &inf_sem);
        char c1[40], c2[40], c3[40];
        snprintf(c1, sizeof c1, "%.2f +- %.2f", mean[0], sem[0]);
        snprintf(c2, sizeof c2, "%.2f +- %.2f", mean[1], sem[1]);
        snprintf(c3, sizeof c3, "median %.1f, mean %.1f", mean[2], mean[3]);
        printf("  %-24s %-16s %-16s %-24s median %.1f\n", model_label[models[m]], c1, c2, c3,
               inf_mean);
    }
    printf("(tick latencies: median and mean over each run's ticks, averaged over seeds; "
           "bptt %ld, H %ld, cerebellum %ld x %ld)\n", o->bptt, o->hidden, o->cb_layers,
           o->cb_width);
}

static size_t parse_seeds(const char *text, unsigned long long *seeds)
{
    size_t n = ex_parse_uint_list(text, seeds, MAX_SEEDS);
    if (n == 1 && !strchr(text, ',')) { /* a bare number is a count */
        size_t count = (size_t)seeds[0];
        if (count < 1 || count > MAX_SEEDS) return 0;
        for (size_t i = 0; i < count; i++) seeds[i] = i + 1;
        n = count;
    }
    return n;
}

int main(int argc, char **argv)
{
    options o = {.model = "both", .seeds = "3", .out = "results/arm-reach", .trials = 3000,
                 .bptt = 1, .delay = 2, .ticks = 20, .hidden = 32, .cb_layers = 1,
                 .cb_width = 256, .block = 100, .threads = 1, .lr = 1e-3, .sg_scale = 0.1};
    int rc = parse_options(argc, argv, &o);
    if (rc != EX_ARGS_OK) return rc == EX_ARGS_HELP ? 0 : 2;
    unsigned long long seeds[MAX_SEEDS];
    size_t n_seeds = parse_seeds(o.seeds, seeds);
    int models[2], n_models = 0;
    if (!strcmp(o.model, "crnn") || !strcmp(o.model, "both")) models[n_models++] = 0;
    if (!strcmp(o.model, "ccrnn") || !strcmp(o.model, "both")) models[n_models++] = 1;
    if (!n_seeds || !n_models || o.delay >= o.ticks || o.trials < o.block) {
        fprintf(stderr, "arm-reach: need --seeds N|LIST, --model crnn|ccrnn|both, "
                        "--delay < --ticks and --trials >= --block\n");
        return 2;
    }
    if (ex_mkdirs(o.out)) return 1;
    run_result *res = calloc((size_t)n_models * n_seeds, sizeof *res);
    if (!res) return 1;
    printf("arm-reach: %d model(s) x %zu seed(s) x %ld reaches of %ld ticks (go at tick %ld), "
           "online at batch 1, bptt %ld\n", n_models, n_seeds, o.trials, o.ticks, o.delay, o.bptt);
    int st = 0;
    for (size_t s = 0; s < n_seeds && !st; s++)
        for (int m = 0; m < n_models && !st; m++) {
            run_result *r = &res[(size_t)m * n_seeds + s];
            st = run_one(&o, models[m], seeds[s], r);
            if (!st)
                printf("  %-26s seed %-4llu final error %6.2f cm  path error %6.2f cm  "
                       "tick %.1f us (p90 %.1f, p99 %.1f, mean %.1f)  %.1f s\n",
                       model_label[models[m]], seeds[s], r->final_error, r->move_error,
                       r->lat[0], r->lat[1], r->lat[2], r->lat_mean, r->seconds);
            fflush(stdout);
        }
    if (!st) {
        print_summary(&o, models, (size_t)n_models, n_seeds, res);
        st = write_csvs(&o, models, (size_t)n_models, seeds, n_seeds, res) |
             plot_curves(&o, models, (size_t)n_models, n_seeds, res) |
             plot_paths(&o, models, (size_t)n_models, n_seeds, res);
        if (!st)
            printf("files: %s/{curves,runs,paths}.csv, learning-curves.svg, reach-paths.svg\n",
                   o.out);
    }
    for (size_t i = 0; i < (size_t)n_models * n_seeds; i++) free(res[i].curve), free(res[i].paths);
    free(res);
    return st ? 1 : 0;
}
