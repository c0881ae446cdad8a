/* Checkpoints: versioned, checksummed snapshots of a cortex, a cerebellum or an
 * optimizer, to memory and to files.  docs/reliability.md is the format's reference.
 *
 * Why the format looks the way it does.  Every field is written byte by byte in
 * little-endian order (never a struct), so a checkpoint moves between machines and
 * compilers.  The header carries magic, format version, object kind and the payload
 * length, each checked on its own so a damaged header gives a precise status; a CRC-32
 * over the payload catches damage inside it.  The loaders treat every byte as hostile:
 * all reads are bounds-checked, shapes are bounded (each size and the memory the new
 * handle would need) before anything is allocated, and a handle is only handed out
 * once everything has been read and validated.
 */
#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "params.h"

#define MAGIC_LEN 8
#define HEADER_LEN 32
#define FORMAT_VERSION 1u
#define KIND_CORTEX 1u
#define KIND_CEREBELLUM 2u
#define KIND_OPTIMIZER 3u
/* Checkpoints written before the kind was recorded carry this value instead. */
#define OPT_KIND_UNRECORDED 0xFFFFFFFFu
/* Each size a loader accepts, as ccrnn_*_create. */
#define SIZE_LIMIT ((uint64_t)1 << 24)
#define LAYER_LIMIT 16u
/* A checkpoint whose handle would need more memory than this is refused as absurd. */
#define FOOTPRINT_LIMIT ((uint64_t)1 << 30)
#define NAME_MAX_LEN 31u

static const unsigned char magic[MAGIC_LEN] = {0x89, 'c', 'c', 'R', 'N', 'N', '\r', '\n'};

/* ---- CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320) -------------------------- */

/* Entry i is the CRC of the byte i (8 shift-and-xor rounds), precomputed. */
static const uint32_t crc_table[256] = {
    0x00000000u, 0x77073096u, 0xee0e612cu, 0x990951bau, 0x076dc419u, 0x706af48fu,
    0xe963a535u, 0x9e6495a3u, 0x0edb8832u, 0x79dcb8a4u, 0xe0d5e91eu, 0x97d2d988u,
    0x09b64c2bu, 0x7eb17cbdu, 0xe7b82d07u, 0x90bf1d91u, 0x1db71064u, 0x6ab020f2u,
    0xf3b97148u, 0x84be41deu, 0x1adad47du, 0x6ddde4ebu, 0xf4d4b551u, 0x83d385c7u,
    0x136c9856u, 0x646ba8c0u, 0xfd62f97au, 0x8a65c9ecu, 0x14015c4fu, 0x63066cd9u,
    0xfa0f3d63u, 0x8d080df5u, 0x3b6e20c8u, 0x4c69105eu, 0xd56041e4u, 0xa2677172u,
    0x3c03e4d1u, 0x4b04d447u, 0xd20d85fdu, 0xa50ab56bu, 0x35b5a8fau, 0x42b2986cu,
    0xdbbbc9d6u, 0xacbcf940u, 0x32d86ce3u, 0x45df5c75u, 0xdcd60dcfu, 0xabd13d59u,
    0x26d930acu, 0x51de003au, 0xc8d75180u, 0xbfd06116u, 0x21b4f4b5u, 0x56b3c423u,
    0xcfba9599u, 0xb8bda50fu, 0x2802b89eu, 0x5f058808u, 0xc60cd9b2u, 0xb10be924u,
    0x2f6f7c87u, 0x58684c11u, 0xc1611dabu, 0xb6662d3du, 0x76dc4190u, 0x01db7106u,
    0x98d220bcu, 0xefd5102au, 0x71b18589u, 0x06b6b51fu, 0x9fbfe4a5u, 0xe8b8d433u,
    0x7807c9a2u, 0x0f00f934u, 0x9609a88eu, 0xe10e9818u, 0x7f6a0dbbu, 0x086d3d2du,
    0x91646c97u, 0xe6635c01u, 0x6b6b51f4u, 0x1c6c6162u, 0x856530d8u, 0xf262004eu,
    0x6c0695edu, 0x1b01a57bu, 0x8208f4c1u, 0xf50fc457u, 0x65b0d9c6u, 0x12b7e950u,
    0x8bbeb8eau, 0xfcb9887cu, 0x62dd1ddfu, 0x15da2d49u, 0x8cd37cf3u, 0xfbd44c65u,
    0x4db26158u, 0x3ab551ceu, 0xa3bc0074u, 0xd4bb30e2u, 0x4adfa541u, 0x3dd895d7u,
    0xa4d1c46du, 0xd3d6f4fbu, 0x4369e96au, 0x346ed9fcu, 0xad678846u, 0xda60b8d0u,
    0x44042d73u, 0x33031de5u, 0xaa0a4c5fu, 0xdd0d7cc9u, 0x5005713cu, 0x270241aau,
    0xbe0b1010u, 0xc90c2086u, 0x5768b525u, 0x206f85b3u, 0xb966d409u, 0xce61e49fu,
    0x5edef90eu, 0x29d9c998u, 0xb0d09822u, 0xc7d7a8b4u, 0x59b33d17u, 0x2eb40d81u,
    0xb7bd5c3bu, 0xc0ba6cadu, 0xedb88320u, 0x9abfb3b6u, 0x03b6e20cu, 0x74b1d29au,
    0xead54739u, 0x9dd277afu, 0x04db2615u, 0x73dc1683u, 0xe3630b12u, 0x94643b84u,
    0x0d6d6a3eu, 0x7a6a5aa8u, 0xe40ecf0bu, 0x9309ff9du, 0x0a00ae27u, 0x7d079eb1u,
    0xf00f9344u, 0x8708a3d2u, 0x1e01f268u, 0x6906c2feu, 0xf762575du, 0x806567cbu,
    0x196c3671u, 0x6e6b06e7u, 0xfed41b76u, 0x89d32be0u, 0x10da7a5au, 0x67dd4accu,
    0xf9b9df6fu, 0x8ebeeff9u, 0x17b7be43u, 0x60b08ed5u, 0xd6d6a3e8u, 0xa1d1937eu,
    0x38d8c2c4u, 0x4fdff252u, 0xd1bb67f1u, 0xa6bc5767u, 0x3fb506ddu, 0x48b2364bu,
    0xd80d2bdau, 0xaf0a1b4cu, 0x36034af6u, 0x41047a60u, 0xdf60efc3u, 0xa867df55u,
    0x316e8eefu, 0x4669be79u, 0xcb61b38cu, 0xbc66831au, 0x256fd2a0u, 0x5268e236u,
    0xcc0c7795u, 0xbb0b4703u, 0x220216b9u, 0x5505262fu, 0xc5ba3bbeu, 0xb2bd0b28u,
    0x2bb45a92u, 0x5cb36a04u, 0xc2d7ffa7u, 0xb5d0cf31u, 0x2cd99e8bu, 0x5bdeae1du,
    0x9b64c2b0u, 0xec63f226u, 0x756aa39cu, 0x026d930au, 0x9c0906a9u, 0xeb0e363fu,
    0x72076785u, 0x05005713u, 0x95bf4a82u, 0xe2b87a14u, 0x7bb12baeu, 0x0cb61b38u,
    0x92d28e9bu, 0xe5d5be0du, 0x7cdcefb7u, 0x0bdbdf21u, 0x86d3d2d4u, 0xf1d4e242u,
    0x68ddb3f8u, 0x1fda836eu, 0x81be16cdu, 0xf6b9265bu, 0x6fb077e1u, 0x18b74777u,
    0x88085ae6u, 0xff0f6a70u, 0x66063bcau, 0x11010b5cu, 0x8f659effu, 0xf862ae69u,
    0x616bffd3u, 0x166ccf45u, 0xa00ae278u, 0xd70dd2eeu, 0x4e048354u, 0x3903b3c2u,
    0xa7672661u, 0xd06016f7u, 0x4969474du, 0x3e6e77dbu, 0xaed16a4au, 0xd9d65adcu,
    0x40df0b66u, 0x37d83bf0u, 0xa9bcae53u, 0xdebb9ec5u, 0x47b2cf7fu, 0x30b5ffe9u,
    0xbdbdf21cu, 0xcabac28au, 0x53b39330u, 0x24b4a3a6u, 0xbad03605u, 0xcdd70693u,
    0x54de5729u, 0x23d967bfu, 0xb3667a2eu, 0xc4614ab8u, 0x5d681b02u, 0x2a6f2b94u,
    0xb40bbe37u, 0xc30c8ea1u, 0x5a05df1bu, 0x2d02ef8du,
};

