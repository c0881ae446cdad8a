/* mujoco-reach: a ccRNN controller learns delayed reaches online inside MuJoCo.
 *
 * The plant is a planar two-joint arm simulated by MuJoCo (arm2.xml, plant.h): each
 * controller tick is one mj_step of 10 ms, preceded by one forward step of the cortex
 * and followed by its learning step (the per-tick call sequence of examples/arm-reach's
 * controller.h: one truncation window per tick at batch 1).  The target is cued at
 * tick 0 only, the hand holds until the go tick, and the hand position reaches the
 * controller a few ticks late.  With one-tick windows the cortex's own gradient never
 * crosses a tick: remembering the cue across the delay must be learned through the
 * cerebellum's synthetic gradient (ccRNN), or not at all (cRNN).
 *
 * For every seed the same stream of reaches trains both models; then each reaches the
 * 8 targets in inference mode.  Prints per-seed results, the per-tick cost of libccrnn
 * and of mj_step, and the paired ccRNN - cRNN comparison over seeds; writes
 * runs.csv, curves.csv, paths.csv, learning-curves.svg and reach-paths.svg to --out. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "controller.h"
#include "output.h"
#include "plant.h"
#include "rng.h"
#include "stats.h"
#include "svg.h"

#ifndef MUJOCO_REACH_MJCF
#define MUJOCO_REACH_MJCF "arm2.xml"
#endif

#define MAX_SEEDS 64

typedef struct options {
    const char *model, *seeds, *out, *mjcf;
    long trials, bptt, delay, feedback, ticks, hidden, cb_layers, cb_width, block;
    double lr, sg_scale;
} options;

/* Evaluation metrics, each the mean over the targets. */
enum { M_FINAL, M_REACH, M_DEVIATION, M_JERK, N_METRICS };
static const char *const metric_label[N_METRICS] = {
    "endpoint error (cm)", "reach error (cm)", "path deviation (cm)", "RMS jerk (m/s^3)"};

typedef struct run_result {
    double *curve;          /* per block of training reaches: mean endpoint error (cm) */
    size_t n_blocks;
    double metric[N_METRICS];
    double *paths;          /* n_targets x (ticks + 1) x 2: hand minus centre (cm) */
    double lib_us, sim_us;  /* training tick medians: libccrnn calls, mj_step */
    double inf_us;          /* inference tick median: the cortex's forward */
    double seconds;
} run_result;

static int parse_options(int argc, char **argv, options *o)
{
    const ex_option table[] = {
        {"model", EX_OPT_STRING, &o->model, 0, 0, "M", "crnn, ccrnn or both"},
        {"seeds", EX_OPT_STRING, &o->seeds, 0, 0, "N|LIST",
         "a count (seeds 1..N) or a comma-separated list ('7,' is the single seed 7)"},
        {"trials", EX_OPT_INT, &o->trials, 1, 10000000, "N", "training reaches per run"},
        {"block", EX_OPT_INT, &o->block, 1, 1000000, "N", "reaches per learning-curve point"},
        {"delay", EX_OPT_INT, &o->delay, 0, 1000, "D", "go tick (the cue is at tick 0)"},
        {"feedback-delay", EX_OPT_INT, &o->feedback, 0, PLANT_MAX_FEEDBACK_DELAY, "F",
         "ticks before the hand position reaches the controller"},
        {"ticks", EX_OPT_INT, &o->ticks, 2, 10000, "N", "ticks (mj_steps) per reach"},
        {"bptt", EX_OPT_INT, &o->bptt, 1, 1000, "T", "ticks per truncation window"},
        {"hidden", EX_OPT_INT, &o->hidden, 1, 100000, "H", "LSTM units"},
        {"cb-layers", EX_OPT_INT, &o->cb_layers, 0, 16, "N", "hidden layers of the cerebellum"},
        {"cb-width", EX_OPT_INT, &o->cb_width, 1, 100000, "W", "their width"},
        {"lr", EX_OPT_REAL, &o->lr, 0, 1, "X", "Adam learning rate"},
        {"sg-scale", EX_OPT_REAL, &o->sg_scale, 0, 100, "X",
         "scale of the synthetic gradient injected at each window end"},
        {"mjcf", EX_OPT_STRING, &o->mjcf, 0, 0, "FILE", "the arm's MJCF model"},
        {"out", EX_OPT_STRING, &o->out, 0, 0, "DIR", "results folder (created if needed)"},
    };
    const char *about =
        "A two-joint arm simulated by MuJoCo learns delayed reaches online (batch 1, one\n"
        "truncation window and one mj_step per tick) with a ccRNN controller, with and\n"
        "without its cerebellum, and compares the two over seeds.";
    return ex_args_parse(argc, argv, about, table, sizeof table / sizeof table[0]);
}

