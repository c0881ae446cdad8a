/* Writes the seed corpus of the fuzz targets: small valid checkpoints of each kind
 * (several shapes and settings) and small IDX files.  Usage: gen-corpus DIR; files go
 * to DIR/cortex, DIR/cerebellum, DIR/optimizer and DIR/idx (which must exist). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rel-util.h"

static const char *root;

static void write_file(const char *sub, const char *name, const void *p, size_t n)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s/%s", root, sub, name);
    if (ts_write_file(path, p, n)) rel_die("cannot write %s", path);
}

static void cortex_seed(const char *name, int cell, size_t I, size_t H, size_t O, size_t batch,
                        int inference)
{
    ccrnn_cortex *cx;
    MUST(ccrnn_cortex_create(cell, I, H, O, batch + 1, 2, 5, &cx));
    MUST(ccrnn_cortex_reset(cx, batch));
    float x[16] = {0.5f, -0.25f, 1, 0.75f, -1, 0.1f, 0.2f, 0.3f};
    MUST(ccrnn_cortex_forward(cx, x, batch * I, NULL, 0));
    if (inference) MUST(ccrnn_cortex_set_param(cx, CCRNN_PARAM_TRAINING, 0));
    size_t n;
    unsigned char *ck = rel_save_cortex(cx, &n);
    write_file("cortex", name, ck, n);
    free(ck);
    ccrnn_cortex_destroy(cx);
}

static void cerebellum_seed(const char *name, size_t n_in, size_t n_ctx, size_t n_out,
                            size_t layers, size_t width, size_t fibres, int ablated)
{
    ccrnn_cerebellum *cb;
    MUST(ccrnn_cerebellum_create(n_in, n_ctx, n_out, layers, width, 2, 6, 0, &cb));
    if (fibres) MUST(ccrnn_cerebellum_set_fibres(cb, fibres, 7));
    if (ablated) MUST(ccrnn_cerebellum_set_param(cb, CCRNN_PARAM_ABLATED, 1));
    size_t n;
    unsigned char *ck = rel_save_cerebellum(cb, &n);
    write_file("cerebellum", name, ck, n);
    free(ck);
    ccrnn_cerebellum_destroy(cb);
}

/* The structure fuzz-checkpoint.c's optimizer target expects: groups of 5 and 3. */
static void optimizer_seed(const char *name, int kind, int steps, int frozen)
{
    float v0[5] = {1, 2, 3, 4, 5}, g0[5], v1[3] = {-1, 0, 1}, g1[3];
    ccrnn_optimizer *opt;
    MUST(ccrnn_optimizer_create(kind, &opt));
    MUST(ccrnn_optimizer_add_params(opt, v0, g0, 5, NULL));
    MUST(ccrnn_optimizer_add_params(opt, v1, g1, 3, NULL));
    MUST(ccrnn_optimizer_set_param(opt, CCRNN_PARAM_CLIP_NORM, 1.0));
    if (frozen) MUST(ccrnn_optimizer_set_group_param(opt, 1, CCRNN_GROUP_FROZEN, 1));
    for (int s = 0; s < steps; s++) {
        for (int i = 0; i < 5; i++) g0[i] = 0.1f * (float)(i - s);
        for (int i = 0; i < 3; i++) g1[i] = 0.3f * (float)(s - i);
        MUST(ccrnn_optimizer_step(opt));
    }
    size_t n;
    unsigned char *ck = rel_save_optimizer(opt, &n);
    write_file("optimizer", name, ck, n);
    free(ck);
    ccrnn_optimizer_destroy(opt);
}

static void idx_seeds(void)
{
    unsigned char labels[8 + 3] = {0};
    ts_put_be32(labels, 0x801);
    ts_put_be32(labels + 4, 3);
    labels[8] = 7;
    labels[9] = 0;
    labels[10] = 9;
    write_file("idx", "labels-3", labels, sizeof labels);
    static unsigned char images[16 + 784];
    ts_put_be32(images, 0x803);
    ts_put_be32(images + 4, 1);
    ts_put_be32(images + 8, 28);
    ts_put_be32(images + 12, 28);
    for (int i = 0; i < 784; i++) images[16 + i] = (unsigned char)(i % 251);
    write_file("idx", "images-1", images, sizeof images);
}

int main(int argc, char **argv)
{
    if (argc != 2) rel_die("usage: gen-corpus DIR");
    root = argv[1];
    cortex_seed("lstm-3-4-2-b2", CCRNN_CELL_LSTM, 3, 4, 2, 2, 0);
    cortex_seed("tanh-1-2-1-b1", CCRNN_CELL_TANH, 1, 2, 1, 1, 0);
    cortex_seed("gru-2-3-1-b1-inference", CCRNN_CELL_GRU, 2, 3, 1, 1, 1);
    cerebellum_seed("mlp-4-0-4-1x5-mask3", 4, 0, 4, 1, 5, 3, 0);
    cerebellum_seed("mlp-2-1-2-2x3-ablated", 2, 1, 2, 2, 3, 0, 1);
    cerebellum_seed("linear-3-0-2-mask2", 3, 0, 2, 0, 0, 2, 0);
    optimizer_seed("adam-2-steps", CCRNN_OPT_ADAM, 2, 0);
    optimizer_seed("sgd-fresh", CCRNN_OPT_SGD, 0, 0);
    optimizer_seed("rmsprop-frozen-1-step", CCRNN_OPT_RMSPROP, 1, 1);
    idx_seeds();
    printf("seed corpus written to %s\n", root);
    return 0;
}
