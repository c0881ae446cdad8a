/* Corpus BLEU-4 against examples worked out by hand. */
#include <check.h>
#include <math.h>
#include <string.h>

#include "bleu.h"
#include "test-caption.h"

/* Words as ids: each lowercase letter a..z is one word, spaces separate. */
static size_t ids(const char *s, int32_t *out)
{
    size_t n = 0;
    for (; *s; s++)
        if (*s != ' ') out[n++] = *s;
    return n;
}

static void add(cap_bleu *b, const char *hyp, const char *r1, const char *r2)
{
    int32_t h[32], a[32], c[32];
    size_t nh = ids(hyp, h), lens[2] = {ids(r1, a), r2 ? ids(r2, c) : 0};
    const int32_t *refs[2] = {a, c};
    cap_bleu_add(b, h, nh, refs, lens, r2 ? 2 : 1);
}

START_TEST(identical_sentences_score_one)
{
    cap_bleu b;
    cap_bleu_init(&b);
    add(&b, "a b c d e", "a b c d e", NULL);
    ck_assert_double_eq_tol(cap_bleu_score(&b, NULL, NULL), 1.0, 1e-12);
}
END_TEST

START_TEST(worked_corpus_example)
{
    /* "t c s o t m" against "t c i o t m" ("the cat sat on the mat" / "the cat is on the
     * mat"): unigrams 5/6 (t clipped at 2), bigrams 3/5 (tc, ot, tm), trigrams 1/4 (otm),
     * 4-grams 0/3.  Plus an exact pair of 5 words: 5/5, 4/4, 3/3, 2/2.  Corpus: 10/11,
     * 7/9, 4/7, 2/5, equal lengths (no penalty): BLEU = (16/99)^(1/4). */
    cap_bleu b;
    double prec[4], bp;
    cap_bleu_init(&b);
    add(&b, "t c s o t m", "t c i o t m", NULL);
    ck_assert_double_eq(cap_bleu_score(&b, NULL, NULL), 0.0); /* no 4-gram match yet */
    add(&b, "a b c d e", "a b c d e", NULL);
    double s = cap_bleu_score(&b, &bp, prec);
    ck_assert_double_eq_tol(prec[0], 10.0 / 11, 1e-12);
    ck_assert_double_eq_tol(prec[1], 7.0 / 9, 1e-12);
    ck_assert_double_eq_tol(prec[2], 4.0 / 7, 1e-12);
    ck_assert_double_eq_tol(prec[3], 2.0 / 5, 1e-12);
    ck_assert_double_eq_tol(bp, 1.0, 1e-12);
    ck_assert_double_eq_tol(s, pow(16.0 / 99.0, 0.25), 1e-12);
}
END_TEST

START_TEST(counts_are_clipped_by_the_best_reference)
{
    cap_bleu b;
    double prec[4];
    cap_bleu_init(&b);
    add(&b, "t t t t", "t c", NULL); /* "the the the the": 1/4 unigrams */
    cap_bleu_score(&b, NULL, prec);
    ck_assert_double_eq_tol(prec[0], 0.25, 1e-12);
    ck_assert_double_eq_tol(prec[1], 0.0, 1e-12);
    cap_bleu_init(&b);
    add(&b, "a a b", "a b", "a a c"); /* a: 2 (second reference), b: 1 -> 3/3 */
    cap_bleu_score(&b, NULL, prec);
    ck_assert_double_eq_tol(prec[0], 1.0, 1e-12);
    /* Each n-gram is clipped by its own best reference: "a a" (second), "a b" (first). */
    ck_assert_double_eq_tol(prec[1], 1.0, 1e-12);
}
END_TEST

START_TEST(short_hypotheses_pay_the_brevity_penalty)
{
    /* c = 4 words, closest reference 6 (not 8): BP = exp(1 - 6/4), all precisions 1. */
    cap_bleu b;
    double bp;
    cap_bleu_init(&b);
    add(&b, "a b c d", "a b c d e f", "a b c d e f g h");
    double s = cap_bleu_score(&b, &bp, NULL);
    ck_assert_double_eq_tol(bp, exp(-0.5), 1e-12);
    ck_assert_double_eq_tol(s, exp(-0.5), 1e-12);
    /* A tie in distance picks the shorter reference: c = 5 against 4 and 6 -> r = 4. */
    cap_bleu_init(&b);
    add(&b, "a b c d e", "a b c d", "a b c d e f");
    ck_assert_double_eq_tol(b.ref_len, 4.0, 1e-12);
    cap_bleu_score(&b, &bp, NULL);
    ck_assert_double_eq_tol(bp, 1.0, 1e-12);
}
END_TEST

Suite *bleu_suite(void)
{
    Suite *s = suite_create("bleu");
    TCase *tc = tcase_create("corpus");
    tcase_add_test(tc, identical_sentences_score_one);
    tcase_add_test(tc, worked_corpus_example);
    tcase_add_test(tc, counts_are_clipped_by_the_best_reference);
    tcase_add_test(tc, short_hypotheses_pay_the_brevity_penalty);
    suite_add_tcase(s, tc);
    return s;
}
