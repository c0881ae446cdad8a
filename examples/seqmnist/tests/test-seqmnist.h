/* Suites of the seqMNIST example's tests; test-main.c runs them. */
#ifndef SEQMNIST_TEST_H
#define SEQMNIST_TEST_H

#include <check.h>

Suite *idx_suite(void);
Suite *targets_suite(void);
Suite *task_suite(void);

#endif
