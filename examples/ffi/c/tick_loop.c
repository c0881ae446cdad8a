/* Embedding libccrnn in a simulator: one training window per tick, at batch 1.
 *
 * A point on a line moves by the commanded velocity u each tick (p += dt u) and must
 * follow a target that jumps every 50 ticks.  The controller sees the target and p,
 * learns online from the squared distance, and the loop prints the tracking error and
 * the measured latency of the per-tick library sequence.
 *
 *   cc -std=c99 tick_loop.c $(pkg-config --cflags --libs libccrnn) -lm -o tick_loop */
#if !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#endif
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <ccrnn/ccrnn.h>

#define H 16
#define Z (2 * H) /* LSTM state: h then c */
#define TICKS 20000

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

#define CHECK(call)                                                                  \
    do {                                                                             \
        int st_ = (call);                                                            \
        if (st_) {                                                                   \
            fprintf(stderr, "%s: %s\n", #call, ccrnn_last_error());                  \
            return 1;                                                                \
        }                                                                            \
    } while (0)

int main(void)
{
    ccrnn_cortex *cx;
    ccrnn_cerebellum *cb;
    ccrnn_optimizer *opt;
    CHECK(ccrnn_cortex_create(CCRNN_CELL_LSTM, 2, H, 1, 1, 1, 42, &cx)); /* batch 1, window 1 */
    CHECK(ccrnn_cerebellum_create(Z, 0, Z, 1, 64, 1, 43, CCRNN_CEREBELLUM_DEFAULT, &cb));
    CHECK(ccrnn_optimizer_create(CCRNN_OPT_ADAM, &opt));
    CHECK(ccrnn_optimizer_set_param(opt, CCRNN_PARAM_CLIP_NORM, 1.0));
    CHECK(ccrnn_optimizer_add_cortex(opt, cx, NULL));
    CHECK(ccrnn_optimizer_add_cerebellum(opt, cb, NULL));
    CHECK(ccrnn_cortex_reset(cx, 1));

    static double lat[TICKS];
    double p = 0.0, target = 0.5, dt = 0.1, err = 0.0;
    float x[2], u, du;
    srand(7);
    for (int t = 0; t < TICKS; t++) {
        if (t % 50 == 0) target = 2.0 * rand() / RAND_MAX - 1.0;
        x[0] = (float)target;
        x[1] = (float)p;
        double t0 = now_us();
        /* --- the per-tick sequence -------------------------------------------------- */
        CHECK(ccrnn_cortex_begin_window(cx));                  /* detach: z_t is the start */
        CHECK(ccrnn_cortex_forward(cx, x, 2, &u, 1));          /* the command */
        p += dt * u;                                            /* the simulator's step */
        du = (float)(2.0 * (p - target) * dt);                  /* dL/du, L = (p - target)^2 */
        CHECK(ccrnn_cortex_output_grad(cx, 0, &du, 1));
        /* 0.1 C(z_t+1) injected, backward, C(z_t) taught the gradient at z_t: */
        CHECK(ccrnn_window_end(cx, cb, NULL, 0, 0.1, CCRNN_WINDOW_DEFAULT, NULL, 0, NULL));
        CHECK(ccrnn_optimizer_step(opt));                      /* clip, Adam, zero grads */
        /* ---------------------------------------------------------------------------- */
        lat[t] = now_us() - t0;
        err += (p - target) * (p - target);
        if ((t + 1) % 4000 == 0) {
            printf("ticks %5d  mean squared tracking error %.4f\n", t + 1, err / 4000);
            err = 0.0;
        }
    }
    qsort(lat, TICKS, sizeof lat[0], cmp);
    printf("per-tick latency: median %.1f us, 99th percentile %.1f us\n", lat[TICKS / 2],
           lat[TICKS * 99 / 100]);
    ccrnn_optimizer_destroy(opt); /* before the objects it updates */
    ccrnn_cerebellum_destroy(cb);
    ccrnn_cortex_destroy(cx);
    return 0;
}