static uint32_t crc32_ieee(const unsigned char *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) c = crc_table[(c ^ p[i]) & 0xFFu] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

/* ---- little-endian writer ----------------------------------------------------------
 * With out == NULL the writer only counts, so one payload function gives both the
 * size and the bytes. */

typedef struct writer {
    unsigned char *out;
    size_t len;
} writer;

static void put_u8(writer *w, unsigned v)
{
    if (w->out) w->out[w->len] = (unsigned char)v;
    w->len += 1;
}

static void put_u32(writer *w, uint32_t v)
{
    if (w->out)
        for (int i = 0; i < 4; i++) w->out[w->len + (size_t)i] = (unsigned char)(v >> (8 * i));
    w->len += 4;
}

static void put_u64(writer *w, uint64_t v)
{
    if (w->out)
        for (int i = 0; i < 8; i++) w->out[w->len + (size_t)i] = (unsigned char)(v >> (8 * i));
    w->len += 8;
}

/* Floats travel as their IEEE-754 bit patterns. */
static void put_f64(writer *w, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    put_u64(w, bits);
}

static void put_f32s(writer *w, const float *v, size_t n)
{
    if (!w->out) {
        w->len += 4 * n;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        uint32_t bits;
        memcpy(&bits, &v[i], sizeof bits);
        put_u32(w, bits);
    }
}

/* ---- bounds-checked little-endian reader -------------------------------------------
 * A read past the end returns zeros and sets `truncated`; callers check it once per
 * group of fields, so no read can ever leave the buffer. */

typedef struct reader {
    const unsigned char *p;
    size_t n, pos;
    int truncated;
} reader;

static size_t remaining(const reader *r) { return r->n - r->pos; }

static int take(reader *r, size_t k)
{
    if (r->truncated || k > remaining(r)) {
        r->truncated = 1;
        return 0;
    }
    return 1;
}

static uint32_t get_u32(reader *r)
{
    if (!take(r, 4)) return 0;
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) v |= (uint32_t)r->p[r->pos + (size_t)i] << (8 * i);
    r->pos += 4;
    return v;
}

static uint64_t get_u64(reader *r)
{
    if (!take(r, 8)) return 0;
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v |= (uint64_t)r->p[r->pos + (size_t)i] << (8 * i);
    r->pos += 8;
    return v;
}

static double get_f64(reader *r)
{
    uint64_t bits = get_u64(r);
    double v;
    memcpy(&v, &bits, sizeof v);
    return v;
}

static int get_f32s(reader *r, float *dst, size_t n)
{
    if (r->truncated || n > remaining(r) / 4) {
        r->truncated = 1;
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        uint32_t bits = get_u32(r);
        memcpy(&dst[i], &bits, sizeof bits);
    }
    return 1;
}

/* ---- size arithmetic that cannot overflow ----------------------------------------- */

static uint64_t sat_mul(uint64_t a, uint64_t b)
{
    if (a && b > UINT64_MAX / a) return UINT64_MAX;
    return a * b;
}

static uint64_t sat_add(uint64_t a, uint64_t b) { return b > UINT64_MAX - a ? UINT64_MAX : a + b; }

static uint64_t mul3(uint64_t a, uint64_t b, uint64_t c) { return sat_mul(sat_mul(a, b), c); }

/* ---- header ----------------------------------------------------------------------- */

static const char *kind_name(uint32_t kind)
{
    return kind == KIND_CORTEX ? "cortex" : kind == KIND_CEREBELLUM ? "cerebellum" : "optimizer";
}

static void write_header(unsigned char *buf, uint32_t kind, size_t payload_len)
{
    writer w = {buf, 0};
    for (size_t i = 0; i < MAGIC_LEN; i++) put_u8(&w, magic[i]);
    put_u32(&w, FORMAT_VERSION);
    put_u32(&w, kind);
    put_u64(&w, (uint64_t)payload_len);
    put_u32(&w, crc32_ieee(buf + HEADER_LEN, payload_len));
    put_u32(&w, 0); /* reserved */
}

/* Validate the header of a checkpoint of `size` bytes (only the first HEADER_LEN bytes,
 * or fewer, are read here) and, when check_crc, the payload's CRC.  The order of the
 * checks decides which status a damaged checkpoint gets: magic, version, kind,
 * length, reserved, checksum. */
static int check_header(const char *fn, const unsigned char *buf, size_t size, uint32_t want,
                        int check_crc)
{
    if (size < MAGIC_LEN || memcmp(buf, magic, MAGIC_LEN) != 0)
        return ccrnn__fail(CCRNN_ERR_FORMAT, fn, "not a libccrnn checkpoint (bad magic)");
    if (size < HEADER_LEN)
        return ccrnn__fail(CCRNN_ERR_FORMAT, fn, "truncated header (%zu of %d bytes)", size,
                           HEADER_LEN);
    reader r = {buf, HEADER_LEN, MAGIC_LEN, 0};
    uint32_t version = get_u32(&r), kind = get_u32(&r);
    uint64_t payload_len = get_u64(&r);
    uint32_t crc = get_u32(&r), reserved = get_u32(&r);
    if (version != FORMAT_VERSION)
        return ccrnn__fail(CCRNN_ERR_VERSION, fn, "format version %u, this library reads %u",
                           (unsigned)version, FORMAT_VERSION);
    if (kind < KIND_CORTEX || kind > KIND_OPTIMIZER)
        return ccrnn__fail(CCRNN_ERR_FORMAT, fn, "unknown object kind %u", (unsigned)kind);
    if (kind != want)
        return ccrnn__fail(CCRNN_ERR_MISMATCH, fn, "checkpoint holds a %s, not a %s",
                           kind_name(kind), kind_name(want));
    if (payload_len != (uint64_t)(size - HEADER_LEN))
        return ccrnn__fail(CCRNN_ERR_FORMAT, fn, "payload length %llu, but %zu bytes follow the "
                           "header (truncated or padded)", (unsigned long long)payload_len,
                           size - HEADER_LEN);
    if (reserved != 0)
        return ccrnn__fail(CCRNN_ERR_FORMAT, fn, "reserved header field is %u, not 0",
                           (unsigned)reserved);
    if (check_crc && crc32_ieee(buf + HEADER_LEN, size - HEADER_LEN) != crc)
        return ccrnn__fail(CCRNN_ERR_CHECKSUM, fn, "payload CRC-32 mismatch");
    return CCRNN_OK;
}

