/* Helpers of the Check suites of tests/ (see test-util.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "test-util.h"

float *falloc(size_t n)
{
    float *p = calloc(n ? n : 1, sizeof *p);
    ck_assert_ptr_nonnull(p);
    return p;
}

double *dalloc(size_t n)
{
    double *p = calloc(n ? n : 1, sizeof *p);
    ck_assert_ptr_nonnull(p);
    return p;
}

void fill_sentinel(float *x, size_t n)
{
    for (size_t i = 0; i < n; i++) x[i] = SENTINEL;
}

int all_sentinel(const float *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (memcmp(&x[i], &(float){SENTINEL}, sizeof(float)) != 0) return 0;
    return 1;
}

double assert_close(const char *what, const double *ref, const float *got, size_t n,
                    double rtol, double atol)
{
    double worst = 0.0;
    for (size_t i = 0; i < n; i++) {
        double err = fabs((double)got[i] - ref[i]);
        ck_assert_msg(err <= atol + rtol * fabs(ref[i]),
                      "%s[%zu]: library %.9g, reference %.9g (error %.3g > %.3g + %.3g*|ref|)",
                      what, i, (double)got[i], ref[i], err, atol, rtol);
        double rel = err / (atol + fabs(ref[i]));
        if (rel > worst) worst = rel;
    }
    return worst;
}

void to_double(const float *x, double *y, size_t n)
{
    for (size_t i = 0; i < n; i++) y[i] = x[i];
}

/* ---- cortex reference ---------------------------------------------------------------- */

static const char *const cortex_tensors[6] = {"weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
                                              "readout.weight", "readout.bias"};

void ref_cortex_load(ref_cortex *r, ccrnn_cortex *cx)
{
    memset(r, 0, sizeof *r);
    size_t count;
    const float *values;
    ck_assert_int_eq(ccrnn_cortex_shape(cx, &r->cell, &r->I, &r->H, &r->O, &r->Z, NULL, NULL), 0);
    ck_assert_int_eq(ccrnn_cortex_params(cx, &values, NULL, &r->np), 0);
    r->G = r->cell == CCRNN_CELL_LSTM ? 4 * r->H : r->cell == CCRNN_CELL_GRU ? 3 * r->H : r->H;
    ck_assert_int_eq(ccrnn_cortex_tensor_count(cx, &count), 0);
    ck_assert_uint_eq(count, 6);
    for (size_t k = 0; k < 6; k++) {
        const char *name;
        ck_assert_int_eq(ccrnn_cortex_tensor_info(cx, k, &name, NULL, NULL, &r->off[k]), 0);
        ck_assert_str_eq(name, cortex_tensors[k]);
    }
    r->p = dalloc(r->np);
    to_double(values, r->p, r->np);
}

void ref_cortex_free(ref_cortex *r)
{
    free(r->p);
    r->p = NULL;
}

static double sigmoid(double x) { return 1.0 / (1.0 + exp(-x)); }

/* a (G) = W x + b for W rows x cols, accumulated into a. */
static void matvec_add(const double *W, const double *x, size_t rows, size_t cols, double *a)
{
    for (size_t i = 0; i < rows; i++) {
        double s = 0.0;
        for (size_t j = 0; j < cols; j++) s += W[i * cols + j] * x[j];
        a[i] += s;
    }
}

/* One step of one sample: state (h[, c]) in place. */
static void ref_step(const ref_cortex *r, const double *p, const double *x, double *h, double *c,
                     double *gi, double *gh)
{
    size_t H = r->H, G = r->G;
    memcpy(gi, p + r->off[2], G * sizeof *gi);
    memcpy(gh, p + r->off[3], G * sizeof *gh);
    matvec_add(p + r->off[0], x, G, r->I, gi);
    matvec_add(p + r->off[1], h, G, H, gh);
    for (size_t j = 0; j < H; j++) {
        if (r->cell == CCRNN_CELL_LSTM) {
            double i = sigmoid(gi[j] + gh[j]), f = sigmoid(gi[H + j] + gh[H + j]);
            double g = tanh(gi[2 * H + j] + gh[2 * H + j]), o = sigmoid(gi[3 * H + j] + gh[3 * H + j]);
            c[j] = f * c[j] + i * g;
            h[j] = o * tanh(c[j]);
        } else if (r->cell == CCRNN_CELL_TANH) {
            h[j] = tanh(gi[j] + gh[j]);
        } else {
            double rr = sigmoid(gi[j] + gh[j]), z = sigmoid(gi[H + j] + gh[H + j]);
            double n = tanh(gi[2 * H + j] + rr * gh[2 * H + j]);
            h[j] = (1.0 - z) * n + z * h[j];
        }
    }
}

