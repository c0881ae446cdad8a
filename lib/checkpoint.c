/* The checkpoint codec: one format for every object, written from and checked against
 * the objects' own self-descriptions (checkpoint.h).  docs/reliability.md documents the
 * format.
 *
 * Why it looks the way it does.  Every field is written byte by byte in little-endian
 * order (never a struct), so a checkpoint moves between machines and compilers.  The
 * header carries magic, format version, object kind and payload length, each checked
 * on its own so a damaged header gives a precise status; a CRC-32 over the payload
 * catches damage inside it.  The payload is a list of named entries (name, type, rows,
 * cols, values), so a reader in any language needs no knowledge of the objects.  The
 * reader treats every byte as hostile: all reads are bounds-checked, an object's sizes
 * are bounded (each size, and the memory its create would allocate) before anything is
 * allocated, and a handle is only handed out once every entry has been checked.
 *
 * Format 2 (libccrnn 0.2).  Header, 32 bytes: magic 89 'ccRNN' 0D 0A, u32 version 2,
 * u32 kind (1 cortex, 2 cerebellum, 3 optimizer), u64 payload length, u32 CRC-32 of the
 * payload, u32 0.  Payload: u32 entry count, then per entry: u8 name length (1..47),
 * the name, u8 type (1 u64, 2 f64, 3 f32), u64 rows, u64 cols (0: a vector of rows
 * values; a scalar is 1 x 0), then rows*max(cols,1) values of the type.
 */
#define _XOPEN_SOURCE 700 /* realpath */
#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checkpoint.h"

#define MAGIC_LEN 8
#define HEADER_LEN 32
#define FORMAT_VERSION 2u
#define NAME_LEN_MAX 47u

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


static uint64_t sat_mul(uint64_t a, uint64_t b) { return a && b > UINT64_MAX / a ? UINT64_MAX : a * b; }

/* ---- entries ---------------------------------------------------------------------- */

static void entry_init(ccrnn_entry *e, const char *name, int type, uint64_t rows, uint64_t cols)
{
    memset(e, 0, sizeof *e);
    size_t len = strlen(name);
    memcpy(e->name, name, len < sizeof e->name ? len : sizeof e->name - 1);
    e->type = type;
    e->rows = rows;
    e->cols = cols;
}

void ccrnn__entry_u64(ccrnn_entry *e, const char *name, uint64_t value, double lo, double hi)
{
    entry_init(e, name, CCRNN__U64, 1, 0);
    e->scalar.u = value;
    e->lo = lo;
    e->hi = hi;
}

void ccrnn__entry_f64(ccrnn_entry *e, const char *name, double value, double lo, double hi)
{
    entry_init(e, name, CCRNN__F64, 1, 0);
    e->scalar.f = value;
    e->lo = lo;
    e->hi = hi;
}

void ccrnn__entry_f32(ccrnn_entry *e, const char *name, float *data, uint64_t rows, uint64_t cols)
{
    entry_init(e, name, CCRNN__F32, rows, cols);
    e->data = data;
    e->lo = -FLT_MAX;
    e->hi = FLT_MAX;
}

void ccrnn__entry_setting(ccrnn_entry *e, const char *name, int param, double value)
{
    double lo = 0, hi = 0;
    ccrnn_param_bounds(param, &lo, &hi);
    ccrnn__entry_f64(e, name, value, lo, hi);
    e->integer = ccrnn__setting_integer(param);
}

size_t ccrnn__entries_params(ccrnn_entry *e, const ccrnn_params *p)
{
    size_t n = p->n_tensors;
    for (size_t i = 0; i < n; i++) {
        const ccrnn_tensor *t = &p->tensors[i];
        char grad[sizeof e->name];
        snprintf(grad, sizeof grad, "%s.grad", t->name);
        ccrnn__entry_f32(&e[i], t->name, p->values + t->offset, t->rows, t->cols);
        ccrnn__entry_f32(&e[n + i], grad, p->grads + t->offset, t->rows, t->cols);
    }
    return 2 * n;
}

double ccrnn__entry_number(const ccrnn_entry *e, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(e[i].name, name) == 0)
            return e[i].type == CCRNN__U64 ? (double)e[i].scalar.u : e[i].scalar.f;
    return 0.0;
}