/* ---- emitting a checkpoint to memory ---------------------------------------------- */

typedef void (*payload_fn)(writer *w, const void *obj);

/* Size query (buf NULL, cap 0), or the whole checkpoint into buf when it fits. */
static int emit(const char *fn, uint32_t kind, payload_fn payload, const void *obj, void *buf,
                size_t cap, size_t *size)
{
    writer count = {NULL, 0};
    payload(&count, obj);
    if (count.len > SIZE_MAX - HEADER_LEN)
        return ccrnn__fail(CCRNN_ERR_NOMEM, fn, "checkpoint too large for this address space");
    size_t total = HEADER_LEN + count.len;
    if (!buf) {
        *size = total;
        return CCRNN_OK;
    }
    if (cap < total) {
        *size = total;
        return ccrnn__fail(CCRNN_ERR_SHAPE, fn, "buffer holds %zu bytes, the checkpoint needs %zu",
                           cap, total);
    }
    writer w = {(unsigned char *)buf + HEADER_LEN, 0};
    payload(&w, obj);
    write_header(buf, kind, w.len);
    *size = total;
    return CCRNN_OK;
}

static int check_save_args(const char *fn, const void *obj, const void *buf, size_t cap,
                           const size_t *size)
{
    if (!obj) return ccrnn__fail(CCRNN_ERR_NULL, fn, "the handle is NULL");
    if (!size) return ccrnn__fail(CCRNN_ERR_NULL, fn, "argument 'size' is NULL");
    if (!buf && cap)
        return ccrnn__fail(CCRNN_ERR_NULL, fn, "buf is NULL but cap is %zu (use cap 0 to "
                           "query the size)", cap);
    return CCRNN_OK;
}

/* ---- files: atomic save, whole-file load ------------------------------------------ */

static int write_all(int fd, const unsigned char *p, size_t n)
{
    while (n > 0) {
        ssize_t k = write(fd, p, n);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return 0;
        p += k;
        n -= (size_t)k;
    }
    return 1;
}

/* Make the rename itself durable; a failure here cannot undo it, so it is ignored. */
static void sync_parent_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char dir[4096];
    if (!slash) {
        strcpy(dir, ".");
    } else if (slash == path) {
        strcpy(dir, "/");
    } else {
        size_t n = (size_t)(slash - path);
        if (n >= sizeof dir) return;
        memcpy(dir, path, n);
        dir[n] = '\0';
    }
    int fd = open(dir, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    fsync(fd);
    close(fd);
}

/* Open a fresh temporary beside path.  The name joins the process id and the address of
 * a local (distinct for concurrent threads); O_EXCL guards the rest. */
static int open_temp(char *tmp, size_t cap, const char *path)
{
    int fd = -1;
    for (unsigned attempt = 0; attempt < 64; attempt++) {
        snprintf(tmp, cap, "%s.tmp.%ld.%lx.%u", path, (long)getpid(),
                 (unsigned long)(uintptr_t)&fd, attempt);
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0 || errno != EEXIST) break;
    }
    return fd;
}

/* Write data to path.tmp.*, flush it to the disk, then rename it over path, so a crash
 * at any moment leaves either the old file or the new one, never a mix. */
static int write_atomic(const char *fn, const char *path, const unsigned char *data, size_t n)
{
    size_t cap = strlen(path) + 64;
    char *tmp = malloc(cap);
    if (!tmp) return ccrnn__fail(CCRNN_ERR_NOMEM, fn, "out of memory");
    int fd = open_temp(tmp, cap, path);
    if (fd < 0) {
        int e = errno;
        free(tmp);
        return ccrnn__fail(CCRNN_ERR_IO, fn, "cannot create a temporary file beside '%s' "
                           "(errno %d)", path, e);
    }
    int ok = write_all(fd, data, n);
    int e = errno;
    if (ok && fsync(fd) != 0) {
        ok = 0;
        e = errno;
    }
    if (close(fd) != 0 && ok) {
        ok = 0;
        e = errno;
    }
    if (ok && rename(tmp, path) != 0) {
        ok = 0;
        e = errno;
    }
    if (!ok) {
        unlink(tmp);
        free(tmp);
        return ccrnn__fail(CCRNN_ERR_IO, fn, "writing '%s' failed (errno %d); the previous file "
                           "is unchanged", path, e);
    }
    free(tmp);
    sync_parent_dir(path);
    return CCRNN_OK;
}

static int save_file(const char *fn, uint32_t kind, payload_fn payload, const void *obj,
                     const char *path)
{
    if (!obj) return ccrnn__fail(CCRNN_ERR_NULL, fn, "the handle is NULL");
    if (!path) return ccrnn__fail(CCRNN_ERR_NULL, fn, "argument 'path' is NULL");
    size_t size = 0;
    int st = emit(fn, kind, payload, obj, NULL, 0, &size);
    if (st) return st;
    unsigned char *buf = malloc(size);
    if (!buf) return ccrnn__fail(CCRNN_ERR_NOMEM, fn, "out of memory for %zu bytes", size);
    st = emit(fn, kind, payload, obj, buf, size, &size);
    if (!st) st = write_atomic(fn, path, buf, size);
    free(buf);
    return st;
}

static int read_all(int fd, unsigned char *p, size_t n)
{
    while (n > 0) {
        ssize_t k = read(fd, p, n);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return 0;
        p += k;
        n -= (size_t)k;
    }
    return 1;
}

/* Read a whole regular file.  Files larger than any checkpoint a loader accepts are
 * refused before reading. */
static int read_file(const char *fn, const char *path, unsigned char **data, size_t *n)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ccrnn__fail(CCRNN_ERR_IO, fn, "cannot open '%s' (errno %d)", path, errno);
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        return ccrnn__fail(CCRNN_ERR_IO, fn, "'%s' is not a readable regular file", path);
    }
    if ((uint64_t)sb.st_size > FOOTPRINT_LIMIT + HEADER_LEN ||
        (uint64_t)sb.st_size > (uint64_t)SIZE_MAX) {
        close(fd);
        return ccrnn__fail(CCRNN_ERR_FORMAT, fn, "'%s' is larger than any checkpoint", path);
    }
    size_t size = (size_t)sb.st_size;
    unsigned char *buf = malloc(size ? size : 1);
    if (!buf) {
        close(fd);
        return ccrnn__fail(CCRNN_ERR_NOMEM, fn, "out of memory for %zu bytes", size);
    }
    int ok = read_all(fd, buf, size);
    close(fd);
    if (!ok) {
        free(buf);
        return ccrnn__fail(CCRNN_ERR_IO, fn, "reading '%s' failed", path);
    }
    *data = buf;
    *n = size;
    return CCRNN_OK;
}

