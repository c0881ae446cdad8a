/* Full training loops in C on a tiny line-drawing task, following docs/model.md §learning
 * procedure:
 * per window begin_window, forward steps with ccrnn_loss_mse -> output_grad, the
 * cerebellum's 0.1-scaled prediction injected as dz_end, backward returning dz_start,
 * the cerebellum regressed toward dz_start; after all windows one clipped (1.0) Adam
 * step (betas 0.9, 0.98, eps 1e-9) over cortex and cerebellum together.
 *
 * The task: 7 cues c = -3..3, input 0.1c at step 0 and 0 after, target
 * y_t = (t/9) * 10 (sin a, cos a) for t = 0..9 with the angle a of the cue (docs/model.md
 * §line drawing), an LSTM of 16 units, windows of 2 steps, every step supervised. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test-util.h"

enum { B = 7, L = 10, TAU = 2, H = 16, D = 2, ITERS = 600 };

typedef struct task {
    float x[L][B];         /* input of step t, sample b (n_in = 1) */
    float target[L][B * D];
} task;

static void make_task(task *tk)
{
    /* Angles in degrees of cues -3..3; cue 0 draws nothing. */
    static const double angle[B] = {300, 240, 180, 0, 120, 60, 0};
    memset(tk, 0, sizeof *tk);
    for (size_t b = 0; b < B; b++) {
        int cue = (int)b - 3;
        tk->x[0][b] = 0.1f * (float)cue;
        double a = angle[b] * 3.14159265358979323846 / 180.0, mag = cue == 0 ? 0.0 : 10.0;
        for (size_t t = 0; t < L; t++) {
            tk->target[t][b * D] = (float)((double)t / 9.0 * mag * sin(a));
            tk->target[t][b * D + 1] = (float)((double)t / 9.0 * mag * cos(a));
        }
    }
}

typedef struct model {
    ccrnn_cortex *cx;
    ccrnn_cerebellum *cb; /* NULL for the cRNN */
    ccrnn_optimizer *opt;
    size_t Z;
} model;

static void model_create(model *m, int cell, int with_cerebellum, double lr)
{
    CK_OK(ccrnn_cortex_create(cell, 1, H, D, B, TAU, 1243, &m->cx));
    CK_OK(ccrnn_cortex_shape(m->cx, NULL, NULL, NULL, NULL, &m->Z, NULL, NULL));
    m->cb = NULL;
    if (with_cerebellum)
        CK_OK(ccrnn_cerebellum_create(m->Z, 0, m->Z, 1, 64, B, 34521, 0, &m->cb));
    CK_OK(ccrnn_optimizer_create(CCRNN_OPT_ADAM, &m->opt));
    CK_OK(ccrnn_optimizer_set_param(m->opt, CCRNN_PARAM_LR, lr));
    CK_OK(ccrnn_optimizer_set_param(m->opt, CCRNN_PARAM_BETA1, 0.9));
    CK_OK(ccrnn_optimizer_set_param(m->opt, CCRNN_PARAM_BETA2, 0.98));
    CK_OK(ccrnn_optimizer_set_param(m->opt, CCRNN_PARAM_EPS, 1e-9));
    CK_OK(ccrnn_optimizer_set_param(m->opt, CCRNN_PARAM_CLIP_NORM, 1.0));
    CK_OK(ccrnn_optimizer_add_cortex(m->opt, m->cx, NULL));
    if (m->cb) CK_OK(ccrnn_optimizer_add_cerebellum(m->opt, m->cb, NULL));
}

static void model_destroy(model *m)
{
    ccrnn_optimizer_destroy(m->opt);
    ccrnn_cerebellum_destroy(m->cb);
    ccrnn_cortex_destroy(m->cx);
}

/* One batch: every window of the sequence, then one optimizer step.  Returns the sum
 * of the window losses (each the MSE over B x steps x D). */
static double train_batch(model *m, const task *tk, double *cb_loss)
{
    float y[B * D], dy[B * D];
    double total = 0.0;
    *cb_loss = 0.0;
    CK_OK(ccrnn_cortex_reset(m->cx, B));
    for (size_t k = 0; k * TAU < L; k++) {
        size_t t0 = k * TAU, steps = t0 + TAU <= L ? TAU : L - t0;
        CK_OK(ccrnn_cortex_begin_window(m->cx));
        for (size_t s = 0; s < steps; s++) {
            double l;
            CK_OK(ccrnn_cortex_forward(m->cx, tk->x[t0 + s], B, y, B * D));
            CK_OK(ccrnn_loss_mse(y, tk->target[t0 + s], B * D, D, NULL, 0,
                                 (double)(B * steps * D), dy, &l));
            CK_OK(ccrnn_cortex_output_grad(m->cx, s, dy, B * D));
            total += l;
        }
        double cl;
        CK_OK(ccrnn_window_end(m->cx, m->cb, NULL, 0, 0.1, CCRNN_WINDOW_DEFAULT, NULL, 0, &cl));
        *cb_loss += cl;
    }
    CK_OK(ccrnn_optimizer_step(m->opt));
    return total;
}

typedef struct run {
    double first, last, cb_first, cb_last;
    float *cortex, *cerebellum; /* final weights */
    size_t n_cortex, n_cerebellum;
} run;

