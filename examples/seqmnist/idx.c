#include "idx.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef SEQMNIST_HAVE_ZLIB
#include <zlib.h>
#endif

#define IDX_MAGIC_IMAGES 0x00000803u
#define IDX_MAGIC_LABELS 0x00000801u
#define IDX_TYPE_UBYTE 0x08u
/* The largest file the loader holds in memory: 2^20 images (more than the largest
 * MNIST-format sets; EMNIST ByClass has 814,255) and one byte to tell "oversized". */
#define IDX_MAX_LOAD ((size_t)16 + ((size_t)1 << 20) * 784 + 1)

static int fail(char *err, size_t cap, int status, const char *fmt, ...)
{
    if (err && cap > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, cap, fmt, ap);
        va_end(ap);
    }
    return status;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static const char *kind_name(int kind)
{
    return kind == SEQMNIST_IDX_IMAGES ? "images (magic 0x00000803)" : "labels (magic 0x00000801)";
}

/* Magic and kind: the first four bytes.  *kind receives IMAGES or LABELS. */
static int parse_magic(const unsigned char *buf, size_t len, int expect, int *kind, char *err,
                       size_t cap)
{
    if (len < 4)
        return fail(err, cap, SEQMNIST_IDX_ERR_TRUNCATED,
                    "%zu bytes: shorter than the 4-byte IDX magic number", len);
    if (buf[0] == 0x1f && buf[1] == 0x8b)
        return fail(err, cap, SEQMNIST_IDX_ERR_MAGIC,
                    "gzip-compressed data where a raw IDX file was expected");
    if (buf[0] != 0 || buf[1] != 0)
        return fail(err, cap, SEQMNIST_IDX_ERR_MAGIC,
                    "not an IDX file: magic starts with %02x %02x, expected 00 00", buf[0],
                    buf[1]);
    if (buf[2] != IDX_TYPE_UBYTE)
        return fail(err, cap, SEQMNIST_IDX_ERR_MAGIC,
                    "IDX element type 0x%02x is not unsigned byte (0x08)", buf[2]);
    uint32_t magic = be32(buf);
    if (magic != IDX_MAGIC_IMAGES && magic != IDX_MAGIC_LABELS)
        return fail(err, cap, SEQMNIST_IDX_ERR_MAGIC,
                    "IDX file with %u dimensions (magic 0x%08x): MNIST images have 3, labels 1",
                    buf[3], (unsigned)magic);
    *kind = magic == IDX_MAGIC_IMAGES ? SEQMNIST_IDX_IMAGES : SEQMNIST_IDX_LABELS;
    if (expect != SEQMNIST_IDX_ANY && expect != *kind)
        return fail(err, cap, SEQMNIST_IDX_ERR_MAGIC, "an IDX %s file where %s was expected",
                    kind_name(*kind), kind_name(expect));
    return SEQMNIST_IDX_OK;
}

static size_t header_size(int kind)
{
    return kind == SEQMNIST_IDX_IMAGES ? 16 : 8;
}

/* Header fields after the magic; the header's bytes are known to be present. */
static int parse_dims(const unsigned char *buf, int kind, seqmnist_idx *v, char *err,
                      size_t cap)
{
    v->kind = kind;
    v->count = be32(buf + 4);
    v->rows = v->cols = 0;
    if (kind == SEQMNIST_IDX_IMAGES) {
        v->rows = be32(buf + 8);
        v->cols = be32(buf + 12);
        if (v->rows != SEQMNIST_IDX_SIDE || v->cols != SEQMNIST_IDX_SIDE)
            return fail(err, cap, SEQMNIST_IDX_ERR_DIMS, "images are %zux%zu, expected 28x28",
                        v->rows, v->cols);
    }
    if (v->count == 0) return fail(err, cap, SEQMNIST_IDX_ERR_DIMS, "the header declares 0 items");
    return SEQMNIST_IDX_OK;
}

/* Payload bytes the header declares; SIZE_MAX if that does not fit in size_t. */
static size_t payload_size(const seqmnist_idx *v)
{
    size_t item = v->kind == SEQMNIST_IDX_IMAGES ? v->rows * v->cols : 1;
    if (v->count > (SIZE_MAX - 16) / item) return SIZE_MAX;
    return v->count * item;
}

static int check_labels(const unsigned char *lab, size_t n, char *err, size_t cap)
{
    for (size_t i = 0; i < n; i++)
        if (lab[i] >= SEQMNIST_IDX_CLASSES)
            return fail(err, cap, SEQMNIST_IDX_ERR_LABEL, "label %u at index %zu is outside 0..9",
                        lab[i], i);
    return SEQMNIST_IDX_OK;
}

