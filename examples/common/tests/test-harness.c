/* Tests of the example harness: window and supervision bookkeeping, the driver's
 * reported metrics against an independent computation, ablation / lesion / fibre
 * switches, argument parsing and statistics. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "check-runner.h"
#include "driver.h"
#include "output.h"
#include "rng.h"
#include "test-support.h"

/* ---- bookkeeping ----------------------------------------------------------------------- */

static ex_task sparse_task(size_t length, size_t sparse)
{
    ex_task t;
    memset(&t, 0, sizeof t);
    t.length = length;
    t.sparse = sparse;
    return t;
}

START_TEST(window_count_and_bounds)
{
    /* {L, tau, K} */
    static const size_t cases[][3] = {{10, 1, 10}, {10, 3, 4}, {10, 10, 1}, {10, 20, 1},
                                      {28, 5, 6},  {28, 7, 4}, {28, 28, 1}, {1, 1, 1},
                                      {28, 3, 10}, {9, 3, 3}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t L = cases[i][0], tau = cases[i][1], K = ex_window_count(L, tau), next = 0;
        ck_assert_uint_eq(K, cases[i][2]);
        for (size_t k = 0; k < K; k++) { /* windows tile [0, L) in order */
            size_t s, e;
            ex_window_bounds(L, tau, k, &s, &e);
            ck_assert_uint_eq(s, next);
            ck_assert_uint_gt(e, s);
            ck_assert_uint_le(e - s, tau);
            next = e;
        }
        ck_assert_uint_eq(next, L);
    }
    size_t s, e;
    ex_window_bounds(10, 3, 3, &s, &e);
    ck_assert_uint_eq(s, 9);
    ck_assert_uint_eq(e, 10);
    ex_window_bounds(28, 5, 5, &s, &e);
    ck_assert_uint_eq(s, 25);
    ck_assert_uint_eq(e, 28);
}
END_TEST

START_TEST(sparse_supervision)
{
    ex_task t = sparse_task(10, 2);
    for (size_t step = 0; step < 10; step++)
        ck_assert_int_eq(ex_step_supervised(&t, step), step % 2 == 0);
    /* tau = 3: windows [0,3) [3,6) [6,9) [9,10) hold steps {0,2} {4} {6,8} {} */
    ck_assert_uint_eq(ex_supervised_count(&t, 0, 3), 2);
    ck_assert_uint_eq(ex_supervised_count(&t, 3, 6), 1);
    ck_assert_uint_eq(ex_supervised_count(&t, 6, 9), 2);
    ck_assert_uint_eq(ex_supervised_count(&t, 9, 10), 0);
    t = sparse_task(28, 4);
    ck_assert_uint_eq(ex_supervised_count(&t, 0, 28), 7);
    ck_assert_uint_eq(ex_supervised_count(&t, 25, 28), 0);
    t = sparse_task(5, 1);
    ck_assert_uint_eq(ex_supervised_count(&t, 0, 5), 5);
}
END_TEST

START_TEST(last_step_supervision)
{
    ex_task t = sparse_task(28, 1);
    t.last_only = 1;
    for (size_t step = 0; step < 28; step++)
        ck_assert_int_eq(ex_step_supervised(&t, step), step == 27);
    ck_assert_uint_eq(ex_supervised_count(&t, 0, 25), 0);
    ck_assert_uint_eq(ex_supervised_count(&t, 25, 28), 1);
}
END_TEST

/* ---- a tiny task for the driver ---------------------------------------------------------- */

#define TL 6
#define TI 2
#define TD 3

typedef struct toy {
    uint64_t seed;
} toy;

static int toy_fill(void *ctx, int split, size_t epoch, size_t first, size_t count, float *x,
                    float *y, int32_t *labels)
{
    const toy *d = ctx;
    uint64_t seed = ts_seed_mix(d->seed, (uint64_t)split * 1000 + epoch);
    for (size_t j = 0; j < count; j++)
        ts_toy_sample(seed, first + j, x + j * TL * TI, TL * TI, y ? y + j * TL * TD : NULL,
                      TL * TD, labels ? labels + j : NULL, TD);
    return 0;
}

static toy toy_data = {42};

