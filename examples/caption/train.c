#include "train.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bleu.h"

/* Features and tokens of the captions order[0..B) into contiguous buffers. */
static void gather(const cap_corpus *c, const cap_set *s, const size_t *order, size_t B,
                   float *feats, int32_t *tokens)
{
    for (size_t b = 0; b < B; b++) {
        size_t i = order[b];
        memcpy(feats + b * c->feat_dim, c->features + s->image[i] * c->feat_dim,
               c->feat_dim * sizeof *feats);
        memcpy(tokens + b * s->max_len, s->tokens + i * s->max_len, s->max_len * sizeof *tokens);
    }
}

typedef struct batcher {
    size_t *order, *starts, n_batches;
    float *feats;
    int32_t *tokens;
} batcher;

static int batcher_init(batcher *bt, const cap_model *m, const cap_corpus *c, const cap_set *s,
                        uint64_t seed)
{
    size_t B = m->cfg.batch;
    bt->order = malloc((s->n + 1) * sizeof *bt->order);
    bt->starts = malloc((s->n + 2) * sizeof *bt->starts);
    bt->feats = malloc(B * c->feat_dim * sizeof *bt->feats);
    bt->tokens = malloc(B * s->max_len * sizeof *bt->tokens);
    if (!bt->order || !bt->starts || !bt->feats || !bt->tokens) return CCRNN_ERR_NOMEM;
    bt->n_batches = cap_batches(s, B, seed, bt->order, bt->starts);
    return CCRNN_OK;
}

static void batcher_free(batcher *bt)
{
    free(bt->order);
    free(bt->starts);
    free(bt->feats);
    free(bt->tokens);
}

/* Load batch k; returns its size, *L its caption length. */
static size_t batcher_load(batcher *bt, const cap_corpus *c, const cap_set *s, size_t k,
                           size_t *L)
{
    size_t first = bt->starts[k], B = bt->starts[k + 1] - first;
    gather(c, s, bt->order + first, B, bt->feats, bt->tokens);
    *L = s->len[bt->order[first]];
    return B;
}

int cap_train_epoch(cap_model *m, const cap_corpus *c, const cap_set *s, uint64_t seed,
                    double *xent, double *cb_loss)
{
    batcher bt = {0};
    int st = batcher_init(&bt, m, c, s, seed ? seed : 1);
    double sum = 0.0, tokens = 0.0, cb = 0.0;
    for (size_t k = 0; st == CCRNN_OK && k < bt.n_batches; k++) {
        size_t L, B = batcher_load(&bt, c, s, k, &L);
        cap_batch_stats r;
        st = cap_model_train_batch(m, bt.feats, bt.tokens, s->max_len, B, L, 1, &r);
        sum += r.xent;
        tokens += r.tokens;
        cb += r.cb_loss;
    }
    if (xent) *xent = tokens > 0 ? sum / tokens : NAN;
    if (cb_loss) *cb_loss = bt.n_batches ? cb / (double)bt.n_batches : NAN;
    batcher_free(&bt);
    return st;
}

int cap_eval_xent(cap_model *m, const cap_corpus *c, const cap_set *s, double *xent)
{
    batcher bt = {0};
    int st = batcher_init(&bt, m, c, s, 0);
    double sum = 0.0, tokens = 0.0;
    for (size_t k = 0; st == CCRNN_OK && k < bt.n_batches; k++) {
        size_t L, B = batcher_load(&bt, c, s, k, &L);
        double x = 0.0;
        st = cap_model_xent(m, bt.feats, bt.tokens, s->max_len, B, L, &x);
        sum += x;
        tokens += (double)(B * L);
    }
    *xent = tokens > 0 ? sum / tokens : NAN;
    batcher_free(&bt);
    return st;
}

/* The references of image i of the set: its captions without <start> and <end>. */
static size_t references(const cap_set *s, size_t i, const int32_t **refs, size_t *lens,
                         size_t cap)
{
    size_t n = 0;
    for (size_t j = s->first[i]; j < s->first[i + 1] && n < cap; j++, n++) {
        refs[n] = s->tokens + j * s->max_len + 1;
        lens[n] = s->len[j] - 2;
    }
    return n;
}

int cap_eval_bleu(cap_model *m, const cap_corpus *c, const cap_set *s, double *bleu,
                  double *gen_len, double *ref_len)
{
    size_t B = m->cfg.batch, T = s->max_len + 3, F = c->feat_dim;
    float *feats = malloc(B * F * sizeof *feats);
    int32_t *out = malloc(B * T * sizeof *out);
    size_t *len = malloc(B * sizeof *len);
    int st = feats && out && len ? CCRNN_OK : CCRNN_ERR_NOMEM;
    cap_bleu acc;
    cap_bleu_init(&acc);
    double words = 0.0, ref_words = 0.0, n_refs = 0.0;
    for (size_t first = 0; st == CCRNN_OK && first < s->n_images; first += B) {
        size_t n = s->n_images - first < B ? s->n_images - first : B;
        for (size_t b = 0; b < n; b++)
            memcpy(feats + b * F, c->features + s->image[s->first[first + b]] * F,
                   F * sizeof *feats);
        st = cap_model_greedy(m, feats, n, T, out, len);
        for (size_t b = 0; st == CCRNN_OK && b < n; b++) {
            const int32_t *refs[64];
            size_t lens[64], k = references(s, first + b, refs, lens, 64);
            cap_bleu_add(&acc, out + b * T, len[b], refs, lens, k);
            words += (double)len[b];
            for (size_t r = 0; r < k; r++) ref_words += (double)lens[r];
            n_refs += (double)k;
        }
    }
    if (bleu) *bleu = cap_bleu_score(&acc, NULL, NULL);
    if (gen_len) *gen_len = s->n_images ? words / (double)s->n_images : NAN;
    if (ref_len) *ref_len = n_refs > 0 ? ref_words / n_refs : NAN;
    free(feats);
    free(out);
    free(len);
    return st;
}

int cap_caption_images(cap_model *m, const cap_corpus *c, const cap_vocab *v,
                       const size_t *images, size_t n, char *texts, size_t cap)
{
    size_t T = m->cfg.max_len + 3, F = c->feat_dim;
    float *feats = malloc(F * sizeof *feats);
    int32_t *out = malloc(T * sizeof *out);
    int st = feats && out ? CCRNN_OK : CCRNN_ERR_NOMEM;
    for (size_t i = 0; st == CCRNN_OK && i < n; i++) {
        size_t len;
        memcpy(feats, c->features + images[i] * F, F * sizeof *feats);
        st = cap_model_greedy(m, feats, 1, T, out, &len);
        if (st == CCRNN_OK) cap_vocab_decode(v, out, len, texts + i * cap, cap);
    }
    free(feats);
    free(out);
    return st;
}

double cap_bits_per_word(double xent) { return xent / log(2.0); }
double cap_perplexity(double xent) { return exp(xent); }
