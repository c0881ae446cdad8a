/* Shared helpers of the reliability tests: a pass/fail counter, a small ccRNN training
 * loop (docs/model.md §learning procedure) with deterministic data and checkpoint
 * snapshots; the random numbers, temporary files and checkpoint bytes come from
 * tests/support/test-support.h. */
#ifndef CCRNN_REL_UTIL_H
#define CCRNN_REL_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include <ccrnn/ccrnn.h>

#include "test-save.h"    /* checkpoint buffers */
#include "test-support.h" /* ts_rng, temporary files, checkpoint bytes */

/* ---- pass/fail accounting: each program ends with "N passed, M failed" ------------ */
extern int rel_passed, rel_failed;
/* Record one check; on failure print what failed (with the library's last message). */
int rel_check(int ok, const char *file, int line, const char *fmt, ...);
#define CHECK(cond, ...) rel_check(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define CHECK_STATUS(call, want)                                                        \
    do {                                                                                \
        int st_ = (call);                                                               \
        CHECK(st_ == (want), "%s returned %d (%s), expected %d (%s); last error: %s",    \
              #call, st_, ccrnn_strerror(st_), (int)(want), ccrnn_strerror(want),        \
              ccrnn_last_error());                                                      \
    } while (0)
/* Print the summary line and return the process exit code. */
int rel_summary(const char *program);
/* Fail the whole program at once (a setup step that must work did not). */
void rel_die(const char *fmt, ...);
#define MUST(call)                                                                      \
    do {                                                                                \
        int st_ = (call);                                                               \
        if (st_) rel_die("%s:%d: %s failed: %s (%s)", __FILE__, __LINE__, #call,         \
                         ccrnn_strerror(st_), ccrnn_last_error());                      \
    } while (0)

/* ---- a ccRNN model and its training loop ------------------------------------------ */
typedef struct rel_config {
    int cell;
    size_t n_in, n_hidden, n_out, batch, seq_len, tau;
    size_t cb_layers, cb_width, fibres; /* fibres 0: no mask */
    uint64_t seed;
} rel_config;

typedef struct rel_model {
    rel_config cfg;
    ccrnn_cortex *cx;
    ccrnn_cerebellum *cb;
    ccrnn_optimizer *opt;
    size_t Z;
    float *x, *y, *target, *dy, *dz, *dz_start; /* per-step / per-window scratch */
} rel_model;

/* The default small configuration (LSTM 3 -> 8 -> 2, batch 4, length 6, tau 2). */
rel_config rel_default_config(int cell);
/* Create the three objects (Adam, betas 0.9/0.98, eps 1e-9, clip 1) and scratch. */
void rel_model_create(rel_model *m, const rel_config *cfg);
/* Scratch and an optimizer around existing cortex and cerebellum (after loading). */
void rel_model_adopt(rel_model *m, const rel_config *cfg, ccrnn_cortex *cx,
                     ccrnn_cerebellum *cb);
void rel_model_destroy(rel_model *m);
/* Train one batch (number `index`: its data depend on index and the seed only).
 * Returns 0 on success, else the first failing status. */
int rel_train_batch(rel_model *m, uint64_t index);

/* ---- checkpoints ------------------------------------------------------------------ */
/* Save an object to a fresh malloc'd buffer (dies on failure). */
unsigned char *rel_save_cortex(const ccrnn_cortex *cx, size_t *n);
unsigned char *rel_save_cerebellum(const ccrnn_cerebellum *cb, size_t *n);
unsigned char *rel_save_optimizer(const ccrnn_optimizer *opt, size_t *n);

#endif