static ex_task toy_task(int loss, size_t sparse)
{
    ex_task t;
    memset(&t, 0, sizeof t);
    t.name = "toy";
    t.n_in = TI;
    t.n_out = TD;
    t.length = TL;
    t.loss = loss;
    t.last_only = loss == EX_LOSS_XENT;
    t.sparse = sparse;
    t.n_samples[EX_TRAIN] = 16;
    t.n_samples[EX_VALID] = 11;
    t.n_samples[EX_TEST] = 7;
    t.fill = toy_fill;
    t.ctx = &toy_data;
    return t;
}

static ex_config toy_config(int cerebellum, size_t tau)
{
    ex_config c;
    ex_config_defaults(&c);
    c.cerebellum = cerebellum;
    c.hidden = 5;
    c.cb_layers = 1;
    c.cb_width = 8;
    c.bptt = tau;
    c.batch = 8;
    c.epochs = 2;
    c.seed = 3;
    return c;
}

enum { NB = 8 };
static float bx[NB * TL * TI], by[NB * TL * TD], pred[NB * TL * TD];
static int32_t blab[NB];

START_TEST(train_mse_follows_the_reporting_convention)
{
    /* (1/L) sum over supervised t of mean_b ||y - y*||^2, with the outputs of the
     * training forward equal to those of inference at the same weights. */
    size_t sparse = 2 + (size_t)_i; /* 2 or 3 */
    ex_task task = toy_task(EX_LOSS_MSE, sparse);
    ex_config cfg = toy_config(1, 4);
    ex_model *m;
    ck_assert_int_eq(ex_model_create(&cfg, &task, &m), CCRNN_OK);
    toy_fill(&toy_data, EX_TRAIN, 1, 0, NB, bx, by, NULL);
    ck_assert_int_eq(ex_model_predict(m, bx, NB, pred), CCRNN_OK);
    double expect = 0.0;
    for (size_t t = 0; t < TL; t += sparse)
        for (size_t b = 0; b < NB; b++)
            for (size_t d = 0; d < TD; d++) {
                size_t i = (b * TL + t) * TD + d;
                expect += (pred[i] - by[i]) * (pred[i] - by[i]) / (double)NB;
            }
    expect /= TL;
    ex_metrics r;
    ck_assert_int_eq(ex_model_train_batch(m, bx, by, NULL, NB, &r), CCRNN_OK);
    ck_assert_double_eq_tol(r.loss, expect, 1e-5 * expect);
    ck_assert(isnan(r.accuracy));
    ex_model_destroy(m);
}
END_TEST

START_TEST(evaluation_scores_every_step)
{
    ex_task task = toy_task(EX_LOSS_MSE, 2);
    ex_config cfg = toy_config(0, 1);
    ex_model *m;
    static float vx[11 * TL * TI], vy[11 * TL * TD], vp[11 * TL * TD];
    ck_assert_int_eq(ex_model_create(&cfg, &task, &m), CCRNN_OK);
    toy_fill(&toy_data, EX_VALID, 0, 0, 11, vx, vy, NULL);
    ck_assert_int_eq(ex_model_predict(m, vx, 11, vp), CCRNN_OK); /* 11 > batch: chunks */
    double expect = 0.0;
    for (size_t i = 0; i < 11 * TL * TD; i++) {
        double d = (double)vp[i] - (double)vy[i];
        expect += d * d;
    }
    expect /= 11 * TL;
    ex_metrics v;
    ck_assert_int_eq(ex_model_evaluate(m, EX_VALID, &v), CCRNN_OK);
    ck_assert_double_eq_tol(v.loss, expect, 1e-9 * expect);
    ex_model_destroy(m);
}
END_TEST

START_TEST(classification_scores_the_last_step)
{
    ex_task task = toy_task(EX_LOSS_XENT, 1);
    ex_config cfg = toy_config(_i, 4); /* tau 4, L 6: the loss is in the second window */
    ex_model *m;
    ck_assert_int_eq(ex_model_create(&cfg, &task, &m), CCRNN_OK);
    toy_fill(&toy_data, EX_TRAIN, 1, 0, NB, bx, NULL, blab);
    ck_assert_int_eq(ex_model_predict(m, bx, NB, pred), CCRNN_OK);
    double expect = 0.0;
    size_t correct = 0;
    for (size_t b = 0; b < NB; b++) {
        const float *z = pred + (b * TL + TL - 1) * TD;
        double mx = z[0], sum = 0.0;
        size_t arg = 0;
        for (size_t d = 1; d < TD; d++)
            if (z[d] > mx) mx = z[d], arg = d;
        for (size_t d = 0; d < TD; d++) sum += exp(z[d] - mx);
        expect += (log(sum) + mx - z[blab[b]]) / NB;
        correct += arg == (size_t)blab[b];
    }
    ex_metrics r;
    ck_assert_int_eq(ex_model_train_batch(m, bx, NULL, blab, NB, &r), CCRNN_OK);
    ck_assert_double_eq_tol(r.loss, expect, 1e-5);
    ck_assert_double_eq_tol(r.accuracy, (double)correct / NB, 1e-12);
    ex_model_destroy(m);
}
END_TEST

