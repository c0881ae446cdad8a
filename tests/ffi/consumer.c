/* A C99 program using an installed libccrnn (built by install-test.sh with pkg-config).
 * It trains a small ccRNN to hold a cue over 4 steps, in two windows of 2 steps, and
 * exits nonzero if the header and library disagree or the loss does not fall. */
#include <stdio.h>
#include <string.h>

#include <ccrnn/ccrnn.h>

#define B 4
#define H 16
#define T 4
#define TAU 2

static int check(int status, const char *what)
{
    if (status != CCRNN_OK)
        fprintf(stderr, "%s: %s (%s)\n", what, ccrnn_strerror(status), ccrnn_last_error());
    return status;
}

/* One batch of docs/model.md §learning procedure: windows of TAU steps, the synthetic
 * gradient at each window end, the cerebellum taught at each window start, one optimizer
 * step. */
static double train_batch(ccrnn_cortex *cx, ccrnn_cerebellum *cb, ccrnn_optimizer *opt,
                          const float *cue)
{
    float x[B], y[B], dy[B], target[B], dz_end[B * 2 * H], dz_start[B * 2 * H];
    double total = 0.0, loss;
    memcpy(target, cue, sizeof target);
    ccrnn_cortex_reset(cx, B);
    for (int k = 0; k < T / TAU; k++) {
        ccrnn_cortex_begin_window(cx);
        for (int s = 0; s < TAU; s++) {
            int t = k * TAU + s;
            for (int b = 0; b < B; b++) x[b] = t == 0 ? cue[b] : 0.0f;
            if (check(ccrnn_cortex_forward(cx, x, B, y, B), "forward")) return -1;
            ccrnn_loss_mse(y, target, B, 1, NULL, 0, 0.0, dy, &loss);
            ccrnn_cortex_output_grad(cx, (size_t)s, dy, B);
            total += loss;
        }
        if (check(ccrnn_synthetic_gradient(cb, cx, NULL, 0, 0.1, dz_end, B * 2 * H), "sg") ||
            check(ccrnn_cortex_backward(cx, dz_end, B * 2 * H, dz_start, B * 2 * H), "backward") ||
            check(ccrnn_synthetic_gradient_learn(cb, cx, NULL, 0, dz_start, B * 2 * H, NULL),
                  "sg learn"))
            return -1;
    }
    if (check(ccrnn_optimizer_step(opt), "step")) return -1;
    return total / T;
}

int main(void)
{
    ccrnn_cortex *cx = NULL;
    ccrnn_cerebellum *cb = NULL;
    ccrnn_optimizer *opt = NULL;
    const float cue[B] = {-1.0f, -0.5f, 0.5f, 1.0f};
    double first = -1, last = -1;
    int rc = 1;

    if (ccrnn_version_number() != CCRNN_VERSION_NUMBER) {
        fprintf(stderr, "header %d, library %u\n", CCRNN_VERSION_NUMBER, ccrnn_version_number());
        return 1;
    }
    if (check(ccrnn_cortex_create(CCRNN_CELL_LSTM, 1, H, 1, B, TAU, 1, &cx), "cortex") ||
        check(ccrnn_cerebellum_create(2 * H, 0, 2 * H, 1, 64, B, 2, 0, &cb), "cerebellum") ||
        check(ccrnn_optimizer_create(CCRNN_OPT_ADAM, &opt), "optimizer") ||
        check(ccrnn_optimizer_set_param(opt, CCRNN_PARAM_LR, 1e-2), "lr") ||
        check(ccrnn_optimizer_add_cortex(opt, cx, NULL), "add cortex") ||
        check(ccrnn_optimizer_add_cerebellum(opt, cb, NULL), "add cerebellum"))
        goto done;
    for (int i = 0; i < 150; i++) {
        last = train_batch(cx, cb, opt, cue);
        if (last < 0) goto done;
        if (i == 0) first = last;
    }
    /* A wrong length is reported, not overrun. */
    float x[B + 1] = {0};
    if (ccrnn_cortex_forward(cx, x, B + 1, NULL, 0) != CCRNN_ERR_SHAPE || !*ccrnn_last_error()) {
        fprintf(stderr, "a wrong length was not reported as CCRNN_ERR_SHAPE\n");
        goto done;
    }
    printf("C consumer: libccrnn %s, loss %.4f -> %.4f\n", ccrnn_version_string(), first, last);
    rc = last < 0.5 * first ? 0 : 1;
    if (rc) fprintf(stderr, "the loss did not fall by half\n");
done:
    ccrnn_optimizer_destroy(opt);
    ccrnn_cerebellum_destroy(cb);
    ccrnn_cortex_destroy(cx);
    return rc;
}
