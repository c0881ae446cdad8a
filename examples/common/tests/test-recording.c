/* Tests of the driver's gradient recording (ex_model_set_recorder): the recorded true
 * gradient is the central finite difference of the remaining sequence's loss, and
 * recording leaves training bit-identical. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check-runner.h"
#include "driver.h"
#include "test-support.h"

#define TL 7
#define TI 2
#define TD 3
#define TB 4

static int toy_fill(void *ctx, int split, size_t epoch, size_t first, size_t count, float *x,
                    float *y, int32_t *labels)
{
    (void)ctx;
    uint64_t seed = ts_seed_mix(77, (uint64_t)split * 1000 + epoch);
    for (size_t j = 0; j < count; j++)
        ts_toy_sample(seed, first + j, x + j * TL * TI, TL * TI, y ? y + j * TL * TD : NULL,
                      TL * TD, labels ? labels + j : NULL, TD);
    return 0;
}

/* variant 0: MSE with feedback every 2nd step; 1: classification from the last step */
static ex_task toy_task(int variant)
{
    ex_task t;
    memset(&t, 0, sizeof t);
    t.name = "toy";
    t.n_in = TI;
    t.n_out = TD;
    t.length = TL;
    t.loss = variant ? EX_LOSS_XENT : EX_LOSS_MSE;
    t.last_only = variant;
    t.sparse = 2;
    t.n_samples[EX_TRAIN] = 3 * TB;
    t.n_samples[EX_VALID] = TB;
    t.n_samples[EX_TEST] = TB;
    t.fill = toy_fill;
    return t;
}

static ex_config toy_config(int cerebellum, int cell, size_t tau)
{
    ex_config c;
    ex_config_defaults(&c);
    c.cerebellum = cerebellum;
    c.cell = cell;
    c.hidden = 4;
    c.cb_layers = 1;
    c.cb_width = 6;
    c.bptt = tau;
    c.batch = TB;
    c.lr = 1e-2;
    c.seed = 5;
    return c;
}

/* ---- the true gradient against central differences -------------------------------------- */

typedef struct fd_check {
    ex_model *m;
    const ex_task *task;
    const float *x, *y;
    const int32_t *labels;
    size_t windows, tau;
    double worst; /* largest |recorded - finite difference| / (1e-3 + |fd|) */
    double largest_grad;
} fd_check;

/* The task loss of steps [from, L) from state z, each window's loss normalised as in
 * training (MSE: over B x supervised steps of the window x D; XENT: batch mean), in
 * double, from a copy of the cortex run in inference mode. */
static double remaining_loss(fd_check *c, ccrnn_cortex *cx, const float *z, size_t from)
{
    size_t Z = 0;
    ccrnn_cortex_shape(cx, NULL, NULL, NULL, NULL, &Z, NULL, NULL);
    ck_assert_int_eq(ccrnn_cortex_reset(cx, TB), CCRNN_OK);
    ck_assert_int_eq(ccrnn_cortex_set_state(cx, z, TB * Z), CCRNN_OK);
    double total = 0.0;
    for (size_t t = from; t < TL; t++) {
        float xt[TB * TI], yt[TB * TD];
        for (size_t b = 0; b < TB; b++)
            for (size_t i = 0; i < TI; i++) xt[b * TI + i] = c->x[(b * TL + t) * TI + i];
        ck_assert_int_eq(ccrnn_cortex_forward(cx, xt, TB * TI, yt, TB * TD), CCRNN_OK);
        if (!ex_step_supervised(c->task, t)) continue;
        if (c->task->loss == EX_LOSS_XENT) {
            for (size_t b = 0; b < TB; b++) {
                double mx = yt[b * TD], s = 0.0;
                for (size_t d = 1; d < TD; d++) mx = fmax(mx, yt[b * TD + d]);
                for (size_t d = 0; d < TD; d++) s += exp(yt[b * TD + d] - mx);
                total += (log(s) + mx - yt[b * TD + c->labels[b]]) / TB;
            }
            continue;
        }
        size_t ws = t / c->tau * c->tau, we = ws + c->tau < TL ? ws + c->tau : TL, n_sup = 0;
        for (size_t u = ws; u < we; u++) n_sup += (size_t)ex_step_supervised(c->task, u);
        for (size_t b = 0; b < TB; b++)
            for (size_t d = 0; d < TD; d++) {
                double e = (double)yt[b * TD + d] - c->y[(b * TL + t) * TD + d];
                total += e * e / (double)(TB * n_sup * TD);
            }
    }
    return total;
}