static void cortex_params(ex_model *m, const float **v, size_t *n)
{
    ck_assert_int_eq(ccrnn_cortex_params(ex_model_cortex(m), v, NULL, n), CCRNN_OK);
}

/* Train `batches` batches of the toy MSE task. */
static void train_some(ex_model *m, size_t batches)
{
    for (size_t k = 0; k < batches; k++) {
        toy_fill(&toy_data, EX_TRAIN, 1, k * NB, NB, bx, by, NULL);
        ck_assert_int_eq(ex_model_train_batch(m, bx, by, NULL, NB, NULL), CCRNN_OK);
    }
}

START_TEST(ablated_ccrnn_is_truncated_bptt)
{
    ex_task task = toy_task(EX_LOSS_MSE, 2);
    ex_config c0 = toy_config(0, 2), c1 = toy_config(1, 2), c2 = toy_config(1, 2);
    c1.ablate_at = 1;
    ex_model *crnn, *ablated, *ccrnn;
    ck_assert_int_eq(ex_model_create(&c0, &task, &crnn), CCRNN_OK);
    ck_assert_int_eq(ex_model_create(&c1, &task, &ablated), CCRNN_OK);
    ck_assert_int_eq(ex_model_create(&c2, &task, &ccrnn), CCRNN_OK);
    ck_assert_int_eq(ex_model_begin_epoch(ablated, 1), CCRNN_OK);
    ck_assert_int_eq(ex_model_begin_epoch(ccrnn, 1), CCRNN_OK);
    double flag = -1;
    ccrnn_cerebellum_get_param(ex_model_cerebellum(ablated), CCRNN_PARAM_ABLATED, &flag);
    ck_assert(flag == 1.0);
    train_some(crnn, 4);
    train_some(ablated, 4);
    train_some(ccrnn, 4);
    const float *a, *b, *c;
    size_t na, nb, nc;
    cortex_params(crnn, &a, &na);
    cortex_params(ablated, &b, &nb);
    cortex_params(ccrnn, &c, &nc);
    ck_assert_uint_eq(na, nb);
    double diff_ablated = 0.0, diff_cc = 0.0;
    for (size_t i = 0; i < na; i++) {
        diff_ablated = fmax(diff_ablated, fabs(a[i] - b[i]));
        diff_cc = fmax(diff_cc, fabs(a[i] - c[i]));
    }
    ck_assert(diff_ablated == 0.0); /* same loop, zero synthetic gradient, same clip norm */
    ck_assert(diff_cc > 1e-6);      /* the working cerebellum changes the cortex's learning */
    ex_model_destroy(crnn);
    ex_model_destroy(ablated);
    ex_model_destroy(ccrnn);
}
END_TEST

static double max_cortex_diff(ex_model *x, ex_model *y)
{
    const float *a, *b;
    size_t na, nb;
    double d = 0.0;
    cortex_params(x, &a, &na);
    cortex_params(y, &b, &nb);
    ck_assert_uint_eq(na, nb);
    for (size_t i = 0; i < na; i++) d = fmax(d, fabs(a[i] - b[i]));
    return d;
}

START_TEST(paper_mode_at_full_bptt_is_the_crnn)
{
    /* One window (tau = L): in the paper's model nothing is injected at the sequence
     * end, so with the cerebellum's gradient out of the cortex's clip budget the ccRNN's
     * cortex learns exactly as the cRNN's; the reference injection makes it differ. */
    ex_task task = toy_task(EX_LOSS_MSE, 1);
    ex_config c0 = toy_config(0, TL), paper = toy_config(1, TL), ref = toy_config(1, TL);
    paper.end_synthetic = 0;
    paper.separate_clip = 1;
    ref.separate_clip = 1;
    ex_model *crnn, *pm, *rm;
    ck_assert_int_eq(ex_model_create(&c0, &task, &crnn), CCRNN_OK);
    ck_assert_int_eq(ex_model_create(&paper, &task, &pm), CCRNN_OK);
    ck_assert_int_eq(ex_model_create(&ref, &task, &rm), CCRNN_OK);
    for (int round = 0; round < 2; round++) { /* the reference's cerebellum learns first */
        train_some(crnn, 3);
        train_some(pm, 3);
        train_some(rm, 3);
    }
    ck_assert(max_cortex_diff(crnn, pm) == 0.0);
    ck_assert(max_cortex_diff(crnn, rm) > 1e-6);
    ex_model_destroy(crnn);
    ex_model_destroy(pm);
    ex_model_destroy(rm);
}
END_TEST

