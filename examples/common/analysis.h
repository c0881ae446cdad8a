/* Measures for the paper's analyses (docs/results/analyses.md): how well a synthetic
 * gradient points along the true one, and how a population of units codes.
 *
 * Activity matrices are row-major x[n_obs][n_units]: one row per observation (a
 * sample at a step), one column per unit.  Statistics are computed in double.
 * A measure that is undefined for its input (a zero vector, fewer than two
 * observations, no unit with variance) returns NaN. */
#ifndef EX_ANALYSIS_H
#define EX_ANALYSIS_H

#include <stddef.h>

/* <a, b> / (|a| |b|). */
double ex_cosine(const float *a, const float *b, size_t n);
/* Pearson correlation of the n pairs (a_i, b_i). */
double ex_pearson(const float *a, const float *b, size_t n);

/* Sample covariance of the units (divided by n_obs - 1): cov[n_units][n_units].
 * Returns 0, or -1 when n_obs < 2. */
int ex_covariance(const float *x, size_t n_obs, size_t n_units, double *cov);

/* Eigenvalues of the symmetric n x n matrix a (destroyed) by cyclic Jacobi rotations,
 * in ascending order into eig[n].  Returns the number of sweeps, or -1 if it did not
 * converge (off-diagonal mass still above 1e-12 of the total after 100 sweeps). */
int ex_symmetric_eigenvalues(double *a, size_t n, double *eig);

/* Population correlation (Cayco-Gajic et al. 2017): with the covariance eigenvalues
 * lambda of the N units, N/(N-1) (max sqrt(lambda) / sum sqrt(lambda) - 1/N).  0 when
 * the variance is spread evenly over N independent directions, 1 when all units
 * move along one direction. */
double ex_population_correlation(const float *x, size_t n_obs, size_t n_units);
/* Mean over unit pairs of |Pearson correlation| (pairs with a constant unit are skipped). */
double ex_mean_abs_correlation(const float *x, size_t n_obs, size_t n_units);
/* Coding space: the total variance, the trace of the covariance. */
double ex_coding_space(const float *x, size_t n_obs, size_t n_units);
/* Population sparsity: (N - mean over observations of (sum|x|)^2 / sum x^2) / (N - 1);
 * 0 when every unit is equally active, 1 when one unit carries everything.  All-zero
 * observations are skipped. */
double ex_sparsity(const float *x, size_t n_obs, size_t n_units);

#endif