int seqmnist_idx_parse(const unsigned char *buf, size_t len, int expect, seqmnist_idx *out,
                       char *err, size_t err_cap)
{
    if (!out || (!buf && len > 0))
        return fail(err, err_cap, SEQMNIST_IDX_ERR_ARG, "NULL buffer or output");
    if (expect < SEQMNIST_IDX_ANY || expect > SEQMNIST_IDX_LABELS)
        return fail(err, err_cap, SEQMNIST_IDX_ERR_ARG, "unknown expected kind %d", expect);
    int kind = 0;
    int st = parse_magic(buf, len, expect, &kind, err, err_cap);
    if (st) return st;
    size_t head = header_size(kind);
    if (len < head)
        return fail(err, err_cap, SEQMNIST_IDX_ERR_TRUNCATED,
                    "header cut short: %zu of its %zu bytes", len, head);
    seqmnist_idx v;
    st = parse_dims(buf, kind, &v, err, err_cap);
    if (st) return st;
    size_t need = payload_size(&v), have = len - head;
    if (have < need)
        return fail(err, err_cap, SEQMNIST_IDX_ERR_TRUNCATED,
                    "truncated: %zu data bytes, the header declares %zu items (%zu bytes)", have,
                    v.count, need);
    if (have > need)
        return fail(err, err_cap, SEQMNIST_IDX_ERR_OVERSIZED,
                    "oversized: %zu bytes after the %zu declared items (%zu bytes)", have - need,
                    v.count, need);
    if (kind == SEQMNIST_IDX_LABELS) {
        st = check_labels(buf + head, v.count, err, err_cap);
        if (st) return st;
    }
    v.data = buf + head;
    *out = v;
    return SEQMNIST_IDX_OK;
}

int seqmnist_idx_has_zlib(void)
{
#ifdef SEQMNIST_HAVE_ZLIB
    return 1;
#else
    return 0;
#endif
}

/* ---- reading a file, raw or gzip ------------------------------------------------- */

typedef struct idx_stream {
    FILE *f;
#ifdef SEQMNIST_HAVE_ZLIB
    gzFile gz;
#endif
} idx_stream;

