#include "scenes.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idx.h"
#include "rng.h"

static const char *const digit_names[10] = {"zero", "one", "two",   "three", "four",
                                            "five", "six", "seven", "eight", "nine"};

const char *cap_digit_name(int d) { return d >= 0 && d < 10 ? digit_names[d] : "?"; }

/* ---- glyph sets ------------------------------------------------------------------ */

void cap_glyphs_free(cap_glyphs *g)
{
    if (!g) return;
    free(g->pixels);
    free(g->labels);
    memset(g, 0, sizeof *g);
}

static int glyphs_alloc(cap_glyphs *g, size_t n)
{
    memset(g, 0, sizeof *g);
    g->pixels = calloc(n, CAP_GLYPH * CAP_GLYPH);
    g->labels = calloc(n, 1);
    if (!g->pixels || !g->labels) {
        cap_glyphs_free(g);
        return -1;
    }
    g->count = n;
    return 0;
}

int cap_glyphs_mnist(const char *dir, const char *prefix, size_t first, size_t count,
                     cap_glyphs *out, char *err, size_t err_cap)
{
    seqmnist_set set;
    if (seqmnist_set_load(dir, prefix, &set, err, err_cap) != SEQMNIST_IDX_OK) return -1;
    if (count == 0 || first >= set.count) {
        snprintf(err, err_cap, "%s/%s: %zu images, cannot take %zu from index %zu", dir, prefix,
                 set.count, count, first);
        seqmnist_set_free(&set);
        return -1;
    }
    if (count > set.count - first) count = set.count - first;
    if (glyphs_alloc(out, count)) {
        seqmnist_set_free(&set);
        snprintf(err, err_cap, "out of memory");
        return -1;
    }
    memcpy(out->pixels, set.pixels + first * SEQMNIST_IDX_PIXELS, count * SEQMNIST_IDX_PIXELS);
    memcpy(out->labels, set.labels + first, count);
    seqmnist_set_free(&set);
    return 0;
}

/* Stroke templates of the ten digits in the unit square (y up), drawn as polylines. */
static const float strokes[10][12][2] = {
    {{0, 1}, {0, .5f}, {0, 0}, {.5f, 0}, {1, 0}, {1, .5f}, {1, 1}, {.5f, 1}, {0, 1}, {-1, -1}},
    {{.25f, .75f}, {.5f, 1}, {.5f, .5f}, {.5f, 0}, {-1, -1}},
    {{0, 1}, {.5f, 1}, {1, 1}, {.5f, .5f}, {0, 0}, {.5f, 0}, {1, 0}, {-1, -1}},
    {{0, 1}, {.5f, 1}, {1, 1}, {1, .5f}, {.5f, .5f}, {1, .5f}, {1, 0}, {.5f, 0}, {0, 0}, {-1, -1}},
    {{0, 1}, {0, .5f}, {.5f, .5f}, {1, .5f}, {.5f, .5f}, {.5f, 1}, {.5f, .5f}, {.5f, 0}, {-1, -1}},
    {{1, 1}, {.5f, 1}, {0, 1}, {0, .5f}, {.5f, .5f}, {1, .5f}, {1, 0}, {.5f, 0}, {0, 0}, {-1, -1}},
    {{1, 1}, {0, 1}, {0, .5f}, {0, 0}, {.5f, 0}, {1, 0}, {1, .5f}, {.5f, .5f}, {0, .5f}, {-1, -1}},
    {{0, 1}, {.5f, 1}, {1, 1}, {.5f, .5f}, {0, 0}, {-1, -1}},
    {{0, 1}, {.5f, .5f}, {1, 0}, {.5f, 0}, {0, 0}, {.5f, .5f}, {1, 1}, {.5f, 1}, {0, 1}, {-1, -1}},
    {{1, .5f}, {0, .5f}, {0, 1}, {.5f, 1}, {1, 1}, {1, .5f}, {1, 0}, {-1, -1}},
};

static double seg_dist(double px, double py, double ax, double ay, double bx, double by)
{
    double dx = bx - ax, dy = by - ay, l2 = dx * dx + dy * dy;
    double t = l2 > 0 ? ((px - ax) * dx + (py - ay) * dy) / l2 : 0.0;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    double ex = ax + t * dx - px, ey = ay + t * dy - py;
    return sqrt(ex * ex + ey * ey);
}

/* One glyph of digit d: the template scaled into the box, with jittered points and a
 * random stroke width; soft edges over one pixel. */