/* ---- named tensor records (cortex and cerebellum) ----------------------------------
 * record: u32 name length, name bytes, u64 rows, u64 cols, f32 values[rows*cols],
 * f32 grads[rows*cols]. */

typedef struct tensor_view {
    size_t count;
    int (*info)(const void *obj, size_t i, const char **name, size_t *rows, size_t *cols,
                size_t *offset);
    const void *obj;
    float *values, *grads;
} tensor_view;

static void put_tensors(writer *w, const tensor_view *tv)
{
    put_u32(w, (uint32_t)tv->count);
    for (size_t i = 0; i < tv->count; i++) {
        const char *name;
        size_t rows, cols, off;
        tv->info(tv->obj, i, &name, &rows, &cols, &off);
        size_t len = strlen(name);
        put_u32(w, (uint32_t)len);
        for (size_t k = 0; k < len; k++) put_u8(w, (unsigned char)name[k]);
        put_u64(w, rows);
        put_u64(w, cols);
        put_f32s(w, tv->values + off, rows * (cols ? cols : 1));
        put_f32s(w, tv->grads + off, rows * (cols ? cols : 1));
    }
}

/* Read the records into the views of a freshly created handle; each record must name
 * the handle's tensor of the same index with the same shape. */
static int get_tensors(const char *fn, reader *r, const tensor_view *tv)
{
    uint32_t count = get_u32(r);
    if (r->truncated) return ccrnn__fail(CCRNN_ERR_FORMAT, fn, "truncated tensor table");
    if (count != tv->count)
        return ccrnn__fail(CCRNN_ERR_FORMAT, fn, "%u tensors, the shapes imply %zu",
                           (unsigned)count, tv->count);
    for (size_t i = 0; i < tv->count; i++) {
        const char *name;
        size_t rows, cols, off;
        tv->info(tv->obj, i, &name, &rows, &cols, &off);
        size_t len = strlen(name);
        uint32_t got_len = get_u32(r);
        if (r->truncated || got_len != len || !take(r, len) || memcmp(r->p + r->pos, name, len))
            return ccrnn__fail(CCRNN_ERR_FORMAT, fn, "tensor %zu is not '%s'", i, name);
        r->pos += len;
        uint64_t got_rows = get_u64(r), got_cols = get_u64(r);
        if (r->truncated || got_rows != rows || got_cols != cols)
            return ccrnn__fail(CCRNN_ERR_FORMAT, fn, "tensor '%s' is not %zu x %zu", name, rows,
                               cols);
        size_t numel = rows * (cols ? cols : 1);
        if (!get_f32s(r, tv->values + off, numel) || !get_f32s(r, tv->grads + off, numel))
            return ccrnn__fail(CCRNN_ERR_FORMAT, fn, "tensor '%s' is truncated", name);
        if (!ccrnn__all_finite(tv->values + off, numel))
            return ccrnn__fail(CCRNN_ERR_NUMERIC, fn, "tensor '%s' holds NaN or Inf", name);
    }
    return CCRNN_OK;
}

static int end_of_payload(const char *fn, const reader *r)
{
    if (r->truncated) return ccrnn__fail(CCRNN_ERR_FORMAT, fn, "payload is truncated");
    if (remaining(r))
        return ccrnn__fail(CCRNN_ERR_FORMAT, fn, "%zu unexpected bytes after the payload",
                           remaining(r));
    return CCRNN_OK;
}

/* A setting read from a checkpoint that the handle refuses is a malformed checkpoint. */
static int as_format(const char *fn, int st, const char *what)
{
    if (st == CCRNN_OK || st == CCRNN_ERR_NOMEM) return st;
    return ccrnn__fail(CCRNN_ERR_FORMAT, fn, "setting %s refused: %s", what, ccrnn_strerror(st));
}

/* ---- cortex ------------------------------------------------------------------------
 * payload: u32 cell, u64 n_in n_hidden n_out max_batch max_window, u32 training threads,
 * u64 batch, tensor records, u64 n_state, f32 state[n_state] (batch*state_size). */

typedef struct cortex_save_ctx {
    const ccrnn_cortex *cx;
    float *state;
    size_t n_state;
} cortex_save_ctx;

static int cortex_info(const void *obj, size_t i, const char **name, size_t *rows, size_t *cols,
                       size_t *offset)
{
    return ccrnn_cortex_tensor_info(obj, i, name, rows, cols, offset);
}

static tensor_view cortex_tensors(const ccrnn_cortex *cx)
{
    tensor_view tv = {0, cortex_info, cx, NULL, NULL};
    const ccrnn_params *p = (const ccrnn_params *)(const void *)cx;
    tv.values = p->values;
    tv.grads = p->grads;
    ccrnn_cortex_tensor_count(cx, &tv.count);
    return tv;
}

static void cortex_payload(writer *w, const void *obj)
{
    const cortex_save_ctx *c = obj;
    int cell;
    size_t I, H, O, Z, B, T;
    double training, threads;
    ccrnn_cortex_shape(c->cx, &cell, &I, &H, &O, &Z, &B, &T);
    ccrnn_cortex_get_param(c->cx, CCRNN_PARAM_TRAINING, &training);
    ccrnn_cortex_get_param(c->cx, CCRNN_PARAM_THREADS, &threads);
    put_u32(w, (uint32_t)cell);
    put_u64(w, I);
    put_u64(w, H);
    put_u64(w, O);
    put_u64(w, B);
    put_u64(w, T);
    put_u32(w, (uint32_t)training);
    put_u32(w, (uint32_t)threads);
    put_u64(w, c->n_state / Z);
    tensor_view tv = cortex_tensors(c->cx);
    put_tensors(w, &tv);
    put_u64(w, c->n_state);
    put_f32s(w, c->state, c->n_state);
}

/* The current state is only readable into a buffer, so saving borrows one. */
static int cortex_state(const char *fn, const ccrnn_cortex *cx, float **state, size_t *n)
{
    size_t Z;
    ccrnn_cortex_shape(cx, NULL, NULL, NULL, NULL, &Z, NULL, NULL);
    *n = ccrnn__cortex_batch(cx) * Z;
    *state = malloc(*n * sizeof(float));
    if (!*state) return ccrnn__fail(CCRNN_ERR_NOMEM, fn, "out of memory");
    ccrnn_cortex_get_state(cx, *state, *n);
    return CCRNN_OK;
}

int ccrnn_cortex_save_mem(const ccrnn_cortex *cx, void *buf, size_t cap, size_t *size)
{
    int st = check_save_args(__func__, cx, buf, cap, size);
    if (st) return st;
    cortex_save_ctx c = {cx, NULL, 0};
    st = cortex_state(__func__, cx, &c.state, &c.n_state);
    if (st) return st;
    st = emit(__func__, KIND_CORTEX, cortex_payload, &c, buf, cap, size);
    free(c.state);
    return st;
}