static uint64_t entry_count(uint64_t rows, uint64_t cols) { return sat_mul(rows, cols ? cols : 1); }
static size_t type_size(int type) { return type == CCRNN__F32 ? 4 : 8; }

/* ---- writing ------------------------------------------------------------------------ */

static void put_entries(writer *w, const ccrnn_entry *e, size_t n)
{
    put_u32(w, (uint32_t)n);
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(e[i].name);
        put_u8(w, (unsigned)len);
        for (size_t k = 0; k < len; k++) put_u8(w, (unsigned char)e[i].name[k]);
        put_u8(w, (unsigned)e[i].type);
        put_u64(w, e[i].rows);
        put_u64(w, e[i].cols);
        if (e[i].type == CCRNN__U64) put_u64(w, e[i].scalar.u);
        else if (e[i].type == CCRNN__F64) put_f64(w, e[i].scalar.f);
        else put_f32s(w, e[i].data, (size_t)entry_count(e[i].rows, e[i].cols));
    }
}

static void write_header(unsigned char *buf, int kind, size_t payload_len)
{
    writer w = {buf, 0};
    for (size_t i = 0; i < MAGIC_LEN; i++) put_u8(&w, magic[i]);
    put_u32(&w, FORMAT_VERSION);
    put_u32(&w, (uint32_t)kind);
    put_u64(&w, (uint64_t)payload_len);
    put_u32(&w, crc32_ieee(buf + HEADER_LEN, payload_len));
    put_u32(&w, 0); /* reserved */
}

int ccrnn__ck_save_mem(const char *fn, int kind, const ccrnn_entry *e, size_t n, void *buf,
                       size_t cap, size_t *size)
{
    if (!size) return ccrnn__fail(CCRNN_ERR_NULL, fn, "argument 'size' is NULL");
    if (!buf && cap)
        return ccrnn__fail(CCRNN_ERR_NULL, fn, "buf is NULL but cap is %zu (use cap 0 to "
                           "query the size)", cap);
    writer count = {NULL, 0};
    put_entries(&count, e, n);
    size_t total = HEADER_LEN + count.len;
    *size = total;
    if (!buf) return CCRNN_OK;
    if (cap < total)
        return ccrnn__fail(CCRNN_ERR_SHAPE, fn, "buffer holds %zu bytes, the checkpoint needs %zu",
                           cap, total);
    writer w = {(unsigned char *)buf + HEADER_LEN, 0};
    put_entries(&w, e, n);
    write_header(buf, kind, w.len);
    return CCRNN_OK;
}

/* ---- files ---------------------------------------------------------------------------- */

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


/* Where a save really goes: a symbolic link is followed, so the file it names is
 * replaced and the link stays.  *real is malloc'd. */
static int resolve_target(const char *fn, const char *path, char **real)
{
    char *target = NULL;
    struct stat sb;
    if (lstat(path, &sb) == 0 && S_ISLNK(sb.st_mode)) {
        target = realpath(path, NULL);
        if (!target)
            return ccrnn__fail(CCRNN_ERR_IO, fn, "'%s' is a symbolic link to a missing file", path);
    } else {
        target = malloc(strlen(path) + 1);
        if (!target) return ccrnn__fail(CCRNN_ERR_NOMEM, fn, "out of memory");
        strcpy(target, path);
    }
    *real = target;
    return CCRNN_OK;
}

/* A fresh temporary in the target's directory, with a short name (a long target name
 * must not push it past NAME_MAX).  It takes the existing file's permissions, or the
 * usual 0666 less the umask for a new file. */
static int open_temp(const char *target, char **tmp_out)
{
    const char *slash = strrchr(target, '/');
    size_t dir_len = slash ? (size_t)(slash - target) + 1 : 0;
    char *tmp = malloc(dir_len + 64);
    if (!tmp) return -1;
    struct stat sb;
    int keep_mode = stat(target, &sb) == 0 && S_ISREG(sb.st_mode);
    int fd = -1;
    for (unsigned attempt = 0; attempt < 64; attempt++) {
        memcpy(tmp, target, dir_len);
        snprintf(tmp + dir_len, 64, ".ccrnn-tmp.%ld.%lx.%u", (long)getpid(),
                 (unsigned long)(uintptr_t)&fd, attempt);
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0 || errno != EEXIST) break;
    }
    if (fd >= 0 && keep_mode && fchmod(fd, sb.st_mode & 07777) != 0) {
        close(fd);
        unlink(tmp);
        fd = -1;
    }
    if (fd < 0) {
        free(tmp);
        return -1;
    }
    *tmp_out = tmp;
    return fd;
}