static int stream_open(idx_stream *s, const char *path, char *err, size_t cap)
{
    memset(s, 0, sizeof *s);
#ifdef SEQMNIST_HAVE_ZLIB
    /* gzread passes a file that is not gzip through unchanged. */
    errno = 0;
    s->gz = gzopen(path, "rb");
    if (!s->gz)
        return fail(err, cap, SEQMNIST_IDX_ERR_IO, "%s: cannot open: %s", path,
                    errno ? strerror(errno) : "out of memory");
#else
    s->f = fopen(path, "rb");
    if (!s->f)
        return fail(err, cap, SEQMNIST_IDX_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
#endif
    return SEQMNIST_IDX_OK;
}

static void stream_close(idx_stream *s)
{
#ifdef SEQMNIST_HAVE_ZLIB
    if (s->gz) gzclose(s->gz);
#endif
    if (s->f) fclose(s->f);
}

/* Read up to n bytes; *got receives the count.  A short count means end of file. */
static int stream_read(idx_stream *s, const char *path, unsigned char *buf, size_t n,
                       size_t *got, char *err, size_t cap)
{
    *got = 0;
#ifdef SEQMNIST_HAVE_ZLIB
    while (*got < n) {
        size_t want = n - *got > (1u << 30) ? (1u << 30) : n - *got;
        int r = gzread(s->gz, buf + *got, (unsigned)want);
        if (r < 0) {
            int code = 0;
            const char *msg = gzerror(s->gz, &code);
            if (code == Z_ERRNO)
                return fail(err, cap, SEQMNIST_IDX_ERR_IO, "%s: read error: %s", path,
                            strerror(errno));
            return fail(err, cap, SEQMNIST_IDX_ERR_GZIP, "%s: corrupt gzip stream: %s", path,
                        msg ? msg : "unknown zlib error");
        }
        if (r == 0) break;
        *got += (size_t)r;
    }
    /* A gzip stream cut short reads as a short count plus a pending error. */
    int code = 0;
    const char *msg = gzerror(s->gz, &code);
    if (code != Z_OK && code != Z_STREAM_END)
        return fail(err, cap, SEQMNIST_IDX_ERR_GZIP, "%s: corrupt or truncated gzip stream: %s",
                    path, msg ? msg : "unknown zlib error");
#else
    *got = fread(buf, 1, n, s->f);
    if (*got < n && ferror(s->f))
        return fail(err, cap, SEQMNIST_IDX_ERR_IO, "%s: read error: %s", path, strerror(errno));
#endif
    return SEQMNIST_IDX_OK;
}

/* Read at most `limit` bytes into a growing buffer (so a header that declares a huge
 * count costs memory only for the bytes really present). */
static int read_upto(idx_stream *s, const char *path, unsigned char **buf, size_t *len,
                     size_t limit, char *err, size_t cap)
{
    size_t alloc = *len;
    while (*len < limit) {
        if (*len == alloc) {
            size_t grow = alloc < (1u << 20) ? (1u << 20) : alloc;
            size_t next = limit - alloc < grow ? limit : alloc + grow;
            unsigned char *p = realloc(*buf, next);
            if (!p) return fail(err, cap, SEQMNIST_IDX_ERR_NOMEM, "%s: out of memory", path);
            *buf = p;
            alloc = next;
        }
        size_t want = alloc - *len, got = 0;
        int st = stream_read(s, path, *buf + *len, want, &got, err, cap);
        if (st) return st;
        *len += got;
        if (got < want) break; /* end of file */
    }
    return SEQMNIST_IDX_OK;
}

/* The total file size the header in buf[0..len) declares, or 0 if the header is not
 * (yet) valid; the parser then reports why. */
static size_t declared_size(const unsigned char *buf, size_t len, int expect)
{
    int kind = 0;
    seqmnist_idx v;
    if (parse_magic(buf, len, expect, &kind, NULL, 0)) return 0;
    if (len < header_size(kind) || parse_dims(buf, kind, &v, NULL, 0)) return 0;
    size_t payload = payload_size(&v);
    return payload == SIZE_MAX ? SIZE_MAX - 1 : header_size(kind) + payload;
}

/* A header that declares more than the loader holds: count the bytes the stream really
 * has (inflating into a fixed scratch buffer, stopping once the declared size is
 * reached), so a short file, or a small gzip file that inflates to gigabytes, costs no
 * memory: truncated when it holds fewer bytes than declared, else too large. */
static int refuse_large(idx_stream *s, const char *path, size_t have, size_t total, char *err,
                        size_t cap)
{
    static unsigned char scratch[1 << 16];
    while (have < total) {
        size_t want = total - have < sizeof scratch ? total - have : sizeof scratch, got = 0;
        int st = stream_read(s, path, scratch, want, &got, err, cap);
        if (st) return st;
        have += got;
        if (got < want) break;
    }
    if (have < total)
        return fail(err, cap, SEQMNIST_IDX_ERR_TRUNCATED,
                    "%s: truncated: %zu bytes, the header declares %zu", path, have, total);
    return fail(err, cap, SEQMNIST_IDX_ERR_DIMS,
                "%s: the header declares %zu bytes, more than this reader loads (%zu)", path,
                total, IDX_MAX_LOAD - 1);
}

static int load_bytes(const char *path, int expect, unsigned char **buf, size_t *len, char *err,
                      size_t cap)
{
    idx_stream s;
    int st = stream_open(&s, path, err, cap);
    if (st) return st;
    *buf = NULL;
    *len = 0;
    unsigned char head[16];
    size_t got = 0;
    st = stream_read(&s, path, head, sizeof head, &got, err, cap);
    if (!st) {
        size_t total = declared_size(head, got, expect);
        /* One byte beyond the declared size is enough to tell "oversized". */
        size_t limit = total ? total + 1 : got;
        *buf = limit > IDX_MAX_LOAD ? NULL : malloc(got > 0 ? got : 1);
        if (limit > IDX_MAX_LOAD) st = refuse_large(&s, path, got, total, err, cap);
        else if (!*buf) st = fail(err, cap, SEQMNIST_IDX_ERR_NOMEM, "%s: out of memory", path);
        else {
            memcpy(*buf, head, got);
            *len = got;
            if (limit > got) st = read_upto(&s, path, buf, len, limit, err, cap);
        }
    }
    stream_close(&s);
    if (st) {
        free(*buf);
        *buf = NULL;
    }
    return st;
}

int seqmnist_idx_load(const char *path, int expect, seqmnist_idx *out, unsigned char **data,
                      char *err, size_t err_cap)
{
    if (!path || !out || !data)
        return fail(err, err_cap, SEQMNIST_IDX_ERR_ARG, "NULL path or output");
    unsigned char *buf = NULL;
    size_t len = 0;
    int st = load_bytes(path, expect, &buf, &len, err, err_cap);
    if (st) return st;
#ifndef SEQMNIST_HAVE_ZLIB
    if (len >= 2 && buf[0] == 0x1f && buf[1] == 0x8b) {
        free(buf);
        return fail(err, err_cap, SEQMNIST_IDX_ERR_NOZLIB,
                    "%s: gzip-compressed, but this program was built without zlib "
                    "(install zlib1g-dev and rebuild, or gunzip the file)",
                    path);
    }
#endif
    char msg[256];
    st = seqmnist_idx_parse(buf, len, expect, out, msg, sizeof msg);
    if (st == SEQMNIST_IDX_ERR_OVERSIZED) {
        /* Only one byte past the declared size was read, so give no byte count. */
        snprintf(msg, sizeof msg, "oversized: the file is longer than its header declares");
    }
    if (st) {
        free(buf);
        return fail(err, err_cap, st, "%s: %s", path, msg);
    }
    *data = buf;
    return SEQMNIST_IDX_OK;
}

/* ---- a split: images + labels ---------------------------------------------------- */

static int exists(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f) fclose(f);
    return f != NULL;
}