int ccrnn_cortex_save(const ccrnn_cortex *cx, const char *path)
{
    if (!cx) return FAIL(CCRNN_ERR_NULL, "argument 'cx' is NULL");
    cortex_save_ctx c = {cx, NULL, 0};
    int st = cortex_state(__func__, cx, &c.state, &c.n_state);
    if (st) return st;
    st = save_file(__func__, KIND_CORTEX, cortex_payload, &c, path);
    free(c.state);
    return st;
}

typedef struct cortex_head {
    uint32_t cell, training, threads;
    uint64_t I, H, O, B, T, batch;
} cortex_head;

/* Bytes a cortex of these shapes allocates, from above (cortex.c's buffers: parameters
 * and gradients; per tape row the input, activations, output and hidden gradients and
 * gate gradients; the state slots; scratch). */
static uint64_t cortex_footprint(const cortex_head *h, uint64_t n_params)
{
    uint64_t per_h = h->cell == CCRNN_CELL_LSTM ? 10 : h->cell == CCRNN_CELL_GRU ? 11 : 3;
    uint64_t row = sat_add(sat_add(h->I, h->O), sat_mul(per_h, h->H));
    uint64_t slots = h->T + 1 < 3 ? 3 : h->T + 1;
    uint64_t floats = sat_mul(2, n_params);
    floats = sat_add(floats, mul3(h->T, h->B, row));
    floats = sat_add(floats, mul3(slots, h->B, sat_mul(2, h->H)));
    floats = sat_add(floats, mul3(h->B, h->H, 16));
    floats = sat_add(floats, sat_mul(h->B, h->O));
    return sat_add(sat_mul(4, floats), sat_mul(2, h->T));
}

static int check_cortex_head(const char *fn, const cortex_head *h, size_t payload_left)
{
    if (h->cell > CCRNN_CELL_GRU)
        return ccrnn__fail(CCRNN_ERR_FORMAT, fn, "unknown cell kind %u", (unsigned)h->cell);
    const uint64_t s[5] = {h->I, h->H, h->O, h->B, h->T};
    for (int i = 0; i < 5; i++)
        if (s[i] == 0 || s[i] > SIZE_LIMIT)
            return ccrnn__fail(CCRNN_ERR_FORMAT, fn, "implausible size %llu (sizes are 1..%llu)",
                               (unsigned long long)s[i], (unsigned long long)SIZE_LIMIT);
    if (h->batch == 0 || h->batch > h->B)
        return ccrnn__fail(CCRNN_ERR_FORMAT, fn, "active batch %llu outside 1..%llu",
                           (unsigned long long)h->batch, (unsigned long long)h->B);
    uint64_t G = h->cell == CCRNN_CELL_LSTM ? 4 * h->H : h->cell == CCRNN_CELL_GRU ? 3 * h->H : h->H;
    uint64_t Z = h->cell == CCRNN_CELL_LSTM ? 2 * h->H : h->H;
    uint64_t n_params = G * (h->I + h->H + 2) + h->O * (h->H + 1);
    /* Values, gradients and state must all be in the payload: bound before allocating. */
    uint64_t need = sat_add(sat_mul(8, n_params), mul3(4, h->batch, Z));
    if (need > payload_left)
        return ccrnn__fail(CCRNN_ERR_FORMAT, fn, "the shapes need %llu payload bytes, %zu remain",
                           (unsigned long long)need, payload_left);
    if (cortex_footprint(h, n_params) > FOOTPRINT_LIMIT)
        return ccrnn__fail(CCRNN_ERR_FORMAT, fn, "implausible shapes: the cortex would need more "
                           "than %llu bytes", (unsigned long long)FOOTPRINT_LIMIT);
    return CCRNN_OK;
}

static int cortex_settings(const char *fn, ccrnn_cortex *cx, const cortex_head *h)
{
    int st = as_format(fn, ccrnn_cortex_set_param(cx, CCRNN_PARAM_TRAINING, h->training), "TRAINING");
    if (!st) st = as_format(fn, ccrnn_cortex_set_param(cx, CCRNN_PARAM_THREADS, h->threads), "THREADS");
    if (!st) st = as_format(fn, ccrnn_cortex_reset(cx, (size_t)h->batch), "the batch");
    return st;
}

static int cortex_state_in(const char *fn, reader *r, ccrnn_cortex *cx, const cortex_head *h)
{
    size_t Z;
    ccrnn_cortex_shape(cx, NULL, NULL, NULL, NULL, &Z, NULL, NULL);
    uint64_t n = get_u64(r);
    if (r->truncated || n != h->batch * Z)
        return ccrnn__fail(CCRNN_ERR_FORMAT, fn, "state of %llu values, expected batch*state_size",
                           (unsigned long long)n);
    float *z = malloc((size_t)n * sizeof(float));
    if (!z) return ccrnn__fail(CCRNN_ERR_NOMEM, fn, "out of memory");
    int st = get_f32s(r, z, (size_t)n) ? CCRNN_OK
                                       : ccrnn__fail(CCRNN_ERR_FORMAT, fn, "truncated state");
    if (!st && !ccrnn__all_finite(z, (size_t)n))
        st = ccrnn__fail(CCRNN_ERR_NUMERIC, fn, "the state holds NaN or Inf");
    if (!st) st = ccrnn_cortex_set_state(cx, z, (size_t)n);
    free(z);
    return st;
}

static int cortex_from_payload(const char *fn, reader *r, ccrnn_cortex **out)
{
    cortex_head h;
    h.cell = get_u32(r);
    h.I = get_u64(r);
    h.H = get_u64(r);
    h.O = get_u64(r);
    h.B = get_u64(r);
    h.T = get_u64(r);
    h.training = get_u32(r);
    h.threads = get_u32(r);
    h.batch = get_u64(r);
    if (r->truncated) return ccrnn__fail(CCRNN_ERR_FORMAT, fn, "truncated cortex shapes");
    int st = check_cortex_head(fn, &h, remaining(r));
    if (st) return st;
    ccrnn_cortex *cx;
    st = ccrnn_cortex_create((int)h.cell, h.I, h.H, h.O, h.B, h.T, 0, &cx);
    if (st) return as_format(fn, st, "the shapes");
    tensor_view tv = cortex_tensors(cx);
    st = get_tensors(fn, r, &tv);
    if (!st) st = cortex_settings(fn, cx, &h);
    if (!st) st = cortex_state_in(fn, r, cx, &h);
    if (!st) st = end_of_payload(fn, r);
    if (st) {
        ccrnn_cortex_destroy(cx);
        return st;
    }
    *out = cx;
    return CCRNN_OK;
}

static int load_args(const char *fn, const void *p, const char *what, const void *out)
{
    if (!p) return ccrnn__fail(CCRNN_ERR_NULL, fn, "argument '%s' is NULL", what);
    if (!out) return ccrnn__fail(CCRNN_ERR_NULL, fn, "the output pointer is NULL");
    return CCRNN_OK;
}

int ccrnn_cortex_load_mem(const void *buf, size_t size, ccrnn_cortex **out)
{
    int st = load_args(__func__, buf, "buf", out);
    if (!st) st = check_header(__func__, buf, size, KIND_CORTEX, 1);
    if (st) return st;
    reader r = {(const unsigned char *)buf + HEADER_LEN, size - HEADER_LEN, 0, 0};
    return cortex_from_payload(__func__, &r, out);
}