/* Write data beside the target, flush it to the disk, then rename it over the target,
 * so a crash at any moment leaves either the old file or the new one, never a mix. */
static int write_atomic(const char *fn, const char *path, const unsigned char *data, size_t n)
{
    char *target = NULL, *tmp = NULL;
    int st = resolve_target(fn, path, &target);
    if (st) return st;
    int fd = open_temp(target, &tmp);
    if (fd < 0) {
        int e = errno;
        free(target);
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
    if (ok && rename(tmp, target) != 0) {
        ok = 0;
        e = errno;
    }
    if (!ok) unlink(tmp);
    else sync_parent_dir(target);
    free(tmp);
    free(target);
    if (!ok)
        return ccrnn__fail(CCRNN_ERR_IO, fn, "writing '%s' failed (errno %d); the previous file "
                           "is unchanged", path, e);
    return CCRNN_OK;
}

int ccrnn__ck_save_file(const char *fn, int kind, const ccrnn_entry *e, size_t n, const char *path)
{
    if (!path) return ccrnn__fail(CCRNN_ERR_NULL, fn, "argument 'path' is NULL");
    size_t size = 0;
    int st = ccrnn__ck_save_mem(fn, kind, e, n, NULL, 0, &size);
    if (st) return st;
    unsigned char *buf = malloc(size);
    if (!buf) return ccrnn__fail(CCRNN_ERR_NOMEM, fn, "out of memory for %zu bytes", size);
    st = ccrnn__ck_save_mem(fn, kind, e, n, buf, size, &size);
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


/* Read a whole regular file.  It is opened without blocking (a FIFO or device must not
 * hang the caller) and checked to be a regular file before anything is read; files
 * larger than any checkpoint a loader accepts are refused before reading. */
static int read_file(const char *fn, const char *path, unsigned char **data, size_t *n)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return ccrnn__fail(CCRNN_ERR_IO, fn, "cannot open '%s' (errno %d)", path, errno);
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        return ccrnn__fail(CCRNN_ERR_IO, fn, "'%s' is not a readable regular file", path);
    }
    if ((uint64_t)sb.st_size > CCRNN__FOOTPRINT_LIMIT + HEADER_LEN ||
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

/* ---- reading ------------------------------------------------------------------------- */

typedef struct ck_entry {
    const unsigned char *name;
    size_t name_len;
    int type;
    uint64_t rows, cols, count;
    size_t at;                  /* payload offset of the values */
} ck_entry;

struct ccrnn_ck {
    const unsigned char *payload;
    size_t len;
    ck_entry *entries;
    size_t n;
    unsigned char *owned;       /* the file's bytes, when read from a file */
};

static const char *kind_name(uint32_t kind)
{
    return kind == CCRNN__CK_CORTEX ? "cortex" : kind == CCRNN__CK_CEREBELLUM ? "cerebellum"
                                                                             : "optimizer";
}

/* The order of the checks decides which status a damaged checkpoint gets: magic,
 * version, kind, length, reserved, checksum. */
static int check_header(const char *fn, const unsigned char *buf, size_t size, int want)
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
        return ccrnn__fail(CCRNN_ERR_VERSION, fn, "format version %u, this library reads %u%s",
                           (unsigned)version, FORMAT_VERSION,
                           version == 1 ? " (written by libccrnn 0.1; see docs/changelog.md)" : "");
    if (kind < CCRNN__CK_CORTEX || kind > CCRNN__CK_OPTIMIZER)
        return ccrnn__fail(CCRNN_ERR_FORMAT, fn, "unknown object kind %u", (unsigned)kind);
    if ((int)kind != want)
        return ccrnn__fail(CCRNN_ERR_MISMATCH, fn, "checkpoint holds a %s, not a %s",
                           kind_name(kind), kind_name((uint32_t)want));
    if (payload_len != (uint64_t)(size - HEADER_LEN))
        return ccrnn__fail(CCRNN_ERR_FORMAT, fn, "payload length %llu, but %zu bytes follow the "
                           "header (truncated or padded)", (unsigned long long)payload_len,
                           size - HEADER_LEN);
    if (reserved != 0)
        return ccrnn__fail(CCRNN_ERR_FORMAT, fn, "reserved header field is %u, not 0",
                           (unsigned)reserved);
    if (crc32_ieee(buf + HEADER_LEN, size - HEADER_LEN) != crc)
        return ccrnn__fail(CCRNN_ERR_CHECKSUM, fn, "payload CRC-32 mismatch");
    return CCRNN_OK;
}

static const ck_entry *find(const ccrnn_ck *ck, const char *name)
{
    size_t len = strlen(name);
    for (size_t i = 0; i < ck->n; i++)
        if (ck->entries[i].name_len == len && memcmp(ck->entries[i].name, name, len) == 0)
            return &ck->entries[i];
    return NULL;
}

/* Index every entry; each must fit in the payload and names must be unique. */
static int index_entries(const char *fn, ccrnn_ck *ck)
{
    reader r = {ck->payload, ck->len, 0, 0};
    uint32_t n = get_u32(&r);
    /* The smallest entry takes 1 + 1 + 1 + 8 + 8 bytes and one value. */
    if (r.truncated || n > remaining(&r) / 23)
        return ccrnn__fail(CCRNN_ERR_FORMAT, fn, "entry count %u does not fit the payload",
                           (unsigned)n);
    ck->entries = calloc(n ? n : 1, sizeof *ck->entries);
    if (!ck->entries) return ccrnn__fail(CCRNN_ERR_NOMEM, fn, "out of memory");
    for (uint32_t i = 0; i < n; i++) {
        ck_entry *e = &ck->entries[i];
        uint32_t len = 0;
        if (take(&r, 1)) len = r.p[r.pos++];
        if (r.truncated || len == 0 || len > NAME_LEN_MAX || !take(&r, len))
            return ccrnn__fail(CCRNN_ERR_FORMAT, fn, "entry %u: bad name", (unsigned)i);
        e->name = r.p + r.pos;
        e->name_len = len;
        r.pos += len;
        e->type = take(&r, 1) ? r.p[r.pos++] : 0;
        e->rows = get_u64(&r);
        e->cols = get_u64(&r);
        e->count = entry_count(e->rows, e->cols);
        if (r.truncated || e->type < CCRNN__U64 || e->type > CCRNN__F32)
            return ccrnn__fail(CCRNN_ERR_FORMAT, fn, "entry '%.*s': bad type or truncated",
                               (int)len, (const char *)e->name);
        if (e->count == 0 || e->count > remaining(&r) / type_size(e->type))
            return ccrnn__fail(CCRNN_ERR_FORMAT, fn, "entry '%.*s': %llu x %llu values do not fit",
                               (int)len, (const char *)e->name, (unsigned long long)e->rows,
                               (unsigned long long)e->cols);
        e->at = r.pos;
        r.pos += (size_t)e->count * type_size(e->type);
        for (uint32_t k = 0; k < i; k++)
            if (ck->entries[k].name_len == len && !memcmp(ck->entries[k].name, e->name, len))
                return ccrnn__fail(CCRNN_ERR_FORMAT, fn, "entry '%.*s' appears twice", (int)len,
                                   (const char *)e->name);
        ck->n = i + 1;
    }
    if (remaining(&r))
        return ccrnn__fail(CCRNN_ERR_FORMAT, fn, "%zu unexpected bytes after the entries",
                           remaining(&r));
    return CCRNN_OK;
}

int ccrnn__ck_open(const char *fn, const void *buf, size_t size, int kind, ccrnn_ck **out)
{
    int st = check_header(fn, buf, size, kind);
    if (st) return st;
    ccrnn_ck *ck = calloc(1, sizeof *ck);
    if (!ck) return ccrnn__fail(CCRNN_ERR_NOMEM, fn, "out of memory");
    ck->payload = (const unsigned char *)buf + HEADER_LEN;
    ck->len = size - HEADER_LEN;
    st = index_entries(fn, ck);
    if (st) {
        ccrnn__ck_close(ck);
        return st;
    }
    *out = ck;
    return CCRNN_OK;
}

int ccrnn__ck_open_file(const char *fn, const char *path, int kind, ccrnn_ck **out)
{
    if (!path) return ccrnn__fail(CCRNN_ERR_NULL, fn, "argument 'path' is NULL");
    unsigned char *data = NULL;
    size_t n = 0;
    int st = read_file(fn, path, &data, &n);
    if (st) return st;
    st = ccrnn__ck_open(fn, data, n, kind, out);
    if (st) free(data);
    else (*out)->owned = data;
    return st;
}

void ccrnn__ck_close(ccrnn_ck *ck)
{
    if (!ck) return;
    free(ck->entries);
    free(ck->owned);
    free(ck);
}

int ccrnn__ck_has(const ccrnn_ck *ck, const char *name) { return find(ck, name) != NULL; }

int ccrnn__ck_check_shapes(const char *fn, const ccrnn_ck *ck, const ccrnn_params *p)
{
    for (size_t i = 0; i < 2 * p->n_tensors; i++) {
        const ccrnn_tensor *t = &p->tensors[i % p->n_tensors];
        char name[sizeof t->name + 8];
        snprintf(name, sizeof name, i < p->n_tensors ? "%s" : "%s.grad", t->name);
        const ck_entry *e = find(ck, name);
        if (!e || e->type != CCRNN__F32 || e->rows != t->rows || e->cols != t->cols)
            return ccrnn__fail(CCRNN_ERR_FORMAT, fn, "entry '%s' is missing or not %zu x %zu, "
                               "as the sizes imply", name, t->rows, t->cols);
    }
    return CCRNN_OK;
}

static uint64_t read_u64_at(const ccrnn_ck *ck, size_t at)
{
    reader r = {ck->payload, ck->len, at, 0};
    return get_u64(&r);
}

static double read_f64_at(const ccrnn_ck *ck, size_t at)
{
    reader r = {ck->payload, ck->len, at, 0};
    return get_f64(&r);
}

static const ck_entry *scalar(const char *fn, const ccrnn_ck *ck, const char *name, int type,
                             int *st)
{
    const ck_entry *e = find(ck, name);
    if (!e) *st = ccrnn__fail(CCRNN_ERR_FORMAT, fn, "entry '%s' is missing", name);
    else if (e->type != type || e->rows != 1 || e->cols != 0)
        *st = ccrnn__fail(CCRNN_ERR_FORMAT, fn, "entry '%s' is not a scalar of the right type", name);
    else *st = CCRNN_OK;
    return *st ? NULL : e;
}

int ccrnn__ck_u64(const char *fn, const ccrnn_ck *ck, const char *name, uint64_t lo, uint64_t hi,
                  uint64_t *value)
{
    int st;
    const ck_entry *e = scalar(fn, ck, name, CCRNN__U64, &st);
    if (st) return st;
    uint64_t v = read_u64_at(ck, e->at);
    if (v < lo || v > hi)
        return ccrnn__fail(CCRNN_ERR_FORMAT, fn, "%s = %llu is outside %llu..%llu", name,
                           (unsigned long long)v, (unsigned long long)lo, (unsigned long long)hi);
    *value = v;
    return CCRNN_OK;
}

/* One described entry against the file: shape, type, every value's range. */
static int check_one(const char *fn, const ccrnn_ck *ck, const ccrnn_entry *d)
{
    const ck_entry *e = find(ck, d->name);
    if (!e) return ccrnn__fail(CCRNN_ERR_FORMAT, fn, "entry '%s' is missing", d->name);
    if (e->type != d->type || e->rows != d->rows || e->cols != d->cols)
        return ccrnn__fail(CCRNN_ERR_FORMAT, fn, "entry '%s' is not of type %d, %llu x %llu",
                           d->name, d->type, (unsigned long long)d->rows, (unsigned long long)d->cols);
    if (d->type == CCRNN__U64) {
        uint64_t v = read_u64_at(ck, e->at);
        if ((double)v < d->lo || (double)v > d->hi)
            return ccrnn__fail(CCRNN_ERR_FORMAT, fn, "%s = %llu is outside [%g, %g]", d->name,
                               (unsigned long long)v, d->lo, d->hi);
        return CCRNN_OK;
    }
    if (d->type == CCRNN__F64) {
        double v = read_f64_at(ck, e->at);
        if (!(v >= d->lo && v <= d->hi) || (d->integer && v != floor(v)))
            return ccrnn__fail(CCRNN_ERR_FORMAT, fn, "%s = %g is outside [%g, %g]%s", d->name, v,
                               d->lo, d->hi, d->integer ? " or not whole" : "");
        return CCRNN_OK;
    }
    reader r = {ck->payload, ck->len, e->at, 0};
    for (uint64_t i = 0; i < e->count; i++) {
        uint32_t bits = get_u32(&r);
        float v;
        memcpy(&v, &bits, sizeof v);
        if ((bits & 0x7F800000u) == 0x7F800000u)
            return ccrnn__fail(CCRNN_ERR_NUMERIC, fn, "entry '%s' holds NaN or Inf", d->name);
        if (v < d->lo || v > d->hi || (d->integer && v != floorf(v)))
            return ccrnn__fail(CCRNN_ERR_FORMAT, fn, "entry '%s' holds %g, outside [%g, %g]%s",
                               d->name, (double)v, d->lo, d->hi, d->integer ? " or not whole" : "");
    }
    return CCRNN_OK;
}

int ccrnn__ck_check(const char *fn, const ccrnn_ck *ck, const ccrnn_entry *d, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int st = check_one(fn, ck, &d[i]);
        if (st) return st;
    }
    if (ck->n != n)
        return ccrnn__fail(CCRNN_ERR_FORMAT, fn, "%zu entries, the object has %zu", ck->n, n);
    return CCRNN_OK;
}

