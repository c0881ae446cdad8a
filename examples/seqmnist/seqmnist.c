/* seqmnist: the seqMNIST tasks of docs/model.md §seqMNIST, cRNN against ccRNN over truncations.
 *
 * An LSTM reads an MNIST image one row per step (28 steps of 28 pixels) and
 *   --task line   draws a straight line whose direction is set by the digit's label,
 *   --task digit  draws a template of the digit itself,
 *   --task class  names the digit at the last step.
 * For every truncation tau in --bptt, model and seed it trains a fresh network with
 * the shared driver (examples/common/driver.h), validating after every epoch, then
 * writes curves.csv, runs.csv, summary.csv, summary.md and SVG figures into --out. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "driver.h"
#include "output.h"
#include "progress.h"
#include "report.h"
#include "rng.h"
#include "task.h"

/* The reference's seqMNIST seeds (the first N are used for --seeds N). */
static const unsigned long long paper_seeds[12] = {521,    1243,  34521, 135235, 236236, 54354,
                                                   3938,   5497,  39291, 105043, 232998, 12095};

typedef struct options {
    const char *task, *data, *out, *bptt, *model, *seeds, *endpoints;
    long epochs, hidden, cb_width, cb_layers, batch, sparse, threads, draw;
    long max_train, max_valid, max_test, ablate_at, io_lesion_at, fibres, split_seed, end_sg;
    double lr, clip, val_frac, sg_scale;
    int cb_loss_mean, report_only, paper, separate_clip;
} options;

static void default_options(options *o)
{
    memset(o, 0, sizeof *o);
    o->task = "class";
    o->data = "data/mnist";
    o->out = NULL;
    o->bptt = "1,2,4,7,28";
    o->model = "both";
    o->seeds = "3";
    o->endpoints = "circle";
    o->epochs = 40;
    o->hidden = 30;
    o->cb_layers = 1;
    o->batch = 50;
    o->sparse = 0;
    o->threads = 1;
    o->draw = 6;
    o->lr = 1e-4;
    o->clip = 1.0;
    o->val_frac = 0.2;
    o->sg_scale = 0.1;
    o->end_sg = -1;
}

