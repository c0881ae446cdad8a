/* caption: caption generation (the paper's fourth task), cRNN against ccRNN over
 * truncations.
 *
 * An LSTM decoder writes a caption word by word from an image's feature vector.  The
 * default data are digit scenes made from real MNIST digits (1 to 3 digits on a
 * 56 x 56 canvas, captions of 11 to 15 words from a grammar); --synthetic draws the
 * digits instead (no download), --features/--captions read a real image set.
 * For every truncation tau in --bptt, seed and model it trains a fresh decoder,
 * validating after every epoch, then writes into --out: curves.csv, runs.csv,
 * summary.md, curves-tau*.svg and samples.html. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "args.h"
#include "captioner.h"
#include "data.h"
#include "output.h"
#include "progress.h"
#include "report.h"
#include "rng.h"
#include "train.h"
#include "vocab.h"

typedef struct options {
    const char *data, *features, *captions, *out, *bptt, *models, *seeds;
    long epochs, embed, hidden, cb_width, cb_layers, batch, threads, samples, jobs;
    long train_images, valid_images, test_images, caps_per_image, min_count;
    long min_words, max_words, data_seed;
    double lr, clip, sg_scale;
    int synthetic, step_per_batch, zero_last_layer, sg_last_window, cb_loss_mean, full_ccrnn;
} options;

static void default_options(options *o)
{
    memset(o, 0, sizeof *o);
    o->data = "data/mnist";
    o->out = "results/caption";
    o->bptt = "3,5,7,full";
    o->models = "crnn,ccrnn";
    o->seeds = "3";
    o->epochs = 10;
    o->embed = 64;
    o->hidden = 64;
    o->cb_width = 256;
    o->cb_layers = 2;
    o->batch = 100;
    o->threads = 1;
    o->jobs = 1;
    o->samples = 8;
    o->train_images = 2000;
    o->valid_images = 300;
    o->test_images = 300;
    o->caps_per_image = 3;
    o->min_count = 4;
    o->min_words = 11;
    o->max_words = 15;
    o->data_seed = 1;
    o->lr = 1e-3;
    o->clip = 0.0;
    o->sg_scale = 0.1;
}

static int parse_options(int argc, char **argv, options *o)
{
    const ex_option table[] = {
        {"data", EX_OPT_STRING, &o->data, 0, 0, "DIR",
         "MNIST folder (train-/t10k- IDX files, see examples/seqmnist/get-mnist.sh)"},
        {"synthetic", EX_OPT_FLAG, &o->synthetic, 0, 0, NULL,
         "draw the digits from stroke templates instead of reading MNIST"},
        {"features", EX_OPT_STRING, &o->features, 0, 0, "FILE",
         "a real image set: precomputed features (float32 matrix file, see data.h)"},
        {"captions", EX_OPT_STRING, &o->captions, 0, 0, "FILE",
         "its captions file (IMAGE<TAB>CAPTION lines; coco_to_captions.py makes one)"},
        {"out", EX_OPT_STRING, &o->out, 0, 0, "DIR", "results folder (created if needed)"},
        {"bptt", EX_OPT_STRING, &o->bptt, 0, 0, "LIST",
         "truncation windows in caption positions, comma-separated; 'full' = full BPTT"},
        {"models", EX_OPT_STRING, &o->models, 0, 0, "LIST", "crnn, ccrnn or crnn,ccrnn"},
        {"full-ccrnn", EX_OPT_FLAG, &o->full_ccrnn, 0, 0, NULL,
         "also train the ccRNN at full BPTT (by default only the cRNN, as in the paper)"},
        {"seeds", EX_OPT_STRING, &o->seeds, 0, 0, "N|LIST",
         "a count (seeds 1..N) or a comma-separated list ('7,' is the single seed 7)"},
        {"epochs", EX_OPT_INT, &o->epochs, 1, 100000, "N", "training epochs"},
        {"embed", EX_OPT_INT, &o->embed, 1, 100000, "E", "word and image embedding (paper 256)"},
        {"hidden", EX_OPT_INT, &o->hidden, 1, 100000, "H", "LSTM units (paper 256)"},
        {"cb-width", EX_OPT_INT, &o->cb_width, 1, 100000, "N",
         "units per cerebellar hidden layer (paper 1024)"},
        {"cb-layers", EX_OPT_INT, &o->cb_layers, 0, 16, "N", "cerebellar hidden layers (2)"},
        {"batch", EX_OPT_INT, &o->batch, 1, 1024, "B", "captions per batch (paper 100)"},
        {"lr", EX_OPT_REAL, &o->lr, 0, 1e3, "X", "Adam learning rate"},
        {"clip", EX_OPT_REAL, &o->clip, 0, 1e9, "X",
         "global gradient-norm clip (0 = none, the reference's captioning setting)"},
        {"step-per-batch", EX_OPT_FLAG, &o->step_per_batch, 0, 0, NULL,
         "one optimizer step per batch (the other tasks' rule) instead of after every window"},
        {"zero-last-layer", EX_OPT_FLAG, &o->zero_last_layer, 0, 0, NULL,
         "zero the cerebellum's last weight and bias (default: only the weight, as the "
         "reference's captioning code)"},
        {"sg-last-window", EX_OPT_FLAG, &o->sg_last_window, 0, 0, NULL,
         "inject the synthetic gradient at the sequence end too (the reference's quirk)"},
        {"sg-scale", EX_OPT_REAL, &o->sg_scale, 0, 1e6, "X", "synthetic gradient scale"},
        {"cb-loss-mean", EX_OPT_FLAG, &o->cb_loss_mean, 0, 0, NULL,
         "divide the cerebellar loss by the batch (default: summed, as the reference)"},
        {"train-images", EX_OPT_INT, &o->train_images, 1, 10000000, "N", "digit scenes"},
        {"valid-images", EX_OPT_INT, &o->valid_images, 1, 10000000, "N", "digit scenes"},
        {"test-images", EX_OPT_INT, &o->test_images, 1, 10000000, "N", "digit scenes"},
        {"captions-per-image", EX_OPT_INT, &o->caps_per_image, 1, CAP_PHRASINGS, "N",
         "phrasings per digit scene"},
        {"min-count", EX_OPT_INT, &o->min_count, 1, 1000000, "N",
         "words seen fewer times in the training captions become <unk>"},
        {"min-words", EX_OPT_INT, &o->min_words, 1, 1000, "N", "shortest caption used"},
        {"max-words", EX_OPT_INT, &o->max_words, 1, 1000, "N", "longest caption used"},
        {"data-seed", EX_OPT_INT, &o->data_seed, 0, 1L << 40, "N",
         "seed of the scenes and of the image splits"},
        {"samples", EX_OPT_INT, &o->samples, 0, 100, "N", "test scenes on samples.html"},
        {"threads", EX_OPT_INT, &o->threads, 1, 256, "N", "BLIS threads per network"},
        {"jobs", EX_OPT_INT, &o->jobs, 1, 64, "N",
         "train up to N runs at once in child processes (same results as 1)"},
    };
    const char *about =
        "Train LSTM caption decoders, with (ccRNN) and without (cRNN) a cerebellum that\n"
        "predicts the cortex's future gradient, on digit scenes or a real image set.";
    return ex_args_parse(argc, argv, about, table, sizeof table / sizeof table[0]);
}

/* ---- data ----------------------------------------------------------------------------- */