void ref_cortex_run(const ref_cortex *r, const double *p, size_t B, size_t T, const double *z0,
                    const double *xs, double *ys, double *hs, double *zT)
{
    size_t H = r->H, Z = r->Z, O = r->O;
    double *h = dalloc(H), *c = dalloc(H), *gi = dalloc(r->G), *gh = dalloc(r->G);
    for (size_t b = 0; b < B; b++) {
        memcpy(h, z0 + b * Z, H * sizeof *h);
        if (r->cell == CCRNN_CELL_LSTM) memcpy(c, z0 + b * Z + H, H * sizeof *c);
        for (size_t t = 0; t < T; t++) {
            ref_step(r, p, xs + (t * B + b) * r->I, h, c, gi, gh);
            if (hs) memcpy(hs + (t * B + b) * H, h, H * sizeof *h);
            if (ys) {
                double *y = ys + (t * B + b) * O;
                memcpy(y, p + r->off[5], O * sizeof *y);
                matvec_add(p + r->off[4], h, O, H, y);
            }
        }
        if (zT) {
            memcpy(zT + b * Z, h, H * sizeof *h);
            if (r->cell == CCRNN_CELL_LSTM) memcpy(zT + b * Z + H, c, H * sizeof *c);
        }
    }
    free(h);
    free(c);
    free(gi);
    free(gh);
}

/* ---- cerebellum reference ------------------------------------------------------------ */

void ref_mlp_load(ref_mlp *r, ccrnn_cerebellum *cb)
{
    memset(r, 0, sizeof *r);
    size_t n_in, n_ctx, n_out, n_hidden, width, count;
    /* Values by name, not through the value view, which would turn the cache off. */
    ck_assert_int_eq(ccrnn_cerebellum_shape(cb, &n_in, &n_ctx, &n_out, &n_hidden, &width, NULL), 0);
    ck_assert_int_eq(ccrnn_cerebellum_params(cb, NULL, NULL, &r->np), 0);
    ck_assert_int_eq(ccrnn_cerebellum_tensor_count(cb, &count), 0);
    r->n_layers = n_hidden + 1;
    ck_assert_uint_eq(count, 2 * r->n_layers);
    r->dims[0] = n_in + n_ctx;
    for (size_t l = 0; l < r->n_layers; l++) {
        size_t rows, cols;
        ck_assert_int_eq(ccrnn_cerebellum_tensor_info(cb, 2 * l, NULL, &rows, &cols, &r->w_off[l]), 0);
        ck_assert_int_eq(ccrnn_cerebellum_tensor_info(cb, 2 * l + 1, NULL, NULL, NULL, &r->b_off[l]), 0);
        ck_assert_uint_eq(cols, r->dims[l]);
        r->dims[l + 1] = rows;
    }
    ck_assert_uint_eq(r->dims[r->n_layers], n_out);
    float *values = falloc(r->np);
    for (size_t k = 0; k < count; k++) {
        const char *name;
        size_t rows, cols, off;
        ck_assert_int_eq(ccrnn_cerebellum_tensor_info(cb, k, &name, &rows, &cols, &off), 0);
        if (cols == 0) cols = 1; /* a 1-D bias */
        ck_assert_int_eq(ccrnn_cerebellum_get_tensor(cb, name, values + off, rows * cols), 0);
    }
    r->p = dalloc(r->np);
    to_double(values, r->p, r->np);
    free(values);
}

void ref_mlp_free(ref_mlp *r)
{
    free(r->p);
    r->p = NULL;
}

void ref_mlp_run(const ref_mlp *r, const double *p, size_t B, const double *in, double *out)
{
    size_t wide = 0;
    for (size_t l = 0; l <= r->n_layers; l++) wide = r->dims[l] > wide ? r->dims[l] : wide;
    double *a = dalloc(wide), *next = dalloc(wide);
    for (size_t b = 0; b < B; b++) {
        memcpy(a, in + b * r->dims[0], r->dims[0] * sizeof *a);
        for (size_t l = 0; l < r->n_layers; l++) {
            size_t n = r->dims[l + 1];
            memcpy(next, p + r->b_off[l], n * sizeof *next);
            matvec_add(p + r->w_off[l], a, n, r->dims[l], next);
            if (l + 1 < r->n_layers)
                for (size_t i = 0; i < n; i++) next[i] = next[i] > 0.0 ? next[i] : 0.0;
            memcpy(a, next, n * sizeof *a);
        }
        memcpy(out + b * r->dims[r->n_layers], a, r->dims[r->n_layers] * sizeof *out);
    }
    free(a);
    free(next);
}

void randomize_cerebellum(ccrnn_cerebellum *cb, uint64_t seed, double scale)
{
    size_t count;
    ts_rng rng;
    ts_rng_seed(&rng, seed);
    ck_assert_int_eq(ccrnn_cerebellum_tensor_count(cb, &count), 0);
    for (size_t k = 0; k < count; k++) {
        const char *name;
        size_t rows, cols;
        ck_assert_int_eq(ccrnn_cerebellum_tensor_info(cb, k, &name, &rows, &cols, NULL), 0);
        if (cols == 0) cols = 1; /* a 1-D bias */
        float *buf = falloc(rows * cols);
        ts_rng_fill(&rng, buf, rows * cols, -scale, scale);
        ck_assert_int_eq(ccrnn_cerebellum_set_tensor(cb, name, buf, rows * cols), 0);
        free(buf);
    }
}
