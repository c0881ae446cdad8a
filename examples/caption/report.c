#include "report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "scenes.h"
#include "stats.h"
#include "svg.h"

const char *cap_tau_name(size_t tau)
{
    static char buf[4][24];
    static int next;
    char *b = buf[next++ % 4];
    if (tau == 0) snprintf(b, 24, "full");
    else snprintf(b, 24, "%zu", tau);
    return b;
}

static const char *model_name(int ccrnn) { return ccrnn ? "ccrnn" : "crnn"; }
static const char *model_label(int ccrnn) { return ccrnn ? "ccRNN" : "cRNN"; }

int cap_results_init(cap_results *r, const cap_plan *p, size_t n_samples)
{
    memset(r, 0, sizeof *r);
    size_t cap = p->n_tau * p->n_seeds * 2;
    r->runs = calloc(cap ? cap : 1, sizeof *r->runs);
    if (!r->runs) return -1;
    r->n_samples = n_samples;
    r->epochs = p->epochs;
    for (size_t t = 0; t < p->n_tau; t++)
        for (size_t s = 0; s < p->n_seeds; s++)
            for (int m = 0; m < 2; m++) {
                if (!(p->models & (1u << m))) continue;
                if (m == 1 && p->tau[t] == 0 && !p->full_ccrnn) continue;
                cap_run *x = &r->runs[r->n_runs++];
                x->tau = p->tau[t];
                x->ccrnn = m;
                x->seed = p->seeds[s];
                double *v = calloc(4 * p->epochs, sizeof *v);
                x->samples = calloc(n_samples ? n_samples : 1, CAP_SAMPLE_TEXT);
                if (!v || !x->samples) return free(v), cap_results_free(r), -1;
                x->train = v;
                x->valid = v + p->epochs;
                x->valid_bleu = v + 2 * p->epochs;
                x->cb_loss = v + 3 * p->epochs;
            }
    return 0;
}

void cap_results_free(cap_results *r)
{
    for (size_t i = 0; r->runs && i < r->n_runs; i++) {
        free(r->runs[i].train);
        free(r->runs[i].samples);
    }
    free(r->runs);
    memset(r, 0, sizeof *r);
}

int cap_run_save(const char *path, const cap_run *r, size_t epochs, size_t n_samples)
{
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    double tail[5] = {r->test, r->test_bleu, r->gen_len, r->ref_len, r->seconds};
    int ok = fwrite(r->train, sizeof(double), 4 * epochs, f) == 4 * epochs &&
             fwrite(tail, sizeof tail, 1, f) == 1 &&
             fwrite(r->samples, CAP_SAMPLE_TEXT, n_samples, f) == n_samples;
    return fclose(f) == 0 && ok ? 0 : -1;
}

int cap_run_load(const char *path, cap_run *r, size_t epochs, size_t n_samples)
{
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    double tail[5];
    int ok = fread(r->train, sizeof(double), 4 * epochs, f) == 4 * epochs &&
             fread(tail, sizeof tail, 1, f) == 1 &&
             fread(r->samples, CAP_SAMPLE_TEXT, n_samples, f) == n_samples;
    fclose(f);
    r->test = tail[0], r->test_bleu = tail[1], r->gen_len = tail[2], r->ref_len = tail[3];
    r->seconds = tail[4];
    return ok ? 0 : -1;
}

void cap_print_run(FILE *f, const cap_run *r, size_t epochs)
{
    fprintf(f, "%-5s tau %-4s seed %-3llu  valid CE %.4f  test CE %.4f (%.3f bits/word, "
               "perplexity %.3f)  BLEU-4 %.4f  words %.2f/%.2f  %.1f s\n",
            model_label(r->ccrnn), cap_tau_name(r->tau), (unsigned long long)r->seed,
            r->valid[epochs - 1], r->test, r->test / log(2.0), exp(r->test), r->test_bleu,
            r->gen_len, r->ref_len, r->seconds);
    fflush(f);
}

/* ---- tables --------------------------------------------------------------------------- */