static int load_corpus(const options *o, cap_corpus *c)
{
    char err[512];
    if (o->features || o->captions) {
        if (!o->features || !o->captions)
            return fprintf(stderr, "caption: --features and --captions go together\n"), -1;
        if (cap_corpus_files(o->features, o->captions, 0.05, 0.05, (uint64_t)o->data_seed, c, err,
                             sizeof err))
            return fprintf(stderr, "caption: %s\n", err), -1;
        return 0;
    }
    cap_glyphs g[CAP_SPLITS];
    memset(g, 0, sizeof g);
    int st = 0;
    if (o->synthetic) {
        for (int s = 0; s < CAP_SPLITS && !st; s++)
            st = cap_glyphs_synthetic(2000, ex_hash((uint64_t)o->data_seed, (uint64_t)s), &g[s]);
        if (st) fprintf(stderr, "caption: out of memory\n");
    } else { /* the first 80 % of MNIST's training digits, the last 20 %, the test digits */
        cap_glyphs all = {0};
        st = cap_glyphs_mnist(o->data, "train", 0, SIZE_MAX, &all, err, sizeof err);
        size_t n_train = all.count * 4 / 5;
        cap_glyphs_free(&all);
        if (!st)
            st = cap_glyphs_mnist(o->data, "train", 0, n_train, &g[0], err, sizeof err) ||
                 cap_glyphs_mnist(o->data, "train", n_train, SIZE_MAX, &g[1], err, sizeof err) ||
                 cap_glyphs_mnist(o->data, "t10k", 0, SIZE_MAX, &g[2], err, sizeof err);
        if (st) fprintf(stderr, "caption: %s (or use --synthetic)\n", err);
    }
    size_t n[CAP_SPLITS] = {(size_t)o->train_images, (size_t)o->valid_images,
                            (size_t)o->test_images};
    if (!st && cap_corpus_scenes(g, n, (size_t)o->caps_per_image, (size_t)o->samples,
                                 (uint64_t)o->data_seed, c))
        st = -1, fprintf(stderr, "caption: out of memory\n");
    for (int s = 0; s < CAP_SPLITS; s++) cap_glyphs_free(&g[s]);
    return st ? -1 : 0;
}

