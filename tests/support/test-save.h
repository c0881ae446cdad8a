/* Checkpoints of the three objects in fresh buffers, through the two-call save_mem
 * protocol (size query, then the write).  The one part of the test support that calls
 * libccrnn: built without linking it, so each program resolves these calls against the
 * library it links (the fuzz targets their instrumented copy). */
#ifndef CCRNN_TEST_SAVE_H
#define CCRNN_TEST_SAVE_H

#include <stddef.h>

#include <ccrnn/ccrnn.h>

/* A malloc'd checkpoint, its size in *n; NULL when a call fails, memory runs out or the
 * write's size differs from the query's.  Callers assert in their own framework. */
unsigned char *ts_save_cortex(const ccrnn_cortex *cx, size_t *n);
unsigned char *ts_save_cerebellum(const ccrnn_cerebellum *cb, size_t *n);
unsigned char *ts_save_optimizer(const ccrnn_optimizer *opt, size_t *n);

#endif
