/* The captioning data: images (as frozen feature vectors) with their captions, split
 * into training, validation and test images; the readers of the two files that bring
 * a real image set (precomputed features and a captions file); and the encoded caption
 * sets with batches of one caption length.
 *
 * Features file (float32 matrix, one row per image), little-endian:
 *   bytes 0..7    the magic "CCRNNF32"
 *   bytes 8..11   uint32 rows (images, >= 1)
 *   bytes 12..15  uint32 cols (feature size, >= 1)
 *   then rows*cols float32 values, row-major; every value finite.
 * The file must be exactly 16 + 4*rows*cols bytes long.
 *
 * Captions file (text, one caption per line):
 *   IMAGE<TAB>CAPTION
 * IMAGE is the 0-based row of the image in the features file; an image may have any
 * number of captions.  Empty lines and lines starting with '#' are skipped.  A line
 * may hold at most CAP_MAX_LINE bytes.  coco_to_captions.py writes this file (and the
 * list of image files in row order) from the COCO captions JSON. */
#ifndef CAP_DATA_H
#define CAP_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "scenes.h"
#include "vocab.h"

#define CAP_MAX_LINE 4096
#define CAP_SPLITS 3 /* training, validation, test (ex_split order) */

/* Read a features file.  On success *data (free() it) holds rows*cols values.  On
 * failure returns -1 and err names the file and the problem. */
int cap_features_read(const char *path, float **data, size_t *rows, size_t *cols, char *err,
                      size_t err_cap);
/* Write a features file; 0 or -1 (message in err). */
int cap_features_write(const char *path, const float *data, size_t rows, size_t cols,
                       char *err, size_t err_cap);

/* Read a captions file for n_images images.  On success *image and *text hold *n
 * entries (free with cap_captions_free).  Errors (-1, message in err naming the file
 * and line): unreadable file, a line without a tab, an image that is not a number or
 * not below n_images, a caption with no words, a line that is too long, no captions. */
int cap_captions_read(const char *path, size_t n_images, size_t **image, char ***text,
                      size_t *n, char *err, size_t err_cap);
void cap_captions_free(size_t *image, char **text, size_t n);

/* Images, their split and their captions. */
typedef struct cap_corpus {
    size_t n_images, feat_dim;
    float *features;       /* n_images x feat_dim */
    unsigned char *split;  /* per image: 0 training, 1 validation, 2 test */
    size_t n_caps;
    size_t *cap_image;     /* per caption */
    char **cap_text;
    cap_scene *scenes;     /* digit scenes only: per image (else NULL) */
    float *canvas;         /* digit scenes only: the first n_canvas test images */
    size_t n_canvas;
    size_t *canvas_image;  /* their image indices */
} cap_corpus;

/* Digit scenes: n[s] images of split s drawn from glyph set g[s], each with up to
 * caps_per_image captions in distinct phrasings; everything fixed by seed.  Keeps the
 * canvases of the first n_canvas test images.  0 or -1. */
int cap_corpus_scenes(const cap_glyphs g[CAP_SPLITS], const size_t n[CAP_SPLITS],
                      size_t caps_per_image, size_t n_canvas, uint64_t seed, cap_corpus *c);
/* A real image set from the two files; images are assigned to splits by a fixed-seed
 * shuffle (valid_frac and test_frac of the images).  0 or -1 (message in err). */
int cap_corpus_files(const char *features, const char *captions, double valid_frac,
                     double test_frac, uint64_t seed, cap_corpus *c, char *err, size_t err_cap);
void cap_corpus_free(cap_corpus *c);
/* The training captions (pointers into c), for building the vocabulary; *n receives
 * the count.  Caller frees the array. */
const char **cap_corpus_texts(const cap_corpus *c, int split, size_t *n);

/* The encoded captions of one split whose word count is in [min_words, max_words],
 * ordered by image.  Sequence length L = words + 2 (<start> ... <end>). */
typedef struct cap_set {
    size_t n, max_len;
    size_t *image;         /* per caption */
    size_t *len;           /* per caption: L */
    int32_t *tokens;       /* n x max_len, padded with <pad> */
    size_t n_images;       /* distinct images, each a run of captions */
    size_t *first;         /* n_images + 1: captions first[i] .. first[i+1]-1 */
} cap_set;

int cap_set_build(const cap_corpus *c, const cap_vocab *v, int split, size_t min_words,
                  size_t max_words, cap_set *s);
void cap_set_free(cap_set *s);

/* Batches of captions of one length: order (s->n entries) lists caption indices batch
 * after batch; batch k is order[starts[k] .. starts[k+1]).  seed 0: no shuffling
 * (evaluation); otherwise the captions of each length and the batch order are shuffled.
 * starts needs room for s->n + 1 entries.  Returns the number of batches. */
size_t cap_batches(const cap_set *s, size_t batch, uint64_t seed, size_t *order,
                   size_t *starts);

#endif