static void draw_glyph(int d, ex_rng *r, unsigned char *img)
{
    double pts[12][2];
    size_t n = 0;
    double w = 14 + 6 * ex_rng_uniform(r), h = 16 + 4 * ex_rng_uniform(r);
    double x0 = 14 - w / 2 + 2 * (ex_rng_uniform(r) - .5), y0 = 14 - h / 2;
    double shear = 0.3 * (ex_rng_uniform(r) - .5), half = 0.9 + 0.8 * ex_rng_uniform(r);
    for (; n < 12 && strokes[d][n][0] >= 0; n++) {
        double u = strokes[d][n][0] + 0.06 * (ex_rng_uniform(r) - .5);
        double v = strokes[d][n][1] + 0.06 * (ex_rng_uniform(r) - .5);
        pts[n][0] = x0 + w * u + shear * h * (v - .5);
        pts[n][1] = y0 + h * (1 - v);
    }
    for (int y = 0; y < CAP_GLYPH; y++)
        for (int x = 0; x < CAP_GLYPH; x++) {
            double best = 1e9;
            for (size_t i = 0; i + 1 < n; i++) {
                double dd = seg_dist(x + .5, y + .5, pts[i][0], pts[i][1], pts[i + 1][0],
                                     pts[i + 1][1]);
                if (dd < best) best = dd;
            }
            double v = best <= half ? 1.0 : best >= half + 1 ? 0.0 : half + 1 - best;
            img[y * CAP_GLYPH + x] = (unsigned char)lround(255 * v);
        }
}

int cap_glyphs_synthetic(size_t n, uint64_t seed, cap_glyphs *out)
{
    if (n == 0 || glyphs_alloc(out, n)) return -1;
    ex_rng r;
    ex_rng_seed(&r, ex_hash(seed, 0x676c797068ull));
    for (size_t i = 0; i < n; i++) {
        out->labels[i] = (unsigned char)(i % 10);
        draw_glyph((int)(i % 10), &r, out->pixels + i * CAP_GLYPH * CAP_GLYPH);
    }
    return 0;
}

/* ---- scenes ---------------------------------------------------------------------- */

void cap_scene_random(cap_scene *s, const cap_glyphs *g, uint64_t seed)
{
    ex_rng r;
    ex_rng_seed(&r, seed);
    int cells[4] = {0, 1, 2, 3};
    for (int i = 3; i > 0; i--) { /* Fisher-Yates: distinct cells */
        int j = (int)ex_rng_int(&r, 0, i), t = cells[i];
        cells[i] = cells[j];
        cells[j] = t;
    }
    memset(s, 0, sizeof *s);
    s->n = (int)ex_rng_int(&r, 1, CAP_MAX_DIGITS);
    for (int i = 0; i < s->n; i++) {
        cap_digit *d = &s->d[i];
        d->glyph = (size_t)ex_rng_int(&r, 0, (long)g->count - 1);
        d->label = g->labels[d->glyph];
        d->cell = cells[i];
        d->large = (int)ex_rng_int(&r, 0, 1);
        int side = d->large ? CAP_LARGE : CAP_SMALL;
        d->x = (d->cell % 2) * CAP_CELL + (int)ex_rng_int(&r, 0, CAP_CELL - side);
        d->y = (d->cell / 2) * CAP_CELL + (int)ex_rng_int(&r, 0, CAP_CELL - side);
    }
}

/* Bilinear sample of a glyph at (gx, gy) in glyph pixels (centres at +0.5). */
static float glyph_at(const unsigned char *img, double gx, double gy)
{
    double fx = gx - .5, fy = gy - .5;
    int x0 = (int)floor(fx), y0 = (int)floor(fy);
    double ax = fx - x0, ay = fy - y0, v = 0;
    for (int dy = 0; dy < 2; dy++)
        for (int dx = 0; dx < 2; dx++) {
            int x = x0 + dx, y = y0 + dy;
            if (x < 0 || y < 0 || x >= CAP_GLYPH || y >= CAP_GLYPH) continue;
            v += (dx ? ax : 1 - ax) * (dy ? ay : 1 - ay) * img[y * CAP_GLYPH + x];
        }
    return (float)(v / 255.0);
}

void cap_scene_render(const cap_scene *s, const cap_glyphs *g, float *canvas)
{
    memset(canvas, 0, sizeof(float) * CAP_CANVAS * CAP_CANVAS);
    for (int i = 0; i < s->n; i++) {
        const cap_digit *d = &s->d[i];
        const unsigned char *img = g->pixels + d->glyph * CAP_GLYPH * CAP_GLYPH;
        int side = d->large ? CAP_LARGE : CAP_SMALL;
        double k = (double)CAP_GLYPH / side;
        for (int y = 0; y < side; y++)
            for (int x = 0; x < side; x++) {
                float v = glyph_at(img, (x + .5) * k, (y + .5) * k);
                float *c = &canvas[(d->y + y) * CAP_CANVAS + d->x + x];
                if (v > *c) *c = v;
            }
    }
}

void cap_features(const float *canvas, float *feat)
{
    for (int fy = 0; fy < CAP_FEAT_SIDE; fy++)
        for (int fx = 0; fx < CAP_FEAT_SIDE; fx++) {
            double sum = 0;
            for (int y = 0; y < CAP_POOL; y++)
                for (int x = 0; x < CAP_POOL; x++)
                    sum += canvas[(fy * CAP_POOL + y) * CAP_CANVAS + fx * CAP_POOL + x];
            feat[fy * CAP_FEAT_SIDE + fx] = (float)(sum / (CAP_POOL * CAP_POOL));
        }
}