/* First existing spelling of dir/PREFIX-WHAT[-.]idxN-ubyte[.gz]; path receives it (or
 * the canonical name when none exists, for the error message). */
static void find_file(const char *dir, const char *prefix, const char *what, int ndim,
                      char *path, size_t cap)
{
    static const char *const forms[] = {"%s/%s-%s-idx%d-ubyte", "%s/%s-%s-idx%d-ubyte.gz",
                                        "%s/%s-%s.idx%d-ubyte", "%s/%s-%s.idx%d-ubyte.gz"};
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        snprintf(path, cap, forms[i], dir, prefix, what, ndim);
        if (exists(path)) return;
    }
    snprintf(path, cap, forms[0], dir, prefix, what, ndim);
}

int seqmnist_set_load(const char *dir, const char *prefix, seqmnist_set *out, char *err,
                      size_t err_cap)
{
    if (!dir || !prefix || !out)
        return fail(err, err_cap, SEQMNIST_IDX_ERR_ARG, "NULL directory, prefix or output");
    char ipath[4096], lpath[4096];
    find_file(dir, prefix, "images", 3, ipath, sizeof ipath);
    find_file(dir, prefix, "labels", 1, lpath, sizeof lpath);
    seqmnist_idx im, lb;
    unsigned char *ibuf = NULL, *lbuf = NULL;
    int st = seqmnist_idx_load(ipath, SEQMNIST_IDX_IMAGES, &im, &ibuf, err, err_cap);
    if (!st) st = seqmnist_idx_load(lpath, SEQMNIST_IDX_LABELS, &lb, &lbuf, err, err_cap);
    if (!st && im.count != lb.count)
        st = fail(err, err_cap, SEQMNIST_IDX_ERR_MISMATCH,
                  "%s holds %zu images but %s holds %zu labels", ipath, im.count, lpath,
                  lb.count);
    if (st) {
        free(ibuf);
        free(lbuf);
        return st;
    }
    /* Move the payloads to the front of their buffers so they can be freed as such. */
    memmove(ibuf, im.data, im.count * SEQMNIST_IDX_PIXELS);
    memmove(lbuf, lb.data, lb.count);
    out->count = im.count;
    out->pixels = ibuf;
    out->labels = lbuf;
    return SEQMNIST_IDX_OK;
}

void seqmnist_set_free(seqmnist_set *s)
{
    if (!s) return;
    free(s->pixels);
    free(s->labels);
    s->pixels = s->labels = NULL;
    s->count = 0;
}

const char *seqmnist_idx_strerror(int status)
{
    switch (status) {
    case SEQMNIST_IDX_OK: return "ok";
    case SEQMNIST_IDX_ERR_ARG: return "invalid argument";
    case SEQMNIST_IDX_ERR_IO: return "I/O error";
    case SEQMNIST_IDX_ERR_MAGIC: return "not an MNIST IDX file of the expected kind";
    case SEQMNIST_IDX_ERR_DIMS: return "wrong dimensions";
    case SEQMNIST_IDX_ERR_TRUNCATED: return "truncated file";
    case SEQMNIST_IDX_ERR_OVERSIZED: return "oversized file";
    case SEQMNIST_IDX_ERR_LABEL: return "label outside 0..9";
    case SEQMNIST_IDX_ERR_NOMEM: return "out of memory";
    case SEQMNIST_IDX_ERR_NOZLIB: return "gzip file but no zlib support";
    case SEQMNIST_IDX_ERR_GZIP: return "corrupt gzip stream";
    case SEQMNIST_IDX_ERR_MISMATCH: return "images and labels disagree";
    default: return "unknown status";
    }
}