START_TEST(paper_mode_keeps_the_inner_synthetic_gradients)
{
    /* With several windows only the last window's injection is dropped: the cortex still
     * learns differently from a cRNN, and differently from the reference. */
    ex_task task = toy_task(EX_LOSS_MSE, 1);
    ex_config c0 = toy_config(0, 2), paper = toy_config(1, 2), ref = toy_config(1, 2);
    paper.end_synthetic = 0;
    ex_model *crnn, *pm, *rm;
    ck_assert_int_eq(ex_model_create(&c0, &task, &crnn), CCRNN_OK);
    ck_assert_int_eq(ex_model_create(&paper, &task, &pm), CCRNN_OK);
    ck_assert_int_eq(ex_model_create(&ref, &task, &rm), CCRNN_OK);
    train_some(crnn, 6);
    train_some(pm, 6);
    train_some(rm, 6);
    ck_assert(max_cortex_diff(crnn, pm) > 1e-6);
    ck_assert(max_cortex_diff(rm, pm) > 1e-6);
    ex_model_destroy(crnn);
    ex_model_destroy(pm);
    ex_model_destroy(rm);
}
END_TEST

START_TEST(clip_diagnostics)
{
    /* A clip far below the gradient norm: the factor is clip / (norm + 1e-6) of the
     * norm the clip sees (cortex and cerebellum together, or the cortex alone). */
    ex_task task = toy_task(EX_LOSS_MSE, 1);
    ex_config shared = toy_config(1, 2), apart = toy_config(1, 2), big = toy_config(0, 2);
    shared.clip = apart.clip = 1e-4;
    apart.separate_clip = 1;
    big.clip = 1e9;
    ex_model *ms, *ma, *mb;
    ck_assert_int_eq(ex_model_create(&shared, &task, &ms), CCRNN_OK);
    ck_assert_int_eq(ex_model_create(&apart, &task, &ma), CCRNN_OK);
    ck_assert_int_eq(ex_model_create(&big, &task, &mb), CCRNN_OK);
    ex_metrics r;
    for (int k = 0; k < 3; k++) { /* from the second batch on the cerebellum has learned */
        toy_fill(&toy_data, EX_TRAIN, 1, (size_t)k * NB, NB, bx, by, NULL);
        ck_assert_int_eq(ex_model_train_batch(ms, bx, by, NULL, NB, &r), CCRNN_OK);
        ck_assert(r.grad_cortex > 0.0 && r.grad_cb > 0.0);
        ck_assert_double_eq_tol(r.clip_factor, 1e-4 / (hypot(r.grad_cortex, r.grad_cb) + 1e-6),
                                1e-15);
        ck_assert_int_eq(ex_model_train_batch(ma, bx, by, NULL, NB, &r), CCRNN_OK);
        ck_assert_double_eq_tol(r.clip_factor, 1e-4 / (r.grad_cortex + 1e-6), 1e-15);
        ck_assert_int_eq(ex_model_train_batch(mb, bx, by, NULL, NB, &r), CCRNN_OK);
        ck_assert(r.clip_factor == 1.0 && r.grad_cb == 0.0 && r.grad_cortex > 0.0);
    }
    ex_model_destroy(ms);
    ex_model_destroy(ma);
    ex_model_destroy(mb);
}
END_TEST

START_TEST(ablation_and_lesion_start_at_their_epoch)
{
    ex_task task = toy_task(EX_LOSS_MSE, 2);
    ex_config cfg = toy_config(1, 1);
    cfg.ablate_at = 3;
    cfg.io_lesion_at = 2;
    ex_model *m;
    ck_assert_int_eq(ex_model_create(&cfg, &task, &m), CCRNN_OK);
    ccrnn_cerebellum *cb = ex_model_cerebellum(m);
    double abl, les;
    for (size_t e = 1; e <= 4; e++) {
        ck_assert_int_eq(ex_model_begin_epoch(m, e), CCRNN_OK);
        ccrnn_cerebellum_get_param(cb, CCRNN_PARAM_ABLATED, &abl);
        ccrnn_cerebellum_get_param(cb, CCRNN_PARAM_IO_LESION, &les);
        ck_assert(abl == (e >= 3));
        ck_assert(les == (e >= 2));
    }
    ex_model_destroy(m);
}
END_TEST

