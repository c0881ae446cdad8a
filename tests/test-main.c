/* The suites of tests/: `ccrnn-tests [SUITE]` (no argument: every suite; meson runs one
 * per test), through the shared runner of tests/support/check-runner.h. */
#include "check-runner.h"
#include "test-util.h"

static const ts_suite_fn suites[] = {
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
    forward_steps_suite,
};

int main(int argc, char **argv)
{
    return ts_check_main(argc, argv, suites, sizeof suites / sizeof suites[0]);
}
