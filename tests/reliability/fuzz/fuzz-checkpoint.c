/* libFuzzer target for the checkpoint loaders (memory API).  Built three times, with
 * FUZZ_KIND 1 (cortex), 2 (cerebellum) or 3 (optimizer).  Each input is loaded as is
 * (exercising the header checks and the CRC) and, when it is at least a header long,
 * again with its payload length and CRC fields recomputed, so that truncations,
 * insertions and byte changes all reach the payload parser.
 * A successful load must give a usable object whose checkpoint is a fixed point:
 * save(load(save(load(x)))) == save(load(x)); anything else aborts (a finding). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rel-util.h"

#ifndef FUZZ_KIND
#error "define FUZZ_KIND (1 cortex, 2 cerebellum, 3 optimizer)"
#endif

#if FUZZ_KIND == 3
/* The optimizer loader needs a target with the structure of the seed corpus: two
 * host-owned groups of 5 and 3 values (tests/reliability/fuzz/gen-corpus.c). */
static float v0[5], g0[5], v1[3], g1[3];

static ccrnn_optimizer *fuzz_optimizer(void)
{
    ccrnn_optimizer *opt;
    if (ccrnn_optimizer_create(CCRNN_OPT_ADAM, &opt)) abort();
    if (ccrnn_optimizer_add_params(opt, v0, g0, 5, NULL)) abort();
    if (ccrnn_optimizer_add_params(opt, v1, g1, 3, NULL)) abort();
    return opt;
}
#endif

/* Load, then save into a fresh buffer; returns the saved bytes or NULL if the load
 * failed.  Success must leave a working object. */
static unsigned char *load_save(const unsigned char *data, size_t size, size_t *out_n)
{
    size_t n = 0;
    unsigned char *buf = NULL;
#if FUZZ_KIND == 1
    ccrnn_cortex *cx;
    if (ccrnn_cortex_load_mem(data, size, &cx)) return NULL;
    if (!(buf = ts_save_cortex(cx, &n))) abort();
    /* The object works: one step of zeros for a batch of one from a reset state. */
    size_t I;
    ccrnn_cortex_shape(cx, NULL, &I, NULL, NULL, NULL, NULL, NULL);
    float *x = calloc(I, sizeof(float));
    if (x && ccrnn_cortex_reset(cx, 1) == CCRNN_OK) {
        int st = ccrnn_cortex_forward(cx, x, I, NULL, 0);
        if (st != CCRNN_OK && st != CCRNN_ERR_NUMERIC) abort();
    }
    free(x);
    ccrnn_cortex_destroy(cx);
#elif FUZZ_KIND == 2
    ccrnn_cerebellum *cb;
    if (ccrnn_cerebellum_load_mem(data, size, &cb)) return NULL;
    if (!(buf = ts_save_cerebellum(cb, &n))) abort();
    size_t n_in, n_ctx, n_out;
    ccrnn_cerebellum_shape(cb, &n_in, &n_ctx, &n_out, NULL, NULL, NULL);
    if (n_in + n_ctx + n_out <= 4096) {
        float *in = calloc(n_in + n_ctx + n_out, sizeof(float));
        if (in) {
            int st = ccrnn_cerebellum_predict(cb, 1, in, n_in, n_ctx ? in + n_in : NULL, n_ctx,
                                              in + n_in + n_ctx, n_out);
            if (st != CCRNN_OK && st != CCRNN_ERR_NUMERIC) abort();
        }
        free(in);
    }
    ccrnn_cerebellum_destroy(cb);
#else
    ccrnn_optimizer *opt = fuzz_optimizer();
    if (ccrnn_optimizer_load_mem(opt, data, size)) {
        ccrnn_optimizer_destroy(opt);
        return NULL;
    }
    if (!(buf = ts_save_optimizer(opt, &n))) abort();
    int st = ccrnn_optimizer_step(opt);
    if (st != CCRNN_OK && st != CCRNN_ERR_NUMERIC) abort();
    ccrnn_optimizer_destroy(opt);
#endif
    *out_n = n;
    return buf;
}

static void check_fixed_point(const unsigned char *data, size_t size)
{
    size_t n1, n2;
    unsigned char *once = load_save(data, size, &n1);
    if (!once) return;
    unsigned char *twice = load_save(once, n1, &n2);
    if (!twice || n1 != n2 || memcmp(once, twice, n1) != 0) abort();
    free(once);
    free(twice);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_fixed_point(data, size);
    if (size >= 32) {
        unsigned char *copy = malloc(size);
        if (!copy) return 0;
        memcpy(copy, data, size);
        ts_put_le(copy + 16, (uint64_t)(size - 32), 8);
        ts_ckpt_fix_crc(copy, size);
        check_fixed_point(copy, size);
        free(copy);
    }
    return 0;
}