void ccrnn__ck_copy(const ccrnn_ck *ck, ccrnn_entry *d, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const ck_entry *e = find(ck, d[i].name);
        if (d[i].type == CCRNN__U64) d[i].scalar.u = read_u64_at(ck, e->at);
        else if (d[i].type == CCRNN__F64) d[i].scalar.f = read_f64_at(ck, e->at);
        else {
            reader r = {ck->payload, ck->len, e->at, 0};
            get_f32s(&r, d[i].data, (size_t)e->count);
        }
    }
}

/* ---- the public save and load calls ---------------------------------------------------- */

#define CORTEX_TABLE(cx, e, n) ccrnn_entry e[CCRNN__CORTEX_ENTRIES]; size_t n = ccrnn__cortex_describe(cx, e)
#define CEREBELLUM_TABLE(cb, e, n) ccrnn_entry e[CCRNN__CEREBELLUM_ENTRIES]; size_t n = ccrnn__cerebellum_describe(cb, e)

int ccrnn_cortex_save_mem(const ccrnn_cortex *cx, void *buf, size_t cap, size_t *size)
{
    REQUIRE(cx);
    CORTEX_TABLE(cx, e, n);
    return ccrnn__ck_save_mem(__func__, CCRNN__CK_CORTEX, e, n, buf, cap, size);
}