int ccrnn_cortex_load(const char *path, ccrnn_cortex **out)
{
    int st = load_args(__func__, path, "path", out);
    unsigned char *data;
    size_t n;
    if (!st) st = read_file(__func__, path, &data, &n);
    if (st) return st;
    st = ccrnn_cortex_load_mem(data, n, out);
    free(data);
    return st;
}

/* ---- cerebellum --------------------------------------------------------------------
 * payload: u64 n_in n_ctx n_out n_hidden_layers width max_batch, u32 ablated io_lesion
 * loss_mean forward_cache threads, u32 has_mask, [u64 rows, u64 cols, u8 mask[rows*cols]],
 * tensor records. */

static int cerebellum_info(const void *obj, size_t i, const char **name, size_t *rows,
                           size_t *cols, size_t *offset)
{
    return ccrnn_cerebellum_tensor_info(obj, i, name, rows, cols, offset);
}

static tensor_view cerebellum_tensors(const ccrnn_cerebellum *cb)
{
    tensor_view tv = {0, cerebellum_info, cb, NULL, NULL};
    const ccrnn_params *p = (const ccrnn_params *)(const void *)cb;
    tv.values = p->values;
    tv.grads = p->grads;
    ccrnn_cerebellum_tensor_count(cb, &tv.count);
    return tv;
}

static const int cerebellum_flags[5] = {CCRNN_PARAM_ABLATED, CCRNN_PARAM_IO_LESION,
                                        CCRNN_PARAM_LOSS_MEAN, CCRNN_PARAM_LOSS_MEAN,
                                        CCRNN_PARAM_THREADS};

/* The fibre mask covers the first layer: (width, or n_out without hidden layers) x d0. */
static void mask_shape(uint64_t n_in, uint64_t n_ctx, uint64_t n_out, uint64_t layers,
                       uint64_t width, uint64_t *rows, uint64_t *cols)
{
    *rows = layers ? width : n_out;
    *cols = n_in + n_ctx;
}

static void cerebellum_payload(writer *w, const void *obj)
{
    const ccrnn_cerebellum *cb = obj;
    size_t s[6];
    ccrnn_cerebellum_shape(cb, &s[0], &s[1], &s[2], &s[3], &s[4], &s[5]);
    for (int i = 0; i < 6; i++) put_u64(w, s[i]);
    for (int i = 0; i < 5; i++) {
        double v;
        ccrnn_cerebellum_get_param(cb, cerebellum_flags[i], &v);
        put_u32(w, (uint32_t)v);
    }
    const float *mask = ccrnn__cerebellum_mask(cb);
    put_u32(w, mask != NULL);
    if (mask) {
        uint64_t rows, cols;
        mask_shape(s[0], s[1], s[2], s[3], s[4], &rows, &cols);
        put_u64(w, rows);
        put_u64(w, cols);
        for (size_t i = 0; i < rows * cols; i++) put_u8(w, mask[i] != 0.0f);
    }
    tensor_view tv = cerebellum_tensors(cb);
    put_tensors(w, &tv);
}

int ccrnn_cerebellum_save_mem(const ccrnn_cerebellum *cb, void *buf, size_t cap, size_t *size)
{
    int st = check_save_args(__func__, cb, buf, cap, size);
    if (st) return st;
    return emit(__func__, KIND_CEREBELLUM, cerebellum_payload, cb, buf, cap, size);
}

int ccrnn_cerebellum_save(const ccrnn_cerebellum *cb, const char *path)
{
    return save_file(__func__, KIND_CEREBELLUM, cerebellum_payload, cb, path);
}

typedef struct cerebellum_head {
    uint64_t n_in, n_ctx, n_out, layers, width, B;
    uint32_t flags[5], has_mask;
} cerebellum_head;

static uint64_t cerebellum_params(const cerebellum_head *h)
{
    uint64_t d0 = h->n_in + h->n_ctx, n = 0, prev = d0;
    for (uint64_t l = 0; l < h->layers; l++) {
        n = sat_add(n, sat_mul(h->width, prev + 1));
        prev = h->width;
    }
    return sat_add(n, sat_mul(h->n_out, prev + 1));
}

/* Bytes a cerebellum of these shapes allocates, from above (cerebellum.c's buffers:
 * parameters and gradients, two forward slots, backward scratch, staging, mask). */
static uint64_t cerebellum_footprint(const cerebellum_head *h, uint64_t n_params)
{
    uint64_t d0 = h->n_in + h->n_ctx, wide = h->width > h->n_out ? h->width : h->n_out;
    uint64_t acts = sat_mul(h->width, h->layers ? h->layers : 1);
    uint64_t per_row = sat_add(sat_add(d0, acts), h->n_out);
    uint64_t floats = sat_mul(2, n_params);
    floats = sat_add(floats, mul3(2, h->B, per_row));
    floats = sat_add(floats, mul3(2, h->B, wide));
    floats = sat_add(floats, sat_mul(h->B, h->n_in));
    floats = sat_add(floats, sat_mul(wide, d0));
    return sat_mul(4, floats);
}

static int check_cerebellum_head(const char *fn, const cerebellum_head *h, size_t payload_left)
{
    const uint64_t s[5] = {h->n_in, h->n_ctx, h->n_out, h->width, h->B};
    for (int i = 0; i < 5; i++)
        if (s[i] > SIZE_LIMIT)
            return ccrnn__fail(CCRNN_ERR_FORMAT, fn, "implausible size %llu (limit %llu)",
                               (unsigned long long)s[i], (unsigned long long)SIZE_LIMIT);
    if (h->n_in == 0 || h->n_out == 0 || h->B == 0 || h->layers > LAYER_LIMIT ||
        (h->layers > 0 && h->width == 0) || (h->layers == 0 && h->width != 0))
        return ccrnn__fail(CCRNN_ERR_FORMAT, fn, "inconsistent cerebellum shapes");
    if (h->has_mask > 1)
        return ccrnn__fail(CCRNN_ERR_FORMAT, fn, "mask flag %u is not 0 or 1", (unsigned)h->has_mask);
    uint64_t n_params = cerebellum_params(h);
    uint64_t rows, cols;
    mask_shape(h->n_in, h->n_ctx, h->n_out, h->layers, h->width, &rows, &cols);
    uint64_t need = sat_add(sat_mul(8, n_params), h->has_mask ? sat_mul(rows, cols) : 0);
    if (need > payload_left)
        return ccrnn__fail(CCRNN_ERR_FORMAT, fn, "the shapes need %llu payload bytes, %zu remain",
                           (unsigned long long)need, payload_left);
    if (cerebellum_footprint(h, n_params) > FOOTPRINT_LIMIT)
        return ccrnn__fail(CCRNN_ERR_FORMAT, fn, "implausible shapes: the cerebellum would need "
                           "more than %llu bytes", (unsigned long long)FOOTPRINT_LIMIT);
    return CCRNN_OK;
}

