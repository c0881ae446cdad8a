#include "stats.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

double ex_mean(const double *v, size_t n)
{
    if (!n) return NAN;
    double s = 0.0;
    for (size_t i = 0; i < n; i++) s += v[i];
    return s / (double)n;
}

double ex_sem(const double *v, size_t n)
{
    if (n < 2) return NAN;
    double m = ex_mean(v, n), ss = 0.0;
    for (size_t i = 0; i < n; i++) ss += (v[i] - m) * (v[i] - m);
    return sqrt(ss / (double)(n - 1)) / sqrt((double)n);
}

/* ---- Student's t through the incomplete beta ------------------------------------------ */

/* The continued fraction of I_x(a, b) (converges fast for x < (a + 1) / (a + b + 2)),
 * evaluated with the modified Lentz method: f = 1 / (1 + d1 / (1 + d2 / (1 + ...))). */
static double betainc_cf(double a, double b, double x)
{
    const double tiny = 1e-300, eps = 1e-15;
    double f = tiny, c = f, d = 0.0;
    for (int j = 1; j < 1000; j++) {
        double num;
        if (j == 1) {
            num = 1.0;
        } else {
            int k = j - 1, m = k / 2; /* term d_k */
            if (k % 2 == 0)
                num = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m));
            else
                num = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1));
        }
        d = 1.0 + num * d;
        if (fabs(d) < tiny) d = tiny;
        c = 1.0 + num / c;
        if (fabs(c) < tiny) c = tiny;
        d = 1.0 / d;
        double delta = c * d;
        f *= delta;
        if (fabs(delta - 1.0) < eps) break;
    }
    return f;
}

double ex_betainc(double a, double b, double x)
{
    if (!(a > 0.0) || !(b > 0.0) || !(x >= 0.0) || !(x <= 1.0)) return NAN;
    if (x == 0.0 || x == 1.0) return x;
    if (x > (a + 1.0) / (a + b + 2.0)) return 1.0 - ex_betainc(b, a, 1.0 - x);
    double lfront = a * log(x) + b * log1p(-x) - (lgamma(a) + lgamma(b) - lgamma(a + b));
    return exp(lfront) * betainc_cf(a, b, x) / a;
}

double ex_student_t_cdf(double t, double df)
{
    if (!(df > 0.0) || isnan(t)) return NAN;
    if (isinf(t)) return t > 0 ? 1.0 : 0.0;
    /* P(|T| > |t|) = I_{df / (df + t^2)}(df / 2, 1 / 2) */
    double tail = 0.5 * ex_betainc(0.5 * df, 0.5, df / (df + t * t));
    return t > 0 ? 1.0 - tail : tail;
}

double ex_ttest_p(const double *d, size_t n)
{
    if (n < 2) return NAN;
    double m = ex_mean(d, n), se = ex_sem(d, n);
    if (se == 0.0) return m == 0.0 ? 1.0 : 0.0;
    double t = m / se;
    return 2.0 * ex_student_t_cdf(-fabs(t), (double)(n - 1));
}

/* ---- Wilcoxon signed-rank ------------------------------------------------------------- */

static int cmp_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

/* Exact two-sided p: the signed-rank sum W+ under random signs, counted on doubled
 * ranks (mid-ranks are multiples of 1/2, so doubled they are integers). */
static double wilcoxon_exact(const int *rank2, size_t n, int w2)
{
    int total = 0;
    for (size_t i = 0; i < n; i++) total += rank2[i];
    double *count = calloc((size_t)total + 1, sizeof *count);
    if (!count) return NAN;
    count[0] = 1.0;
    int reach = 0;
    for (size_t i = 0; i < n; i++) {
        for (int s = reach; s >= 0; s--)
            if (count[s] != 0.0) count[s + rank2[i]] += count[s];
        reach += rank2[i];
    }
    double below = 0.0, above = 0.0, all = ldexp(1.0, (int)n);
    for (int s = 0; s <= total; s++) {
        if (s <= w2) below += count[s];
        if (s >= w2) above += count[s];
    }
    free(count);
    double p = 2.0 * fmin(below, above) / all;
    return p > 1.0 ? 1.0 : p;
}