static int write_csvs(const cap_results *r, const char *dir)
{
    char path[1024];
    FILE *f = ex_csv_open(ex_path_join(path, sizeof path, dir, "curves.csv"),
                          "tau,model,seed,epoch,train_xent,valid_xent,valid_bleu4,cb_loss");
    if (!f) return -1;
    for (size_t i = 0; i < r->n_runs; i++) {
        const cap_run *x = &r->runs[i];
        for (size_t e = 0; e < r->epochs; e++)
            fprintf(f, "%s,%s,%llu,%zu,%.6f,%.6f,%.6f,%.6g\n", cap_tau_name(x->tau),
                    model_name(x->ccrnn), (unsigned long long)x->seed, e + 1, x->train[e],
                    x->valid[e], x->valid_bleu[e], x->cb_loss[e]);
    }
    if (ex_csv_close(f, path)) return -1;
    f = ex_csv_open(ex_path_join(path, sizeof path, dir, "runs.csv"),
                    "tau,model,seed,valid_xent,test_xent,test_bits_per_word,test_perplexity,"
                    "test_bleu4,generated_words,reference_words,seconds");
    if (!f) return -1;
    for (size_t i = 0; i < r->n_runs; i++) {
        const cap_run *x = &r->runs[i];
        fprintf(f, "%s,%s,%llu,%.6f,%.6f,%.6f,%.6f,%.6f,%.4f,%.4f,%.2f\n", cap_tau_name(x->tau),
                model_name(x->ccrnn), (unsigned long long)x->seed, x->valid[r->epochs - 1],
                x->test, x->test / log(2.0), exp(x->test), x->test_bleu, x->gen_len, x->ref_len,
                x->seconds);
    }
    return ex_csv_close(f, path);
}

/* Values of one metric for (tau, model) in seed order; returns the count. */
enum metric { M_VALID, M_TEST, M_BITS, M_PPL, M_BLEU, M_LEN };

static double metric(const cap_results *r, const cap_run *x, int m)
{
    switch (m) {
    case M_VALID: return x->valid[r->epochs - 1];
    case M_TEST: return x->test;
    case M_BITS: return x->test / log(2.0);
    case M_PPL: return exp(x->test);
    case M_BLEU: return x->test_bleu;
    default: return x->gen_len;
    }
}

static size_t collect(const cap_results *r, size_t tau, int ccrnn, int m, double *v)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n_runs; i++)
        if (r->runs[i].tau == tau && r->runs[i].ccrnn == ccrnn) v[n++] = metric(r, &r->runs[i], m);
    return n;
}

static void cell(FILE *f, const double *v, size_t n, int digits)
{
    fprintf(f, " %.*f ± %.*f |", digits, ex_mean(v, n), digits, n > 1 ? ex_sem(v, n) : NAN);
}

static void summary_table(FILE *f, const cap_results *r, const cap_plan *p)
{
    fprintf(f, "| τ | model | seeds | validation CE (nats/token) | test CE | test bits/word | "
               "test perplexity | test BLEU-4 | words per generated caption |\n");
    fprintf(f, "|---|---|---|---|---|---|---|---|---|\n");
    for (size_t t = 0; t < p->n_tau; t++)
        for (int m = 0; m < 2; m++) {
            double v[CAP_MAX_SEEDS];
            size_t n = collect(r, p->tau[t], m, M_TEST, v);
            if (!n) continue;
            fprintf(f, "| %s | %s | %zu |", cap_tau_name(p->tau[t]), model_label(m), n);
            static const int metrics[6] = {M_VALID, M_TEST, M_BITS, M_PPL, M_BLEU, M_LEN};
            static const int digits[6] = {4, 4, 4, 3, 4, 2};
            for (int k = 0; k < 6; k++) {
                collect(r, p->tau[t], m, metrics[k], v);
                cell(f, v, n, digits[k]);
            }
            fputc('\n', f);
        }
}