/* Read the 0/1 mask bytes into a float mask (*mask, malloc'd) for set_mask. */
static int mask_in(const char *fn, reader *r, const cerebellum_head *h, float **mask)
{
    uint64_t rows, cols;
    mask_shape(h->n_in, h->n_ctx, h->n_out, h->layers, h->width, &rows, &cols);
    uint64_t got_rows = get_u64(r), got_cols = get_u64(r);
    if (r->truncated || got_rows != rows || got_cols != cols)
        return ccrnn__fail(CCRNN_ERR_FORMAT, fn, "fibre mask is not %llu x %llu",
                           (unsigned long long)rows, (unsigned long long)cols);
    size_t n = (size_t)(rows * cols);
    if (!take(r, n)) return ccrnn__fail(CCRNN_ERR_FORMAT, fn, "truncated fibre mask");
    for (size_t i = 0; i < n; i++)
        if (r->p[r->pos + i] > 1)
            return ccrnn__fail(CCRNN_ERR_FORMAT, fn, "fibre mask byte %u is not 0 or 1",
                               (unsigned)r->p[r->pos + i]);
    float *m = malloc(n * sizeof(float));
    if (!m) return ccrnn__fail(CCRNN_ERR_NOMEM, fn, "out of memory");
    for (size_t i = 0; i < n; i++) m[i] = (float)r->p[r->pos + i];
    r->pos += n;
    *mask = m;
    return CCRNN_OK;
}

static int cerebellum_settings(const char *fn, ccrnn_cerebellum *cb, const cerebellum_head *h)
{
    static const char *names[5] = {"ABLATED", "IO_LESION", "LOSS_MEAN", "LOSS_MEAN", "THREADS"};
    for (int i = 0; i < 5; i++) {
        int st = as_format(fn, ccrnn_cerebellum_set_param(cb, cerebellum_flags[i], h->flags[i]),
                           names[i]);
        if (st) return st;
    }
    return CCRNN_OK;
}

static int cerebellum_from_payload(const char *fn, reader *r, ccrnn_cerebellum **out)
{
    cerebellum_head h;
    h.n_in = get_u64(r);
    h.n_ctx = get_u64(r);
    h.n_out = get_u64(r);
    h.layers = get_u64(r);
    h.width = get_u64(r);
    h.B = get_u64(r);
    for (int i = 0; i < 5; i++) h.flags[i] = get_u32(r);
    h.has_mask = get_u32(r);
    if (r->truncated) return ccrnn__fail(CCRNN_ERR_FORMAT, fn, "truncated cerebellum shapes");
    int st = check_cerebellum_head(fn, &h, remaining(r));
    if (st) return st;
    ccrnn_cerebellum *cb;
    st = ccrnn_cerebellum_create(h.n_in, h.n_ctx, h.n_out, h.layers, h.width, h.B, 0, 0, &cb);
    if (st) return as_format(fn, st, "the shapes");
    /* The mask is applied after the weights are read: set_mask zeroes the masked
     * weights (a well-formed checkpoint already holds them at zero). */
    float *mask = NULL;
    if (h.has_mask) st = mask_in(fn, r, &h, &mask);
    tensor_view tv = cerebellum_tensors(cb);
    if (!st) st = get_tensors(fn, r, &tv);
    if (!st && mask) st = ccrnn__cerebellum_set_mask(cb, mask);
    free(mask);
    if (!st) st = cerebellum_settings(fn, cb, &h);
    if (!st) st = end_of_payload(fn, r);
    if (st) {
        ccrnn_cerebellum_destroy(cb);
        return st;
    }
    *out = cb;
    return CCRNN_OK;
}

int ccrnn_cerebellum_load_mem(const void *buf, size_t size, ccrnn_cerebellum **out)
{
    int st = load_args(__func__, buf, "buf", out);
    if (!st) st = check_header(__func__, buf, size, KIND_CEREBELLUM, 1);
    if (st) return st;
    reader r = {(const unsigned char *)buf + HEADER_LEN, size - HEADER_LEN, 0, 0};
    return cerebellum_from_payload(__func__, &r, out);
}

int ccrnn_cerebellum_load(const char *path, ccrnn_cerebellum **out)
{
    int st = load_args(__func__, path, "path", out);
    unsigned char *data;
    size_t n;
    if (!st) st = read_file(__func__, path, &data, &n);
    if (st) return st;
    st = ccrnn_cerebellum_load_mem(data, n, out);
    free(data);
    return st;
}

/* ---- optimizer ---------------------------------------------------------------------
 * payload: u32 kind (0xFFFFFFFF: not recorded), f64 lr beta1 beta2 eps weight_decay
 * momentum alpha clip_norm, u64 steps, f64 last_norm, u64 n_groups, then per group:
 * u64 n, f64 lr_scale, u32 frozen, u64 steps, f32 m[n], f32 v[n]. */

#define N_HYPER 8
static const int hyper_params[N_HYPER] = {
    CCRNN_PARAM_LR, CCRNN_PARAM_BETA1, CCRNN_PARAM_BETA2, CCRNN_PARAM_EPS,
    CCRNN_PARAM_WEIGHT_DECAY, CCRNN_PARAM_MOMENTUM, CCRNN_PARAM_ALPHA, CCRNN_PARAM_CLIP_NORM};

static void optimizer_payload(writer *w, const void *obj)
{
    ccrnn_optimizer *opt = (ccrnn_optimizer *)obj; /* the accessors only read here */
    put_u32(w, (uint32_t)ccrnn__optimizer_kind(opt));
    for (int i = 0; i < N_HYPER; i++) {
        double v;
        ccrnn_optimizer_get_param(opt, hyper_params[i], &v);
        put_f64(w, v);
    }
    uint64_t *steps;
    double *last_norm;
    ccrnn__optimizer_counters(opt, &steps, &last_norm);
    put_u64(w, *steps);
    put_f64(w, *last_norm);
    size_t groups = ccrnn__optimizer_group_count(opt);
    put_u64(w, groups);
    for (size_t g = 0; g < groups; g++) {
        float *m, *v;
        size_t n;
        uint64_t *gsteps;
        double scale, frozen;
        ccrnn__optimizer_group_state(opt, g, &m, &v, &n, &gsteps);
        ccrnn_optimizer_get_group_param(opt, g, CCRNN_GROUP_LR_SCALE, &scale);
        ccrnn_optimizer_get_group_param(opt, g, CCRNN_GROUP_FROZEN, &frozen);
        put_u64(w, n);
        put_f64(w, scale);
        put_u32(w, (uint32_t)frozen);
        put_u64(w, *gsteps);
        put_f32s(w, m, n);
        put_f32s(w, v, n);
    }
}

int ccrnn_optimizer_save_mem(const ccrnn_optimizer *opt, void *buf, size_t cap, size_t *size)
{
    int st = check_save_args(__func__, opt, buf, cap, size);
    if (st) return st;
    return emit(__func__, KIND_OPTIMIZER, optimizer_payload, opt, buf, cap, size);
}

int ccrnn_optimizer_save(const ccrnn_optimizer *opt, const char *path)
{
    return save_file(__func__, KIND_OPTIMIZER, optimizer_payload, opt, path);
}

/* Would the optimizer accept this value?  Set it, then put the old one back, so the
 * library's own range checks decide and nothing changes. */
