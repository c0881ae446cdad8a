/* Digit scenes for the captioning task: one to three handwritten digits on a small
 * canvas, each at its own place and size, described by captions from a small grammar.
 *
 * The canvas is CAP_CANVAS x CAP_CANVAS pixels, seen as a 2 x 2 grid of cells.  Each
 * digit sits in its own cell, either large (CAP_LARGE pixels) or small (CAP_SMALL),
 * at a random offset inside the cell.  Captions name every digit with its size and
 * say where it is (one digit: its corner; two or three: where they are relative to
 * each other).  Each scene has several phrasings; every caption has 11 to 15 words.
 *
 * The digits themselves come from a glyph set: real MNIST images (read with the
 * seqMNIST example's IDX reader) or synthetic glyphs drawn along stroke templates,
 * so that tests and users without the download have data too.
 *
 * The image features are the frozen part of the image encoder: the canvas averaged
 * over 4 x 4 blocks, CAP_FEATURES = 14 x 14 = 196 values in [0, 1] (plain
 * downsampled pixels, not a trained network's features). */
#ifndef CAP_SCENES_H
#define CAP_SCENES_H

#include <stddef.h>
#include <stdint.h>

#define CAP_GLYPH 28                      /* glyph side (MNIST) */
#define CAP_CANVAS 56                     /* canvas side */
#define CAP_CELL 28                       /* grid cell side */
#define CAP_LARGE 26                      /* side of a large digit */
#define CAP_SMALL 14                      /* side of a small digit */
#define CAP_POOL 4                        /* feature pooling block */
#define CAP_FEAT_SIDE (CAP_CANVAS / CAP_POOL)
#define CAP_FEATURES (CAP_FEAT_SIDE * CAP_FEAT_SIDE)
#define CAP_MAX_DIGITS 3
#define CAP_MAX_WORDS 16                  /* longest caption the grammar makes (15) + 1 */
#define CAP_PHRASINGS 6                   /* variants per scene (some repeat for 1 digit) */

/* A set of 28 x 28 glyphs with labels 0..9 (owned). */
typedef struct cap_glyphs {
    size_t count;
    unsigned char *pixels; /* count * 784 */
    unsigned char *labels; /* count */
} cap_glyphs;

/* n synthetic glyphs (labels i mod 10, random stroke width, jitter and size). */
int cap_glyphs_synthetic(size_t n, uint64_t seed, cap_glyphs *out);
/* Glyphs [first, first + count) of MNIST split `prefix` ("train" or "t10k") in dir.
 * Errors are written to err.  Returns 0 or -1. */
int cap_glyphs_mnist(const char *dir, const char *prefix, size_t first, size_t count,
                     cap_glyphs *out, char *err, size_t err_cap);
void cap_glyphs_free(cap_glyphs *g);

typedef struct cap_digit {
    int label;       /* 0..9 */
    int cell;        /* 0 top left, 1 top right, 2 bottom left, 3 bottom right */
    int large;       /* 1 large, 0 small */
    int x, y;        /* top-left pixel on the canvas */
    size_t glyph;    /* index into the glyph set */
} cap_digit;

typedef struct cap_scene {
    int n; /* 1..3 digits, in distinct cells */
    cap_digit d[CAP_MAX_DIGITS];
} cap_scene;

/* A random scene drawing its glyphs from g (uniformly). */
void cap_scene_random(cap_scene *s, const cap_glyphs *g, uint64_t seed);
/* Render the scene into canvas (CAP_CANVAS^2 values in [0, 1]). */
void cap_scene_render(const cap_scene *s, const cap_glyphs *g, float *canvas);
/* The frozen features of a rendered canvas: 4 x 4 block means (CAP_FEATURES values). */
void cap_features(const float *canvas, float *feat);

/* Words of phrasing p (0..CAP_PHRASINGS-1) of the scene; returns the count (11..15).
 * words receives pointers to static strings. */
size_t cap_scene_caption(const cap_scene *s, int p, const char **words, size_t cap);
/* Number of distinct phrasings of the scene (3 for one digit, 6 otherwise). */
int cap_scene_phrasings(const cap_scene *s);
/* The caption as one string of space-separated words. */
void cap_scene_caption_text(const cap_scene *s, int p, char *buf, size_t cap);

/* The English name of digit d ("zero".."nine"). */
const char *cap_digit_name(int d);

#endif
