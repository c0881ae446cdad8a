/* Loss helpers: each writes the loss and dL/dy for one step's outputs. */
#include <math.h>

#include "internal.h"

static int check_denom(const char *fn, double denom)
{
    if (!(denom >= 0.0) || isinf(denom))
        return FAIL_IN(fn, CCRNN_ERR_ARG, "denom must be finite and >= 0, got %g", denom);
    return CCRNN_OK;
}

int ccrnn_loss_mse(const float *y, const float *target, size_t n, size_t dim, const float *mask,
                   size_t n_mask, double denom, float *dy, double *loss)
{
    REQUIRE(y);
    REQUIRE(target);
    if (dim == 0 || n == 0 || n % dim)
        return FAIL(CCRNN_ERR_SHAPE, "n (%zu) must be a positive multiple of dim (%zu)", n, dim);
    size_t batch = n / dim;
    if (mask) REQUIRE_LEN(n_mask, batch, "mask (batch)");
    else if (n_mask) return FAIL(CCRNN_ERR_NULL, "mask is NULL but n_mask is %zu", n_mask);
    int st = check_denom(__func__, denom);
    if (st) return st;
    if (!ccrnn__all_finite(y, n) || !ccrnn__all_finite(target, n) ||
        (mask && !ccrnn__all_finite(mask, n_mask)))
        return FAIL(CCRNN_ERR_NUMERIC, "y, target or mask contains NaN or Inf");
    if (denom == 0.0) {
        double rows = 0.0;
        for (size_t b = 0; b < batch; b++) rows += mask ? (mask[b] != 0.0f) : 1.0;
        denom = rows * (double)dim;
    }
    double sum = 0.0, inv = denom > 0.0 ? 1.0 / denom : 0.0;
    int bad = 0;
    /* The loss and every gradient are checked before anything is written. */
    for (size_t b = 0; b < batch; b++) {
        float w = mask ? mask[b] : 1.0f;
        for (size_t d = 0; d < dim; d++) {
            size_t i = b * dim + d;
            double e = (double)y[i] - (double)target[i];
            float g = (float)(2.0 * w * e * inv);
            sum += w * e * e;
            bad |= dy && g - g != 0.0f;
        }
    }
    if (bad || !isfinite(sum * inv))
        return FAIL(CCRNN_ERR_NUMERIC, "the loss or its gradient overflows (large errors, "
                    "mask weights or a tiny denom)");
    if (dy)
        for (size_t b = 0; b < batch; b++) {
            float w = mask ? mask[b] : 1.0f;
            for (size_t d = 0; d < dim; d++) {
                size_t i = b * dim + d;
                dy[i] = (float)(2.0 * w * ((double)y[i] - (double)target[i]) * inv);
            }
        }
    if (loss) *loss = sum * inv;
    return CCRNN_OK;
}

int ccrnn_loss_softmax_xent(const float *logits, size_t n, size_t classes, const int32_t *labels,
                            size_t n_labels, double denom, float *dy, double *loss,
                            size_t *n_correct)
{
    REQUIRE(logits);
    REQUIRE(labels);
    if (classes == 0 || n == 0 || n % classes)
        return FAIL(CCRNN_ERR_SHAPE, "n (%zu) must be a positive multiple of classes (%zu)", n,
                    classes);
    size_t batch = n / classes;
    REQUIRE_LEN(n_labels, batch, "labels (batch)");
    int st = check_denom(__func__, denom);
    if (st) return st;
    size_t labelled = 0;
    for (size_t b = 0; b < batch; b++) {
        if (labels[b] >= 0 && (size_t)labels[b] >= classes)
            return FAIL(CCRNN_ERR_ARG, "label %d of row %zu is not below classes (%zu)",
                        (int)labels[b], b, classes);
        labelled += labels[b] >= 0;
    }
    if (!ccrnn__all_finite(logits, n)) return FAIL(CCRNN_ERR_NUMERIC, "logits contain NaN or Inf");
    if (denom == 0.0) denom = (double)labelled;
    double sum = 0.0, inv = denom > 0.0 ? 1.0 / denom : 0.0;
    size_t correct = 0;
    /* |softmax - onehot| <= 1, so the gradient is finite when 1/denom is; each row's
     * loss is below 7e38 + log(classes), so with such a 1/denom the loss is finite too
     * and can only overflow (checked at the end) when no gradient is written. */
    if (dy && !((float)inv - (float)inv == 0.0f))
        return FAIL(CCRNN_ERR_NUMERIC, "1/denom (%g) overflows the gradient", inv);
    for (size_t b = 0; b < batch; b++) {
        const float *z = logits + b * classes;
        float *g = dy ? dy + b * classes : NULL;
        if (labels[b] < 0) {
            if (g) for (size_t c = 0; c < classes; c++) g[c] = 0.0f;
            continue;
        }
        size_t arg = 0;
        for (size_t c = 1; c < classes; c++) if (z[c] > z[arg]) arg = c;
        double mx = z[arg], norm = 0.0;
        for (size_t c = 0; c < classes; c++) norm += exp((double)z[c] - mx);
        double lse = mx + log(norm);
        sum += lse - z[labels[b]];
        correct += arg == (size_t)labels[b];
        if (g)
            for (size_t c = 0; c < classes; c++)
                g[c] = (float)((exp((double)z[c] - lse) - (c == (size_t)labels[b])) * inv);
    }
    if (!isfinite(sum * inv)) return FAIL(CCRNN_ERR_NUMERIC, "the loss overflows (a tiny denom)");
    if (loss) *loss = sum * inv;
    if (n_correct) *n_correct = correct;
    return CCRNN_OK;
}
