#include "analysis.h"

#include <math.h>
#include <stdlib.h>

double ex_cosine(const float *a, const float *b, size_t n)
{
    double ab = 0.0, aa = 0.0, bb = 0.0;
    for (size_t i = 0; i < n; i++) {
        ab += (double)a[i] * b[i];
        aa += (double)a[i] * a[i];
        bb += (double)b[i] * b[i];
    }
    return aa > 0.0 && bb > 0.0 ? ab / sqrt(aa * bb) : NAN;
}

double ex_pearson(const float *a, const float *b, size_t n)
{
    double ma = 0.0, mb = 0.0, ab = 0.0, aa = 0.0, bb = 0.0;
    if (n < 2) return NAN;
    for (size_t i = 0; i < n; i++) ma += a[i], mb += b[i];
    ma /= (double)n;
    mb /= (double)n;
    for (size_t i = 0; i < n; i++) {
        double da = a[i] - ma, db = b[i] - mb;
        ab += da * db, aa += da * da, bb += db * db;
    }
    return aa > 0.0 && bb > 0.0 ? ab / sqrt(aa * bb) : NAN;
}

/* Two passes (means first), so a constant unit has exactly zero variance. */
int ex_covariance(const float *x, size_t n_obs, size_t n_units, double *cov)
{
    size_t N = n_units;
    if (n_obs < 2) return -1;
    double *mean = calloc(N, sizeof *mean), *dev = malloc(N * sizeof *dev);
    if (!mean || !dev) {
        free(mean), free(dev);
        return -1;
    }
    for (size_t o = 0; o < n_obs; o++)
        for (size_t i = 0; i < N; i++) mean[i] += x[o * N + i];
    for (size_t i = 0; i < N; i++) mean[i] /= (double)n_obs;
    for (size_t i = 0; i < N * N; i++) cov[i] = 0.0;
    for (size_t o = 0; o < n_obs; o++) {
        for (size_t i = 0; i < N; i++) dev[i] = x[o * N + i] - mean[i];
        for (size_t i = 0; i < N; i++) {
            if (dev[i] == 0.0) continue;
            for (size_t j = i; j < N; j++) cov[i * N + j] += dev[i] * dev[j];
        }
    }
    for (size_t i = 0; i < N; i++)
        for (size_t j = i; j < N; j++) {
            cov[i * N + j] /= (double)(n_obs - 1);
            cov[j * N + i] = cov[i * N + j];
        }
    free(mean), free(dev);
    return 0;
}

/* One Jacobi rotation A <- J^T A J in the (p, q) plane that zeroes a_pq. */
static void rotate(double *a, size_t n, size_t p, size_t q)
{
    double apq = a[p * n + q];
    double theta = (a[q * n + q] - a[p * n + p]) / (2.0 * apq);
    double t = (theta >= 0.0 ? 1.0 : -1.0) / (fabs(theta) + sqrt(theta * theta + 1.0));
    double c = 1.0 / sqrt(t * t + 1.0), s = t * c;
    for (size_t k = 0; k < n; k++) { /* columns p and q */
        double akp = a[k * n + p], akq = a[k * n + q];
        a[k * n + p] = c * akp - s * akq;
        a[k * n + q] = s * akp + c * akq;
    }
    for (size_t k = 0; k < n; k++) { /* rows p and q */
        double apk = a[p * n + k], aqk = a[q * n + k];
        a[p * n + k] = c * apk - s * aqk;
        a[q * n + k] = s * apk + c * aqk;
    }
    a[p * n + q] = a[q * n + p] = 0.0;
}

int ex_symmetric_eigenvalues(double *a, size_t n, double *eig)
{
    double total = 0.0;
    int sweep, converged = 0;
    for (size_t i = 0; i < n * n; i++) total += a[i] * a[i];
    for (sweep = 0; sweep <= 100 && !converged; sweep++) {
        double off = 0.0;
        for (size_t p = 0; p < n; p++)
            for (size_t q = p + 1; q < n; q++) off += 2.0 * a[p * n + q] * a[p * n + q];
        if (off <= 1e-24 * total) {
            converged = 1;
            break;
        }
        if (sweep == 100) break;
        for (size_t p = 0; p < n; p++)
            for (size_t q = p + 1; q < n; q++)
                if (a[p * n + q] != 0.0) rotate(a, n, p, q);
    }
    for (size_t i = 0; i < n; i++) { /* insertion sort, ascending */
        double v = a[i * n + i];
        size_t j = i;
        for (; j > 0 && eig[j - 1] > v; j--) eig[j] = eig[j - 1];
        eig[j] = v;
    }
    return converged ? sweep : -1;
}

double ex_population_correlation(const float *x, size_t n_obs, size_t n_units)
{
    size_t N = n_units;
    double r = NAN;
    if (N < 2) return NAN;
    double *cov = malloc(N * N * sizeof *cov), *eig = malloc(N * sizeof *eig);
    if (cov && eig && ex_covariance(x, n_obs, N, cov) == 0 &&
        ex_symmetric_eigenvalues(cov, N, eig) >= 0) {
        double sum = 0.0, top = 0.0;
        for (size_t i = 0; i < N; i++) {
            double s = eig[i] > 0.0 ? sqrt(eig[i]) : 0.0; /* rounding can give -1e-17 */
            sum += s;
            if (s > top) top = s;
        }
        if (sum > 0.0) r = (double)N / (double)(N - 1) * (top / sum - 1.0 / (double)N);
    }
    free(cov), free(eig);
    return r;
}

double ex_mean_abs_correlation(const float *x, size_t n_obs, size_t n_units)
{
    size_t N = n_units, pairs = 0;
    double sum = 0.0;
    double *cov = malloc(N * N * sizeof *cov);
    if (!cov || ex_covariance(x, n_obs, N, cov) != 0) {
        free(cov);
        return NAN;
    }
    for (size_t i = 0; i < N; i++)
        for (size_t j = i + 1; j < N; j++) {
            double vi = cov[i * N + i], vj = cov[j * N + j];
            if (vi <= 0.0 || vj <= 0.0) continue;
            sum += fabs(cov[i * N + j]) / sqrt(vi * vj);
            pairs++;
        }
    free(cov);
    return pairs ? sum / (double)pairs : NAN;
}

double ex_coding_space(const float *x, size_t n_obs, size_t n_units)
{
    double trace = 0.0;
    if (n_obs < 2) return NAN;
    for (size_t i = 0; i < n_units; i++) {
        double mean = 0.0, ss = 0.0;
        for (size_t o = 0; o < n_obs; o++) mean += x[o * n_units + i];
        mean /= (double)n_obs;
        for (size_t o = 0; o < n_obs; o++) {
            double d = x[o * n_units + i] - mean;
            ss += d * d;
        }
        trace += ss / (double)(n_obs - 1);
    }
    return trace;
}

double ex_sparsity(const float *x, size_t n_obs, size_t n_units)
{
    size_t N = n_units, used = 0;
    double ratio = 0.0;
    if (N < 2) return NAN;
    for (size_t o = 0; o < n_obs; o++) {
        double l1 = 0.0, l2 = 0.0;
        for (size_t i = 0; i < N; i++) {
            double v = x[o * N + i];
            l1 += fabs(v);
            l2 += v * v;
        }
        if (l2 <= 0.0) continue;
        ratio += l1 * l1 / l2;
        used++;
    }
    return used ? ((double)N - ratio / (double)used) / (double)(N - 1) : NAN;
}
