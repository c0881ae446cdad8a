/* The decoder: the host-owned embedding and projection receive the gradient of the
 * loss (central finite differences), only the first window reaches the image, the
 * ccRNN's synthetic gradient reaches the projection too, and a short run of both models
 * lowers the loss. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "captioner.h"
#include "data.h"
#include "scenes.h"
#include "test-caption.h"
#include "test-support.h"
#include "train.h"
#include "vocab.h"

enum { V = 9, E = 4, H = 5, F = 6, B = 3, L = 7 };

static float feats[B * F];
static int32_t tokens[B * L];

static cap_model *tiny_model(size_t tau, int ccrnn)
{
    cap_config c;
    cap_config_defaults(&c);
    c.embed = E;
    c.hidden = H;
    c.vocab = V;
    c.feat_dim = F;
    c.batch = B;
    c.max_len = L;
    c.tau = tau;
    c.cerebellum = ccrnn;
    c.cb_width = 8;
    c.seed = 11;
    cap_model *m = NULL;
    ck_assert_int_eq(cap_model_create(&c, &m), CCRNN_OK);
    for (size_t i = 0; i < B * F; i++) feats[i] = (float)(0.3 * sin(1.7 * (double)i) + 0.4);
    for (size_t b = 0; b < B; b++)
        for (size_t t = 0; t < L; t++)
            tokens[b * L + t] = t == 0 ? CAP_START : t == L - 1 ? CAP_END
                                                               : (int32_t)(4 + (3 * b + t) % 5);
    return m;
}

/* Mean cross-entropy of the first `steps` steps over B x steps tokens. */
static double loss_of(cap_model *m, size_t steps)
{
    double x = 0.0;
    ck_assert_int_eq(cap_model_xent(m, feats, tokens, L, B, steps, &x), CCRNN_OK);
    return x / (double)(B * steps);
}

typedef struct fd_point {
    cap_model *m;
    double (*f)(cap_model *);
} fd_point;

static double fd_value(void *ctx)
{
    fd_point *q = ctx;
    return q->f(q->m);
}

/* Compare m->grads[i] for i in idx with central differences of f. */
static void check_grads(cap_model *m, const size_t *idx, size_t n, double (*f)(cap_model *),
                        const float *analytic)
{
    fd_point q = {m, f};
    for (size_t k = 0; k < n; k++) {
        size_t i = idx[k];
        double fd = ts_central_diff_f(fd_value, &q, &m->params[i], 1e-2);
        ck_assert_msg(fabs(fd - analytic[k]) <= 2e-4 + 2e-2 * fabs(fd),
                      "parameter %zu: analytic %.6g, finite difference %.6g", i, analytic[k], fd);
    }
}

static double full_loss(cap_model *m) { return loss_of(m, L); }
static double first_window_loss(cap_model *m) { return loss_of(m, 3); }

/* Every embedding row that is read, and every projection weight and bias. */
static size_t pick(const cap_model *m, int embedding, int projection, size_t *idx)
{
    size_t n = 0;
    if (embedding)
        for (size_t i = 0; i < V * E; i++) idx[n++] = i;
    if (projection)
        for (size_t i = V * E; i < m->n_params; i++) idx[n++] = i;
    return n;
}

START_TEST(embedding_and_projection_gradients_match_finite_differences)
{
    cap_model *m = tiny_model(L, 0); /* full BPTT: one window, one loss */
    ck_assert_int_eq(cap_model_train_batch(m, feats, tokens, L, B, L, 0, NULL), CCRNN_OK);
    size_t idx[V * E + E * F + E], n = pick(m, 1, 1, idx);
    float *g = malloc(n * sizeof *g);
    double norm = 0.0;
    for (size_t k = 0; k < n; k++) norm += fabs(g[k] = m->grads[idx[k]]);
    ck_assert(norm > 1e-3);
    /* Rows of words never read (the <end> token, <pad>, <unk>) get no gradient. */
    for (size_t e = 0; e < E; e++) {
        ck_assert_float_eq(m->g_emb[CAP_END * E + e], 0.0f);
        ck_assert_float_eq(m->g_emb[CAP_PAD * E + e], 0.0f);
    }
    check_grads(m, idx, n, full_loss, g);
    free(g);
    cap_model_destroy(m);
}
END_TEST

START_TEST(only_the_first_window_reaches_the_image)
{
    /* tau = 3: the projection's gradient is the gradient of the first window's loss
     * alone; later windows start from a detached state. */
    cap_model *m = tiny_model(3, 0);
    ck_assert_int_eq(cap_model_train_batch(m, feats, tokens, L, B, L, 0, NULL), CCRNN_OK);
    size_t idx[V * E + E * F + E], n = pick(m, 0, 1, idx);
    float *g = malloc(n * sizeof *g);
    for (size_t k = 0; k < n; k++) g[k] = m->grads[idx[k]];
    check_grads(m, idx, n, first_window_loss, g);
    free(g);
    cap_model_destroy(m);
}
END_TEST

/* The ccRNN's first window: J = L_0 + 0.1 <c, z_1> with the cerebellum's prediction c.
 * Its cerebellum starts with a zero last weight, so c is its last bias, the same for
 * every state. */