int ccrnn_cortex_save(const ccrnn_cortex *cx, const char *path)
{
    REQUIRE(cx);
    CORTEX_TABLE(cx, e, n);
    return ccrnn__ck_save_file(__func__, CCRNN__CK_CORTEX, e, n, path);
}

int ccrnn_cerebellum_save_mem(const ccrnn_cerebellum *cb, void *buf, size_t cap, size_t *size)
{
    REQUIRE(cb);
    CEREBELLUM_TABLE(cb, e, n);
    return ccrnn__ck_save_mem(__func__, CCRNN__CK_CEREBELLUM, e, n, buf, cap, size);
}

int ccrnn_cerebellum_save(const ccrnn_cerebellum *cb, const char *path)
{
    REQUIRE(cb);
    CEREBELLUM_TABLE(cb, e, n);
    return ccrnn__ck_save_file(__func__, CCRNN__CK_CEREBELLUM, e, n, path);
}

/* The optimizer's table grows with its groups, so it lives on the heap. */
static int optimizer_table(const char *fn, const ccrnn_optimizer *opt, ccrnn_entry **e, size_t *n)
{
    *n = ccrnn__optimizer_describe(opt, NULL);
    *e = malloc(*n * sizeof **e);
    if (!*e) return ccrnn__fail(CCRNN_ERR_NOMEM, fn, "out of memory");
    ccrnn__optimizer_describe(opt, *e);
    return CCRNN_OK;
}

