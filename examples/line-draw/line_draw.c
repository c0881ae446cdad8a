/* line-draw: the simple line-drawing task (docs/model.md §line drawing), cRNN against ccRNN.
 *
 * For every seed and model it trains a fresh network with the shared driver
 * (examples/common/driver.c), then writes into --out: curves.csv, runs.csv,
 * summary.csv/summary.txt, trajectories.csv and SVG figures, and prints the summary. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "driver.h"
#include "linedraw.h"
#include "output.h"
#include "progress.h"
#include "report.h"

static const unsigned long long paper_seeds[10] = {1,  2,  1243, 34521, 135235,
                                                   236236, 7, 12, 1115, 987};

typedef struct options {
    const char *model, *seeds, *out;
    long epochs, bptt, sparse, ablate_at, io_lesion_at, fibres, threads, hidden;
    long train_size, valid_size, test_size, end_sg;
    double sg_scale, noise;
    int paper, cb_loss_mean, separate_clip, report_only;
} options;

static void default_options(options *o)
{
    memset(o, 0, sizeof *o);
    o->model = "both";
    o->seeds = NULL; /* 5, or the 10 paper seeds with --paper */
    o->out = "results/line-draw";
    o->epochs = 0; /* 60, or 100 with --paper */
    o->bptt = 1;
    o->sparse = 2;
    o->threads = 1;
    o->hidden = 50;
    o->train_size = 800;
    o->valid_size = 200;
    o->test_size = 10000;
    o->sg_scale = 0.1;
    o->end_sg = -1;
}

static int parse_options(int argc, char **argv, options *o)
{
    const ex_option table[] = {
        {"model", EX_OPT_STRING, &o->model, 0, 0, "LIST",
         "models, comma-separated: crnn, ccrnn, both (= crnn,ccrnn), ccrnn-ablated, "
         "ccrnn-lesioned, all (= the four), and ccRNNs differing from ccrnn in one "
         "reference quirk: ccrnn-mean (batch-mean cerebellar loss), ccrnn-sepclip "
         "(separate clips), ccrnn-end / ccrnn-noend (synthetic gradient at the sequence "
         "end or not), quirks (= mean, sepclip and the end switch opposite to ccrnn's)"},
        {"seeds", EX_OPT_STRING, &o->seeds, 0, 0, "N|LIST",
         "a count 1..10 (the first N paper seeds) or a comma-separated list of seeds "
         "('7,' is the single seed 7); default 5, with --paper 10"},
        {"epochs", EX_OPT_INT, &o->epochs, 1, 100000, "N",
         "training epochs (default 60, with --paper 100)"},
        {"paper", EX_OPT_FLAG, &o->paper, 0, 0, NULL,
         "the paper's setting: the 10 paper seeds, 100 epochs (unless --seeds or --epochs "
         "say otherwise) and no synthetic gradient at the sequence end (unless --end-sg 1)"},
        {"end-sg", EX_OPT_INT, &o->end_sg, -1, 1, "0|1",
         "inject the synthetic gradient at the sequence end too (1, the reference code's "
         "default) or not (0, the paper's model; default with --paper)"},
        {"separate-clip", EX_OPT_FLAG, &o->separate_clip, 0, 0, NULL,
         "clip the cortex's and the cerebellum's gradients separately (the reference clips "
         "both together under one global norm)"},
        {"report-only", EX_OPT_FLAG, &o->report_only, 0, 0, NULL,
         "train nothing: rewrite the summaries and figures from the curves.csv, runs.csv "
         "and trajectories.csv in --out (e.g. several runs' rows concatenated; same "
         "--model/--seeds/--epochs as those runs)"},
        {"bptt", EX_OPT_INT, &o->bptt, 1, LD_STEPS, "TAU", "truncation window length in steps"},
        {"sparse", EX_OPT_INT, &o->sparse, 1, LD_STEPS, "S",
         "feedback only at steps t with t mod S = 0"},
        {"out", EX_OPT_STRING, &o->out, 0, 0, "DIR", "results folder (created if needed)"},
        {"ablate-at", EX_OPT_INT, &o->ablate_at, 0, 100000, "E",
         "also train ccrnn-ablated: a ccRNN whose cerebellum is removed from the start of "
         "epoch E (1-based; 0 = half of --epochs when ccrnn-ablated is asked for)"},
        {"io-lesion-at", EX_OPT_INT, &o->io_lesion_at, 0, 100000, "E",
         "also train ccrnn-lesioned: a ccRNN whose cerebellum is frozen (inferior-olive "
         "lesion) from epoch E (0 = half of --epochs when ccrnn-lesioned is asked for)"},
        {"fibres", EX_OPT_INT, &o->fibres, 0, 100000, "N",
         "mossy fibres: cortical inputs kept per cerebellar input unit (0 = all 2H)"},
        {"sg-scale", EX_OPT_REAL, &o->sg_scale, 0, 1e6, "X",
         "scale of the synthetic gradient injected at each window end"},
        {"cb-loss-mean", EX_OPT_FLAG, &o->cb_loss_mean, 0, 0, NULL,
         "divide the cerebellum's regression gradient by the batch size (the reference "
         "sums it over the batch)"},
        {"noise", EX_OPT_REAL, &o->noise, 0, 1e6, "X",
         "std of Gaussian input noise on steps t >= 1"},
        {"hidden", EX_OPT_INT, &o->hidden, 1, 100000, "H", "LSTM units"},
        {"train-size", EX_OPT_INT, &o->train_size, 1, 100000000, "N",
         "training samples drawn fresh each epoch"},
        {"valid-size", EX_OPT_INT, &o->valid_size, 1, 100000000, "N", "validation samples"},
        {"test-size", EX_OPT_INT, &o->test_size, 1, 100000000, "N", "test samples"},
        {"threads", EX_OPT_INT, &o->threads, 1, 256, "N", "BLIS threads per network"},
    };
    const char *about =
        "Train LSTM networks to draw one of seven straight lines from a cue at step 0, with\n"
        "feedback at every second step only, with (ccRNN) and without (cRNN) a cerebellum\n"
        "that predicts the cortex's future gradient.  Writes CSV tables, a summary and SVG\n"
        "figures into --out and prints the summary.";
    return ex_args_parse(argc, argv, about, table, sizeof table / sizeof table[0]);
}

