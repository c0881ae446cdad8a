/* The checkpoint buffers of test-save.h. */
#include "test-save.h"

#include <stdlib.h>

typedef int (*save_fn)(const void *obj, void *buf, size_t cap, size_t *n);

static unsigned char *save_mem(save_fn fn, const void *obj, size_t *n)
{
    if (fn(obj, NULL, 0, n)) return NULL;
    size_t cap = *n;
    unsigned char *buf = malloc(cap ? cap : 1);
    if (!buf || fn(obj, buf, cap, n) || *n != cap) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* One signature for the three, so save_mem is written once. */
static int cortex_save(const void *obj, void *buf, size_t cap, size_t *n)
{
    return ccrnn_cortex_save_mem(obj, buf, cap, n);
}

static int cerebellum_save(const void *obj, void *buf, size_t cap, size_t *n)
{
    return ccrnn_cerebellum_save_mem(obj, buf, cap, n);
}

static int optimizer_save(const void *obj, void *buf, size_t cap, size_t *n)
{
    return ccrnn_optimizer_save_mem(obj, buf, cap, n);
}

unsigned char *ts_save_cortex(const ccrnn_cortex *cx, size_t *n)
{
    return save_mem(cortex_save, cx, n);
}

unsigned char *ts_save_cerebellum(const ccrnn_cerebellum *cb, size_t *n)
{
    return save_mem(cerebellum_save, cb, n);
}

unsigned char *ts_save_optimizer(const ccrnn_optimizer *opt, size_t *n)
{
    return save_mem(optimizer_save, opt, n);
}
