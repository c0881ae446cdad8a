/* Corpus BLEU-4 (Papineni et al. 2002) over word ids: clipped n-gram precisions for
 * n = 1..4 summed over the whole corpus, their geometric mean, and the brevity penalty
 * exp(1 - r/c) when the total hypothesis length c is below the effective reference
 * length r (for each sentence the reference length closest to the hypothesis length,
 * the shorter on a tie).  No smoothing: a corpus without any matching 4-gram scores 0. */
#ifndef CAP_BLEU_H
#define CAP_BLEU_H

#include <stddef.h>
#include <stdint.h>

#define CAP_BLEU_N 4

typedef struct cap_bleu {
    double matches[CAP_BLEU_N], totals[CAP_BLEU_N];
    double hyp_len, ref_len;
} cap_bleu;

void cap_bleu_init(cap_bleu *b);
/* Add one sentence: the hypothesis hyp[0..nh) and n_refs references. */
void cap_bleu_add(cap_bleu *b, const int32_t *hyp, size_t nh, const int32_t *const *refs,
                  const size_t *ref_lens, size_t n_refs);
/* The corpus score in [0, 1]; bp and prec (CAP_BLEU_N values) may be NULL. */
double cap_bleu_score(const cap_bleu *b, double *bp, double *prec);

#endif
