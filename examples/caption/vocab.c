#include "vocab.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const specials[CAP_N_SPECIAL] = {"<pad>", "<start>", "<end>", "<unk>"};

static int word_char(int c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

size_t cap_tokenize(const char *text, char *buf, size_t buf_cap, const char **tokens,
                    size_t max)
{
    size_t n = 0, used = 0;
    const unsigned char *p = (const unsigned char *)text;
    while (*p) {
        int c = tolower(*p);
        if (!word_char(c)) {
            p++;
            continue;
        }
        char *start = buf + used;
        size_t len = 0;
        for (;;) {
            c = tolower(*p);
            int apostrophe = c == '\'' && len > 0 && word_char(tolower(p[1]));
            if (!word_char(c) && !apostrophe) break;
            if (len < CAP_MAX_WORD - 1 && used + len + 1 < buf_cap) start[len++] = (char)c;
            p++;
        }
        if (len == 0) continue; /* no room left in buf */
        start[len] = 0;
        used += len + 1;
        if (n < max) tokens[n] = start;
        n++;
    }
    return n;
}

/* FNV-1a */
static size_t hash_word(const char *w)
{
    size_t h = 1469598103934665603ull & (size_t)-1;
    for (; *w; w++) h = (h ^ (unsigned char)*w) * (size_t)1099511628211ull;
    return h;
}

/* Slot of word in a table of size ts (a power of two) holding ids into words[]. */
static size_t find_slot(const int32_t *table, size_t ts, char *const *words, const char *w)
{
    size_t i = hash_word(w) & (ts - 1);
    while (table[i] >= 0 && strcmp(words[table[i]], w) != 0) i = (i + 1) & (ts - 1);
    return i;
}

typedef struct counter {
    char **words;
    size_t *counts;
    size_t n, cap, ts;
    int32_t *table;
} counter;

static int counter_grow(counter *c)
{
    size_t cap = c->cap ? 2 * c->cap : 256, ts = 4 * cap;
    char **w = realloc(c->words, cap * sizeof *w);
    if (w) c->words = w;
    size_t *k = realloc(c->counts, cap * sizeof *k);
    if (k) c->counts = k;
    int32_t *t = malloc(ts * sizeof *t);
    if (!w || !k || !t) return free(t), -1;
    for (size_t i = 0; i < ts; i++) t[i] = -1;
    for (size_t i = 0; i < c->n; i++) t[find_slot(t, ts, c->words, c->words[i])] = (int32_t)i;
    free(c->table);
    c->table = t;
    c->cap = cap;
    c->ts = ts;
    return 0;
}

static int counter_add(counter *c, const char *w)
{
    if (c->n == c->cap && counter_grow(c)) return -1;
    size_t s = find_slot(c->table, c->ts, c->words, w);
    if (c->table[s] >= 0) {
        c->counts[c->table[s]]++;
        return 0;
    }
    if (!(c->words[c->n] = malloc(strlen(w) + 1))) return -1;
    strcpy(c->words[c->n], w);
    c->counts[c->n] = 1;
    c->table[s] = (int32_t)c->n++;
    return 0;
}

static void counter_free(counter *c)
{
    for (size_t i = 0; i < c->n; i++) free(c->words[i]);
    free(c->words);
    free(c->counts);
    free(c->table);
}

static const counter *sort_ctx;

static int by_count(const void *a, const void *b)
{
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    if (sort_ctx->counts[i] != sort_ctx->counts[j])
        return sort_ctx->counts[i] > sort_ctx->counts[j] ? -1 : 1;
    return strcmp(sort_ctx->words[i], sort_ctx->words[j]);
}

static int count_words(const char *const *texts, size_t n, counter *c)
{
    char buf[4096];
    const char *tok[512];
    for (size_t i = 0; i < n; i++) {
        size_t k = cap_tokenize(texts[i], buf, sizeof buf, tok, 512);
        for (size_t j = 0; j < k && j < 512; j++)
            if (counter_add(c, tok[j])) return -1;
    }
    return 0;
}

/* Fill v from the counter: specials, then words kept in order. */
static int fill_vocab(cap_vocab *v, const counter *c, const size_t *order, size_t kept)
{
    v->size = CAP_N_SPECIAL + kept;
    v->words = calloc(v->size, sizeof *v->words);
    v->counts = calloc(v->size, sizeof *v->counts);
    v->table_size = 16;
    while (v->table_size < 2 * v->size) v->table_size *= 2;
    v->table = malloc(v->table_size * sizeof *v->table);
    if (!v->words || !v->counts || !v->table) return -1;
    for (size_t i = 0; i < v->table_size; i++) v->table[i] = -1;
    for (size_t i = 0; i < v->size; i++) {
        const char *w = i < CAP_N_SPECIAL ? specials[i] : c->words[order[i - CAP_N_SPECIAL]];
        if (!(v->words[i] = malloc(strlen(w) + 1))) return -1;
        strcpy(v->words[i], w);
        v->counts[i] = i < CAP_N_SPECIAL ? 0 : c->counts[order[i - CAP_N_SPECIAL]];
        v->table[find_slot(v->table, v->table_size, v->words, w)] = (int32_t)i;
    }
    return 0;
}

int cap_vocab_build(const char *const *texts, size_t n, size_t min_count, cap_vocab *v)
{
    counter c;
    memset(&c, 0, sizeof c);
    memset(v, 0, sizeof *v);
    size_t *order = NULL, kept = 0;
    int st = count_words(texts, n, &c);
    if (!st && !(order = malloc((c.n + 1) * sizeof *order))) st = -1;
    if (!st) {
        for (size_t i = 0; i < c.n; i++)
            if (c.counts[i] >= (min_count ? min_count : 1)) order[kept++] = i;
        sort_ctx = &c;
        qsort(order, kept, sizeof *order, by_count);
        st = fill_vocab(v, &c, order, kept);
    }
    free(order);
    counter_free(&c);
    if (st) cap_vocab_free(v);
    return st;
}

void cap_vocab_free(cap_vocab *v)
{
    if (!v) return;
    for (size_t i = 0; v->words && i < v->size; i++) free(v->words[i]);
    free(v->words);
    free(v->counts);
    free(v->table);
    memset(v, 0, sizeof *v);
}

int32_t cap_vocab_id(const cap_vocab *v, const char *word)
{
    int32_t id = v->table[find_slot(v->table, v->table_size, v->words, word)];
    return id >= CAP_N_SPECIAL ? id : CAP_UNK; /* "<end>" typed in a caption is a word */
}

const char *cap_vocab_word(const cap_vocab *v, int32_t id)
{
    return id >= 0 && (size_t)id < v->size ? v->words[id] : specials[CAP_UNK];
}

size_t cap_vocab_encode(const cap_vocab *v, const char *text, int32_t *ids, size_t max)
{
    char buf[4096];
    const char *tok[512];
    if (max < 2) return 0;
    size_t k = cap_tokenize(text, buf, sizeof buf, tok, 512), n = 0;
    ids[n++] = CAP_START;
    for (size_t j = 0; j < k && j < 512 && n + 1 < max; j++) ids[n++] = cap_vocab_id(v, tok[j]);
    ids[n++] = CAP_END;
    return n;
}

void cap_vocab_decode(const cap_vocab *v, const int32_t *ids, size_t n, char *buf, size_t cap)
{
    size_t used = 0;
    if (cap) buf[0] = 0;
    for (size_t i = 0; i < n && ids[i] != CAP_END; i++) {
        if (ids[i] == CAP_START || ids[i] == CAP_PAD) continue;
        int k = snprintf(buf + used, cap > used ? cap - used : 0, "%s%s", used ? " " : "",
                         cap_vocab_word(v, ids[i]));
        if (k < 0) return;
        used += (size_t)k;
        if (used >= cap) return;
    }
}