static void train(run *r, int cell, int with_cerebellum, size_t iters, double lr)
{
    task tk;
    model m;
    make_task(&tk);
    model_create(&m, cell, with_cerebellum, lr);
    memset(r, 0, sizeof *r);
    for (size_t it = 0; it < iters; it++) {
        double cl, l = train_batch(&m, &tk, &cl);
        if (it == 0) {
            r->first = l;
            r->cb_first = cl;
        }
        /* The mean of the last 5 batches, so one noisy batch does not decide. */
        if (it + 5 >= iters) {
            r->last += l / 5.0;
            r->cb_last += cl / 5.0;
        }
        if (getenv("CCRNN_TEST_VERBOSE") && (it % 100 == 0 || it + 1 == iters))
            printf("train cell %d cerebellum %d iter %zu: loss %.5f cerebellum loss %.3g\n", cell,
                   with_cerebellum, it, l, cl);
    }
    const float *v;
    CK_OK(ccrnn_cortex_params(m.cx, &v, NULL, &r->n_cortex));
    r->cortex = falloc(r->n_cortex);
    memcpy(r->cortex, v, r->n_cortex * sizeof(float));
    if (m.cb) {
        CK_OK(ccrnn_cerebellum_params(m.cb, &v, NULL, &r->n_cerebellum));
        r->cerebellum = falloc(r->n_cerebellum);
        memcpy(r->cerebellum, v, r->n_cerebellum * sizeof(float));
    }
    model_destroy(&m);
}

static void run_free(run *r)
{
    free(r->cortex);
    free(r->cerebellum);
}

/* The bounds come from measurement (600 batches, lr 1e-2, CCRNN_TEST_VERBOSE=1).  With
 * the library at commit 4d5676c, from 75.5 the LSTM ccRNN ended at 0.14 (0.2%) and the
 * cRNN at 0.07 (0.1%): the LSTM bound is 5%.  The tanh ccRNN is noisier (10% of the
 * start, 1.6% with the library before its fast activations) and the GRU ccRNN ended
 * at 1%: their bound is 25%.  After 30 batches the loss was still 69 (91%), so a broken
 * gradient path or update fails the bounds. */
START_TEST(test_ccrnn_learns)
{
    run r;
    train(&r, CCRNN_CELL_LSTM, 1, ITERS, 1e-2);
    ck_assert_msg(r.last < 0.05 * r.first, "loss %.5f -> %.5f, expected below 5%% of the start",
                  r.first, r.last);
    ck_assert(isfinite(r.cb_last));
    if (getenv("CCRNN_TEST_VERBOSE"))
        printf("ccRNN: loss %.5f -> %.5f (mean of last 5), cerebellum loss %.4g -> %.4g\n",
               r.first, r.last, r.cb_first, r.cb_last);
    /* The cerebellum learned something: its parameters moved off the zero last layer. */
    size_t nonzero = 0;
    for (size_t i = 0; i < r.n_cerebellum; i++) nonzero += r.cerebellum[i] != 0.0f;
    ck_assert_uint_gt(nonzero, 0);
    run_free(&r);
}
END_TEST

START_TEST(test_crnn_learns)
{
    run r;
    train(&r, CCRNN_CELL_LSTM, 0, ITERS, 1e-2);
    ck_assert_msg(r.last < 0.05 * r.first, "loss %.5f -> %.5f, expected below 5%% of the start",
                  r.first, r.last);
    run_free(&r);
}
END_TEST

/* The same seeds and inputs give bit-identical weights. */
START_TEST(test_training_deterministic)
{
    int with_cb = _i;
    run a, b;
    train(&a, CCRNN_CELL_LSTM, with_cb, 30, 1e-2);
    train(&b, CCRNN_CELL_LSTM, with_cb, 30, 1e-2);
    ck_assert_uint_eq(a.n_cortex, b.n_cortex);
    ck_assert_mem_eq(a.cortex, b.cortex, a.n_cortex * sizeof(float));
    ck_assert(memcmp(&a.last, &b.last, sizeof a.last) == 0);
    if (with_cb) ck_assert_mem_eq(a.cerebellum, b.cerebellum, a.n_cerebellum * sizeof(float));
    run_free(&a);
    run_free(&b);
}
END_TEST

/* The other cells train through the same loop too. */
START_TEST(test_ccrnn_other_cells_learn)
{
    int cell = _i ? CCRNN_CELL_GRU : CCRNN_CELL_TANH;
    run r;
    train(&r, cell, 1, ITERS, 1e-2);
    ck_assert_msg(r.last < 0.25 * r.first, "cell %d loss %.5f -> %.5f, expected below 25%% of the start",
                  cell, r.first, r.last);
    run_free(&r);
}
END_TEST

Suite *training_suite(void)
{
    Suite *s = suite_create("training");
    TCase *tc = tcase_create("line_draw");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_ccrnn_learns);
    tcase_add_test(tc, test_crnn_learns);
    tcase_add_loop_test(tc, test_training_deterministic, 0, 2);
    tcase_add_loop_test(tc, test_ccrnn_other_cells_learn, 0, 2);
    suite_add_tcase(s, tc);
    return s;
}