typedef struct dataset {
    cap_corpus corpus;
    cap_vocab vocab;
    cap_set set[CAP_SPLITS];
} dataset;

static int load_dataset(const options *o, dataset *d)
{
    memset(d, 0, sizeof *d);
    if (load_corpus(o, &d->corpus)) return -1;
    size_t n = 0;
    const char **texts = cap_corpus_texts(&d->corpus, 0, &n);
    int st = !texts || cap_vocab_build(texts, n, (size_t)o->min_count, &d->vocab);
    free(texts);
    for (int s = 0; s < CAP_SPLITS && !st; s++)
        st = cap_set_build(&d->corpus, &d->vocab, s, (size_t)o->min_words, (size_t)o->max_words,
                           &d->set[s]);
    if (st) return fprintf(stderr, "caption: out of memory\n"), -1;
    for (int s = 0; s < CAP_SPLITS; s++)
        if (d->set[s].n == 0)
            return fprintf(stderr, "caption: no %s captions of %ld..%ld words\n",
                           s == 0 ? "training" : s == 1 ? "validation" : "test", o->min_words,
                           o->max_words), -1;
    return 0;
}

static void free_dataset(dataset *d)
{
    for (int s = 0; s < CAP_SPLITS; s++) cap_set_free(&d->set[s]);
    cap_vocab_free(&d->vocab);
    cap_corpus_free(&d->corpus);
}

/* ---- the plan ------------------------------------------------------------------------- */

