#include "data.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"

static const char features_magic[8] = {'C', 'C', 'R', 'N', 'N', 'F', '3', '2'};

static int fail(char *err, size_t cap, const char *fmt, ...)
{
    if (err && cap) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, cap, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_le32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}

/* ---- features file --------------------------------------------------------------- */

static int read_header(FILE *f, const char *path, size_t *rows, size_t *cols, char *err,
                       size_t cap)
{
    unsigned char h[16];
    size_t got = fread(h, 1, sizeof h, f);
    if (got < 8 || memcmp(h, features_magic, 8) != 0)
        return fail(err, cap, "%s: not a features file (the first 8 bytes must be "
                              "\"CCRNNF32\")", path);
    if (got < 16) return fail(err, cap, "%s: header cut short (%zu of 16 bytes)", path, got);
    *rows = le32(h + 8);
    *cols = le32(h + 12);
    if (*rows == 0 || *cols == 0)
        return fail(err, cap, "%s: the header declares %zu rows and %zu columns (both must be "
                              ">= 1)", path, *rows, *cols);
    if (*rows > ((size_t)1 << 31) / *cols)
        return fail(err, cap, "%s: %zu x %zu values is implausibly large", path, *rows, *cols);
    return 0;
}

static int read_values(FILE *f, const char *path, float *data, size_t n, char *err, size_t cap)
{
    unsigned char buf[4096];
    size_t done = 0;
    while (done < n) {
        size_t want = n - done < sizeof buf / 4 ? n - done : sizeof buf / 4;
        size_t got = fread(buf, 4, want, f);
        for (size_t i = 0; i < got; i++) {
            uint32_t u = le32(buf + 4 * i);
            float v;
            memcpy(&v, &u, sizeof v);
            if (!isfinite(v))
                return fail(err, cap, "%s: value %zu is not finite", path, done + i);
            data[done + i] = v;
        }
        done += got;
        if (got < want)
            return fail(err, cap, "%s: truncated: %zu of the %zu declared values", path, done, n);
    }
    if (fgetc(f) != EOF) return fail(err, cap, "%s: oversized: bytes after the %zu declared "
                                               "values", path, n);
    return 0;
}

int cap_features_read(const char *path, float **data, size_t *rows, size_t *cols, char *err,
                      size_t err_cap)
{
    FILE *f = fopen(path, "rb");
    if (!f) return fail(err, err_cap, "%s: cannot open: %s", path, strerror(errno));
    size_t r = 0, c = 0;
    float *d = NULL;
    int st = read_header(f, path, &r, &c, err, err_cap);
    if (!st && !(d = malloc(r * c * sizeof *d))) st = fail(err, err_cap, "out of memory");
    if (!st) st = read_values(f, path, d, r * c, err, err_cap);
    fclose(f);
    if (st) {
        free(d);
        return -1;
    }
    *data = d;
    *rows = r;
    *cols = c;
    return 0;
}

int cap_features_write(const char *path, const float *data, size_t rows, size_t cols,
                       char *err, size_t err_cap)
{
    if (rows == 0 || cols == 0 || rows > UINT32_MAX || cols > UINT32_MAX)
        return fail(err, err_cap, "%s: bad shape %zu x %zu", path, rows, cols);
    FILE *f = fopen(path, "wb");
    if (!f) return fail(err, err_cap, "%s: cannot create: %s", path, strerror(errno));
    unsigned char h[16];
    memcpy(h, features_magic, 8);
    put_le32(h + 8, (uint32_t)rows);
    put_le32(h + 12, (uint32_t)cols);
    int ok = fwrite(h, 1, 16, f) == 16;
    for (size_t i = 0; ok && i < rows * cols; i++) {
        uint32_t u;
        unsigned char b[4];
        memcpy(&u, &data[i], sizeof u);
        put_le32(b, u);
        ok = fwrite(b, 1, 4, f) == 4;
    }
    if (fclose(f) != 0) ok = 0;
    return ok ? 0 : fail(err, err_cap, "%s: write error", path);
}

/* ---- captions file --------------------------------------------------------------- */

void cap_captions_free(size_t *image, char **text, size_t n)
{
    for (size_t i = 0; text && i < n; i++) free(text[i]);
    free(text);
    free(image);
}

typedef struct caps {
    size_t *image;
    char **text;
    size_t n, cap;
} caps;