START_TEST(lesioned_cerebellum_stays_frozen)
{
    ex_task task = toy_task(EX_LOSS_MSE, 1);
    ex_config cfg = toy_config(1, 1);
    cfg.io_lesion_at = 2;
    ex_model *m;
    ck_assert_int_eq(ex_model_create(&cfg, &task, &m), CCRNN_OK);
    ck_assert_int_eq(ex_model_begin_epoch(m, 1), CCRNN_OK);
    train_some(m, 2); /* learns: its last layer moves away from zero */
    const float *w;
    size_t n;
    ck_assert_int_eq(ccrnn_cerebellum_params(ex_model_cerebellum(m), &w, NULL, &n), CCRNN_OK);
    float *before = malloc(n * sizeof *before);
    memcpy(before, w, n * sizeof *before);
    ck_assert_int_eq(ex_model_begin_epoch(m, 2), CCRNN_OK);
    train_some(m, 2);
    ck_assert_int_eq(memcmp(before, w, n * sizeof *before), 0);
    free(before);
    ex_model_destroy(m);
}
END_TEST

START_TEST(mossy_fibres_limit_the_inputs)
{
    ex_task task = toy_task(EX_LOSS_MSE, 1);
    ex_config cfg = toy_config(1, 1);
    cfg.fibres = 3; /* of 2H = 10 state values */
    ex_model *m;
    ck_assert_int_eq(ex_model_create(&cfg, &task, &m), CCRNN_OK);
    train_some(m, 3);
    ccrnn_cerebellum *cb = ex_model_cerebellum(m);
    size_t rows, cols, off;
    const char *name;
    const float *w;
    ck_assert_int_eq(ccrnn_cerebellum_tensor_info(cb, 0, &name, &rows, &cols, &off), CCRNN_OK);
    ck_assert_int_eq(ccrnn_cerebellum_params(cb, &w, NULL, NULL), CCRNN_OK);
    ck_assert_uint_eq(cols, 10);
    for (size_t r = 0; r < rows; r++) {
        size_t nonzero = 0;
        for (size_t c = 0; c < cols; c++) nonzero += w[off + r * cols + c] != 0.0f;
        ck_assert_uint_le(nonzero, 3);
    }
    ex_model_destroy(m);
}
END_TEST

START_TEST(training_lowers_the_loss)
{
    ex_task task = toy_task(EX_LOSS_MSE, 1);
    ex_config cfg = toy_config(_i, 2);
    cfg.epochs = 30;
    cfg.lr = 1e-2;
    task.n_samples[EX_TRAIN] = 8;
    ex_history h;
    ex_model *m = NULL;
    ck_assert_int_eq(ex_train(&cfg, &task, NULL, &h, &m), CCRNN_OK);
    ck_assert_ptr_nonnull(m);
    ck_assert_uint_eq(h.epochs, 30);
    /* Targets are noise, so only the training loss is expected to fall. */
    ck_assert_double_lt(h.train[29], h.train[0]);
    ck_assert(isfinite(h.valid[29]) && isfinite(h.test.loss));
    ex_history_free(&h);
    ex_model_destroy(m);
}
END_TEST

/* ---- arguments and statistics ------------------------------------------------------------ */

static long opt_n;
static double opt_x;
static const char *opt_s;
static int opt_f;

static int parse(int argc, const char **argv)
{
    opt_n = 5, opt_x = 0.5, opt_s = "abc", opt_f = 0;
    const ex_option table[] = {
        {"n", EX_OPT_INT, &opt_n, 1, 10, "N", "count"},
        {"x", EX_OPT_REAL, &opt_x, 0, 1, "X", "fraction"},
        {"s", EX_OPT_STRING, &opt_s, 0, 0, "S", "name"},
        {"f", EX_OPT_FLAG, &opt_f, 0, 0, NULL, "switch"},
    };
    return ex_args_parse(argc, (char **)argv, "about", table, 4);
}