/* ---- the plan: which models and seeds ------------------------------------------------ */

static int end_synthetic(const options *o) { return o->end_sg >= 0 ? (int)o->end_sg : !o->paper; }

static int add_variant(plan *p, const char *name, const options *o)
{
    for (size_t i = 0; i < p->n_variants; i++)
        if (!strcmp(p->variants[i].name, name)) return 0;
    if (p->n_variants >= MAX_VARIANTS) return -1;
    variant *v = &p->variants[p->n_variants++];
    size_t half = (size_t)o->epochs / 2 + 1;
    memset(v, 0, sizeof *v);
    v->name = name;
    v->color = name;
    v->cb_loss_mean = o->cb_loss_mean;
    v->separate_clip = o->separate_clip;
    v->end_synthetic = end_synthetic(o);
    if (!strcmp(name, "crnn")) {
        snprintf(v->label, sizeof v->label, "cRNN");
        return 0;
    }
    v->cerebellum = 1;
    if (!strcmp(name, "ccrnn")) {
        snprintf(v->label, sizeof v->label, "ccRNN");
    } else if (!strcmp(name, "ccrnn-ablated")) {
        v->ablate_at = o->ablate_at ? (size_t)o->ablate_at : half;
        snprintf(v->label, sizeof v->label, "ccRNN, cerebellum ablated at epoch %zu", v->ablate_at);
    } else if (!strcmp(name, "ccrnn-lesioned")) {
        v->io_lesion_at = o->io_lesion_at ? (size_t)o->io_lesion_at : half;
        snprintf(v->label, sizeof v->label, "ccRNN, IO lesion at epoch %zu", v->io_lesion_at);
    } else if (!strcmp(name, "ccrnn-mean")) {
        v->cb_loss_mean = 1, v->color = "variant1";
        snprintf(v->label, sizeof v->label, "ccRNN, batch-mean cerebellar loss");
    } else if (!strcmp(name, "ccrnn-sepclip")) {
        v->separate_clip = 1, v->color = "variant2";
        snprintf(v->label, sizeof v->label, "ccRNN, cortex and cerebellum clipped apart");
    } else {
        v->end_synthetic = !strcmp(name, "ccrnn-end"), v->color = "variant3";
        snprintf(v->label, sizeof v->label, "ccRNN, %s synthetic gradient at the end",
                 v->end_synthetic ? "with" : "no");
    }
    return 0;
}