static void configure(const options *o, reach_task *task, ctl_config *ctl, int cerebellum,
                      uint64_t seed)
{
    reach_task_defaults(task);
    task->ticks = (size_t)o->ticks;
    task->delay = (size_t)o->delay;
    task->feedback_delay = (size_t)o->feedback;
    memset(ctl, 0, sizeof *ctl);
    ctl->cerebellum = cerebellum;
    ctl->n_in = PLANT_INPUTS;
    ctl->n_out = PLANT_OUTPUTS;
    ctl->hidden = (size_t)o->hidden;
    ctl->cb_layers = (size_t)o->cb_layers;
    ctl->cb_width = (size_t)o->cb_width;
    ctl->bptt = (size_t)o->bptt;
    ctl->lr = o->lr;
    ctl->clip = 1.0;
    ctl->sg_scale = o->sg_scale;
    ctl->threads = 1;
    ctl->seed = seed;
}

static double distance_cm(const plant *p, const double target[2])
{
    double h[2];
    plant_hand(p, h);
    return 100.0 * hypot(h[0] - target[0], h[1] - target[1]);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* Online learning: every tick the cortex acts, MuJoCo steps, the controller learns. */
static int train(controller *c, plant *p, const options *o, uint64_t seed, run_result *r,
                 double *lib_lat, double *sim_lat)
{
    const reach_task *task = &p->task;
    ex_rng rng;
    ex_rng_seed(&rng, ex_hash(seed, 0x3A3Au)); /* the same reaches for both models */
    double block_sum = 0.0;
    size_t i = 0;
    for (long trial = 0; trial < o->trials; trial++) {
        double target[2], goal[2];
        reach_target(task, (size_t)ex_rng_int(&rng, 0, (long)task->n_targets - 1), target);
        plant_reset(p);
        if (ctl_begin_reach(c)) return -1;
        for (size_t t = 0; t < task->ticks; t++) {
            float x[PLANT_INPUTS], u[PLANT_OUTPUTS], du[PLANT_OUTPUTS];
            plant_input(p, target, x);
            reach_goal(task, target, t, goal);
            double t0 = ex_now();
            if (ctl_act(c, x, u)) return -1;               /* libccrnn: forward */
            double t1 = ex_now();
            plant_step(p, u);                                /* MuJoCo: one mj_step */
            double t2 = ex_now();
            plant_observe(p, goal, du);                      /* loss gradient dL/du */
            double t3 = ex_now();
            if (ctl_learn(c, du, t + 1 == task->ticks)) return -1; /* libccrnn: learn */
            lib_lat[i] = 1e6 * ((t1 - t0) + (ex_now() - t3));
            sim_lat[i++] = 1e6 * (t2 - t1);
        }
        block_sum += distance_cm(p, target);
        if ((trial + 1) % o->block == 0) {
            r->curve[r->n_blocks++] = block_sum / (double)o->block;
            block_sum = 0.0;
        }
    }
    r->lib_us = median(lib_lat, i);
    r->sim_us = median(sim_lat, i);
    return 0;
}

/* Largest distance (cm) of the path's points from the straight line start -> target. */
static double max_deviation(const double *path, size_t n, const double end[2])
{
    double len = hypot(end[0], end[1]), worst = 0.0;
    for (size_t t = 0; t < n; t++) {
        double d = fabs(end[0] * path[2 * t + 1] - end[1] * path[2 * t]) / len;
        if (d > worst) worst = d;
    }
    return worst;
}

/* RMS of the hand's jerk (third finite difference / dt^3, m/s^3) over a path in cm. */
static double rms_jerk(const double *path, size_t n, double dt)
{
    double sum = 0.0;
    if (n < 4) return 0.0;
    for (size_t t = 3; t < n; t++)
        for (int k = 0; k < 2; k++) {
            const double *q = path + 2 * t + k;
            double j = (q[0] - 3.0 * q[-2] + 3.0 * q[-4] - q[-6]) / 100.0 / (dt * dt * dt);
            sum += j * j;
        }
    return sqrt(sum / (double)(2 * (n - 3)));
}

/* Inference: one reach to each target, paths recorded and scored. */
static int evaluate(controller *c, plant *p, run_result *r, double *lat)
{
    const reach_task *task = &p->task;
    const size_t n = task->n_targets, T = task->ticks, go = task->delay;
    const double dt = p->m->opt.timestep;
    size_t i = 0;
    memset(r->metric, 0, sizeof r->metric);
    if (ctl_set_training(c, 0)) return -1;
    for (size_t k = 0; k < n; k++) {
        double target[2], goal[2], h[2], rel[2];
        float x[PLANT_INPUTS], u[PLANT_OUTPUTS], du[PLANT_OUTPUTS];
        double *path = r->paths + k * (T + 1) * 2, reach = 0.0;
        reach_target(task, k, target);
        rel[0] = 100.0 * (target[0] - task->centre[0]);
        rel[1] = 100.0 * (target[1] - task->centre[1]);
        plant_reset(p);
        if (ctl_begin_reach(c)) return -1;
        path[0] = path[1] = 0.0;
        for (size_t t = 0; t < T; t++) {
            plant_input(p, target, x);
            reach_goal(task, target, t, goal);
            double t0 = ex_now();
            if (ctl_act(c, x, u)) return -1;
            lat[i++] = 1e6 * (ex_now() - t0);
            plant_step(p, u);
            plant_observe(p, goal, du);
            plant_hand(p, h);
            path[2 * (t + 1)] = 100.0 * (h[0] - task->centre[0]);
            path[2 * (t + 1) + 1] = 100.0 * (h[1] - task->centre[1]);
            if (t >= go) reach += distance_cm(p, target);
        }
        /* the movement: the path from the go tick on */
        const double *moving = path + 2 * go;
        r->metric[M_FINAL] += distance_cm(p, target) / (double)n;
        r->metric[M_REACH] += reach / (double)(T - go) / (double)n;
        r->metric[M_DEVIATION] += max_deviation(moving, T + 1 - go, rel) / (double)n;
        r->metric[M_JERK] += rms_jerk(moving, T + 1 - go, dt) / (double)n;
    }
    r->inf_us = median(lat, i);
    return ctl_set_training(c, 1);
}

static int run_one(const options *o, int cerebellum, uint64_t seed, run_result *r)
{
    reach_task task;
    ctl_config cfg;
    plant p;
    controller *c = NULL;
    configure(o, &task, &cfg, cerebellum, seed);
    memset(r, 0, sizeof *r);
    if (plant_open(&p, o->mjcf, &task)) return -1;
    size_t n_ticks = (size_t)o->trials * task.ticks, n_eval = task.n_targets * task.ticks;
    r->curve = calloc((size_t)o->trials / (size_t)o->block + 1, sizeof(double));
    r->paths = calloc(task.n_targets * (task.ticks + 1) * 2, sizeof(double));
    /* latencies: training (library, simulator), then reused by the evaluation */
    double *lat = malloc(2 * (n_ticks > n_eval ? n_ticks : n_eval) * sizeof(double));
    double t0 = ex_now();
    int st = r->curve && r->paths && lat ? ctl_create(&cfg, &c) : CCRNN_ERR_NOMEM;
    if (st == CCRNN_OK &&
        (train(c, &p, o, seed, r, lat, lat + n_ticks) || evaluate(c, &p, r, lat)))
        st = -1;
    r->seconds = ex_now() - t0;
    ctl_destroy(c);
    plant_close(&p);
    free(lat);
    return st;
}

/* ---- output -------------------------------------------------------------------------- */

static const char *const model_name[2] = {"crnn", "ccrnn"};
static const char *const model_label[2] = {"cRNN (no cerebellum)", "ccRNN (with cerebellum)"};

static int write_csvs(const options *o, const int *models, size_t n_models,
                      const unsigned long long *seeds, size_t n_seeds, const run_result *res)
{
    char path[1024];
    reach_task task;
    ctl_config unused;
    configure(o, &task, &unused, 0, 0);
    FILE *f = ex_csv_open(ex_path_join(path, sizeof path, o->out, "curves.csv"),
                          "model,seed,trials,endpoint_error_cm");
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
                    "model,seed,delay,feedback_delay,endpoint_error_cm,reach_error_cm,"
                    "path_deviation_cm,jerk_rms_m_s3,lib_tick_median_us,mj_step_median_us,"
                    "inference_tick_median_us,seconds");
    if (!f) return -1;
    for (size_t m = 0; m < n_models; m++)
        for (size_t s = 0; s < n_seeds; s++) {
            const run_result *r = &res[m * n_seeds + s];
            fprintf(f, "%s,%llu,%ld,%ld,%.6g,%.6g,%.6g,%.6g,%.2f,%.2f,%.2f,%.2f\n",
                    model_name[models[m]], seeds[s], o->delay, o->feedback,
                    r->metric[M_FINAL], r->metric[M_REACH], r->metric[M_DEVIATION],
                    r->metric[M_JERK], r->lib_us, r->sim_us, r->inf_us, r->seconds);
        }
    if (ex_csv_close(f, path)) return -1;
    f = ex_csv_open(ex_path_join(path, sizeof path, o->out, "paths.csv"),
                    "model,seed,target,tick,x_cm,y_cm");
    if (!f) return -1;
    for (size_t m = 0; m < n_models; m++)
        for (size_t s = 0; s < n_seeds; s++)
            for (size_t k = 0; k < task.n_targets; k++)
                for (size_t t = 0; t <= task.ticks; t++) {
                    const double *p =
                        res[m * n_seeds + s].paths + (k * (task.ticks + 1) + t) * 2;
                    fprintf(f, "%s,%llu,%zu,%zu,%.4f,%.4f\n", model_name[models[m]], seeds[s],
                            k, t, p[0], p[1]);
                }
    return ex_csv_close(f, path);
}

