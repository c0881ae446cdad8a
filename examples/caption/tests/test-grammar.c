/* The digit scenes, their grammar and the vocabulary: hand-built scenes give the exact
 * captions, every random scene gives captions of 11 to 15 words, and captions survive
 * the round trip through the vocabulary. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "data.h"
#include "scenes.h"
#include "test-caption.h"
#include "vocab.h"

static cap_digit digit(int label, int cell, int large)
{
    cap_digit d;
    memset(&d, 0, sizeof d);
    d.label = label;
    d.cell = cell;
    d.large = large;
    d.x = (cell % 2) * CAP_CELL;
    d.y = (cell / 2) * CAP_CELL;
    return d;
}

static void expect_caption(const cap_scene *s, int p, const char *want)
{
    char buf[256];
    cap_scene_caption_text(s, p, buf, sizeof buf);
    ck_assert_str_eq(buf, want);
}

START_TEST(one_digit_names_its_corner)
{
    cap_scene s = {1, {digit(7, 0, 1)}};
    expect_caption(&s, 0, "there is a large seven in the top left corner of the image");
    expect_caption(&s, 1, "a large seven is drawn in the top left corner of the picture");
    expect_caption(&s, 2, "the top left corner of the canvas holds a large seven");
    ck_assert_int_eq(cap_scene_phrasings(&s), 3);
}
END_TEST

START_TEST(two_digits_are_placed_relative_to_each_other)
{
    cap_scene s = {2, {digit(7, 0, 1), digit(2, 2, 0)}};
    expect_caption(&s, 0, "a large seven is above a small two in the picture");
    expect_caption(&s, 3, "a small two is below a large seven in the picture");
    expect_caption(&s, 5, "we see a small two below a large seven in this image");
    s.d[1].cell = 3; /* diagonal */
    expect_caption(&s, 1, "there is a large seven above and left of a small two on the canvas");
    s.d[1].cell = 1; /* same row */
    expect_caption(&s, 4, "there is a small two right of a large seven on the canvas");
}
END_TEST

START_TEST(three_digits_hang_off_the_corner_digit)
{
    /* Cells 1, 0, 2: the free cell is 3, so the corner digit is the one in cell 0. */
    cap_scene s = {3, {digit(5, 1, 1), digit(3, 0, 0), digit(8, 2, 1)}};
    expect_caption(&s, 0, "a small three above a large eight and left of a large five");
    expect_caption(&s, 4, "there is a small three left of a large five and above a large eight");
    expect_caption(&s, 2, "a small three is above a large eight and left of a large five");
}
END_TEST

START_TEST(random_scenes_give_captions_of_11_to_15_words)
{
    cap_glyphs g;
    ck_assert_int_eq(cap_glyphs_synthetic(50, 3, &g), 0);
    int seen_len[CAP_MAX_WORDS + 1] = {0}, seen_n[4] = {0};
    for (uint64_t seed = 1; seed <= 3000; seed++) {
        cap_scene s;
        cap_scene_random(&s, &g, seed);
        ck_assert(s.n >= 1 && s.n <= 3);
        seen_n[s.n]++;
        for (int i = 0; i < s.n; i++) {
            const cap_digit *d = &s.d[i];
            int side = d->large ? CAP_LARGE : CAP_SMALL;
            ck_assert_int_eq(d->label, g.labels[d->glyph]);
            /* inside its own cell */
            ck_assert_int_ge(d->x, (d->cell % 2) * CAP_CELL);
            ck_assert_int_le(d->x + side, (d->cell % 2 + 1) * CAP_CELL);
            ck_assert_int_ge(d->y, (d->cell / 2) * CAP_CELL);
            ck_assert_int_le(d->y + side, (d->cell / 2 + 1) * CAP_CELL);
            for (int j = 0; j < i; j++) ck_assert_int_ne(d->cell, s.d[j].cell);
        }
        for (int p = 0; p < CAP_PHRASINGS; p++) {
            const char *w[CAP_MAX_WORDS];
            size_t n = cap_scene_caption(&s, p, w, CAP_MAX_WORDS);
            ck_assert_uint_ge(n, 11);
            ck_assert_uint_le(n, 15);
            seen_len[n]++;
        }
    }
    for (int n = 11; n <= 15; n++) ck_assert_int_gt(seen_len[n], 0);
    for (int n = 1; n <= 3; n++) ck_assert_int_gt(seen_n[n], 500);
    cap_glyphs_free(&g);
}
END_TEST

