/* The public header alone, compiled as strict C99 (-std=c99 -pedantic -Werror -Wall
 * -Wextra and more; see tests/meson.build): it must include everything it needs and
 * warn about nothing.  The program checks a few declarations link and agree. */
#include <ccrnn/ccrnn.h>

/* No other header before or after: the checks below use only the header's own names. */
int main(void)
{
    ccrnn_cortex *cx = 0;
    ccrnn_cerebellum *cb = 0;
    ccrnn_optimizer *opt = 0;
    size_t n = 0;
    int failures = 0;
    failures += ccrnn_version_number() != (unsigned)CCRNN_VERSION_NUMBER;
    failures += ccrnn_strerror(CCRNN_ERR_MISMATCH) == 0;
    failures += ccrnn_cortex_create(CCRNN_CELL_GRU, 1, 2, 1, 1, 1, (uint64_t)1, &cx) != CCRNN_OK;
    failures += ccrnn_cerebellum_create(2, 0, 2, 1, 3, 1, (uint64_t)1, CCRNN_CEREBELLUM_DEFAULT, &cb) != CCRNN_OK;
    failures += ccrnn_optimizer_create(CCRNN_OPT_RMSPROP, &opt) != CCRNN_OK;
    failures += ccrnn_optimizer_add_cortex(opt, cx, &n) != CCRNN_OK;
    failures += ccrnn_optimizer_add_cerebellum(opt, cb, &n) != CCRNN_OK || n != 1;
    failures += ccrnn_cortex_forward(cx, 0, 0, 0, 0) != CCRNN_ERR_NULL;
    ccrnn_optimizer_destroy(opt);
    ccrnn_cerebellum_destroy(cb);
    ccrnn_cortex_destroy(cx);
    return failures;
}