static int parse_options(int argc, char **argv, options *o)
{
    const ex_option table[] = {
        {"task", EX_OPT_STRING, &o->task, 0, 0, "NAME",
         "line (2b: a line whose angle the label sets), digit (2c: draw the digit's "
         "template) or class (2d: classify at the last step)"},
        {"data", EX_OPT_STRING, &o->data, 0, 0, "DIR",
         "folder of train-/t10k- IDX files, raw or .gz (get-mnist.sh makes one; "
         "/usr/share/datasets/fashion-mnist works too)"},
        {"out", EX_OPT_STRING, &o->out, 0, 0, "DIR", "results folder (default results/seqmnist-TASK)"},
        {"bptt", EX_OPT_STRING, &o->bptt, 0, 0, "LIST",
         "truncation window lengths, comma-separated; 28 = full BPTT"},
        {"model", EX_OPT_STRING, &o->model, 0, 0, "NAME", "crnn, ccrnn or both"},
        {"seeds", EX_OPT_STRING, &o->seeds, 0, 0, "N|LIST",
         "a count 1..12 (the reference's first N seeds) or a comma-separated list ('7,' is "
         "the single seed 7)"},
        {"epochs", EX_OPT_INT, &o->epochs, 1, 100000, "N", "training epochs (paper: 40)"},
        {"hidden", EX_OPT_INT, &o->hidden, 1, 100000, "H", "LSTM units"},
        {"cb-width", EX_OPT_INT, &o->cb_width, 0, 100000, "N",
         "units per cerebellar hidden layer (0 = 2H; the paper's figure used 300)"},
        {"cb-layers", EX_OPT_INT, &o->cb_layers, 0, 16, "N", "cerebellar hidden ReLU layers"},
        {"cb-loss-mean", EX_OPT_FLAG, &o->cb_loss_mean, 0, 0, NULL,
         "divide the cerebellar loss by the batch (default: summed, as the reference)"},
        {"paper", EX_OPT_FLAG, &o->paper, 0, 0, NULL,
         "the paper's model: no synthetic gradient at the sequence end (so the ccRNN at "
         "full BPTT learns as the cRNN but for the shared clip), unless --end-sg 1"},
        {"end-sg", EX_OPT_INT, &o->end_sg, -1, 1, "0|1",
         "inject the synthetic gradient at the sequence end too (1, the reference code's "
         "default) or not (0; default with --paper)"},
        {"separate-clip", EX_OPT_FLAG, &o->separate_clip, 0, 0, NULL,
         "clip the cortex's and the cerebellum's gradients separately (the reference clips "
         "both under one global norm)"},
        {"lr", EX_OPT_REAL, &o->lr, 0, 10, "X", "Adam learning rate"},
        {"clip", EX_OPT_REAL, &o->clip, 0, 1e9, "X", "global gradient-norm clip (0 = off)"},
        {"batch", EX_OPT_INT, &o->batch, 1, 100000, "B", "batch size"},
        {"sparse", EX_OPT_INT, &o->sparse, 0, 28, "S",
         "drawing tasks: feedback only at steps t with t mod S = 0 (0 = task default: "
         "line 4 as the paper's figure, digit 1)"},
        {"endpoints", EX_OPT_STRING, &o->endpoints, 0, 0, "KIND",
         "line task: circle (fixed magnitude 10 at angles 2 pi d/10) or grid (the "
         "reference's other choice: random points of a 4x4 grid times 10)"},
        {"val-frac", EX_OPT_REAL, &o->val_frac, 0, 1, "F",
         "fraction of the training file held out for validation (fixed split)"},
        {"split-seed", EX_OPT_INT, &o->split_seed, 0, 2147483647, "N",
         "seed of the fixed train/validation split"},
        {"max-train", EX_OPT_INT, &o->max_train, 0, 100000000, "N",
         "use at most N training images per epoch (0 = all)"},
        {"max-valid", EX_OPT_INT, &o->max_valid, 0, 100000000, "N",
         "use at most N validation images (0 = all)"},
        {"max-test", EX_OPT_INT, &o->max_test, 0, 100000000, "N",
         "use at most N test images (0 = all)"},
        {"sg-scale", EX_OPT_REAL, &o->sg_scale, 0, 1e6, "X",
         "scale of the synthetic gradient injected at each window end"},
        {"ablate-at", EX_OPT_INT, &o->ablate_at, 0, 100000, "E",
         "ccRNN: remove the cerebellum from epoch E on (0 = never)"},
        {"io-lesion-at", EX_OPT_INT, &o->io_lesion_at, 0, 100000, "E",
         "ccRNN: freeze the cerebellum (inferior-olive lesion) from epoch E on (0 = never)"},
        {"fibres", EX_OPT_INT, &o->fibres, 0, 100000, "N",
         "mossy fibres: cortical inputs kept per cerebellar unit (0 = all 2H)"},
        {"draw", EX_OPT_INT, &o->draw, 0, 32, "N",
         "drawing tasks: test images drawn in the figures"},
        {"threads", EX_OPT_INT, &o->threads, 1, 256, "N", "BLIS threads per network"},
        {"report-only", EX_OPT_FLAG, &o->report_only, 0, 0, NULL,
         "train nothing: rewrite the summaries and curve figures from the curves.csv and "
         "runs.csv already in --out (same sweep options as the run that wrote them)"},
    };
    const char *about =
        "The seqMNIST tasks (docs/model.md §seqMNIST): an LSTM (H=30) reads one image row "
        "per step; "
        "cRNN (truncated BPTT) against ccRNN (plus a cerebellum predicting the gradient) "
        "for every truncation in --bptt.";
    return ex_args_parse(argc, argv, about, table, sizeof table / sizeof table[0]);
}

static int parse_kind(const char *name)
{
    for (int k = SEQMNIST_LINE; k <= SEQMNIST_CLASS; k++)
        if (strcmp(name, seqmnist_kind_name(k)) == 0) return k;
    return -1;
}