START_TEST(rendering_stays_inside_the_digit_boxes)
{
    cap_glyphs g;
    ck_assert_int_eq(cap_glyphs_synthetic(20, 5, &g), 0);
    float canvas[CAP_CANVAS * CAP_CANVAS], feat[CAP_FEATURES];
    for (uint64_t seed = 1; seed <= 50; seed++) {
        cap_scene s;
        cap_scene_random(&s, &g, seed);
        cap_scene_render(&s, &g, canvas);
        double ink = 0;
        for (int y = 0; y < CAP_CANVAS; y++)
            for (int x = 0; x < CAP_CANVAS; x++) {
                float v = canvas[y * CAP_CANVAS + x];
                ck_assert(v >= 0 && v <= 1);
                int inside = 0;
                for (int i = 0; i < s.n; i++) {
                    int side = s.d[i].large ? CAP_LARGE : CAP_SMALL;
                    inside |= x >= s.d[i].x && x < s.d[i].x + side && y >= s.d[i].y &&
                              y < s.d[i].y + side;
                }
                if (!inside) ck_assert(v == 0);
                ink += v;
            }
        ck_assert(ink > 5 * s.n); /* every digit leaves ink */
        cap_features(canvas, feat);
        double fsum = 0;
        for (int i = 0; i < CAP_FEATURES; i++) fsum += feat[i];
        ck_assert_double_eq_tol(fsum * CAP_POOL * CAP_POOL, ink, 1e-3 * ink);
    }
    cap_glyphs_free(&g);
}
END_TEST

START_TEST(features_are_block_means)
{
    float canvas[CAP_CANVAS * CAP_CANVAS] = {0}, feat[CAP_FEATURES];
    canvas[0] = 1.0f;                          /* block (0, 0) */
    canvas[5 * CAP_CANVAS + 9] = 0.5f;         /* block (1, 2) */
    cap_features(canvas, feat);
    ck_assert_float_eq_tol(feat[0], 1.0f / 16, 1e-7f);
    ck_assert_float_eq_tol(feat[1 * CAP_FEAT_SIDE + 2], 0.5f / 16, 1e-7f);
    ck_assert_float_eq(feat[1], 0.0f);
}
END_TEST

START_TEST(tokenizer_lowercases_and_splits)
{
    char buf[256];
    const char *t[8];
    size_t n = cap_tokenize("A Dog's  toy, (RED)! x'", buf, sizeof buf, t, 8);
    ck_assert_uint_eq(n, 5);
    ck_assert_str_eq(t[0], "a");
    ck_assert_str_eq(t[1], "dog's");
    ck_assert_str_eq(t[2], "toy");
    ck_assert_str_eq(t[3], "red");
    ck_assert_str_eq(t[4], "x");
    ck_assert_uint_eq(cap_tokenize(" ,;. ", buf, sizeof buf, t, 8), 0);
}
END_TEST

START_TEST(vocabulary_keeps_words_seen_min_count_times)
{
    const char *texts[] = {"a b", "a c", "A b"};
    cap_vocab v;
    ck_assert_int_eq(cap_vocab_build(texts, 3, 2, &v), 0);
    ck_assert_uint_eq(v.size, 6);
    ck_assert_str_eq(cap_vocab_word(&v, CAP_PAD), "<pad>");
    ck_assert_str_eq(cap_vocab_word(&v, CAP_START), "<start>");
    ck_assert_str_eq(cap_vocab_word(&v, CAP_END), "<end>");
    ck_assert_str_eq(cap_vocab_word(&v, CAP_UNK), "<unk>");
    ck_assert_int_eq(cap_vocab_id(&v, "a"), 4); /* most frequent first */
    ck_assert_int_eq(cap_vocab_id(&v, "b"), 5);
    ck_assert_int_eq(cap_vocab_id(&v, "c"), CAP_UNK);
    ck_assert_int_eq(cap_vocab_id(&v, "<end>"), CAP_UNK);
    int32_t ids[8];
    ck_assert_uint_eq(cap_vocab_encode(&v, "a c b", ids, 8), 5);
    ck_assert_int_eq(ids[0], CAP_START);
    ck_assert_int_eq(ids[1], 4);
    ck_assert_int_eq(ids[2], CAP_UNK);
    ck_assert_int_eq(ids[3], 5);
    ck_assert_int_eq(ids[4], CAP_END);
    char text[64];
    cap_vocab_decode(&v, ids, 5, text, sizeof text);
    ck_assert_str_eq(text, "a <unk> b");
    cap_vocab_free(&v);
}
END_TEST