double ex_wilcoxon_p(const double *d, size_t n)
{
    if (!n) return NAN;
    double *a = malloc(n * sizeof *a);
    int *rank2 = malloc(n * sizeof *rank2);
    if (!a || !rank2) return free(a), free(rank2), NAN;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (d[i] != 0.0) a[m++] = fabs(d[i]);
    if (!m) return free(a), free(rank2), 1.0;
    qsort(a, m, sizeof *a, cmp_double);
    /* doubled mid-ranks of the sorted |d| and the tie correction sum(t^3 - t) */
    double ties = 0.0;
    for (size_t i = 0; i < m;) {
        size_t j = i;
        while (j + 1 < m && a[j + 1] == a[i]) j++;
        for (size_t k = i; k <= j; k++) rank2[k] = (int)(i + j + 2);
        double t = (double)(j - i + 1);
        ties += t * t * t - t;
        i = j + 1;
    }
    /* W+ (doubled): each positive difference contributes the rank of its |d| */
    int w2 = 0;
    for (size_t i = 0; i < n; i++) {
        if (!(d[i] > 0.0)) continue;
        size_t lo = 0, hi = m; /* first index with a[idx] >= d[i] */
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (a[mid] < d[i]) lo = mid + 1; else hi = mid;
        }
        w2 += rank2[lo];
    }
    double p;
    if (m <= 20) {
        p = wilcoxon_exact(rank2, m, w2);
    } else {
        double mm = (double)m, mean = mm * (mm + 1.0) / 4.0;
        double var = mm * (mm + 1.0) * (2.0 * mm + 1.0) / 24.0 - ties / 48.0;
        double z = (0.5 * w2 - mean) / sqrt(var);
        p = var > 0.0 ? erfc(fabs(z) / sqrt(2.0)) : 1.0;
    }
    free(a), free(rank2);
    return p;
}

/* ---- paired summary ------------------------------------------------------------------- */

int ex_paired_summary(const double *a, const double *b, size_t n, int lower_is_better,
                      ex_paired *out)
{
    if (!a || !b || !out) return -1;
    memset(out, 0, sizeof *out);
    double *buf = calloc(3 * n + 1, sizeof *buf);
    if (!buf) return -1;
    double *ua = buf, *ub = buf + n, *d = buf + 2 * n;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(a[i]) || !isfinite(b[i])) {
            out->n_dropped++;
            continue;
        }
        ua[m] = a[i], ub[m] = b[i], d[m] = a[i] - b[i];
        if (a[i] != b[i]) {
            int a_better = lower_is_better ? a[i] < b[i] : a[i] > b[i];
            if (a_better) out->wins_a++; else out->wins_b++;
        }
        m++;
    }
    out->n = m;
    out->mean_a = ex_mean(ua, m), out->sem_a = ex_sem(ua, m);
    out->mean_b = ex_mean(ub, m), out->sem_b = ex_sem(ub, m);
    out->diff_mean = ex_mean(d, m), out->diff_sem = ex_sem(d, m);
    out->p_wilcoxon = m ? ex_wilcoxon_p(d, m) : NAN;
    out->p_t = ex_ttest_p(d, m);
    free(buf);
    return 0;
}

static const char *fmt_p(double p, char *buf, size_t cap)
{
    if (isnan(p)) snprintf(buf, cap, "n/a");
    else if (p < 1e-4) snprintf(buf, cap, "%.1e", p);
    else snprintf(buf, cap, "%.4f", p);
    return buf;
}

const char *ex_paired_format(const ex_paired *p, const char *name_a, int digits, char *buf,
                             size_t cap)
{
    char pw[32], pt[32];
    snprintf(buf, cap, "%.*g ± %.2g (Wilcoxon p = %s, t-test p = %s; %s better in %zu/%zu seeds)",
             digits, p->diff_mean, p->diff_sem, fmt_p(p->p_wilcoxon, pw, sizeof pw),
             fmt_p(p->p_t, pt, sizeof pt), name_a, p->wins_a, p->n);
    return buf;
}