static int parse_models(const options *o, plan *p)
{
    static const char *const names[] = {"crnn",       "ccrnn",         "ccrnn-ablated",
                                        "ccrnn-lesioned", "ccrnn-mean", "ccrnn-sepclip",
                                        "ccrnn-end",  "ccrnn-noend"};
    char buf[256];
    snprintf(buf, sizeof buf, "%s", o->model);
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        int bad = 0, known = 0;
        if (!strcmp(tok, "both") || !strcmp(tok, "all")) {
            bad |= add_variant(p, "crnn", o) | add_variant(p, "ccrnn", o);
            if (!strcmp(tok, "all"))
                bad |= add_variant(p, "ccrnn-ablated", o) | add_variant(p, "ccrnn-lesioned", o);
            known = 1;
        } else if (!strcmp(tok, "quirks")) {
            bad |= add_variant(p, "ccrnn-mean", o) | add_variant(p, "ccrnn-sepclip", o) |
                   add_variant(p, end_synthetic(o) ? "ccrnn-noend" : "ccrnn-end", o);
            known = 1;
        }
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
            if (!strcmp(tok, names[i])) bad |= add_variant(p, names[i], o), known = 1;
        if (!known) {
            fprintf(stderr, "line-draw: unknown model '%s' in --model (crnn, ccrnn, both, "
                            "ccrnn-ablated, ccrnn-lesioned, all, ccrnn-mean, ccrnn-sepclip, "
                            "ccrnn-end, ccrnn-noend, quirks)\n", tok);
            return -1;
        }
        if (bad) {
            fprintf(stderr, "line-draw: at most %d models\n", MAX_VARIANTS);
            return -1;
        }
    }
    if (o->ablate_at && add_variant(p, "ccrnn-ablated", o)) return -1;
    if (o->io_lesion_at && add_variant(p, "ccrnn-lesioned", o)) return -1;
    if (p->n_variants == 0) {
        fprintf(stderr, "line-draw: --model names no model\n");
        return -1;
    }
    return 0;
}

static int parse_seeds(const options *o, plan *p)
{
    if (!o->seeds) {
        memcpy(p->seeds, paper_seeds, sizeof paper_seeds);
        p->n_seeds = o->paper ? 10 : 5;
        return 0;
    }
    size_t n = ex_parse_uint_list(o->seeds, p->seeds, MAX_SEEDS);
    if (n == 1 && !strchr(o->seeds, ',')) { /* a bare number is a count */
        if (p->seeds[0] < 1 || p->seeds[0] > 10) n = 0;
        else {
            n = (size_t)p->seeds[0];
            memcpy(p->seeds, paper_seeds, n * sizeof paper_seeds[0]);
        }
    }
    if (n == 0) {
        fprintf(stderr, "line-draw: --seeds expects a count 1..10 or a list like 1,2,1243; "
                        "got '%s'\n", o->seeds);
        return -1;
    }
    p->n_seeds = n;
    return 0;
}

static int make_plan(const options *o, plan *p)
{
    memset(p, 0, sizeof *p);
    p->epochs = o->epochs ? (size_t)o->epochs : o->paper ? 100 : 60;
    options adj = *o;
    adj.epochs = (long)p->epochs;
    if (parse_models(&adj, p) || parse_seeds(o, p)) return -1;
    for (size_t i = 0; i < p->n_variants; i++) {
        size_t e = p->variants[i].ablate_at + p->variants[i].io_lesion_at;
        if (e > p->epochs) {
            fprintf(stderr, "line-draw: ablation/lesion epoch %zu is after the last epoch %zu\n",
                    e, p->epochs);
            return -1;
        }
    }
    p->out = o->out;
    snprintf(p->settings, sizeof p->settings,
             "ccRNN settings: synthetic gradient at the sequence end %s; cerebellar loss %s "
             "over the batch; %s; tau %ld, feedback every %ld steps",
             end_synthetic(o) ? "on (reference)" : "off (paper)",
             o->cb_loss_mean ? "averaged" : "summed (reference)",
             o->separate_clip ? "cortex and cerebellum clipped separately"
                              : "one global clip over cortex and cerebellum (reference)",
             o->bptt, o->sparse);
    return 0;
}

/* ---- one run ---------------------------------------------------------------------------- */

static void run_config(const options *o, const plan *p, const variant *v, uint64_t seed,
                       ex_config *cfg)
{
    ex_config_defaults(cfg); /* LSTM, Adam 1e-3 (0.9, 0.98) eps 1e-9, clip 1, batch 50 */
    cfg->cerebellum = v->cerebellum;
    cfg->hidden = (size_t)o->hidden;
    cfg->cb_layers = 2;  /* 2H -> 400 -> 400 -> 2H */
    cfg->cb_width = 400;
    cfg->bptt = (size_t)o->bptt;
    cfg->epochs = p->epochs;
    cfg->sg_scale = o->sg_scale;
    cfg->ablate_at = v->ablate_at;
    cfg->io_lesion_at = v->io_lesion_at;
    cfg->fibres = (size_t)o->fibres;
    cfg->cb_loss_mean = v->cb_loss_mean;
    cfg->separate_clip = v->separate_clip;
    cfg->end_synthetic = v->end_synthetic;
    cfg->threads = (int)o->threads;
    cfg->seed = seed;
}