static int make_plan(const options *o, const dataset *d, cap_plan *p)
{
    memset(p, 0, sizeof *p);
    char buf[256];
    snprintf(buf, sizeof buf, "%s", o->bptt);
    for (char *t = strtok(buf, ","); t; t = strtok(NULL, ",")) {
        long v = !strcmp(t, "full") ? 0 : strtol(t, NULL, 10);
        if (p->n_tau == CAP_MAX_TAU || (v < 1 && strcmp(t, "full")))
            return fprintf(stderr, "caption: bad --bptt '%s'\n", o->bptt), -1;
        p->tau[p->n_tau++] = v ? (size_t)v : 0;
    }
    p->models = 0;
    if (strstr(o->models, "ccrnn")) p->models |= 2;
    if (!strcmp(o->models, "crnn") || strstr(o->models, "crnn,") || strstr(o->models, ",crnn"))
        p->models |= 1;
    if (!p->models) return fprintf(stderr, "caption: bad --models '%s'\n", o->models), -1;
    size_t n = ex_parse_uint_list(o->seeds, p->seeds, CAP_MAX_SEEDS);
    if (n == 1 && !strchr(o->seeds, ',')) {
        n = (size_t)p->seeds[0];
        if (n < 1 || n > CAP_MAX_SEEDS) n = 0;
        for (size_t i = 0; i < n; i++) p->seeds[i] = i + 1;
    }
    if (n == 0) return fprintf(stderr, "caption: bad --seeds '%s'\n", o->seeds), -1;
    p->n_seeds = n;
    p->epochs = (size_t)o->epochs;
    p->full_ccrnn = o->full_ccrnn;
    p->max_len = d->set[0].max_len;
    p->out = o->out;
    return 0;
}

static void model_config(const options *o, const dataset *d, const cap_plan *p, size_t tau,
                         int ccrnn, uint64_t seed, cap_config *cfg)
{
    cap_config_defaults(cfg); /* the reference's captioning settings */
    cfg->embed = (size_t)o->embed;
    cfg->hidden = (size_t)o->hidden;
    cfg->vocab = d->vocab.size;
    cfg->feat_dim = d->corpus.feat_dim;
    cfg->batch = (size_t)o->batch;
    cfg->max_len = p->max_len;
    cfg->tau = tau ? tau : p->max_len;
    cfg->cerebellum = ccrnn;
    cfg->cb_layers = (size_t)o->cb_layers;
    cfg->cb_width = (size_t)o->cb_width;
    cfg->lr = o->lr;
    cfg->clip = o->clip;
    cfg->sg_scale = o->sg_scale;
    cfg->step_per_window = !o->step_per_batch;
    cfg->zero_last_weight_only = !o->zero_last_layer;
    cfg->sg_last_window = o->sg_last_window;
    cfg->cb_loss_mean = o->cb_loss_mean;
    cfg->threads = (int)o->threads;
    cfg->seed = seed;
}

/* ---- one run: train, validate every epoch, test ------------------------------------------ */

static int run_one(const cap_config *cfg, const dataset *d, const cap_plan *p, ex_progress *pg,
                   cap_run *r)
{
    cap_model *m = NULL;
    double t0 = ex_now();
    int st = cap_model_create(cfg, &m);
    for (size_t e = 0; st == 0 && e < p->epochs; e++) {
        st = cap_train_epoch(m, &d->corpus, &d->set[0], ex_hash(cfg->seed, e + 1), &r->train[e],
                             &r->cb_loss[e]);
        if (!st) st = cap_eval_xent(m, &d->corpus, &d->set[1], &r->valid[e]);
        if (!st) st = cap_eval_bleu(m, &d->corpus, &d->set[1], &r->valid_bleu[e], NULL, NULL);
        ex_progress_advance(pg, 1, e + 1, p->epochs, r->valid[e]);
    }
    if (!st) st = cap_eval_xent(m, &d->corpus, &d->set[2], &r->test);
    if (!st) st = cap_eval_bleu(m, &d->corpus, &d->set[2], &r->test_bleu, &r->gen_len, &r->ref_len);
    if (!st && d->corpus.n_canvas)
        st = cap_caption_images(m, &d->corpus, &d->vocab, d->corpus.canvas_image,
                                d->corpus.n_canvas, r->samples, CAP_SAMPLE_TEXT);
    r->seconds = ex_now() - t0;
    if (st) fprintf(stderr, "caption: %s: %s\n", ccrnn_strerror(st), ccrnn_last_error());
    cap_model_destroy(m);
    return st;
}

