/* Runner of the caption example's Check suites: `test-caption [SUITE]`; returns the
 * number of failed tests (meson runs one suite per test). */
#include <stdio.h>

#include "test-caption.h"

static Suite *(*const suites[])(void) = {grammar_suite, bleu_suite, readers_suite, model_suite};

int main(int argc, char **argv)
{
    const char *only = argc > 1 ? argv[1] : NULL;
    SRunner *sr = srunner_create(NULL);
    for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++) srunner_add_suite(sr, suites[i]());
    srunner_run(sr, only, NULL, CK_NORMAL);
    int failed = srunner_ntests_failed(sr), run = srunner_ntests_run(sr);
    srunner_free(sr);
    if (only && run == 0) {
        fprintf(stderr, "no suite named '%s'\n", only);
        return 1;
    }
    return failed > 255 ? 255 : failed;
}