static int caps_push(caps *c, size_t image, const char *text)
{
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 1024;
        size_t *im = realloc(c->image, cap * sizeof *im);
        if (im) c->image = im;
        char **tx = realloc(c->text, cap * sizeof *tx);
        if (tx) c->text = tx;
        if (!im || !tx) return -1;
        c->cap = cap;
    }
    if (!(c->text[c->n] = malloc(strlen(text) + 1))) return -1;
    strcpy(c->text[c->n], text);
    c->image[c->n++] = image;
    return 0;
}

/* One line (without its newline).  Returns 0, 1 to skip, or -1 with err set. */
static int parse_caption_line(char *line, const char *path, size_t lineno, size_t n_images,
                              size_t *image, const char **text, char *err, size_t cap)
{
    if (line[0] == 0 || line[0] == '#') return 1;
    char *tab = strchr(line, '\t');
    if (!tab) return fail(err, cap, "%s:%zu: no tab between the image index and the caption",
                          path, lineno);
    *tab = 0;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(line, &end, 10);
    if (end == line || *end != 0 || errno || line[0] == '-')
        return fail(err, cap, "%s:%zu: image index '%s' is not a non-negative integer", path,
                    lineno, line);
    if (v >= n_images)
        return fail(err, cap, "%s:%zu: image %llu, but the features file has %zu rows", path,
                    lineno, v, n_images);
    char buf[CAP_MAX_LINE];
    const char *tok[1];
    if (cap_tokenize(tab + 1, buf, sizeof buf, tok, 1) == 0)
        return fail(err, cap, "%s:%zu: the caption has no words", path, lineno);
    *image = (size_t)v;
    *text = tab + 1;
    return 0;
}

int cap_captions_read(const char *path, size_t n_images, size_t **image, char ***text,
                      size_t *n, char *err, size_t err_cap)
{
    FILE *f = fopen(path, "r");
    if (!f) return fail(err, err_cap, "%s: cannot open: %s", path, strerror(errno));
    char line[CAP_MAX_LINE + 2];
    caps c;
    memset(&c, 0, sizeof c);
    size_t lineno = 0;
    int st = 0;
    while (!st && fgets(line, sizeof line, f)) {
        lineno++;
        size_t len = strlen(line);
        if (len && line[len - 1] == '\n') line[--len] = 0;
        else if (!feof(f)) {
            st = fail(err, err_cap, "%s:%zu: line longer than %d bytes", path, lineno,
                      CAP_MAX_LINE);
            break;
        }
        if (len && line[len - 1] == '\r') line[--len] = 0;
        size_t im = 0;
        const char *tx = NULL;
        int r = parse_caption_line(line, path, lineno, n_images, &im, &tx, err, err_cap);
        if (r < 0) st = -1;
        else if (r == 0 && caps_push(&c, im, tx)) st = fail(err, err_cap, "out of memory");
    }
    if (!st && ferror(f)) st = fail(err, err_cap, "%s: read error", path);
    fclose(f);
    if (!st && c.n == 0) st = fail(err, err_cap, "%s: no captions", path);
    if (st) {
        cap_captions_free(c.image, c.text, c.n);
        return -1;
    }
    *image = c.image;
    *text = c.text;
    *n = c.n;
    return 0;
}

/* ---- corpora --------------------------------------------------------------------- */

void cap_corpus_free(cap_corpus *c)
{
    if (!c) return;
    free(c->features);
    free(c->split);
    cap_captions_free(c->cap_image, c->cap_text, c->n_caps);
    free(c->scenes);
    free(c->canvas);
    free(c->canvas_image);
    memset(c, 0, sizeof *c);
}

static int corpus_alloc(cap_corpus *c, size_t images, size_t dim, size_t caps_max)
{
    c->n_images = images;
    c->feat_dim = dim;
    c->features = malloc(images * dim * sizeof *c->features);
    c->split = calloc(images, 1);
    c->cap_image = malloc(caps_max * sizeof *c->cap_image);
    c->cap_text = calloc(caps_max, sizeof *c->cap_text);
    return c->features && c->split && c->cap_image && c->cap_text ? 0 : -1;
}