static int plot_curves(const options *o, const int *models, size_t n_models, size_t n_seeds,
                       const run_result *res)
{
    size_t nb = res[0].n_blocks;
    double *buf = calloc(nb * (1 + 2 * n_models) + n_seeds, sizeof(double));
    ex_curve curves[2];
    char path[1024], title[160];
    if (!buf) return -1;
    double *x = buf, *col = buf + nb * (1 + 2 * n_models);
    for (size_t b = 0; b < nb; b++) x[b] = (double)((b + 1) * (size_t)o->block);
    for (size_t m = 0; m < n_models; m++) {
        double *mean = buf + nb * (1 + 2 * m), *sem = mean + nb;
        for (size_t b = 0; b < nb; b++) {
            for (size_t s = 0; s < n_seeds; s++) col[s] = res[m * n_seeds + s].curve[b];
            ex_mean_sem(col, n_seeds, &mean[b], &sem[b]);
        }
        curves[m] = (ex_curve){model_label[models[m]], ex_model_color(model_name[models[m]]), x,
                               mean, sem, nb};
    }
    snprintf(title, sizeof title, "MuJoCo arm, learned online: endpoint error (go tick %ld, "
             "feedback %ld ticks late)", o->delay, o->feedback);
    int st = ex_plot_curves(ex_path_join(path, sizeof path, o->out, "learning-curves.svg"),
                            title, "training reaches",
                            "endpoint error (cm), mean +- SEM over seeds", 0, curves, n_models);
    free(buf);
    return st;
}