/* The remaining loss as a function of the state z of a window's start. */
typedef struct fd_point {
    fd_check *c;
    ccrnn_cortex *copy;
    const float *z;
    size_t from;
} fd_point;

static double remaining_loss_at(void *ctx)
{
    fd_point *q = ctx;
    return remaining_loss(q->c, q->copy, q->z, q->from);
}

static int fd_recorder(void *ctx, const ex_window_record *r)
{
    fd_check *c = ctx;
    size_t Z = r->state_size, n = TB * Z;
    ccrnn_cortex *copy = NULL;
    ck_assert_uint_eq(r->batch, TB);
    ck_assert_uint_eq(r->start, r->window * c->tau);
    /* the weights of this batch: the optimizer steps only after the last window */
    ck_assert_int_eq(ccrnn_cortex_clone(ex_model_cortex(c->m), &copy), CCRNN_OK);
    ck_assert_int_eq(ccrnn_cortex_set_param(copy, CCRNN_PARAM_TRAINING, 0), CCRNN_OK);
    float *z = malloc(n * sizeof *z);
    memcpy(z, r->z, n * sizeof *z);
    fd_point q = {c, copy, z, r->start};
    for (size_t i = 0; i < n; i++) {
        double fd = ts_central_diff_f(remaining_loss_at, &q, &z[i], 1e-2);
        double err = fabs(r->true_grad[i] - fd) / (1e-3 + fabs(fd));
        if (err > c->worst) c->worst = err;
        if (fabs(fd) > c->largest_grad) c->largest_grad = fabs(fd);
    }
    free(z);
    ccrnn_cortex_destroy(copy);
    c->windows++;
    return 0;
}

/* {variant, cell, tau} */
static const int fd_cases[][3] = {{0, CCRNN_CELL_TANH, 1}, {0, CCRNN_CELL_LSTM, 2},
                                  {1, CCRNN_CELL_LSTM, 3}, {1, CCRNN_CELL_TANH, 2}};

START_TEST(true_gradient_is_the_finite_difference_of_the_remaining_loss)
{
    ex_task task = toy_task(fd_cases[_i][0]);
    ex_config cfg = toy_config(1, fd_cases[_i][1], (size_t)fd_cases[_i][2]);
    cfg.sg_scale = 0.1;
    ex_model *m;
    ck_assert_int_eq(ex_model_create(&cfg, &task, &m), CCRNN_OK);
    float x[TB * TL * TI], y[TB * TL * TD];
    int32_t labels[TB];
    toy_fill(NULL, EX_TRAIN, 1, 0, TB, x, y, labels);
    int mse = task.loss == EX_LOSS_MSE;
    /* a first batch, so the cerebellum predicts something and the weights moved */
    ck_assert_int_eq(ex_model_train_batch(m, x, mse ? y : NULL, mse ? NULL : labels, TB, NULL),
                     CCRNN_OK);
    fd_check c = {m, &task, x, y, labels, 0, cfg.bptt, 0.0, 0.0};
    ck_assert_int_eq(ex_model_set_recorder(m, fd_recorder, &c), CCRNN_OK);
    ck_assert_int_eq(ex_model_train_batch(m, x, mse ? y : NULL, mse ? NULL : labels, TB, NULL),
                     CCRNN_OK);
    ck_assert_uint_eq(c.windows, ex_window_count(TL, cfg.bptt));
    ck_assert_double_gt(c.largest_grad, 1e-3); /* the check is not vacuous */
    ck_assert_double_lt(c.worst, 5e-3); /* measured: below 6e-4 */
    ex_model_destroy(m);
}
END_TEST

/* ---- recording does not disturb training --------------------------------------------- */

typedef struct counter {
    size_t windows;
    double cos_sum;
} counter;

static int count_recorder(void *ctx, const ex_window_record *r)
{
    counter *c = ctx;
    c->windows++;
    ck_assert_ptr_nonnull(r->prediction);
    ck_assert_ptr_nonnull(r->target);
    ck_assert_ptr_nonnull(r->hidden);
    ck_assert_uint_eq(r->cb_width, 6);
    return 0;
}

