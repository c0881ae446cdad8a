/* Checkpoints never lose training: training N batches, saving cortex, cerebellum and
 * optimizer, loading them into fresh handles and training M more gives bit-identical
 * weights (and optimizer state) to N+M batches without interruption.  Also: round
 * trips keep every setting, the memory API's size protocol, files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rel-util.h"

#define N_FIRST 3
#define N_MORE 3

static ts_tmpdir tmp;

static int same_params_cortex(ccrnn_cortex *a, ccrnn_cortex *b)
{
    const float *va, *vb;
    size_t na, nb;
    MUST(ccrnn_cortex_params(a, &va, NULL, &na));
    MUST(ccrnn_cortex_params(b, &vb, NULL, &nb));
    return na == nb && memcmp(va, vb, na * sizeof(float)) == 0;
}

static int same_params_cerebellum(ccrnn_cerebellum *a, ccrnn_cerebellum *b)
{
    const float *va, *vb;
    size_t na, nb;
    MUST(ccrnn_cerebellum_params(a, &va, NULL, &na));
    MUST(ccrnn_cerebellum_params(b, &vb, NULL, &nb));
    return na == nb && memcmp(va, vb, na * sizeof(float)) == 0;
}

/* Compare two models through everything a checkpoint holds, and the weights directly. */
static void check_same_model(rel_model *a, rel_model *b, const char *what)
{
    size_t n1, n2;
    unsigned char *s1, *s2;
    CHECK(same_params_cortex(a->cx, b->cx), "%s: cortex weights differ", what);
    CHECK(same_params_cerebellum(a->cb, b->cb), "%s: cerebellum weights differ", what);
    s1 = rel_save_cortex(a->cx, &n1);
    s2 = rel_save_cortex(b->cx, &n2);
    CHECK(ts_same_bytes(s1, n1, s2, n2), "%s: cortex checkpoints differ", what);
    free(s1); free(s2);
    s1 = rel_save_cerebellum(a->cb, &n1);
    s2 = rel_save_cerebellum(b->cb, &n2);
    CHECK(ts_same_bytes(s1, n1, s2, n2), "%s: cerebellum checkpoints differ", what);
    free(s1); free(s2);
    s1 = rel_save_optimizer(a->opt, &n1);
    s2 = rel_save_optimizer(b->opt, &n2);
    CHECK(ts_same_bytes(s1, n1, s2, n2), "%s: optimizer checkpoints differ", what);
    free(s1); free(s2);
}

/* Save the three objects of m, destroy m, rebuild it from the checkpoints. */
static void reload_mem(rel_model *m)
{
    size_t ncx, ncb, nopt;
    unsigned char *cx = rel_save_cortex(m->cx, &ncx), *cb = rel_save_cerebellum(m->cb, &ncb);
    unsigned char *opt = rel_save_optimizer(m->opt, &nopt);
    rel_config cfg = m->cfg;
    rel_model_destroy(m);
    ccrnn_cortex *lcx;
    ccrnn_cerebellum *lcb;
    MUST(ccrnn_cortex_load_mem(cx, ncx, &lcx));
    MUST(ccrnn_cerebellum_load_mem(cb, ncb, &lcb));
    rel_model_adopt(m, &cfg, lcx, lcb);
    MUST(ccrnn_optimizer_load_mem(m->opt, opt, nopt));
    free(cx); free(cb); free(opt);
}

static void reload_files(rel_model *m)
{
    char pcx[sizeof tmp.file], pcb[sizeof tmp.file], popt[sizeof tmp.file];
    strcpy(pcx, ts_tmpdir_file(&tmp, "cortex.ckpt"));
    strcpy(pcb, ts_tmpdir_file(&tmp, "cerebellum.ckpt"));
    strcpy(popt, ts_tmpdir_file(&tmp, "optimizer.ckpt"));
    MUST(ccrnn_cortex_save(m->cx, pcx));
    MUST(ccrnn_cerebellum_save(m->cb, pcb));
    MUST(ccrnn_optimizer_save(m->opt, popt));
    rel_config cfg = m->cfg;
    rel_model_destroy(m);
    ccrnn_cortex *lcx;
    ccrnn_cerebellum *lcb;
    MUST(ccrnn_cortex_load(pcx, &lcx));
    MUST(ccrnn_cerebellum_load(pcb, &lcb));
    rel_model_adopt(m, &cfg, lcx, lcb);
    MUST(ccrnn_optimizer_load(m->opt, popt));
    unlink(pcx); unlink(pcb); unlink(popt);
}