/* Truncations, models and seeds of the sweep from the options.  0 or -1 (message). */
static int plan_sweep(const options *o, seqmnist_sweep *s)
{
    unsigned long long v[SEQMNIST_MAX_LIST];
    s->n_tau = ex_parse_uint_list(o->bptt, v, SEQMNIST_MAX_LIST);
    if (s->n_tau == 0) return fprintf(stderr, "seqmnist: bad --bptt list '%s'\n", o->bptt), -1;
    for (size_t i = 0; i < s->n_tau; i++) {
        if (v[i] < 1 || v[i] > SEQMNIST_STEPS)
            return fprintf(stderr, "seqmnist: --bptt values must be in 1..28\n"), -1;
        s->taus[i] = (size_t)v[i];
    }
    /* Ascending, so tables and the accuracy-vs-tau figure read left to right. */
    for (size_t i = 1; i < s->n_tau; i++)
        for (size_t j = i; j > 0 && s->taus[j - 1] > s->taus[j]; j--) {
            size_t tmp = s->taus[j];
            s->taus[j] = s->taus[j - 1];
            s->taus[j - 1] = tmp;
        }
    if (strcmp(o->model, "both") == 0) {
        s->n_model = 2;
        s->models[0] = SEQMNIST_CRNN;
        s->models[1] = SEQMNIST_CCRNN;
    } else if (strcmp(o->model, "crnn") == 0 || strcmp(o->model, "ccrnn") == 0) {
        s->n_model = 1;
        s->models[0] = strcmp(o->model, "crnn") == 0 ? SEQMNIST_CRNN : SEQMNIST_CCRNN;
    } else {
        return fprintf(stderr, "seqmnist: --model must be crnn, ccrnn or both\n"), -1;
    }
    s->n_seed = ex_parse_uint_list(o->seeds, s->seeds, SEQMNIST_MAX_LIST);
    if (s->n_seed == 1 && !strchr(o->seeds, ',')) { /* a count */
        unsigned long long n = s->seeds[0];
        if (n < 1 || n > 12)
            return fprintf(stderr, "seqmnist: --seeds N must be in 1..12\n"), -1;
        s->n_seed = (size_t)n;
        memcpy(s->seeds, paper_seeds, s->n_seed * sizeof s->seeds[0]);
    }
    if (s->n_seed == 0) return fprintf(stderr, "seqmnist: bad --seeds '%s'\n", o->seeds), -1;
    s->epochs = (size_t)o->epochs;
    return 0;
}

static void make_config(const options *o, int model, size_t tau, unsigned long long seed,
                        ex_config *c)
{
    ex_config_defaults(c);
    c->cerebellum = model == SEQMNIST_CCRNN;
    c->hidden = (size_t)o->hidden;
    c->cb_layers = (size_t)o->cb_layers;
    c->cb_width = o->cb_width ? (size_t)o->cb_width : 2 * (size_t)o->hidden;
    c->bptt = tau;
    c->batch = (size_t)o->batch;
    c->epochs = (size_t)o->epochs;
    c->lr = o->lr;
    c->clip = o->clip;
    c->sg_scale = o->sg_scale;
    c->ablate_at = (size_t)o->ablate_at;
    c->io_lesion_at = (size_t)o->io_lesion_at;
    c->fibres = (size_t)o->fibres;
    c->cb_loss_mean = o->cb_loss_mean;
    c->end_synthetic = o->end_sg >= 0 ? (int)o->end_sg : !o->paper;
    c->separate_clip = o->separate_clip;
    c->threads = (int)o->threads;
    c->seed = seed;
}

/* The model's settings and reference quirks, for the summary. */
static void describe_settings(const options *o, int kind, size_t sparse, seqmnist_sweep *s)
{
    ex_config cc;
    char feedback[48] = "the label at the last step only";
    make_config(o, SEQMNIST_CCRNN, 1, 0, &cc);
    if (kind != SEQMNIST_CLASS) snprintf(feedback, sizeof feedback, "every %zu step(s)", sparse);
    snprintf(s->settings, sizeof s->settings,
             "LSTM H = %zu; cerebellum %zu hidden layer(s) of %zu; batch %zu, Adam lr %g, clip "
             "%g; feedback %s; synthetic gradient at the sequence end %s; "
             "cerebellar loss %s over the batch; %s.",
             cc.hidden, cc.cb_layers, cc.cb_width, cc.batch, cc.lr, cc.clip, feedback,
             cc.end_synthetic ? "on (reference)" : "off (paper)",
             cc.cb_loss_mean ? "averaged" : "summed (reference)",
             cc.separate_clip ? "cortex and cerebellum clipped separately"
                              : "one global clip over cortex and cerebellum (reference)");
}