START_TEST(grammar_captions_round_trip_through_the_vocabulary)
{
    cap_glyphs g[CAP_SPLITS];
    for (int s = 0; s < CAP_SPLITS; s++) ck_assert_int_eq(cap_glyphs_synthetic(30, s, &g[s]), 0);
    size_t n[CAP_SPLITS] = {200, 20, 20};
    cap_corpus c;
    ck_assert_int_eq(cap_corpus_scenes(g, n, 3, 4, 9, &c), 0);
    ck_assert_uint_eq(c.n_images, 240);
    ck_assert_uint_eq(c.n_canvas, 4);
    size_t nt = 0;
    const char **texts = cap_corpus_texts(&c, 0, &nt);
    ck_assert_uint_ge(nt, 500);
    cap_vocab v;
    ck_assert_int_eq(cap_vocab_build(texts, nt, 1, &v), 0);
    ck_assert_uint_le(v.size, 50);
    for (size_t i = 0; i < c.n_caps; i++) {
        int32_t ids[CAP_MAX_WORDS + 2];
        char back[256];
        size_t len = cap_vocab_encode(&v, c.cap_text[i], ids, CAP_MAX_WORDS + 2);
        ck_assert_uint_ge(len, 13);
        ck_assert_uint_le(len, 17);
        for (size_t t = 1; t + 1 < len; t++) ck_assert_int_ge(ids[t], CAP_N_SPECIAL);
        cap_vocab_decode(&v, ids, len, back, sizeof back);
        ck_assert_str_eq(back, c.cap_text[i]);
    }
    /* Encoded sets: ordered by image, padded, all lengths in range. */
    cap_set set;
    ck_assert_int_eq(cap_set_build(&c, &v, 1, 11, 15, &set), 0);
    ck_assert_uint_eq(set.n_images, 20);
    ck_assert_uint_eq(set.first[set.n_images], set.n);
    for (size_t i = 0; i + 1 < set.n; i++) ck_assert_uint_le(set.image[i], set.image[i + 1]);
    size_t order[128], starts[130], nb = cap_batches(&set, 7, 42, order, starts);
    size_t seen[128] = {0};
    for (size_t k = 0; k < nb; k++) {
        ck_assert_uint_gt(starts[k + 1], starts[k]);
        ck_assert_uint_le(starts[k + 1] - starts[k], 7);
        for (size_t j = starts[k]; j < starts[k + 1]; j++) {
            ck_assert_uint_eq(set.len[order[j]], set.len[order[starts[k]]]); /* one length */
            seen[order[j]]++;
        }
    }
    for (size_t i = 0; i < set.n; i++) ck_assert_uint_eq(seen[i], 1);
    cap_set_free(&set);
    cap_vocab_free(&v);
    free(texts);
    cap_corpus_free(&c);
    for (int s = 0; s < CAP_SPLITS; s++) cap_glyphs_free(&g[s]);
}
END_TEST

Suite *grammar_suite(void)
{
    Suite *s = suite_create("grammar");
    TCase *tc = tcase_create("scenes");
    tcase_add_test(tc, one_digit_names_its_corner);
    tcase_add_test(tc, two_digits_are_placed_relative_to_each_other);
    tcase_add_test(tc, three_digits_hang_off_the_corner_digit);
    tcase_add_test(tc, random_scenes_give_captions_of_11_to_15_words);
    tcase_add_test(tc, rendering_stays_inside_the_digit_boxes);
    tcase_add_test(tc, features_are_block_means);
    suite_add_tcase(s, tc);
    tc = tcase_create("vocabulary");
    tcase_add_test(tc, tokenizer_lowercases_and_splits);
    tcase_add_test(tc, vocabulary_keeps_words_seen_min_count_times);
    tcase_add_test(tc, grammar_captions_round_trip_through_the_vocabulary);
    suite_add_tcase(s, tc);
    return s;
}