/* Test-set measures and the drawn path of every cue (noise-free input). */
static int analyse(ex_model *m, const ex_task *task, const ld_data *d, run_result *r)
{
    size_t n = task->n_samples[EX_TEST];
    float *x = malloc(n * LD_STEPS * sizeof(float)), *y = malloc(n * LD_STEPS * 2 * sizeof(float));
    int *cues = malloc(n * sizeof(int)), st = CCRNN_ERR_NOMEM;
    if (x && y && cues) {
        ld_fill((void *)d, EX_TEST, 0, 0, n, x, NULL, NULL);
        for (size_t i = 0; i < n; i++) cues[i] = ld_sample_cue(d, EX_TEST, 0, i);
        st = ex_model_predict(m, x, n, y);
        if (st == CCRNN_OK) ld_measure(y, cues, n, &r->measures);
    }
    if (st == CCRNN_OK) {
        float cx[LD_CUES * LD_STEPS] = {0};
        for (int c = LD_MIN_CUE; c <= LD_MAX_CUE; c++) cx[(c - LD_MIN_CUE) * LD_STEPS] = 0.1f * c;
        st = ex_model_predict(m, cx, LD_CUES, &r->paths[0][0]);
    }
    free(x), free(y), free(cues);
    return st;
}

static int run_one(const options *o, const plan *p, size_t vi, size_t si, ex_progress *pg,
                   run_result *r)
{
    const variant *v = &p->variants[vi];
    ld_data data = {p->seeds[si], o->noise};
    ex_task task;
    ex_config cfg;
    ex_model *m = NULL;
    char label[128];
    ld_task_init(&task, &data, (size_t)o->sparse, (size_t)o->train_size, (size_t)o->valid_size,
                 (size_t)o->test_size);
    run_config(o, p, v, p->seeds[si], &cfg);
    snprintf(label, sizeof label, "%s seed %llu", v->label, p->seeds[si]);
    ex_progress_begin(pg, vi, label);
    int st = ex_train(&cfg, &task, pg, &r->hist, &m);
    if (st == CCRNN_OK) st = analyse(m, &task, &data, r);
    ex_model_destroy(m);
    if (st != CCRNN_OK) return st;
    r->done = 1;
    ex_progress_finish(pg);
    printf("  %-40s train %.4f  validation %.4f  test %.4f  endpoint error %.3f  (%.1f s)\n",
           label, r->hist.train[p->epochs - 1], r->hist.valid[p->epochs - 1], r->hist.test.loss,
           r->measures.endpoint_error, r->hist.seconds);
    fflush(stdout);
    return CCRNN_OK;
}

int main(int argc, char **argv)
{
    options o;
    plan p;
    default_options(&o);
    int rc = parse_options(argc, argv, &o);
    if (rc != EX_ARGS_OK) return rc == EX_ARGS_HELP ? 0 : 2;
    if (make_plan(&o, &p)) return 2;
    if (ex_mkdirs(p.out)) return 1;

    run_result *res = calloc(p.n_variants * p.n_seeds, sizeof *res);
    if (!res) return 1;
    if (o.report_only) {
        int bad = read_results(&p, res) || write_report(&p, res);
        for (size_t i = 0; i < p.n_variants * p.n_seeds; i++) ex_history_free(&res[i].hist);
        free(res);
        return bad ? 1 : 0;
    }
    size_t batches = ((size_t)o.train_size + 49) / 50;
    size_t units[MAX_VARIANTS];
    for (size_t v = 0; v < p.n_variants; v++) units[v] = p.n_seeds * p.epochs * batches;
    ex_progress pg;
    ex_progress_init_kinds(&pg, p.n_variants, units);
    printf("line-draw: %zu model(s) x %zu seed(s) x %zu epochs\n%s\n", p.n_variants, p.n_seeds,
           p.epochs, p.settings);
    fflush(stdout);
    int st = CCRNN_OK;
    for (size_t s = 0; s < p.n_seeds && st == CCRNN_OK; s++)
        for (size_t v = 0; v < p.n_variants && st == CCRNN_OK; v++)
            st = run_one(&o, &p, v, s, &pg, &res[v * p.n_seeds + s]);
    ex_progress_finish(&pg);
    if (st == CCRNN_OK) st = write_report(&p, res) ? 1 : 0;
    for (size_t i = 0; i < p.n_variants * p.n_seeds; i++) ex_history_free(&res[i].hist);
    free(res);
    return st == CCRNN_OK ? 0 : 1;
}
