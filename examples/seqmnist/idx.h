/* A reader for the MNIST IDX format: the four files of MNIST (and of Fashion-MNIST,
 * which uses the same layout), raw or gzip-compressed.
 *
 *   images  train-images-idx3-ubyte   magic 0x00000803, count, 28, 28, then pixels
 *   labels  train-labels-idx1-ubyte   magic 0x00000801, count, then labels 0..9
 *
 * All header integers are big-endian uint32.  Every check is made before anything is
 * used: magic, number of dimensions, image size 28x28, the file size against the
 * count (too short = truncated, too long = oversized), labels in 0..9.  A bad file
 * gives an error code and a message naming the file and the problem; nothing ever
 * reads outside a buffer.
 *
 * seqmnist_idx_parse works on a memory buffer and allocates nothing: it is the
 * entry point for a fuzz target (any bytes in, a status out). */
#ifndef SEQMNIST_IDX_H
#define SEQMNIST_IDX_H

#include <stddef.h>

enum seqmnist_idx_kind {
    SEQMNIST_IDX_ANY = 0,    /* accept either kind (parse only) */
    SEQMNIST_IDX_IMAGES = 1, /* magic 0x00000803: count x 28 x 28 unsigned bytes */
    SEQMNIST_IDX_LABELS = 2  /* magic 0x00000801: count unsigned bytes in 0..9 */
};

enum seqmnist_idx_status {
    SEQMNIST_IDX_OK = 0,
    SEQMNIST_IDX_ERR_ARG = 1,       /* NULL pointer or bad `expect` */
    SEQMNIST_IDX_ERR_IO = 2,        /* the file could not be opened or read */
    SEQMNIST_IDX_ERR_MAGIC = 3,     /* not an IDX file of unsigned bytes, or the wrong kind */
    SEQMNIST_IDX_ERR_DIMS = 4,      /* images that are not 28x28, or a zero count */
    SEQMNIST_IDX_ERR_TRUNCATED = 5, /* fewer bytes than the header declares */
    SEQMNIST_IDX_ERR_OVERSIZED = 6, /* more bytes than the header declares */
    SEQMNIST_IDX_ERR_LABEL = 7,     /* a label outside 0..9 */
    SEQMNIST_IDX_ERR_NOMEM = 8,     /* allocation failed */
    SEQMNIST_IDX_ERR_NOZLIB = 9,    /* a gzip file, but the program was built without zlib */
    SEQMNIST_IDX_ERR_GZIP = 10,     /* corrupt gzip stream */
    SEQMNIST_IDX_ERR_MISMATCH = 11  /* images and labels files disagree on the count */
};

#define SEQMNIST_IDX_SIDE 28
#define SEQMNIST_IDX_PIXELS (SEQMNIST_IDX_SIDE * SEQMNIST_IDX_SIDE)
#define SEQMNIST_IDX_CLASSES 10

/* A parsed file: a view into the buffer that was parsed (nothing is copied). */
typedef struct seqmnist_idx {
    int kind;                  /* enum seqmnist_idx_kind */
    size_t count;              /* number of images or labels */
    size_t rows, cols;         /* 28, 28 for images; 0, 0 for labels */
    const unsigned char *data; /* count*rows*cols pixels, or count labels */
} seqmnist_idx;

/* Parse an IDX file held in memory.  expect: enum seqmnist_idx_kind (ANY accepts both).
 * On success fills *out (pointing into buf).  On failure *out is untouched and, when
 * err != NULL, a one-line message (without the file name) is written to err.
 * Returns enum seqmnist_idx_status. */
int seqmnist_idx_parse(const unsigned char *buf, size_t len, int expect, seqmnist_idx *out,
                       char *err, size_t err_cap);

/* Whether zlib support was compiled in (gzip files readable). */
int seqmnist_idx_has_zlib(void);

/* Read and parse one file (raw or gzip).  On success *data holds the file's bytes
 * (free() it when done; out points into it).  Error messages name the file. */
int seqmnist_idx_load(const char *path, int expect, seqmnist_idx *out, unsigned char **data,
                      char *err, size_t err_cap);

/* One split of a data set: images and labels, owned. */
typedef struct seqmnist_set {
    size_t count;
    unsigned char *pixels; /* count * 784, row-major images */
    unsigned char *labels; /* count */
} seqmnist_set;

/* Load split `prefix` ("train" or "t10k") from directory dir: looks for
 * PREFIX-images-idx3-ubyte (or with .gz, or the PREFIX-images.idx3-ubyte spelling)
 * and the matching labels file; checks that both hold the same count. */
int seqmnist_set_load(const char *dir, const char *prefix, seqmnist_set *out, char *err,
                      size_t err_cap);
void seqmnist_set_free(seqmnist_set *s);

/* Name of a status code; never NULL. */
const char *seqmnist_idx_strerror(int status);

#endif
