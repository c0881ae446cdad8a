#include "controller.h"

#include <stdio.h>
#include <stdlib.h>

struct controller {
    ctl_config cfg;
    ccrnn_cortex *cx;
    ccrnn_cerebellum *cb;
    ccrnn_optimizer *opt;
    size_t z;          /* state size (2H) */
    size_t step;       /* ticks in the current window */
};

static int fail(int st, const char *call)
{
    fprintf(stderr, "%s: %s (%s)\n", call, ccrnn_strerror(st), ccrnn_last_error());
    return st;
}

#define CHECK(call)                                  \
    do {                                             \
        int st_ = (call);                            \
        if (st_ != CCRNN_OK) return fail(st_, #call); \
    } while (0)

static int build(controller *c)
{
    const ctl_config *g = &c->cfg;
    CHECK(ccrnn_cortex_create(CCRNN_CELL_LSTM, g->n_in, g->hidden, g->n_out, 1, g->bptt, g->seed,
                              &c->cx));
    CHECK(ccrnn_cortex_shape(c->cx, NULL, NULL, NULL, NULL, &c->z, NULL, NULL));
    CHECK(ccrnn_cortex_set_param(c->cx, CCRNN_PARAM_THREADS, g->threads));
    CHECK(ccrnn_optimizer_create(CCRNN_OPT_ADAM, &c->opt));
    CHECK(ccrnn_optimizer_set_param(c->opt, CCRNN_PARAM_LR, g->lr));
    CHECK(ccrnn_optimizer_set_param(c->opt, CCRNN_PARAM_CLIP_NORM, g->clip));
    CHECK(ccrnn_optimizer_add_cortex(c->opt, c->cx, NULL));
    if (g->cerebellum) {
        CHECK(ccrnn_cerebellum_create(c->z, 0, c->z, g->cb_layers, g->cb_width, 1,
                                      g->seed ^ 0x5EEDCB5EEDCBull, CCRNN_CEREBELLUM_DEFAULT,
                                      &c->cb));
        CHECK(ccrnn_cerebellum_set_param(c->cb, CCRNN_PARAM_THREADS, g->threads));
        CHECK(ccrnn_optimizer_add_cerebellum(c->opt, c->cb, NULL));
    }
    return CCRNN_OK;
}

int ctl_create(const ctl_config *cfg, controller **out)
{
    controller *c = calloc(1, sizeof *c);
    *out = NULL;
    if (!c) return CCRNN_ERR_NOMEM;
    c->cfg = *cfg;
    int st = build(c);
    if (st != CCRNN_OK) {
        ctl_destroy(c);
        return st;
    }
    *out = c;
    return CCRNN_OK;
}

void ctl_destroy(controller *c)
{
    if (!c) return;
    ccrnn_optimizer_destroy(c->opt); /* first: it points at the other two */
    ccrnn_cerebellum_destroy(c->cb);
    ccrnn_cortex_destroy(c->cx);
    free(c);
}

int ctl_begin_reach(controller *c)
{
    c->step = 0;
    CHECK(ccrnn_cortex_reset(c->cx, 1));
    return CCRNN_OK;
}

int ctl_set_training(controller *c, int training)
{
    c->step = 0;
    CHECK(ccrnn_cortex_set_param(c->cx, CCRNN_PARAM_TRAINING, training));
    return CCRNN_OK;
}

int ctl_act(controller *c, const float *x, float *u)
{
    if (c->step == 0) CHECK(ccrnn_cortex_begin_window(c->cx)); /* z detached here */
    CHECK(ccrnn_cortex_forward(c->cx, x, c->cfg.n_in, u, c->cfg.n_out));
    return CCRNN_OK;
}

int ctl_learn(controller *c, const float *du, int last)
{
    CHECK(ccrnn_cortex_output_grad(c->cx, c->step, du, c->cfg.n_out));
    if (++c->step < c->cfg.bptt && !last) return CCRNN_OK; /* the window goes on */
    c->step = 0;
    /* Inject the cerebellum's guess of the future gradient at z_end (not after the last
     * tick: nothing follows), backpropagate, teach the cerebellum; cRNN: cb is NULL. */
    CHECK(ccrnn_window_end(c->cx, c->cb, NULL, 0, c->cfg.sg_scale,
                           last ? CCRNN_WINDOW_NO_SYNTHETIC : CCRNN_WINDOW_DEFAULT, NULL, 0, NULL));
    CHECK(ccrnn_optimizer_step(c->opt));
    return CCRNN_OK;
}
