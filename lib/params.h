/* The parameter core: what a cortex and a cerebellum share.  Each object's struct
 * begins with a ccrnn_params, so the public tensor, view and thread calls of both are
 * written once (params.c) and the optimizer and the checkpoint codec reach any
 * object's parameters through the same fields. */
#ifndef CCRNN_PARAMS_H
#define CCRNN_PARAMS_H

#include "internal.h"
#include "linalg.h"

#define CCRNN__MAX_TENSORS 40

typedef struct ccrnn_params {
    float *values, *grads;      /* count floats each, tensors back to back */
    size_t count;
    ccrnn_tensor tensors[CCRNN__MAX_TENSORS];
    size_t n_tensors;
    ccrnn_la *la;               /* BLIS runtime of the handle (its thread count) */
    /* Values kept at exactly zero (the cerebellum's mossy-fibre mask): entry i of the
     * mask multiplies values[mask_offset + i] after every write.  NULL: none. */
    const float *mask;
    size_t mask_offset, mask_len;
    uint64_t version;           /* changes whenever the values change */
    /* An upper bound on max |grads| kept through zeroing and accumulation, so the
     * overflow checks before each accumulation need no O(count) scan; INFINITY when not
     * known.  Never trusted once the host holds the writable gradient view. */
    double grad_bound;
    int grads_shared;
    /* What the optimizer does with this group: CCRNN__UPDATE, or skip it and zero
     * (CCRNN__HOLD_ZERO) or keep (CCRNN__HOLD_KEEP) its gradients. */
    int hold;
} ccrnn_params;

enum { CCRNN__UPDATE = 0, CCRNN__HOLD_ZERO = 1, CCRNN__HOLD_KEEP = 2 };

/* An allocation plan: the one list of an object's buffers, run either to allocate them
 * or only to count their bytes (the checkpoint loader's memory bound), so the two can
 * never disagree.  Counts saturate instead of overflowing. */
typedef struct ccrnn_plan {
    int allocate, failed;
    uint64_t bytes;
} ccrnn_plan;
/* a*b elements of `size` bytes: zeroed memory (allocate mode; NULL and `failed` set on
 * failure) or NULL (count mode). */
CCRNN_HIDDEN void *ccrnn__plan_take(ccrnn_plan *pl, uint64_t a, uint64_t b, size_t size);

/* Elements of a tensor (1-D tensors have cols = 0). */
static inline size_t ccrnn__numel(const ccrnn_tensor *t) { return t->rows * (t->cols ? t->cols : 1); }

/* Append a tensor to the table; offsets follow in order.  0 when the table is full. */
CCRNN_HIDDEN int ccrnn__params_add(ccrnn_params *p, const char *name, size_t rows, size_t cols);
/* Values, gradients and the BLIS runtime for the table built so far, by plan. */
CCRNN_HIDDEN void ccrnn__params_alloc(ccrnn_params *p, ccrnn_plan *pl);
CCRNN_HIDDEN void ccrnn__params_free(ccrnn_params *p);
/* dst (same table) takes src's values, gradients and thread count. */
CCRNN_HIDDEN void ccrnn__params_copy(ccrnn_params *dst, const ccrnn_params *src);
/* After any write of the values: re-apply the mask, bump the version. */
CCRNN_HIDDEN void ccrnn__params_written(ccrnn_params *p);
/* After values and gradients were replaced from a checkpoint: as _written, and the
 * gradient bound becomes unknown (the file's gradients were never measured). */
CCRNN_HIDDEN void ccrnn__params_loaded(ccrnn_params *p);
/* 1 when every finite gradient stays below `limit` after growing by at most `inc` in
 * magnitude: decided from the kept bound on max |grads|, and by an exact scan (which
 * refreshes the bound) only when the bound is unknown or too loose.  Non-finite
 * gradients already there are ignored: they are the optimizer's to refuse. */
CCRNN_HIDDEN int ccrnn__params_grads_fit(ccrnn_params *p, double inc, double limit);
/* After adding to the gradients: every one grew by at most `inc` in magnitude. */
CCRNN_HIDDEN void ccrnn__params_grads_added(ccrnn_params *p, double inc);
/* Zero every gradient (the bound becomes 0). */
CCRNN_HIDDEN void ccrnn__params_zero_grads(ccrnn_params *p);
/* After the gradients were zeroed elsewhere (the optimizer's update pass), or replaced
 * by unknown values (`known` 0: a checkpoint's). */
CCRNN_HIDDEN void ccrnn__params_grads_reset(ccrnn_params *p, int known);
/* THREADS for _set_param / _get_param. */
CCRNN_HIDDEN void ccrnn__params_set_threads(ccrnn_params *p, int threads);
CCRNN_HIDDEN int ccrnn__params_threads(const ccrnn_params *p);

#endif