/* ---- the grammar ----------------------------------------------------------------- */

typedef struct words {
    const char **w;
    size_t n, cap;
} words;

static void put(words *o, const char *w)
{
    if (o->n < o->cap) o->w[o->n] = w;
    o->n++;
}

static void put_np(words *o, const cap_digit *d) /* "a large seven" */
{
    put(o, "a");
    put(o, d->large ? "large" : "small");
    put(o, digit_names[d->label]);
}

/* Where a is relative to b: 1, 2 or 4 words. */
static void put_rel(words *o, const cap_digit *a, const cap_digit *b)
{
    int ra = a->cell / 2, ca = a->cell % 2, rb = b->cell / 2, cb = b->cell % 2;
    if (ra != rb) put(o, ra < rb ? "above" : "below");
    if (ra != rb && ca != cb) put(o, "and");
    if (ca != cb) {
        put(o, ca < cb ? "left" : "right");
        put(o, "of");
    }
}

static void caption_one(words *o, const cap_digit *d, int t)
{
    const char *row = d->cell / 2 ? "bottom" : "top", *col = d->cell % 2 ? "right" : "left";
    if (t == 0) { /* there is a S D in the R C corner of the image (13) */
        put(o, "there"), put(o, "is"), put_np(o, d);
        put(o, "in"), put(o, "the"), put(o, row), put(o, col), put(o, "corner");
        put(o, "of"), put(o, "the"), put(o, "image");
    } else if (t == 1) { /* a S D is drawn in the R C corner of the picture (12) */
        put_np(o, d), put(o, "is"), put(o, "drawn"), put(o, "in"), put(o, "the");
        put(o, row), put(o, col), put(o, "corner"), put(o, "of"), put(o, "the");
        put(o, "picture");
    } else { /* the R C corner of the canvas holds a S D (11) */
        put(o, "the"), put(o, row), put(o, col), put(o, "corner"), put(o, "of");
        put(o, "the"), put(o, "canvas"), put(o, "holds"), put_np(o, d);
    }
}

static void caption_two(words *o, const cap_digit *a, const cap_digit *b, int t)
{
    if (t == 1) put(o, "there"), put(o, "is");
    if (t == 2) put(o, "we"), put(o, "see");
    put_np(o, a);
    if (t == 0) put(o, "is");
    put_rel(o, a, b);
    put_np(o, b);
    if (t == 0) put(o, "in"), put(o, "the"), put(o, "picture");
    if (t == 1) put(o, "on"), put(o, "the"), put(o, "canvas");
    if (t == 2) put(o, "in"), put(o, "this"), put(o, "image");
}

/* c shares a row with one digit and a column with the other; x1 is named first. */
static void caption_three(words *o, const cap_digit *c, const cap_digit *x1,
                          const cap_digit *x2, int t)
{
    if (t == 1) put(o, "there"), put(o, "is");
    put_np(o, c);
    if (t == 2) put(o, "is");
    put_rel(o, c, x1);
    put_np(o, x1);
    put(o, "and");
    put_rel(o, c, x2);
    put_np(o, x2);
}

int cap_scene_phrasings(const cap_scene *s) { return s->n == 1 ? 3 : CAP_PHRASINGS; }

size_t cap_scene_caption(const cap_scene *s, int p, const char **w, size_t cap)
{
    words o = {w, 0, cap};
    int t = p % 3, swap = (p / 3) % 2;
    if (s->n == 1) {
        caption_one(&o, &s->d[0], t);
    } else if (s->n == 2) {
        caption_two(&o, &s->d[swap], &s->d[1 - swap], t);
    } else {
        /* The free cell's diagonal opposite is the corner digit. */
        int used = 0, corner = 0, row = -1, col = -1;
        for (int i = 0; i < 3; i++) used |= 1 << s->d[i].cell;
        int empty = 0;
        while (used & (1 << empty)) empty++;
        for (int i = 0; i < 3; i++) {
            if (s->d[i].cell == 3 - empty) corner = i;
        }
        for (int i = 0; i < 3; i++) {
            if (i == corner) continue;
            if (s->d[i].cell / 2 == s->d[corner].cell / 2) row = i;
            else col = i;
        }
        const cap_digit *first = &s->d[swap ? row : col], *second = &s->d[swap ? col : row];
        caption_three(&o, &s->d[corner], first, second, t);
    }
    return o.n;
}

void cap_scene_caption_text(const cap_scene *s, int p, char *buf, size_t cap)
{
    const char *w[CAP_MAX_WORDS];
    size_t n = cap_scene_caption(s, p, w, CAP_MAX_WORDS), used = 0;
    if (cap) buf[0] = 0;
    for (size_t i = 0; i < n && i < CAP_MAX_WORDS; i++) {
        int k = snprintf(buf + used, cap > used ? cap - used : 0, "%s%s", i ? " " : "", w[i]);
        if (k < 0) return;
        used += (size_t)k;
    }
}