/* The captions of one scene: k distinct phrasings in a random order. */
static int scene_captions(cap_corpus *c, size_t image, size_t k, ex_rng *r)
{
    int p[CAP_PHRASINGS], np = cap_scene_phrasings(&c->scenes[image]);
    for (int i = 0; i < np; i++) p[i] = i;
    for (int i = np - 1; i > 0; i--) {
        int j = (int)ex_rng_int(r, 0, i), t = p[i];
        p[i] = p[j];
        p[j] = t;
    }
    for (size_t i = 0; i < k && (int)i < np; i++) {
        char buf[256];
        cap_scene_caption_text(&c->scenes[image], p[i], buf, sizeof buf);
        if (!(c->cap_text[c->n_caps] = malloc(strlen(buf) + 1))) return -1;
        strcpy(c->cap_text[c->n_caps], buf);
        c->cap_image[c->n_caps++] = image;
    }
    return 0;
}

int cap_corpus_scenes(const cap_glyphs g[CAP_SPLITS], const size_t n[CAP_SPLITS],
                      size_t caps_per_image, size_t n_canvas, uint64_t seed, cap_corpus *c)
{
    memset(c, 0, sizeof *c);
    size_t total = n[0] + n[1] + n[2];
    if (n_canvas > n[2]) n_canvas = n[2];
    float *canvas = malloc(CAP_CANVAS * CAP_CANVAS * sizeof *canvas);
    int st = !canvas || corpus_alloc(c, total, CAP_FEATURES, total * caps_per_image);
    if (!st) {
        c->scenes = calloc(total, sizeof *c->scenes);
        c->canvas = malloc((n_canvas ? n_canvas : 1) * CAP_CANVAS * CAP_CANVAS * sizeof(float));
        c->canvas_image = malloc((n_canvas ? n_canvas : 1) * sizeof *c->canvas_image);
        st = !c->scenes || !c->canvas || !c->canvas_image;
    }
    ex_rng r;
    ex_rng_seed(&r, ex_hash(seed, 0x63617073ull));
    for (size_t s = 0, image = 0; !st && s < CAP_SPLITS; s++)
        for (size_t i = 0; !st && i < n[s]; i++, image++) {
            c->split[image] = (unsigned char)s;
            cap_scene_random(&c->scenes[image], &g[s], ex_hash(seed, (s << 40) + i));
            cap_scene_render(&c->scenes[image], &g[s], canvas);
            cap_features(canvas, c->features + image * CAP_FEATURES);
            if (s == 2 && i < n_canvas) {
                memcpy(c->canvas + i * CAP_CANVAS * CAP_CANVAS, canvas,
                       CAP_CANVAS * CAP_CANVAS * sizeof *canvas);
                c->canvas_image[c->n_canvas++] = image;
            }
            st = scene_captions(c, image, caps_per_image, &r);
        }
    free(canvas);
    if (st) cap_corpus_free(c);
    return st ? -1 : 0;
}