/* Hand paths of the first seed, one panel per model; dashed: the straight reach. */
static int plot_paths(const options *o, const int *models, size_t n_models, size_t n_seeds,
                      const run_result *res)
{
    reach_task task;
    ctl_config unused;
    configure(o, &task, &unused, 0, 0);
    size_t n = task.n_targets;
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
        reach_target(&task, k, tp);
        straight[4 * k + 2] = 100.0 * (tp[0] - task.centre[0]);
        straight[4 * k + 3] = 100.0 * (tp[1] - task.centre[1]);
    }
    for (size_t m = 0; m < n_models; m++) {
        const run_result *r = &res[m * n_seeds];
        const char *color = ex_model_color(model_name[models[m]]);
        ex_path2d *p = paths + 2 * n * m;
        for (size_t k = 0; k < n; k++) {
            p[2 * k] = (ex_path2d){straight + 4 * k, 2, "#444444", 1.0, 1, 0.6, 1};
            p[2 * k + 1] = (ex_path2d){r->paths + k * (task.ticks + 1) * 2, task.ticks + 1,
                                       color, 2.0, 0, 0.9, 1};
        }
        snprintf(titles[m], sizeof titles[m], "%s: endpoint error %.2f cm",
                 model_label[models[m]], r->metric[M_FINAL]);
        panels[m] = (ex_panel){titles[m], p, 2 * n};
    }
    ex_legend_item legend[3] = {{"cRNN hand path", ex_model_color("crnn"), 0},
                                {"ccRNN hand path", ex_model_color("ccrnn"), 0},
                                {"straight line to the target", "#444444", 1}};
    int st = ex_plot_paths(ex_path_join(path, sizeof path, o->out, "reach-paths.svg"),
                           "MuJoCo arm: reaches to 8 remembered targets (cm from the start; "
                           "first seed)", panels, n_models, 15.0, legend, 3);
    free(paths), free(straight);
    return st;
}

