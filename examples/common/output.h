/* Files the example programs write: result folders, CSV tables, summary statistics
 * and a monotonic clock. */
#ifndef EX_OUTPUT_H
#define EX_OUTPUT_H

#include <stddef.h>
#include <stdio.h>

/* Create a directory and its parents (like mkdir -p).  Returns 0 or -1 (message on
 * stderr). */
int ex_mkdirs(const char *path);

/* Join dir and name into buf ("dir/name").  Returns buf. */
const char *ex_path_join(char *buf, size_t cap, const char *dir, const char *name);

/* Open a CSV file for writing and write its header line (comma-separated column
 * names, no newline).  Returns NULL with a message on stderr on failure. */
FILE *ex_csv_open(const char *path, const char *header);
/* Flush and close; returns 0, or -1 if any write failed (message on stderr). */
int ex_csv_close(FILE *f, const char *path);

/* Mean and standard error of the mean (sample sd / sqrt(n)) of n values; the SEM is
 * NaN when n < 2 (undefined), the mean NaN when n == 0. */
void ex_mean_sem(const double *v, size_t n, double *mean, double *sem);

/* Seconds on a monotonic clock. */
double ex_now(void);

#endif