int ccrnn_optimizer_save_mem(const ccrnn_optimizer *opt, void *buf, size_t cap, size_t *size)
{
    REQUIRE(opt);
    ccrnn_entry *e;
    size_t n;
    int st = optimizer_table(__func__, opt, &e, &n);
    if (!st) st = ccrnn__ck_save_mem(__func__, CCRNN__CK_OPTIMIZER, e, n, buf, cap, size);
    free(e);
    return st;
}

int ccrnn_optimizer_save(const ccrnn_optimizer *opt, const char *path)
{
    REQUIRE(opt);
    ccrnn_entry *e;
    size_t n;
    int st = optimizer_table(__func__, opt, &e, &n);
    if (!st) st = ccrnn__ck_save_file(__func__, CCRNN__CK_OPTIMIZER, e, n, path);
    free(e);
    return st;
}

/* Open a checkpoint from memory (path NULL) or a file, run the object's restore on it,
 * close it: every public load is this with its kind and restore. */
typedef int (*restore_fn)(const char *fn, const ccrnn_ck *ck, void *target);

static int load(const char *fn, const void *buf, size_t size, const char *path, int kind,
                restore_fn restore, void *target)
{
    ccrnn_ck *ck;
    int st = path ? ccrnn__ck_open_file(fn, path, kind, &ck) : ccrnn__ck_open(fn, buf, size, kind, &ck);
    if (st) return st;
    st = restore(fn, ck, target);
    ccrnn__ck_close(ck);
    return st;
}