/* ---- evaluation ------------------------------------------------------------------ */

/* Scratch for one batch: inputs, targets, labels and predictions. */
typedef struct buffers {
    float *x, *y, *pred;
    int32_t *labels;
} buffers;

static int buffers_alloc(buffers *b, size_t batch)
{
    b->x = malloc(batch * SEQMNIST_IDX_PIXELS * sizeof(float));
    b->y = malloc(batch * SEQMNIST_STEPS * 10 * sizeof(float));
    b->pred = malloc(batch * SEQMNIST_STEPS * 10 * sizeof(float));
    b->labels = malloc(batch * sizeof(int32_t));
    return b->x && b->y && b->pred && b->labels ? 0 : -1;
}

static void buffers_free(buffers *b)
{
    free(b->x), free(b->y), free(b->pred), free(b->labels);
}

/* Cross-entropy, correctness and max-softmax of one sample's last-step logits. */
static void score_logits(const float *z, int label, double *xent, int *correct, double *cert)
{
    int best = 0;
    for (int c = 1; c < 10; c++)
        if (z[c] > z[best]) best = c;
    double sum = 0.0;
    for (int c = 0; c < 10; c++) sum += exp((double)z[c] - (double)z[best]);
    double lse = (double)z[best] + log(sum);
    *xent = lse - (double)z[label];
    *correct = best == label;
    *cert = 1.0 / sum; /* softmax of the largest logit */
}

static void score_paths(const float *pred, const float *y, double *sq, double *end)
{
    size_t last = (SEQMNIST_STEPS - 1) * 2;
    for (size_t k = 0; k < SEQMNIST_STEPS * 2; k++) {
        double d = (double)pred[k] - (double)y[k];
        *sq += d * d;
    }
    *end += hypot((double)pred[last] - y[last], (double)pred[last + 1] - y[last + 1]);
}

/* Whole-sequence inference from the zero state (no cerebellum) on a split. */
static int evaluate(ex_model *m, seqmnist_task *t, int split, size_t batch, buffers *b,
                    seqmnist_eval *out)
{
    size_t n = t->task.n_samples[split], correct = 0;
    double loss = 0.0, cert = 0.0, end = 0.0;
    int cls = t->kind == SEQMNIST_CLASS;
    for (size_t first = 0; first < n; first += batch) {
        size_t count = n - first < batch ? n - first : batch;
        if (seqmnist_task_fill(t, split, 0, first, count, b->x, cls ? NULL : b->y, b->labels))
            return -1;
        if (ex_model_predict(m, b->x, count, b->pred)) return -1;
        for (size_t s = 0; s < count; s++) {
            if (cls) {
                const float *z = b->pred + (s * SEQMNIST_STEPS + SEQMNIST_STEPS - 1) * 10;
                double x, c;
                int ok;
                score_logits(z, b->labels[s], &x, &ok, &c);
                loss += x, cert += c, correct += (size_t)ok;
            } else {
                size_t off = s * SEQMNIST_STEPS * 2;
                score_paths(b->pred + off, b->y + off, &loss, &end);
            }
        }
    }
    double dn = (double)n;
    out->loss = cls ? loss / dn : loss / (dn * SEQMNIST_STEPS);
    out->acc = cls ? (double)correct / dn : NAN;
    out->cert = cls ? cert / dn : NAN;
    out->end_err = cls ? NAN : end / dn;
    return 0;
}

/* ---- training -------------------------------------------------------------------- */

