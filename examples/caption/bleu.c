#include "bleu.h"

#include <math.h>
#include <string.h>

void cap_bleu_init(cap_bleu *b) { memset(b, 0, sizeof *b); }

static int same(const int32_t *a, const int32_t *b, size_t n)
{
    return memcmp(a, b, n * sizeof *a) == 0;
}

/* Occurrences of the n-gram g in s[0..len). */
static size_t occurrences(const int32_t *s, size_t len, const int32_t *g, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i + n <= len; i++) c += same(s + i, g, n);
    return c;
}

void cap_bleu_add(cap_bleu *b, const int32_t *hyp, size_t nh, const int32_t *const *refs,
                  const size_t *ref_lens, size_t n_refs)
{
    for (size_t n = 1; n <= CAP_BLEU_N; n++) {
        if (nh < n) continue;
        b->totals[n - 1] += (double)(nh - n + 1);
        for (size_t i = 0; i + n <= nh; i++) {
            if (occurrences(hyp, i + n - 1, hyp + i, n) > 0) continue; /* counted already */
            size_t in_hyp = occurrences(hyp, nh, hyp + i, n), best = 0;
            for (size_t r = 0; r < n_refs; r++) {
                size_t c = occurrences(refs[r], ref_lens[r], hyp + i, n);
                if (c > best) best = c;
            }
            b->matches[n - 1] += (double)(in_hyp < best ? in_hyp : best);
        }
    }
    size_t closest = 0;
    for (size_t r = 0; r < n_refs; r++) {
        size_t d = ref_lens[r] > nh ? ref_lens[r] - nh : nh - ref_lens[r];
        size_t dc = closest > nh ? closest - nh : nh - closest;
        if (r == 0 || d < dc || (d == dc && ref_lens[r] < closest)) closest = ref_lens[r];
    }
    b->hyp_len += (double)nh;
    b->ref_len += (double)closest;
}

double cap_bleu_score(const cap_bleu *b, double *bp, double *prec)
{
    double log_sum = 0.0, penalty;
    int zero = 0;
    for (int n = 0; n < CAP_BLEU_N; n++) {
        double p = b->totals[n] > 0 ? b->matches[n] / b->totals[n] : 0.0;
        if (prec) prec[n] = p;
        if (p <= 0) zero = 1;
        else log_sum += log(p);
    }
    if (b->hyp_len <= 0) penalty = 0.0;
    else penalty = b->hyp_len >= b->ref_len ? 1.0 : exp(1.0 - b->ref_len / b->hyp_len);
    if (bp) *bp = penalty;
    return zero ? 0.0 : penalty * exp(log_sum / CAP_BLEU_N);
}