START_TEST(arguments)
{
    const char *ok[] = {"prog", "--n", "7", "--x=0.25", "--s", "hello", "--f"};
    ck_assert_int_eq(parse(7, ok), EX_ARGS_OK);
    ck_assert_int_eq(opt_n, 7);
    ck_assert_double_eq(opt_x, 0.25);
    ck_assert_str_eq(opt_s, "hello");
    ck_assert_int_eq(opt_f, 1);
    const char *none[] = {"prog"};
    ck_assert_int_eq(parse(1, none), EX_ARGS_OK);
    ck_assert_int_eq(opt_n, 5); /* defaults untouched */
    const char *bad[][3] = {{"prog", "--n", "11"},   {"prog", "--n", "3x"}, {"prog", "--x", "2"},
                            {"prog", "--what", "1"}, {"prog", "--f=1", ""},  {"prog", "pos", ""},
                            {"prog", "--n", "nan"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_int_eq(parse(bad[i][2][0] ? 3 : 2, bad[i]), EX_ARGS_ERROR);
    const char *missing[] = {"prog", "--n"};
    ck_assert_int_eq(parse(2, missing), EX_ARGS_ERROR);
}
END_TEST

START_TEST(uint_lists)
{
    unsigned long long v[4];
    ck_assert_uint_eq(ex_parse_uint_list("1,2,1243", v, 4), 3);
    ck_assert(v[2] == 1243);
    ck_assert_uint_eq(ex_parse_uint_list("7,", v, 4), 1);
    ck_assert(v[0] == 7);
    ck_assert_uint_eq(ex_parse_uint_list("1,,2", v, 4), 0);
    ck_assert_uint_eq(ex_parse_uint_list("-1", v, 4), 0);
    ck_assert_uint_eq(ex_parse_uint_list("1,2,3,4,5", v, 4), 0);
}
END_TEST

START_TEST(mean_and_sem)
{
    double v[] = {1, 2, 3, 4}, m, e;
    ex_mean_sem(v, 4, &m, &e);
    ck_assert_double_eq_tol(m, 2.5, 1e-15);
    ck_assert_double_eq_tol(e, sqrt(5.0 / 3.0) / 2.0, 1e-15); /* sd sqrt(5/3), n 4 */
    ex_mean_sem(v, 1, &m, &e);
    ck_assert_double_eq(m, 1.0);
    ck_assert(isnan(e));
}
END_TEST

START_TEST(rng_is_uniform_over_integers)
{
    ex_rng r;
    size_t counts[7] = {0};
    ex_rng_seed(&r, 1);
    for (size_t i = 0; i < 70000; i++) counts[ex_rng_int(&r, -3, 3) + 3]++;
    for (size_t c = 0; c < 7; c++) ck_assert(counts[c] > 9500 && counts[c] < 10500);
}
END_TEST

static Suite *harness_suite(void)
{
    Suite *s = suite_create("harness");
    TCase *t = tcase_create("bookkeeping");
    tcase_add_test(t, window_count_and_bounds);
    tcase_add_test(t, sparse_supervision);
    tcase_add_test(t, last_step_supervision);
    suite_add_tcase(s, t);
    t = tcase_create("driver");
    tcase_set_timeout(t, 30);
    tcase_add_loop_test(t, train_mse_follows_the_reporting_convention, 0, 2);
    tcase_add_test(t, evaluation_scores_every_step);
    tcase_add_loop_test(t, classification_scores_the_last_step, 0, 2);
    tcase_add_test(t, ablated_ccrnn_is_truncated_bptt);
    tcase_add_test(t, paper_mode_at_full_bptt_is_the_crnn);
    tcase_add_test(t, paper_mode_keeps_the_inner_synthetic_gradients);
    tcase_add_test(t, clip_diagnostics);
    tcase_add_test(t, ablation_and_lesion_start_at_their_epoch);
    tcase_add_test(t, lesioned_cerebellum_stays_frozen);
    tcase_add_test(t, mossy_fibres_limit_the_inputs);
    tcase_add_loop_test(t, training_lowers_the_loss, 0, 2);
    suite_add_tcase(s, t);
    t = tcase_create("plumbing");
    tcase_add_test(t, arguments);
    tcase_add_test(t, uint_lists);
    tcase_add_test(t, mean_and_sem);
    tcase_add_test(t, rng_is_uniform_over_integers);
    suite_add_tcase(s, t);
    return s;
}

int main(int argc, char **argv)
{
    static const ts_suite_fn suites[] = {harness_suite};
    return ts_check_main(argc, argv, suites, 1);
}
