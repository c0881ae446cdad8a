/* libFuzzer target for the examples' MNIST IDX reader (examples/seqmnist/idx.c): the
 * in-memory parser with each expected kind, and the file loader (raw or gzip) on a
 * temporary copy of the input.  A parse that succeeds must describe bytes inside the
 * input: every pixel or label it points at is read (ASan checks the bounds). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "idx.h"

static volatile unsigned sink;

static void touch(const seqmnist_idx *v)
{
    size_t n = v->kind == SEQMNIST_IDX_IMAGES ? v->count * v->rows * v->cols : v->count;
    unsigned acc = 0;
    for (size_t i = 0; i < n; i++) acc += v->data[i];
    sink = acc;
    if (v->kind == SEQMNIST_IDX_LABELS)
        for (size_t i = 0; i < n; i++)
            if (v->data[i] > 9) abort(); /* documented: labels are 0..9 */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int kinds[3] = {SEQMNIST_IDX_ANY, SEQMNIST_IDX_IMAGES, SEQMNIST_IDX_LABELS};
    char err[256];
    for (int k = 0; k < 3; k++) {
        seqmnist_idx v;
        if (seqmnist_idx_parse(data, size, kinds[k], &v, err, sizeof err) == SEQMNIST_IDX_OK)
            touch(&v);
    }
    /* The file path (gzip inflation included when built with zlib). */
    char path[64];
    snprintf(path, sizeof path, "/tmp/fuzz-idx-%ld.bin", (long)getpid());
    FILE *f = fopen(path, "wb");
    if (!f) return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    seqmnist_idx v;
    unsigned char *bytes = NULL;
    if (seqmnist_idx_load(path, SEQMNIST_IDX_ANY, &v, &bytes, err, sizeof err) == SEQMNIST_IDX_OK) {
        touch(&v);
        free(bytes);
    }
    unlink(path);
    return 0;
}