static void resume_case(const rel_config *cfg, int via_files, const char *what)
{
    rel_model straight, resumed;
    rel_model_create(&straight, cfg);
    rel_model_create(&resumed, cfg);
    for (uint64_t b = 0; b < N_FIRST + N_MORE; b++) MUST(rel_train_batch(&straight, b));
    for (uint64_t b = 0; b < N_FIRST; b++) MUST(rel_train_batch(&resumed, b));
    if (via_files) reload_files(&resumed);
    else reload_mem(&resumed);
    for (uint64_t b = N_FIRST; b < N_FIRST + N_MORE; b++) MUST(rel_train_batch(&resumed, b));
    double s1, s2;
    MUST(ccrnn_optimizer_get_param(straight.opt, CCRNN_PARAM_STEPS, &s1));
    MUST(ccrnn_optimizer_get_param(resumed.opt, CCRNN_PARAM_STEPS, &s2));
    CHECK(s1 == N_FIRST + N_MORE && s2 == s1, "%s: optimizer steps %g vs %g", what, s1, s2);
    check_same_model(&straight, &resumed, what);
    /* The weights did move: the comparison is not between two untrained models. */
    rel_model fresh;
    rel_model_create(&fresh, cfg);
    CHECK(!same_params_cortex(fresh.cx, straight.cx), "%s: training changed nothing", what);
    rel_model_destroy(&fresh);
    rel_model_destroy(&straight);
    rel_model_destroy(&resumed);
}

static void test_resume(void)
{
    static const int cells[3] = {CCRNN_CELL_LSTM, CCRNN_CELL_TANH, CCRNN_CELL_GRU};
    static const char *names[3] = {"lstm", "tanh", "gru"};
    for (int c = 0; c < 3; c++) {
        rel_config cfg = rel_default_config(cells[c]);
        char what[64];
        snprintf(what, sizeof what, "resume %s (memory)", names[c]);
        resume_case(&cfg, 0, what);
        cfg.fibres = 5; /* a mossy-fibre mask must survive too */
        cfg.cb_layers = 2;
        snprintf(what, sizeof what, "resume %s, fibre mask, 2 layers (files)", names[c]);
        resume_case(&cfg, 1, what);
    }
    rel_config cfg = rel_default_config(CCRNN_CELL_LSTM);
    cfg.cb_layers = 0; /* a cerebellum that is a single Linear */
    cfg.fibres = 3;
    resume_case(&cfg, 0, "resume lstm, linear cerebellum with mask");
}

