/* Suites of the caption example's tests; test-main.c runs them. */
#ifndef CAP_TEST_H
#define CAP_TEST_H

#include <check.h>

Suite *grammar_suite(void);
Suite *bleu_suite(void);
Suite *readers_suite(void);
Suite *model_suite(void);

#endif