static int train_epoch(ex_model *m, seqmnist_task *t, size_t epoch, size_t epochs, size_t batch,
                       buffers *b, ex_progress *pg, seqmnist_run *r)
{
    size_t n = t->task.n_samples[EX_TRAIN], e = epoch - 1, batches = 0;
    int cls = t->kind == SEQMNIST_CLASS;
    double loss = 0.0, acc = 0.0, cb = 0.0, t0 = ex_now();
    if (ex_model_begin_epoch(m, epoch)) return -1;
    for (size_t first = 0; first < n; first += batch) {
        size_t count = n - first < batch ? n - first : batch;
        ex_metrics mt;
        if (seqmnist_task_fill(t, EX_TRAIN, epoch, first, count, b->x, cls ? NULL : b->y,
                               b->labels))
            return -1;
        if (ex_model_train_batch(m, b->x, cls ? NULL : b->y, cls ? b->labels : NULL, count, &mt))
            return -1;
        loss += mt.loss * (double)count;
        acc += mt.accuracy * (double)count;
        cb += mt.cb_loss;
        batches++;
        ex_progress_advance(pg, 1, epoch, epochs, loss / (double)(first + count));
    }
    r->seconds[e] = ex_now() - t0;
    r->train_loss[e] = loss / (double)n;
    r->train_acc[e] = cls ? acc / (double)n : NAN;
    r->cb_loss[e] = batches ? cb / (double)batches : NAN;
    return 0;
}

/* The first n_draw test images through a trained network: [n_draw][28][2]. */
static int draw_test_images(ex_model *m, seqmnist_task *t, size_t n_draw, buffers *b,
                            float *out)
{
    for (size_t first = 0; first < n_draw; first += 1) {
        if (seqmnist_task_fill(t, EX_TEST, 0, first, 1, b->x, b->y, b->labels)) return -1;
        if (ex_model_predict(m, b->x, 1, b->pred)) return -1;
        memcpy(out + first * SEQMNIST_STEPS * 2, b->pred, SEQMNIST_STEPS * 2 * sizeof(float));
    }
    return 0;
}

static int train_run(const options *o, seqmnist_task *t, seqmnist_sweep *s, size_t ti,
                     size_t mi, size_t si, ex_progress *pg)
{
    ex_config cfg;
    make_config(o, s->models[mi], s->taus[ti], s->seeds[si], &cfg);
    seqmnist_run *r = seqmnist_sweep_run(s, ti, mi, si);
    ex_model *m = NULL;
    buffers b;
    int st = buffers_alloc(&b, cfg.batch);
    seqmnist_task_set_seed(t, ex_hash(cfg.seed, 0xDA7Au));
    if (!st && ex_model_create(&cfg, &t->task, &m)) st = -1;
    for (size_t epoch = 1; !st && epoch <= s->epochs; epoch++) {
        st = train_epoch(m, t, epoch, s->epochs, cfg.batch, &b, pg, r);
        if (!st) st = evaluate(m, t, EX_VALID, cfg.batch, &b, &r->valid[epoch - 1]);
    }
    if (!st) st = evaluate(m, t, EX_TEST, cfg.batch, &b, &r->test);
    if (!st && si == 0 && s->n_draw > 0)
        st = draw_test_images(m, t, s->n_draw, &b, seqmnist_sweep_drawing(s, ti, mi));
    r->done = !st;
    ex_model_destroy(m);
    buffers_free(&b);
    return st;
}

static void print_run(const seqmnist_sweep *s, size_t ti, size_t mi, size_t si)
{
    const seqmnist_run *r = seqmnist_sweep_run((seqmnist_sweep *)s, ti, mi, si);
    const seqmnist_eval *v = &r->valid[s->epochs - 1];
    double secs = 0.0;
    for (size_t e = 0; e < s->epochs; e++) secs += r->seconds[e];
    printf("%-5s tau %2zu seed %-6llu  ", seqmnist_model_name(s->models[mi]), s->taus[ti],
           s->seeds[si]);
    if (s->kind == SEQMNIST_CLASS)
        printf("valid acc %.4f xent %.4f cert %.4f | test acc %.4f", v->acc, v->loss, v->cert,
               r->test.acc);
    else
        printf("valid mse %.5f end %.4f | test mse %.5f", v->loss, v->end_err, r->test.loss);
    printf("  (%.1f s/epoch training)\n", secs / (double)s->epochs);
    fflush(stdout);
}

