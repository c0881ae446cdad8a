/* Train a small ccRNN to draw a line from a cue: the training loop in full. */
#include <ccrnn/ccrnn.h>
#include <stdio.h>

#define B 8   /* batch */
#define L 10  /* steps per sequence */
#define TAU 2 /* truncation window */
#define H 16  /* cortical units; the LSTM state z = [h; c] has 2H values */

static int check(int status)
{
    if (status != CCRNN_OK) fprintf(stderr, "ccrnn: %s\n", ccrnn_last_error());
    return status;
}

int main(void)
{
    ccrnn_cortex *cx = NULL;
    ccrnn_cerebellum *cb = NULL;
    ccrnn_optimizer *opt = NULL;
    float x[B], y[B * 2], target[B * 2], dy[B * 2];
    double loss = 0.0;
    int st = check(ccrnn_cortex_create(CCRNN_CELL_LSTM, 1, H, 2, B, TAU, 1, &cx));
    if (!st) st = check(ccrnn_cerebellum_create(2 * H, 0, 2 * H, 1, 64, B, 2, 0, &cb));
    if (!st) st = check(ccrnn_optimizer_create(CCRNN_OPT_ADAM, &opt));
    if (!st) st = ccrnn_optimizer_set_param(opt, CCRNN_PARAM_CLIP_NORM, 1.0);
    if (!st) st = ccrnn_optimizer_add_cortex(opt, cx, NULL);
    if (!st) st = ccrnn_optimizer_add_cerebellum(opt, cb, NULL);

    for (int batch = 0; batch < 300 && !st; batch++) {
        ccrnn_cortex_reset(cx, B);
        loss = 0.0;
        for (int t0 = 0; t0 < L && !st; t0 += TAU) {
            ccrnn_cortex_begin_window(cx);                  /* detach: truncated BPTT */
            for (int t = t0; t < t0 + TAU && !st; t++) {
                for (int b = 0; b < B; b++) {
                    float cue = (float)(b % 4) - 1.5f;      /* four cues, four lines */
                    x[b] = t == 0 ? cue : 0.0f;
                    target[2 * b] = cue * (float)t / (L - 1);
                    target[2 * b + 1] = (float)t / (L - 1);
                }
                double step_loss;
                st = check(ccrnn_cortex_forward(cx, x, B, y, B * 2));
                if (!st) st = ccrnn_loss_mse(y, target, B * 2, 2, NULL, 0, B * 2 * TAU, dy, &step_loss);
                if (!st) st = ccrnn_cortex_output_grad(cx, (size_t)(t - t0), dy, B * 2);
                loss += step_loss;
            }
            /* The window end: the cerebellum's prediction 0.1 C(z_end) enters as the
             * gradient of the end state, the cortex backpropagates it with the window's
             * own loss, and the gradient reaching the window start teaches the
             * cerebellum.  (ccrnn_window_end composes the three step-wise calls:
             * synthetic_gradient, cortex_backward, synthetic_gradient_learn.) */
            if (!st) st = check(ccrnn_window_end(cx, cb, NULL, 0, 0.1, CCRNN_WINDOW_DEFAULT, NULL, 0, NULL));
        }
        if (!st) st = check(ccrnn_optimizer_step(opt));
        if (batch % 50 == 0 || batch == 299) printf("batch %3d  loss %.4f\n", batch, loss);
    }
    ccrnn_optimizer_destroy(opt);
    ccrnn_cerebellum_destroy(cb);
    ccrnn_cortex_destroy(cx);
    return st ? 1 : 0;
}
