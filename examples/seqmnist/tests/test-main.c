/* Runner of the seqMNIST example's Check suites: `test-seqmnist [SUITE]`; returns the
 * number of failed tests (meson runs one suite per test). */
#include "check-runner.h"
#include "test-seqmnist.h"

static const ts_suite_fn suites[] = {
    idx_suite,
#ifdef SEQMNIST_TEST_TASKS
    targets_suite,
    task_suite,
#endif
};

int main(int argc, char **argv)
{
    return ts_check_main(argc, argv, suites, sizeof suites / sizeof suites[0]);
}