static char *join_argv(int argc, char **argv)
{
    size_t len = 1;
    for (int i = 0; i < argc; i++) len += strlen(argv[i]) + 1;
    char *s = malloc(len), *p = s;
    if (!s) return NULL;
    for (int i = 0; i < argc; i++) p += sprintf(p, i ? " %s" : "%s", argv[i]);
    return s;
}

static int run_sweep(const options *o, seqmnist_task *t, seqmnist_sweep *s, const char *out)
{
    FILE *curves = seqmnist_curves_open(out);
    if (!curves) return -1;
    ex_progress pg;
    ex_progress_init(&pg, s->n_tau * s->n_model * s->n_seed * s->epochs *
                              ((t->n_train + (size_t)o->batch - 1) / (size_t)o->batch));
    int st = 0;
    for (size_t ti = 0; ti < s->n_tau && !st; ti++)
        for (size_t mi = 0; mi < s->n_model && !st; mi++)
            for (size_t si = 0; si < s->n_seed && !st; si++) {
                char label[96];
                snprintf(label, sizeof label, "%s tau %zu seed %llu",
                         seqmnist_model_name(s->models[mi]), s->taus[ti], s->seeds[si]);
                ex_progress_label(&pg, label);
                st = train_run(o, t, s, ti, mi, si, &pg);
                ex_progress_finish(&pg);
                if (st) break;
                seqmnist_curves_append(curves, s, ti, mi, si);
                print_run(s, ti, mi, si);
            }
    char path[4096];
    if (ex_csv_close(curves, ex_path_join(path, sizeof path, out, "curves.csv"))) st = -1;
    return st;
}

int main(int argc, char **argv)
{
    options o;
    default_options(&o);
    int pr = parse_options(argc, argv, &o);
    if (pr != EX_ARGS_OK) return pr == EX_ARGS_HELP ? 0 : 2;
    int kind = parse_kind(o.task);
    if (kind < 0) return fprintf(stderr, "seqmnist: --task must be line, digit or class\n"), 2;
    if (strcmp(o.endpoints, "circle") != 0 && strcmp(o.endpoints, "grid") != 0)
        return fprintf(stderr, "seqmnist: --endpoints must be circle or grid\n"), 2;

    seqmnist_sweep s;
    memset(&s, 0, sizeof s);
    s.kind = kind;
    if (plan_sweep(&o, &s)) return 2;
    char out[4096];
    snprintf(out, sizeof out, "%s", o.out ? o.out : "");
    if (!o.out) snprintf(out, sizeof out, "results/seqmnist-%s", o.task);

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
    if (seqmnist_task_init(&t, &to, err, sizeof err)) {
        fprintf(stderr, "seqmnist: %s\n", err);
        if (strstr(err, "cannot open"))
            fprintf(stderr, "seqmnist: fetch real digits with examples/seqmnist/get-mnist.sh "
                            "(see examples/seqmnist/README.md)\n");
        return 1;
    }
    s.n_draw = kind == SEQMNIST_CLASS || o.report_only ? 0 : (size_t)o.draw;
    s.report_only = o.report_only;
    if (s.n_draw > t.n_test) s.n_draw = t.n_test;
    s.data_dir = o.data;
    s.n_train = t.n_train, s.n_valid = t.n_valid, s.n_test = t.n_test;
    describe_settings(&o, kind, to.sparse, &s);
    char *command = join_argv(argc, argv);
    s.command = command;
    int st = ex_mkdirs(out) || seqmnist_sweep_alloc(&s) ? -1 : 0;
    if (!st && o.report_only) {
        st = seqmnist_read_results(&s, out);
    } else if (!st) {
        printf("seqmnist %s: %zu training / %zu validation / %zu test images from %s; "
               "%zu epochs; results in %s\n",
               o.task, t.n_train, t.n_valid, t.n_test, o.data, s.epochs, out);
        fflush(stdout);
        st = run_sweep(&o, &t, &s, out);
    }
    if (!st) st = seqmnist_report(&s, &t, out);
    seqmnist_sweep_free(&s);
    seqmnist_task_free(&t);
    free(command);
    return st ? 1 : 0;
}
