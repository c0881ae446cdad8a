/* The Check runner of check-runner.h. */
#include "check-runner.h"

#include <stdio.h>

int ts_check_main(int argc, char **argv, const ts_suite_fn *suites, size_t n_suites)
{
    const char *only = argc > 1 ? argv[1] : NULL;
    SRunner *sr = srunner_create(NULL);
    for (size_t i = 0; i < n_suites; i++) srunner_add_suite(sr, suites[i]());
    srunner_run(sr, only, NULL, CK_NORMAL);
    int failed = srunner_ntests_failed(sr), run = srunner_ntests_run(sr);
    srunner_free(sr);
    if (only && run == 0) {
        fprintf(stderr, "no suite named '%s'\n", only);
        return 1;
    }
    /* An exit status keeps only 8 bits: cap so 256 failures never read as success. */
    return failed > 255 ? 255 : failed;
}