static void paired_lines(FILE *f, const cap_results *r, const cap_plan *p)
{
    static const char *const names[3] = {"test cross-entropy", "validation cross-entropy",
                                         "test BLEU-4"};
    static const int metrics[3] = {M_TEST, M_VALID, M_BLEU};
    for (size_t t = 0; t < p->n_tau; t++) {
        double a[CAP_MAX_SEEDS], b[CAP_MAX_SEEDS];
        size_t na = collect(r, p->tau[t], 1, M_TEST, a), nb = collect(r, p->tau[t], 0, M_TEST, b);
        if (!na || na != nb) continue;
        fprintf(f, "\nτ = %s, ccRNN − cRNN per seed:\n\n", cap_tau_name(p->tau[t]));
        for (int k = 0; k < 3; k++) {
            collect(r, p->tau[t], 1, metrics[k], a);
            collect(r, p->tau[t], 0, metrics[k], b);
            ex_paired ps;
            char buf[256];
            ex_paired_summary(a, b, na, metrics[k] != M_BLEU, &ps);
            fprintf(f, "- %s: %s; per seed:", names[k], ex_paired_format(&ps, "ccRNN", 3, buf,
                                                                         sizeof buf));
            for (size_t i = 0; i < na; i++) fprintf(f, " %+.4f", a[i] - b[i]);
            fputc('\n', f);
        }
    }
}

static int write_summary(const cap_results *r, const cap_plan *p, const cap_corpus *c,
                         int argc, char **argv)
{
    char path[1024];
    FILE *f = fopen(ex_path_join(path, sizeof path, p->out, "summary.md"), "w");
    if (!f) return fprintf(stderr, "caption: cannot write %s\n", path), -1;
    fprintf(f, "# Caption generation: cRNN against ccRNN\n\nCommand:\n\n```\n");
    for (int i = 0; i < argc; i++) fprintf(f, "%s%s", i ? " " : "", argv[i]);
    fprintf(f, "\n```\n\n%zu images (%zu captions), %zu epochs, seeds", c->n_images, c->n_caps,
            p->epochs);
    for (size_t i = 0; i < p->n_seeds; i++) fprintf(f, "%s%llu", i ? ", " : " ", p->seeds[i]);
    fprintf(f, ".  Mean ± SEM over seeds; the validation cross-entropy is the last "
               "epoch's.\n\n");
    summary_table(f, r, p);
    paired_lines(f, r, p);
    return fclose(f) ? -1 : 0;
}

/* ---- figures -------------------------------------------------------------------------- */

/* Mean and SEM over seeds of a per-epoch series of (tau, model). */
static size_t series(const cap_results *r, size_t tau, int ccrnn, int bleu, double *mean,
                     double *sem)
{
    size_t n = 0;
    double v[CAP_MAX_SEEDS];
    for (size_t e = 0; e < r->epochs; e++) {
        n = 0;
        for (size_t i = 0; i < r->n_runs; i++)
            if (r->runs[i].tau == tau && r->runs[i].ccrnn == ccrnn)
                v[n++] = bleu ? r->runs[i].valid_bleu[e] : r->runs[i].valid[e];
        mean[e] = n ? ex_mean(v, n) : NAN;
        sem[e] = n > 1 ? ex_sem(v, n) : NAN;
    }
    return n;
}

static int plot_tau(const cap_results *r, const cap_plan *p, size_t tau, int bleu)
{
    size_t E = r->epochs, nc = 0;
    double *buf = malloc(7 * E * sizeof *buf);
    if (!buf) return -1;
    ex_curve cv[3];
    char labels[3][64], path[1024], name[64], title[128];
    for (size_t e = 0; e < E; e++) buf[e] = (double)(e + 1);
    /* cRNN and ccRNN at tau, and the cRNN at full BPTT as the upper reference. */
    const size_t taus[3] = {tau, tau, 0};
    const int models[3] = {0, 1, 0};
    for (int k = 0; k < 3; k++) {
        if (k == 2 && tau == 0) break;
        double *mean = buf + (1 + 2 * nc) * E, *sem = mean + E;
        if (!series(r, taus[k], models[k], bleu, mean, sem)) continue;
        snprintf(labels[nc], sizeof labels[nc], "%s, τ = %s", model_label(models[k]),
                 cap_tau_name(taus[k]));
        cv[nc].label = labels[nc];
        cv[nc].color = k == 2 ? "#2ca02c" : ex_model_color(model_name(models[k]));
        cv[nc].x = buf;
        cv[nc].mean = mean;
        cv[nc].sem = sem;
        cv[nc].n = E;
        nc++;
    }
    snprintf(name, sizeof name, "curves-%s-tau%s.svg", bleu ? "bleu" : "valid", cap_tau_name(tau));
    snprintf(title, sizeof title, "Caption generation, τ = %s: validation %s", cap_tau_name(tau),
             bleu ? "BLEU-4 (greedy)" : "cross-entropy");
    int st = ex_plot_curves(ex_path_join(path, sizeof path, p->out, name), title, "epoch",
                            bleu ? "BLEU-4" : "nats per token", 0, cv, nc);
    free(buf);
    return st;
}