static void run_label(const cap_run *r, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s tau %s seed %llu", r->ccrnn ? "ccRNN" : "cRNN", cap_tau_name(r->tau),
             (unsigned long long)r->seed);
}

static int run_serial(const options *o, const dataset *d, const cap_plan *p, cap_results *res)
{
    ex_progress pg;
    ex_progress_init(&pg, res->n_runs * p->epochs);
    int st = 0;
    for (size_t i = 0; i < res->n_runs && !st; i++) {
        cap_run *r = &res->runs[i];
        cap_config cfg;
        char label[96];
        model_config(o, d, p, r->tau, r->ccrnn, r->seed, &cfg);
        run_label(r, label, sizeof label);
        ex_progress_label(&pg, label);
        st = run_one(&cfg, d, p, &pg, r);
        ex_progress_finish(&pg);
        if (!st) cap_print_run(stdout, r, p->epochs);
    }
    return st;
}

/* --jobs N: each run in a child process that leaves its results in a file in --out;
 * the results do not depend on N. */
static int run_parallel(const options *o, const dataset *d, const cap_plan *p, cap_results *res)
{
    pid_t pid[CAP_MAX_TAU * CAP_MAX_SEEDS * 2];
    size_t next = 0, running = 0;
    int st = 0;
    char path[1024];
    fflush(stdout);
    while ((next < res->n_runs && !st) || running > 0) {
        if (next < res->n_runs && !st && running < (size_t)o->jobs) {
            cap_run *r = &res->runs[next];
            snprintf(path, sizeof path, "%s/.run-%zu.bin", p->out, next);
            pid[next] = fork();
            if (pid[next] == 0) {
                cap_config cfg;
                ex_progress pg;
                ex_progress_init(&pg, p->epochs);
                pg.active = 0; /* children stay quiet */
                model_config(o, d, p, r->tau, r->ccrnn, r->seed, &cfg);
                int cst = run_one(&cfg, d, p, &pg, r);
                if (!cst) cst = cap_run_save(path, r, p->epochs, res->n_samples);
                _exit(cst ? 1 : 0);
            }
            if (pid[next] < 0) st = -1, perror("caption: fork");
            else next++, running++;
            continue;
        }
        int status = 0;
        pid_t done = wait(&status);
        if (done < 0) break;
        running--;
        for (size_t i = 0; i < next; i++) {
            if (pid[i] != done) continue;
            snprintf(path, sizeof path, "%s/.run-%zu.bin", p->out, i);
            if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
                cap_run_load(path, &res->runs[i], p->epochs, res->n_samples)) {
                char label[96];
                run_label(&res->runs[i], label, sizeof label);
                fprintf(stderr, "caption: run %s failed\n", label);
                st = -1;
            } else {
                cap_print_run(stdout, &res->runs[i], p->epochs);
            }
            remove(path);
        }
    }
    return st;
}

int main(int argc, char **argv)
{
    options o;
    default_options(&o);
    int a = parse_options(argc, argv, &o);
    if (a != EX_ARGS_OK) return a == EX_ARGS_HELP ? 0 : 2;
    dataset d;
    cap_plan plan;
    if (load_dataset(&o, &d) || make_plan(&o, &d, &plan) || ex_mkdirs(o.out)) {
        free_dataset(&d);
        return 1;
    }
    printf("caption: vocabulary %zu words; captions train %zu, validation %zu, test %zu\n",
           d.vocab.size, d.set[0].n, d.set[1].n, d.set[2].n);
    cap_results res;
    if (cap_results_init(&res, &plan, d.corpus.n_canvas)) {
        free_dataset(&d);
        return fprintf(stderr, "caption: out of memory\n"), 1;
    }
    int st = o.jobs > 1 ? run_parallel(&o, &d, &plan, &res) : run_serial(&o, &d, &plan, &res);
    if (!st) st = cap_write_results(&res, &plan, &d.corpus, argc, argv);
    cap_results_free(&res);
    free_dataset(&d);
    return st ? 1 : 0;
}