static int restore_cortex(const char *fn, const ccrnn_ck *ck, void *out)
{
    return ccrnn__cortex_restore(fn, ck, out);
}

static int restore_cerebellum(const char *fn, const ccrnn_ck *ck, void *out)
{
    return ccrnn__cerebellum_restore(fn, ck, out);
}

static int restore_optimizer(const char *fn, const ccrnn_ck *ck, void *opt)
{
    return ccrnn__optimizer_restore(fn, ck, opt);
}

int ccrnn_cortex_load_mem(const void *buf, size_t size, ccrnn_cortex **out)
{
    REQUIRE(buf);
    REQUIRE(out);
    return load(__func__, buf, size, NULL, CCRNN__CK_CORTEX, restore_cortex, out);
}

int ccrnn_cortex_load(const char *path, ccrnn_cortex **out)
{
    REQUIRE(path);
    REQUIRE(out);
    return load(__func__, NULL, 0, path, CCRNN__CK_CORTEX, restore_cortex, out);
}

int ccrnn_cerebellum_load_mem(const void *buf, size_t size, ccrnn_cerebellum **out)
{
    REQUIRE(buf);
    REQUIRE(out);
    return load(__func__, buf, size, NULL, CCRNN__CK_CEREBELLUM, restore_cerebellum, out);
}

int ccrnn_cerebellum_load(const char *path, ccrnn_cerebellum **out)
{
    REQUIRE(path);
    REQUIRE(out);
    return load(__func__, NULL, 0, path, CCRNN__CK_CEREBELLUM, restore_cerebellum, out);
}

int ccrnn_optimizer_load_mem(ccrnn_optimizer *opt, const void *buf, size_t size)
{
    REQUIRE(opt);
    REQUIRE(buf);
    return load(__func__, buf, size, NULL, CCRNN__CK_OPTIMIZER, restore_optimizer, opt);
}

int ccrnn_optimizer_load(ccrnn_optimizer *opt, const char *path)
{
    REQUIRE(opt);
    REQUIRE(path);
    return load(__func__, NULL, 0, path, CCRNN__CK_OPTIMIZER, restore_optimizer, opt);
}