/* Every setting comes back, and save(load(save(x))) == save(x). */
static void test_round_trip_settings(void)
{
    ccrnn_cortex *cx, *cx2;
    MUST(ccrnn_cortex_create(CCRNN_CELL_GRU, 2, 5, 3, 4, 3, 9, &cx));
    MUST(ccrnn_cortex_reset(cx, 3));
    float x[3 * 2] = {0.5f, -1, 0.25f, 2, -0.5f, 1}, z[3 * 5], z2[3 * 5];
    MUST(ccrnn_cortex_forward(cx, x, 6, NULL, 0));
    MUST(ccrnn_cortex_set_param(cx, CCRNN_PARAM_TRAINING, 0));
    MUST(ccrnn_cortex_set_param(cx, CCRNN_PARAM_THREADS, 2));
    MUST(ccrnn_cortex_get_state(cx, z, 15));
    size_t n, n2;
    unsigned char *a = rel_save_cortex(cx, &n);
    MUST(ccrnn_cortex_load_mem(a, n, &cx2));
    unsigned char *b = rel_save_cortex(cx2, &n2);
    CHECK(ts_same_bytes(a, n, b, n2), "cortex round trip changes the checkpoint");
    double v;
    MUST(ccrnn_cortex_get_param(cx2, CCRNN_PARAM_TRAINING, &v));
    CHECK(v == 0, "TRAINING not restored (%g)", v);
    MUST(ccrnn_cortex_get_param(cx2, CCRNN_PARAM_THREADS, &v));
    CHECK(v == 2, "THREADS not restored (%g)", v);
    CHECK_STATUS(ccrnn_cortex_get_state(cx2, z2, 15), CCRNN_OK);
    CHECK(memcmp(z, z2, sizeof z) == 0, "active batch 3 and its state not restored");
    size_t steps = 99;
    MUST(ccrnn_cortex_window_length(cx2, &steps));
    CHECK(steps == 0, "a loaded cortex starts a new window (%zu steps)", steps);
    free(a); free(b);
    ccrnn_cortex_destroy(cx); ccrnn_cortex_destroy(cx2);

    ccrnn_cerebellum *cb, *cb2;
    MUST(ccrnn_cerebellum_create(4, 2, 3, 2, 7, 5, 11, 0, &cb));
    MUST(ccrnn_cerebellum_set_fibres(cb, 2, 5));
    static const int flags[3] = {CCRNN_PARAM_ABLATED, CCRNN_PARAM_IO_LESION,
                                 CCRNN_PARAM_LOSS_MEAN};
    static const double want[3] = {1, 2, 1};
    for (int i = 0; i < 3; i++) MUST(ccrnn_cerebellum_set_param(cb, flags[i], want[i]));
    a = rel_save_cerebellum(cb, &n);
    MUST(ccrnn_cerebellum_load_mem(a, n, &cb2));
    b = rel_save_cerebellum(cb2, &n2);
    CHECK(ts_same_bytes(a, n, b, n2), "cerebellum round trip changes the checkpoint");
    for (int i = 0; i < 3; i++) {
        MUST(ccrnn_cerebellum_get_param(cb2, flags[i], &v));
        CHECK(v == want[i], "cerebellum flag %d not restored (%g)", flags[i], v);
    }
    size_t s[6], s2[6];
    MUST(ccrnn_cerebellum_shape(cb, &s[0], &s[1], &s[2], &s[3], &s[4], &s[5]));
    MUST(ccrnn_cerebellum_shape(cb2, &s2[0], &s2[1], &s2[2], &s2[3], &s2[4], &s2[5]));
    CHECK(memcmp(s, s2, sizeof s) == 0, "cerebellum shapes not restored");
    /* The mask keeps masked weights at zero through learning in the loaded copy. */
    MUST(ccrnn_cerebellum_set_param(cb2, CCRNN_PARAM_ABLATED, 0));
    MUST(ccrnn_cerebellum_set_param(cb2, CCRNN_PARAM_IO_LESION, 0));
    float w0[7 * 6], in[4] = {1, 2, 3, 4}, ctx[2] = {-1, 1}, tgt[3] = {1, 1, 1};
    MUST(ccrnn_cerebellum_get_tensor(cb2, "0.weight", w0, 42));
    size_t zeros = 0;
    for (int i = 0; i < 42; i++) zeros += w0[i] == 0.0f;
    CHECK(zeros == 7 * 4, "mask: %zu zero input weights, expected 28", zeros);
    MUST(ccrnn_cerebellum_learn(cb2, 1, in, 4, ctx, 2, tgt, 3, NULL));
    const float *vals;
    float *grads;
    MUST(ccrnn_cerebellum_params(cb2, &vals, &grads, NULL));
    size_t zero_grads = 0;
    for (int i = 0; i < 42; i++) zero_grads += grads[i] == 0.0f && w0[i] == 0.0f;
    CHECK(zero_grads == 28, "mask not applied to the loaded cerebellum's gradients (%zu)",
          zero_grads);
    free(a); free(b);
    ccrnn_cerebellum_destroy(cb); ccrnn_cerebellum_destroy(cb2);
}

/* buf NULL + cap 0 asks the size; too small a buffer is SHAPE, untouched, size told. */
static void test_save_mem_protocol(void)
{
    ccrnn_cortex *cx;
    MUST(ccrnn_cortex_create(CCRNN_CELL_TANH, 1, 2, 1, 1, 1, 1, &cx));
    size_t need = 0, got = 0;
    CHECK_STATUS(ccrnn_cortex_save_mem(cx, NULL, 0, &need), CCRNN_OK);
    CHECK(need > 32, "size query gave %zu", need);
    unsigned char *buf = malloc(need + 16);
    memset(buf, 0xA5, need + 16);
    CHECK_STATUS(ccrnn_cortex_save_mem(cx, buf, need - 1, &got), CCRNN_ERR_SHAPE);
    CHECK(got == need, "SHAPE reports %zu bytes needed, expected %zu", got, need);
    size_t untouched = 0;
    for (size_t i = 0; i < need + 16; i++) untouched += buf[i] == 0xA5;
    CHECK(untouched == need + 16, "a too-small buffer was written to");
    CHECK_STATUS(ccrnn_cortex_save_mem(cx, buf, need + 16, &got), CCRNN_OK);
    CHECK(got == need, "wrote %zu bytes, expected %zu", got, need);
    CHECK(buf[need] == 0xA5, "wrote past the checkpoint's end");
    CHECK(ts_crc32(buf + 32, need - 32) == (uint32_t)ts_get_le(buf + 24, 4),
          "stored CRC-32 differs from an independent CRC-32 of the payload");
    static const unsigned char check[9] = {'1', '2', '3', '4', '5', '6', '7', '8', '9'};
    CHECK(ts_crc32(check, 9) == 0xCBF43926u, "reference CRC-32 check value wrong");
    free(buf);
    ccrnn_cortex_destroy(cx);
}

int main(void)
{
    if (ts_tmpdir_make(&tmp, "ccrnn-resume")) rel_die("cannot make a temporary directory");
    test_resume();
    test_round_trip_settings();
    test_save_mem_protocol();
    rmdir(tmp.path);
    return rel_summary("test-resume");
}