static float sg_pred[B * 2 * H];

static double first_window_objective(cap_model *m)
{
    double j = loss_of(m, 3);
    float z[B * 2 * H];
    ck_assert_int_eq(ccrnn_cortex_get_state(m->cx, z, B * 2 * H), CCRNN_OK);
    for (size_t i = 0; i < B * 2 * H; i++) j += m->cfg.sg_scale * sg_pred[i] * z[i];
    return j;
}

START_TEST(the_synthetic_gradient_reaches_the_projection)
{
    cap_model *m = tiny_model(3, 1);
    float zero[B * 2 * H] = {0};
    ck_assert_int_eq(ccrnn_cerebellum_predict(m->cb, B, zero, B * 2 * H, NULL, 0, sg_pred,
                                              B * 2 * H), CCRNN_OK);
    double norm = 0.0;
    for (size_t i = 0; i < B * 2 * H; i++) norm += fabs(sg_pred[i]);
    ck_assert(norm > 1e-3); /* the reference's init keeps the last bias */
    ck_assert_int_eq(cap_model_train_batch(m, feats, tokens, L, B, L, 0, NULL), CCRNN_OK);
    size_t idx[V * E + E * F + E], n = pick(m, 0, 1, idx);
    float *g = malloc(n * sizeof *g);
    for (size_t k = 0; k < n; k++) g[k] = m->grads[idx[k]];
    check_grads(m, idx, n, first_window_objective, g);
    free(g);
    cap_model_destroy(m);
}
END_TEST

START_TEST(a_short_run_lowers_the_loss)
{
    cap_glyphs g[CAP_SPLITS];
    for (int s = 0; s < CAP_SPLITS; s++) ck_assert_int_eq(cap_glyphs_synthetic(40, s, &g[s]), 0);
    size_t n[CAP_SPLITS] = {200, 40, 40};
    cap_corpus c;
    ck_assert_int_eq(cap_corpus_scenes(g, n, 3, 0, 5, &c), 0);
    size_t nt;
    const char **texts = cap_corpus_texts(&c, 0, &nt);
    cap_vocab v;
    ck_assert_int_eq(cap_vocab_build(texts, nt, 1, &v), 0);
    cap_set train, valid;
    ck_assert_int_eq(cap_set_build(&c, &v, 0, 11, 15, &train), 0);
    ck_assert_int_eq(cap_set_build(&c, &v, 1, 11, 15, &valid), 0);
    for (int ccrnn = 0; ccrnn < 2; ccrnn++) {
        cap_config cfg;
        cap_config_defaults(&cfg);
        cfg.embed = 16;
        cfg.hidden = 16;
        cfg.vocab = v.size;
        cfg.feat_dim = c.feat_dim;
        cfg.batch = 20;
        cfg.max_len = train.max_len;
        cfg.tau = 3;
        cfg.cerebellum = ccrnn;
        cfg.cb_width = 32;
        cap_model *m = NULL;
        ck_assert_int_eq(cap_model_create(&cfg, &m), CCRNN_OK);
        double before, after, first, last, cb;
        ck_assert_int_eq(cap_eval_xent(m, &c, &valid, &before), CCRNN_OK);
        ck_assert_double_eq_tol(before, log((double)v.size), 1.0); /* near uniform */
        ck_assert_int_eq(cap_train_epoch(m, &c, &train, 1, &first, &cb), CCRNN_OK);
        for (uint64_t e = 2; e <= 4; e++)
            ck_assert_int_eq(cap_train_epoch(m, &c, &train, e, &last, &cb), CCRNN_OK);
        ck_assert_int_eq(cap_eval_xent(m, &c, &valid, &after), CCRNN_OK);
        ck_assert_msg(last < 0.8 * first, "training CE %g -> %g", first, last);
        ck_assert_msg(after < 0.6 * before, "validation CE %g -> %g", before, after);
        ck_assert(ccrnn ? cb > 0 : cb == 0);
        double bleu, gen, ref;
        ck_assert_int_eq(cap_eval_bleu(m, &c, &valid, &bleu, &gen, &ref), CCRNN_OK);
        ck_assert(bleu >= 0 && bleu <= 1);
        ck_assert(gen >= 0 && gen <= valid.max_len + 3);
        ck_assert(ref >= 11 && ref <= 15);
        cap_model_destroy(m);
    }
    cap_set_free(&train);
    cap_set_free(&valid);
    cap_vocab_free(&v);
    free(texts);
    cap_corpus_free(&c);
    for (int s = 0; s < CAP_SPLITS; s++) cap_glyphs_free(&g[s]);
}
END_TEST

Suite *model_suite(void)
{
    Suite *s = suite_create("model");
    TCase *tc = tcase_create("gradients");
    tcase_add_test(tc, embedding_and_projection_gradients_match_finite_differences);
    tcase_add_test(tc, only_the_first_window_reaches_the_image);
    tcase_add_test(tc, the_synthetic_gradient_reaches_the_projection);
    suite_add_tcase(s, tc);
    tc = tcase_create("training");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, a_short_run_lowers_the_loss);
    suite_add_tcase(s, tc);
    return s;
}