/* ---- the samples page ------------------------------------------------------------------ */

static void html_escape(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '<') fputs("&lt;", f);
        else if (*s == '>') fputs("&gt;", f);
        else if (*s == '&') fputs("&amp;", f);
        else fputc(*s, f);
    }
}

static void canvas_svg(FILE *f, const float *canvas)
{
    const int k = 3;
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\">"
               "<rect width=\"%d\" height=\"%d\" fill=\"#000\"/>",
            CAP_CANVAS * k, CAP_CANVAS * k, CAP_CANVAS * k, CAP_CANVAS * k);
    for (int y = 0; y < CAP_CANVAS; y++)
        for (int x = 0; x < CAP_CANVAS; x++) {
            float v = canvas[y * CAP_CANVAS + x];
            if (v < 0.05f) continue;
            int g = (int)lround(255 * (v > 1 ? 1 : v));
            fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"rgb(%d,%d,%d)\"/>",
                    x * k, y * k, k, k, g, g, g);
        }
    fputs("</svg>", f);
}

static int write_samples(const cap_results *r, const cap_plan *p, const cap_corpus *c)
{
    if (!c->n_canvas || !r->n_runs) return 0;
    char path[1024];
    FILE *f = fopen(ex_path_join(path, sizeof path, p->out, "samples.html"), "w");
    if (!f) return fprintf(stderr, "caption: cannot write %s\n", path), -1;
    fprintf(f, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Caption samples"
               "</title><style>body{font-family:sans-serif} td{vertical-align:top;padding:6px}"
               " .crnn{color:#1f77b4} .ccrnn{color:#d62728} .ref{color:#444}</style></head>"
               "<body>\n<h1>Greedy captions of test scenes (seed %llu)</h1>\n<table>\n",
            p->seeds[0]);
    for (size_t i = 0; i < c->n_canvas; i++) {
        fputs("<tr><td>", f);
        canvas_svg(f, c->canvas + i * CAP_CANVAS * CAP_CANVAS);
        fputs("</td><td>", f);
        for (size_t j = 0; j < c->n_caps; j++)
            if (c->cap_image[j] == c->canvas_image[i]) {
                fputs("<div class=\"ref\">reference: ", f);
                html_escape(f, c->cap_text[j]);
                fputs("</div>", f);
            }
        for (size_t k = 0; k < r->n_runs; k++) {
            const cap_run *x = &r->runs[k];
            if (x->seed != p->seeds[0]) continue;
            fprintf(f, "<div class=\"%s\">%s, τ = %s: ", model_name(x->ccrnn),
                    model_label(x->ccrnn), cap_tau_name(x->tau));
            html_escape(f, x->samples + i * CAP_SAMPLE_TEXT);
            fputs("</div>", f);
        }
        fputs("</td></tr>\n", f);
    }
    fputs("</table></body></html>\n", f);
    return fclose(f) ? -1 : 0;
}

int cap_write_results(const cap_results *r, const cap_plan *p, const cap_corpus *c, int argc,
                      char **argv)
{
    int st = write_csvs(r, p->out) || write_summary(r, p, c, argc, argv) ||
             write_samples(r, p, c);
    for (size_t t = 0; t < p->n_tau && !st; t++)
        st = plot_tau(r, p, p->tau[t], 0) || plot_tau(r, p, p->tau[t], 1);
    if (!st) printf("caption: wrote %s/{curves.csv,runs.csv,summary.md,%scurves-*.svg}\n",
                    p->out, c->n_canvas && r->n_runs ? "samples.html," : "");
    return st ? -1 : 0;
}