int cap_corpus_files(const char *features, const char *captions, double valid_frac,
                     double test_frac, uint64_t seed, cap_corpus *c, char *err, size_t err_cap)
{
    memset(c, 0, sizeof *c);
    if (cap_features_read(features, &c->features, &c->n_images, &c->feat_dim, err, err_cap))
        return -1;
    if (cap_captions_read(captions, c->n_images, &c->cap_image, &c->cap_text, &c->n_caps, err,
                          err_cap)) {
        cap_corpus_free(c);
        return -1;
    }
    size_t *perm = malloc(c->n_images * sizeof *perm);
    c->split = calloc(c->n_images, 1);
    if (!perm || !c->split) {
        free(perm);
        cap_corpus_free(c);
        return fail(err, err_cap, "out of memory");
    }
    ex_rng r;
    ex_rng_seed(&r, ex_hash(seed, 0x73706c6974ull));
    for (size_t i = 0; i < c->n_images; i++) perm[i] = i;
    for (size_t i = c->n_images; i-- > 1;) {
        size_t j = (size_t)ex_rng_int(&r, 0, (long)i), t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    size_t nv = (size_t)(valid_frac * (double)c->n_images);
    size_t nt = (size_t)(test_frac * (double)c->n_images);
    for (size_t i = 0; i < c->n_images; i++)
        c->split[perm[i]] = i < nv ? 1 : i < nv + nt ? 2 : 0;
    free(perm);
    return 0;
}

const char **cap_corpus_texts(const cap_corpus *c, int split, size_t *n)
{
    const char **t = malloc((c->n_caps + 1) * sizeof *t);
    *n = 0;
    if (!t) return NULL;
    for (size_t i = 0; i < c->n_caps; i++)
        if (c->split[c->cap_image[i]] == split) t[(*n)++] = c->cap_text[i];
    return t;
}

/* ---- encoded sets ---------------------------------------------------------------- */

void cap_set_free(cap_set *s)
{
    if (!s) return;
    free(s->image);
    free(s->len);
    free(s->tokens);
    free(s->first);
    memset(s, 0, sizeof *s);
}

static const cap_corpus *order_corpus;

static int by_image(const void *a, const void *b)
{
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    size_t ii = order_corpus->cap_image[i], ij = order_corpus->cap_image[j];
    if (ii != ij) return ii < ij ? -1 : 1;
    return i < j ? -1 : i > j;
}

int cap_set_build(const cap_corpus *c, const cap_vocab *v, int split, size_t min_words,
                  size_t max_words, cap_set *s)
{
    memset(s, 0, sizeof *s);
    size_t L = max_words + 2, *idx = malloc((c->n_caps + 1) * sizeof *idx);
    int32_t *ids = malloc((L + 1) * sizeof *ids);
    s->image = malloc((c->n_caps + 1) * sizeof *s->image);
    s->len = malloc((c->n_caps + 1) * sizeof *s->len);
    s->tokens = malloc((c->n_caps + 1) * L * sizeof *s->tokens);
    s->first = malloc((c->n_caps + 2) * sizeof *s->first);
    if (!idx || !ids || !s->image || !s->len || !s->tokens || !s->first) {
        free(idx), free(ids), cap_set_free(s);
        return -1;
    }
    size_t m = 0;
    for (size_t i = 0; i < c->n_caps; i++)
        if (c->split[c->cap_image[i]] == split) idx[m++] = i;
    order_corpus = c;
    qsort(idx, m, sizeof *idx, by_image);
    s->max_len = L;
    for (size_t k = 0; k < m; k++) {
        size_t len = cap_vocab_encode(v, c->cap_text[idx[k]], ids, L + 1);
        if (len < min_words + 2 || len > L) continue;
        int32_t *row = s->tokens + s->n * L;
        for (size_t t = 0; t < L; t++) row[t] = t < len ? ids[t] : CAP_PAD;
        s->image[s->n] = c->cap_image[idx[k]];
        s->len[s->n] = len;
        if (s->n == 0 || s->image[s->n - 1] != s->image[s->n]) s->first[s->n_images++] = s->n;
        s->n++;
    }
    s->first[s->n_images] = s->n;
    free(idx);
    free(ids);
    return 0;
}

static void shuffle(size_t *a, size_t n, ex_rng *r)
{
    for (size_t i = n; i-- > 1;) {
        size_t j = (size_t)ex_rng_int(r, 0, (long)i), t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}

size_t cap_batches(const cap_set *s, size_t batch, uint64_t seed, size_t *order,
                   size_t *starts)
{
    ex_rng r;
    ex_rng_seed(&r, seed);
    size_t n = 0, nb = 0;
    /* Captions grouped by length (shortest first), each group cut into batches. */
    for (size_t len = 0; len <= s->max_len; len++) {
        size_t first = n;
        for (size_t i = 0; i < s->n; i++)
            if (s->len[i] == len) order[n++] = i;
        if (seed) shuffle(order + first, n - first, &r);
        for (size_t b = first; b < n; b += batch) starts[nb++] = b;
    }
    starts[nb] = n;
    if (seed && nb > 1) {
        /* Shuffle the batch order: permute (start, size) pairs, then rebuild order. */
        size_t *perm = malloc(nb * sizeof *perm), *copy = malloc((n + 1) * sizeof *copy);
        size_t *st2 = malloc((nb + 1) * sizeof *st2);
        if (perm && copy && st2) {
            for (size_t k = 0; k < nb; k++) perm[k] = k;
            shuffle(perm, nb, &r);
            memcpy(copy, order, n * sizeof *copy);
            memcpy(st2, starts, (nb + 1) * sizeof *st2);
            size_t at = 0;
            for (size_t k = 0; k < nb; k++) {
                size_t b = perm[k], end = st2[b + 1];
                starts[k] = at;
                memcpy(order + at, copy + st2[b], (end - st2[b]) * sizeof *order);
                at += end - st2[b];
            }
            starts[nb] = at;
        }
        free(perm), free(copy), free(st2);
    }
    return nb;
}
