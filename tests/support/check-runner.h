/* The one Check runner of the test trees: `PROGRAM [SUITE]` adds every suite, runs the
 * one named (no argument: all of them) and returns the number of failed tests, so meson
 * can register one test per suite.  Fork mode follows CK_FORK (default yes, so a crash
 * fails one test only); the valgrind test setup sets CK_FORK=no. */
#ifndef CCRNN_CHECK_RUNNER_H
#define CCRNN_CHECK_RUNNER_H

#include <check.h>
#include <stddef.h>

typedef Suite *(*ts_suite_fn)(void);

/* Call from main with the program's suites. */
int ts_check_main(int argc, char **argv, const ts_suite_fn *suites, size_t n_suites);

#endif