static void print_summary(const options *o, const int *models, size_t n_models, size_t n_seeds,
                          const run_result *res)
{
    double v[2][MAX_SEEDS];
    char line[256];
    printf("\nsummary over %zu seed(s), go tick %ld, feedback %ld ticks late: mean +- SEM "
           "(holding still scores 10 cm)\n", n_seeds, o->delay, o->feedback);
    for (int k = 0; k < N_METRICS; k++) {
        printf("  %-22s", metric_label[k]);
        for (size_t m = 0; m < n_models; m++) {
            for (size_t s = 0; s < n_seeds; s++) v[m][s] = res[m * n_seeds + s].metric[k];
            printf("  %s %.3g +- %.2g", model_name[models[m]], ex_mean(v[m], n_seeds),
                   n_seeds > 1 ? ex_sem(v[m], n_seeds) : 0.0);
        }
        printf("\n");
        if (n_models == 2 && n_seeds > 1) {
            ex_paired p;
            ex_paired_summary(v[1], v[0], n_seeds, 1, &p); /* A = ccRNN, B = cRNN */
            printf("      ccRNN - cRNN: %s\n", ex_paired_format(&p, "ccRNN", 3, line, sizeof line));
        }
    }
    printf("  per training tick (medians, mean over seeds):");
    for (size_t m = 0; m < n_models; m++) {
        double lib = 0.0, sim = 0.0, inf = 0.0;
        for (size_t s = 0; s < n_seeds; s++) {
            lib += res[m * n_seeds + s].lib_us / (double)n_seeds;
            sim += res[m * n_seeds + s].sim_us / (double)n_seeds;
            inf += res[m * n_seeds + s].inf_us / (double)n_seeds;
        }
        printf("  %s libccrnn %.1f us, mj_step %.1f us (inference forward %.1f us);",
               model_name[models[m]], lib, sim, inf);
    }
    printf("\n  (H %ld, cerebellum %ld x %ld, bptt %ld, %ld reaches of %ld ticks)\n", o->hidden,
           o->cb_layers, o->cb_width, o->bptt, o->trials, o->ticks);
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
    options o = {.model = "both", .seeds = "5", .out = "results/mujoco-reach",
                 .mjcf = MUJOCO_REACH_MJCF, .trials = 3000, .block = 300, .delay = 2,
                 .feedback = 2, .ticks = 30, .bptt = 1, .hidden = 32, .cb_layers = 1,
                 .cb_width = 256, .lr = 1e-3, .sg_scale = 0.1};
    int rc = parse_options(argc, argv, &o);
    if (rc != EX_ARGS_OK) return rc == EX_ARGS_HELP ? 0 : 2;
    unsigned long long seeds[MAX_SEEDS];
    size_t n_seeds = parse_seeds(o.seeds, seeds);
    int models[2], n_models = 0;
    if (!strcmp(o.model, "crnn") || !strcmp(o.model, "both")) models[n_models++] = 0;
    if (!strcmp(o.model, "ccrnn") || !strcmp(o.model, "both")) models[n_models++] = 1;
    if (!n_seeds || !n_models || o.delay + 4 > o.ticks || o.trials < o.block) {
        fprintf(stderr, "mujoco-reach: need --seeds N|LIST, --model crnn|ccrnn|both, "
                        "--delay + 4 <= --ticks and --trials >= --block\n");
        return 2;
    }
    if (ex_mkdirs(o.out)) return 1;
    run_result *res = calloc((size_t)n_models * n_seeds, sizeof *res);
    if (!res) return 1;
    printf("mujoco-reach (MuJoCo %s): %d model(s) x %zu seed(s) x %ld reaches of %ld ticks "
           "(go at tick %ld, feedback %ld ticks late), online at batch 1, bptt %ld\n",
           mj_versionString(), n_models, n_seeds, o.trials, o.ticks, o.delay, o.feedback,
           o.bptt);
    int st = 0;
    for (size_t s = 0; s < n_seeds && !st; s++)
        for (int m = 0; m < n_models && !st; m++) {
            run_result *r = &res[(size_t)m * n_seeds + s];
            st = run_one(&o, models[m], seeds[s], r);
            if (!st)
                printf("  %-24s seed %-3llu endpoint %6.2f cm  reach %6.2f cm  deviation %5.2f "
                       "cm  jerk %7.1f m/s^3  tick: libccrnn %.1f us, mj_step %.1f us  %.1f s\n",
                       model_label[models[m]], seeds[s], r->metric[M_FINAL],
                       r->metric[M_REACH], r->metric[M_DEVIATION], r->metric[M_JERK],
                       r->lib_us, r->sim_us, r->seconds);
            fflush(stdout);
        }
    if (!st) {
        print_summary(&o, models, (size_t)n_models, n_seeds, res);
        st = write_csvs(&o, models, (size_t)n_models, seeds, n_seeds, res) |
             plot_curves(&o, models, (size_t)n_models, n_seeds, res) |
             plot_paths(&o, models, (size_t)n_models, n_seeds, res);
        if (!st)
            printf("files: %s/{runs,curves,paths}.csv, learning-curves.svg, reach-paths.svg\n",
                   o.out);
    }
    for (size_t i = 0; i < (size_t)n_models * n_seeds; i++) free(res[i].curve), free(res[i].paths);
    free(res);
    return st ? 1 : 0;
}