static int probe_param(ccrnn_optimizer *opt, int param, double value)
{
    double old;
    ccrnn_optimizer_get_param(opt, param, &old);
    int st = ccrnn_optimizer_set_param(opt, param, value);
    if (!st) ccrnn_optimizer_set_param(opt, param, old);
    return st;
}

static int probe_group_param(ccrnn_optimizer *opt, size_t g, int param, double value)
{
    double old;
    ccrnn_optimizer_get_group_param(opt, g, param, &old);
    int st = ccrnn_optimizer_set_group_param(opt, g, param, value);
    if (!st) ccrnn_optimizer_set_group_param(opt, g, param, old);
    return st;
}

/* One group's record, checked against the target optimizer without changing it.  On
 * success r is left just past the record. */
static int check_group(const char *fn, reader *r, ccrnn_optimizer *opt, size_t g)
{
    float *m, *v;
    size_t n;
    uint64_t *steps;
    ccrnn__optimizer_group_state(opt, g, &m, &v, &n, &steps);
    uint64_t got_n = get_u64(r);
    double scale = get_f64(r);
    uint32_t frozen = get_u32(r);
    get_u64(r);
    if (r->truncated) return ccrnn__fail(CCRNN_ERR_FORMAT, fn, "truncated group %zu", g);
    if (got_n != n)
        return ccrnn__fail(CCRNN_ERR_MISMATCH, fn, "group %zu holds %llu values in the checkpoint, "
                           "%zu in this optimizer", g, (unsigned long long)got_n, n);
    if (probe_group_param(opt, g, CCRNN_GROUP_LR_SCALE, scale) ||
        probe_group_param(opt, g, CCRNN_GROUP_FROZEN, frozen))
        return ccrnn__fail(CCRNN_ERR_FORMAT, fn, "group %zu: invalid lr scale or frozen flag", g);
    if (n > remaining(r) / 8) return ccrnn__fail(CCRNN_ERR_FORMAT, fn, "truncated group %zu", g);
    reader probe = {r->p, r->n, r->pos, 0};
    for (size_t i = 0; i < 2 * n; i++) {
        uint32_t bits = get_u32(&probe);
        if ((bits & 0x7F800000u) == 0x7F800000u)
            return ccrnn__fail(CCRNN_ERR_NUMERIC, fn, "group %zu state holds NaN or Inf", g);
    }
    r->pos = probe.pos;
    return CCRNN_OK;
}

typedef struct opt_head {
    uint32_t kind;
    double hyper[N_HYPER];
    uint64_t steps;
    double last_norm;
    uint64_t groups;
} opt_head;

static int check_opt_head(const char *fn, reader *r, ccrnn_optimizer *opt, opt_head *h)
{
    h->kind = get_u32(r);
    for (int i = 0; i < N_HYPER; i++) h->hyper[i] = get_f64(r);
    h->steps = get_u64(r);
    h->last_norm = get_f64(r);
    h->groups = get_u64(r);
    if (r->truncated) return ccrnn__fail(CCRNN_ERR_FORMAT, fn, "truncated optimizer header");
    if (h->kind > CCRNN_OPT_RMSPROP && h->kind != OPT_KIND_UNRECORDED)
        return ccrnn__fail(CCRNN_ERR_FORMAT, fn, "unknown optimizer kind %u", (unsigned)h->kind);
    if (h->kind != OPT_KIND_UNRECORDED && (int)h->kind != ccrnn__optimizer_kind(opt))
        return ccrnn__fail(CCRNN_ERR_MISMATCH, fn, "checkpoint of optimizer kind %u, this "
                           "optimizer is kind %d", (unsigned)h->kind, ccrnn__optimizer_kind(opt));
    for (int i = 0; i < N_HYPER; i++)
        if (probe_param(opt, hyper_params[i], h->hyper[i]))
            return ccrnn__fail(CCRNN_ERR_FORMAT, fn, "hyperparameter %d = %g is out of range",
                               hyper_params[i], h->hyper[i]);
    if (!(h->last_norm >= 0.0 && h->last_norm <= DBL_MAX))
        return ccrnn__fail(CCRNN_ERR_FORMAT, fn, "last gradient norm %g is invalid", h->last_norm);
    if (h->groups != ccrnn__optimizer_group_count(opt))
        return ccrnn__fail(CCRNN_ERR_MISMATCH, fn, "%llu groups in the checkpoint, %zu in this "
                           "optimizer", (unsigned long long)h->groups,
                           ccrnn__optimizer_group_count(opt));
    return CCRNN_OK;
}

/* Second pass over a fully validated payload: nothing here can fail. */
static void apply_optimizer(reader *r, ccrnn_optimizer *opt, const opt_head *h)
{
    for (int i = 0; i < N_HYPER; i++) ccrnn_optimizer_set_param(opt, hyper_params[i], h->hyper[i]);
    uint64_t *steps;
    double *last_norm;
    ccrnn__optimizer_counters(opt, &steps, &last_norm);
    *steps = h->steps;
    *last_norm = h->last_norm;
    for (size_t g = 0; g < h->groups; g++) {
        float *m, *v;
        size_t n;
        uint64_t *gsteps;
        ccrnn__optimizer_group_state(opt, g, &m, &v, &n, &gsteps);
        get_u64(r);
        ccrnn_optimizer_set_group_param(opt, g, CCRNN_GROUP_LR_SCALE, get_f64(r));
        ccrnn_optimizer_set_group_param(opt, g, CCRNN_GROUP_FROZEN, get_u32(r));
        *gsteps = get_u64(r);
        get_f32s(r, m, n);
        get_f32s(r, v, n);
    }
}

int ccrnn_optimizer_load_mem(ccrnn_optimizer *opt, const void *buf, size_t size)
{
    const char *fn = __func__;
    if (!opt) return FAIL(CCRNN_ERR_NULL, "argument 'opt' is NULL");
    if (!buf) return FAIL(CCRNN_ERR_NULL, "argument 'buf' is NULL");
    int st = check_header(fn, buf, size, KIND_OPTIMIZER, 1);
    if (st) return st;
    reader r = {(const unsigned char *)buf + HEADER_LEN, size - HEADER_LEN, 0, 0};
    opt_head h;
    st = check_opt_head(fn, &r, opt, &h);
    if (st) return st;
    size_t groups_at = r.pos;
    for (size_t g = 0; g < h.groups && !st; g++) st = check_group(fn, &r, opt, g);
    if (!st) st = end_of_payload(fn, &r);
    if (st) return st;
    r.pos = groups_at;
    apply_optimizer(&r, opt, &h);
    return CCRNN_OK;
}

int ccrnn_optimizer_load(ccrnn_optimizer *opt, const char *path)
{
    if (!opt) return FAIL(CCRNN_ERR_NULL, "argument 'opt' is NULL");
    if (!path) return FAIL(CCRNN_ERR_NULL, "argument 'path' is NULL");
    unsigned char *data;
    size_t n;
    int st = read_file(__func__, path, &data, &n);
    if (st) return st;
    st = ccrnn_optimizer_load_mem(opt, data, n);
    free(data);
    return st;
}
