/* Runner of the caption example's Check suites: `test-caption [SUITE]`; returns the
 * number of failed tests (meson runs one suite per test). */
#include "check-runner.h"
#include "test-caption.h"

static const ts_suite_fn suites[] = {grammar_suite, bleu_suite, readers_suite, model_suite};

int main(int argc, char **argv)
{
    return ts_check_main(argc, argv, suites, sizeof suites / sizeof suites[0]);
}
