/* The one Check runner: adds every suite and returns the number of failed tests.
 *
 * Usage: ccrnn-tests [SUITE]   (no argument: every suite; meson runs one per test).
 * Fork mode follows CK_FORK (default yes, so a crash fails one test only); the
 * valgrind test setup sets CK_FORK=no so valgrind sees the tests themselves. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test-util.h"

static Suite *(*const suites[])(void) = {
    gradcheck_cortex_suite,
    gradcheck_cerebellum_suite,
    loss_suite,
    optimizer_suite,
    training_suite,
    cortex_suite,
    cerebellum_suite,
    errors_cortex_suite,
    errors_cerebellum_suite,
    errors_misc_suite,
    errors_checkpoint_suite,
    errors_attack_suite,
    activation_suite,
    window_end_suite,
};

int main(int argc, char **argv)
{
    const char *only = argc > 1 ? argv[1] : NULL;
    SRunner *sr = srunner_create(NULL);
    for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++) srunner_add_suite(sr, suites[i]());
    srunner_run(sr, only, NULL, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    int run = srunner_ntests_run(sr);
    srunner_free(sr);
    if (only && run == 0) {
        fprintf(stderr, "no suite named '%s'\n", only);
        return 1;
    }
    /* An exit status keeps only 8 bits: cap so 256 failures never read as success. */
    return failed > 255 ? 255 : failed;
}
