/* Statistics for results over seeds: mean and standard error, and the paired
 * comparison of two models trained on the same seeds (the per-seed difference, a
 * Wilcoxon signed-rank test, a paired t-test and the number of seeds each model wins).
 *
 * Every function skips nothing silently: callers pass finite values unless said
 * otherwise.  No dependency beyond <math.h>. */
#ifndef EX_STATS_H
#define EX_STATS_H

#include <stddef.h>

/* Mean of n values (NaN when n == 0). */
double ex_mean(const double *v, size_t n);
/* Standard error of the mean, sample sd / sqrt(n) (NaN when n < 2). */
double ex_sem(const double *v, size_t n);

/* Regularised incomplete beta function I_x(a, b) for a, b > 0 and 0 <= x <= 1
 * (NaN outside). */
double ex_betainc(double a, double b, double x);
/* Cumulative distribution function of Student's t with df > 0 degrees of freedom. */
double ex_student_t_cdf(double t, double df);

/* Two-sided p-value of the Wilcoxon signed-rank test that the n differences d are
 * symmetric about zero.  Zero differences are dropped (Wilcoxon's convention); tied
 * |d| get mid-ranks.  With at most 20 non-zero differences the p-value is exact (the
 * permutation distribution of the signed-rank sum, conditional on the ties); above,
 * the normal approximation with the tie-corrected variance, no continuity correction.
 * Returns 1 when every difference is zero, NaN when n == 0. */
double ex_wilcoxon_p(const double *d, size_t n);
/* Two-sided p-value of the one-sample t-test that the mean of d is zero (the paired
 * t-test of the differences).  NaN when n < 2; when the differences have zero spread,
 * 1 if they are all zero and 0 otherwise. */
double ex_ttest_p(const double *d, size_t n);

/* Paired summary of two models on the same seeds: a[i] and b[i] are the results of
 * model A and model B at seed i.  Pairs where either value is not finite (a diverged
 * run) are left out and counted in n_dropped. */
typedef struct ex_paired {
    size_t n;                 /* pairs used */
    size_t n_dropped;         /* pairs left out (a non-finite value) */
    double mean_a, sem_a;     /* model A over the used seeds */
    double mean_b, sem_b;     /* model B */
    double diff_mean, diff_sem; /* of a[i] - b[i] */
    double p_wilcoxon;        /* two-sided, see ex_wilcoxon_p */
    double p_t;               /* two-sided paired t-test */
    size_t wins_a;            /* seeds where A is strictly better than B */
    size_t wins_b;            /* seeds where B is strictly better than A */
} ex_paired;

/* Fill *out from n pairs.  lower_is_better says which direction "better" means for
 * the wins (1 for a loss or an error, 0 for an accuracy).  Returns 0, or -1 when an
 * argument is NULL. */
int ex_paired_summary(const double *a, const double *b, size_t n, int lower_is_better,
                      ex_paired *out);

/* One line for a summary table, e.g. "-0.0123 ± 0.0031 (Wilcoxon p = 0.0039, t-test
 * p = 0.0021; A better in 9/10 seeds)" with name_a standing for A.  digits: significant
 * digits of the difference.  Returns buf. */
const char *ex_paired_format(const ex_paired *p, const char *name_a, int digits, char *buf,
                             size_t cap);

#endif