/* All parameters of the model (cortex then cerebellum) into a new buffer. */
static float *snapshot(ex_model *m, size_t *n_out)
{
    size_t n = 0, count = 0, rows, cols, offset;
    const char *name;
    float *buf = NULL;
    ccrnn_cortex *cx = ex_model_cortex(m);
    ccrnn_cerebellum *cb = ex_model_cerebellum(m);
    for (int pass = 0; pass < 2; pass++) {
        n = 0;
        ccrnn_cortex_tensor_count(cx, &count);
        for (size_t i = 0; i < count; i++) {
            ccrnn_cortex_tensor_info(cx, i, &name, &rows, &cols, &offset);
            size_t k = rows * (cols ? cols : 1);
            if (pass) ck_assert_int_eq(ccrnn_cortex_get_tensor(cx, name, buf + n, k), CCRNN_OK);
            n += k;
        }
        ccrnn_cerebellum_tensor_count(cb, &count);
        for (size_t i = 0; i < count; i++) {
            ccrnn_cerebellum_tensor_info(cb, i, &name, &rows, &cols, &offset);
            size_t k = rows * (cols ? cols : 1);
            if (pass) ck_assert_int_eq(ccrnn_cerebellum_get_tensor(cb, name, buf + n, k), CCRNN_OK);
            n += k;
        }
        if (!pass) buf = malloc(n * sizeof *buf);
    }
    *n_out = n;
    return buf;
}

START_TEST(recording_leaves_training_bit_identical)
{
    ex_task task = toy_task(_i);
    ex_config cfg = toy_config(1, CCRNN_CELL_LSTM, 2);
    ex_model *plain, *recorded;
    counter c = {0, 0.0};
    ck_assert_int_eq(ex_model_create(&cfg, &task, &plain), CCRNN_OK);
    ck_assert_int_eq(ex_model_create(&cfg, &task, &recorded), CCRNN_OK);
    ck_assert_int_eq(ex_model_set_recorder(recorded, count_recorder, &c), CCRNN_OK);
    float x[TB * TL * TI], y[TB * TL * TD];
    int32_t labels[TB];
    int mse = task.loss == EX_LOSS_MSE;
    for (size_t epoch = 1; epoch <= 3; epoch++)
        for (size_t first = 0; first < task.n_samples[EX_TRAIN]; first += TB) {
            ex_metrics a, b;
            toy_fill(NULL, EX_TRAIN, epoch, first, TB, x, y, labels);
            if (epoch == 3) ex_model_set_recorder(recorded, NULL, NULL); /* and off again */
            ck_assert_int_eq(ex_model_train_batch(plain, x, mse ? y : NULL,
                                                  mse ? NULL : labels, TB, &a), CCRNN_OK);
            ck_assert_int_eq(ex_model_train_batch(recorded, x, mse ? y : NULL,
                                                  mse ? NULL : labels, TB, &b), CCRNN_OK);
            ck_assert(a.loss == b.loss);
            ck_assert(a.cb_loss == b.cb_loss);
        }
    ck_assert_uint_eq(c.windows, 2 * 3 * ex_window_count(TL, 2)); /* epochs 1-2, 3 batches */
    size_t n1, n2;
    float *p1 = snapshot(plain, &n1), *p2 = snapshot(recorded, &n2);
    ck_assert_uint_eq(n1, n2);
    ck_assert_int_eq(memcmp(p1, p2, n1 * sizeof *p1), 0);
    free(p1), free(p2);
    ex_model_destroy(plain);
    ex_model_destroy(recorded);
}
END_TEST

static Suite *recording_suite(void)
{
    Suite *s = suite_create("recording");
    TCase *t = tcase_create("recording");
    tcase_set_timeout(t, 30);
    tcase_add_loop_test(t, true_gradient_is_the_finite_difference_of_the_remaining_loss, 0,
                        (int)(sizeof fd_cases / sizeof fd_cases[0]));
    tcase_add_loop_test(t, recording_leaves_training_bit_identical, 0, 2);
    suite_add_tcase(s, t);
    return s;
}

int main(int argc, char **argv)
{
    static const ts_suite_fn suites[] = {recording_suite};
    return ts_check_main(argc, argv, suites, 1);
}
