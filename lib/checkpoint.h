/* The checkpoint codec (checkpoint.c) and the self-descriptions it works from.
 *
 * An object describes its checkpoint as a table of named, typed entries with shapes
 * (ccrnn_entry): its sizes, settings, tensors, gradients and state, each with the range
 * a loaded value must lie in.  The codec writes any such table (header, CRC, entries)
 * and reads one back: it indexes a file's entries with every read bounded, checks them
 * against the table an object gives for the shapes the file declares (names, types,
 * shapes, ranges, finiteness, nothing missing or left over), and only then copies. */
#ifndef CCRNN_CHECKPOINT_H
#define CCRNN_CHECKPOINT_H

#include "params.h"

enum { CCRNN__U64 = 1, CCRNN__F64 = 2, CCRNN__F32 = 3 };

typedef struct ccrnn_entry {
    char name[48];
    int type;             /* CCRNN__U64, CCRNN__F64 or CCRNN__F32 */
    uint64_t rows, cols;  /* a scalar is 1 x 0, a vector n x 0 */
    void *data;           /* F32: the values (read when saving, written when loading) */
    union {
        uint64_t u;
        double f;
    } scalar;             /* U64 / F64: the value */
    double lo, hi;        /* accepted range of every value (F32 values must be finite too) */
    int integer;          /* F64 / F32: values must be whole numbers (a switch, a 0/1 mask) */
} ccrnn_entry;

CCRNN_HIDDEN void ccrnn__entry_u64(ccrnn_entry *e, const char *name, uint64_t value, double lo,
                                   double hi);
CCRNN_HIDDEN void ccrnn__entry_f64(ccrnn_entry *e, const char *name, double value, double lo,
                                   double hi);
/* F32 values of any finite value; narrow lo/hi or set integer afterwards. */
CCRNN_HIDDEN void ccrnn__entry_f32(ccrnn_entry *e, const char *name, float *data, uint64_t rows,
                                   uint64_t cols);
/* A named setting (enum ccrnn_param) with the settings table's range. */
CCRNN_HIDDEN void ccrnn__entry_setting(ccrnn_entry *e, const char *name, int param, double value);
/* Every tensor of a parameter core, then every gradient ("<name>.grad"); 2 * n_tensors. */
CCRNN_HIDDEN size_t ccrnn__entries_params(ccrnn_entry *e, const ccrnn_params *p);

/* The scalar value of the entry called `name` in a table (after ccrnn__ck_copy). */
CCRNN_HIDDEN double ccrnn__entry_number(const ccrnn_entry *e, size_t n, const char *name);

/* A checkpoint being read: its entries, indexed. */
typedef struct ccrnn_ck ccrnn_ck;
enum { CCRNN__CK_CORTEX = 1, CCRNN__CK_CEREBELLUM = 2, CCRNN__CK_OPTIMIZER = 3 };

/* Memory and file writers of a table.  save_mem: buf NULL with cap 0 is a size query. */
CCRNN_HIDDEN int ccrnn__ck_save_mem(const char *fn, int kind, const ccrnn_entry *e, size_t n,
                                    void *buf, size_t cap, size_t *size);
CCRNN_HIDDEN int ccrnn__ck_save_file(const char *fn, int kind, const ccrnn_entry *e, size_t n,
                                     const char *path);
/* Validate header and checksum and index the entries (allocates *out). */
CCRNN_HIDDEN int ccrnn__ck_open(const char *fn, const void *buf, size_t size, int kind,
                                ccrnn_ck **out);
/* The same from a file (read whole, bounded, regular files only). */
CCRNN_HIDDEN int ccrnn__ck_open_file(const char *fn, const char *path, int kind, ccrnn_ck **out);
CCRNN_HIDDEN void ccrnn__ck_close(ccrnn_ck *ck);
/* A U64 scalar the file must hold, in [lo, hi] (FORMAT otherwise); read before the
 * object exists (its sizes). */
CCRNN_HIDDEN int ccrnn__ck_u64(const char *fn, const ccrnn_ck *ck, const char *name, uint64_t lo,
                               uint64_t hi, uint64_t *value);
CCRNN_HIDDEN int ccrnn__ck_has(const ccrnn_ck *ck, const char *name);
/* Every tensor of a table and its gradient must be in the file with the table's shape:
 * checked from an object's sizes alone, before anything is allocated (FORMAT). */
CCRNN_HIDDEN int ccrnn__ck_check_shapes(const char *fn, const ccrnn_ck *ck, const ccrnn_params *p);
/* Check the file against the table (nothing written), then copy every entry into it:
 * F32 data to e->data, scalars to e->scalar.  FORMAT / NUMERIC on a mismatch. */
CCRNN_HIDDEN int ccrnn__ck_check(const char *fn, const ccrnn_ck *ck, const ccrnn_entry *e, size_t n);
CCRNN_HIDDEN void ccrnn__ck_copy(const ccrnn_ck *ck, ccrnn_entry *e, size_t n);

/* A loaded handle may not need more memory than this: a bigger one is refused as absurd. */
#define CCRNN__FOOTPRINT_LIMIT ((uint64_t)1 << 30)
/* Each size a loader accepts, as the _create calls. */
#define CCRNN__SIZE_LIMIT ((uint64_t)1 << 24)

/* The objects' descriptions and restores (in their own files). */
CCRNN_HIDDEN size_t ccrnn__cortex_describe(const ccrnn_cortex *cx, ccrnn_entry *e);
CCRNN_HIDDEN int ccrnn__cortex_restore(const char *fn, const ccrnn_ck *ck, ccrnn_cortex **out);
CCRNN_HIDDEN size_t ccrnn__cerebellum_describe(const ccrnn_cerebellum *cb, ccrnn_entry *e);
CCRNN_HIDDEN int ccrnn__cerebellum_restore(const char *fn, const ccrnn_ck *ck,
                                           ccrnn_cerebellum **out);
/* Entries of an optimizer checkpoint (e NULL: only the count). */
CCRNN_HIDDEN size_t ccrnn__optimizer_describe(const ccrnn_optimizer *opt, ccrnn_entry *e);
CCRNN_HIDDEN int ccrnn__optimizer_restore(const char *fn, const ccrnn_ck *ck, ccrnn_optimizer *opt);

#define CCRNN__CORTEX_ENTRIES 32
#define CCRNN__CEREBELLUM_ENTRIES (16 + 2 * CCRNN__MAX_TENSORS)

#endif
