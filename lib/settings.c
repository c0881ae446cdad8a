/* The one table of settable parameters: name, accepted range, integer or not, and the
 * handles that take each.  Every _set_param, the checkpoint loader and
 * ccrnn_param_bounds read it, so a range is written exactly once. */
#include <math.h>
#include <stddef.h>

#include "internal.h"

typedef struct setting {
    int param;
    const char *name;
    double lo, hi;
    int integer;
    unsigned kinds; /* CCRNN__KIND_* bits */
} setting;

#define CX CCRNN__KIND_CORTEX
#define CB CCRNN__KIND_CEREBELLUM
#define OPT CCRNN__KIND_OPTIMIZER

static const setting table[] = {
    {CCRNN_PARAM_THREADS, "THREADS", 1, 256, 1, CX | CB},
    {CCRNN_PARAM_TRAINING, "TRAINING", 0, 1, 1, CX},
    {CCRNN_PARAM_ABLATED, "ABLATED", 0, 1, 1, CB},
    {CCRNN_PARAM_IO_LESION, "IO_LESION", 0, 2, 1, CB},
    {CCRNN_PARAM_LOSS_MEAN, "LOSS_MEAN", 0, 1, 1, CB},
    {CCRNN_PARAM_LR, "LR", 0, 1e6, 0, OPT},
    {CCRNN_PARAM_BETA1, "BETA1", 0, 0.999999999, 0, OPT},
    {CCRNN_PARAM_BETA2, "BETA2", 0, 0.999999999, 0, OPT},
    /* Below 1e-30 eps would round to zero or a denormal in float. */
    {CCRNN_PARAM_EPS, "EPS", 1e-30, 1, 0, OPT},
    {CCRNN_PARAM_WEIGHT_DECAY, "WEIGHT_DECAY", 0, 1e6, 0, OPT},
    {CCRNN_PARAM_MOMENTUM, "MOMENTUM", 0, 1, 0, OPT},
    {CCRNN_PARAM_ALPHA, "ALPHA", 0, 1, 0, OPT},
    {CCRNN_PARAM_CLIP_NORM, "CLIP_NORM", 0, 1e30, 0, OPT},
};

static const setting group_table[] = {
    {CCRNN_GROUP_LR_SCALE, "LR_SCALE", 0, 1e6, 0, OPT},
    {CCRNN_GROUP_FROZEN, "FROZEN", 0, 1, 1, OPT},
};

static const setting *find(const setting *t, size_t n, int param)
{
    for (size_t i = 0; i < n; i++)
        if (t[i].param == param) return &t[i];
    return NULL;
}

static const char *kind_name(unsigned kind)
{
    return kind == CX ? "cortex" : kind == CB ? "cerebellum" : "optimizer";
}

static int in_range(const char *fn, const setting *s, double value)
{
    if (!(value >= s->lo && value <= s->hi) || (s->integer && value != floor(value)))
        return ccrnn__fail(CCRNN_ERR_ARG, fn, "%s must be %s in [%g, %g], got %g", s->name,
                           s->integer ? "an integer" : "a value", s->lo, s->hi, value);
    return CCRNN_OK;
}

int ccrnn__setting_check(const char *fn, unsigned kind, int param, double value)
{
    const setting *s = find(table, sizeof table / sizeof table[0], param);
    if (param == CCRNN_PARAM_GRAD_NORM || param == CCRNN_PARAM_STEPS)
        return ccrnn__fail(CCRNN_ERR_ARG, fn, "parameter %d is read-only", param);
    if (!s || !(s->kinds & kind))
        return ccrnn__fail(CCRNN_ERR_ARG, fn, "parameter %d does not apply to a %s", param,
                           kind_name(kind));
    return in_range(fn, s, value);
}

int ccrnn__group_setting_check(const char *fn, int param, double value)
{
    const setting *s = find(group_table, sizeof group_table / sizeof group_table[0], param);
    if (!s) return ccrnn__fail(CCRNN_ERR_ARG, fn, "group parameter %d does not exist", param);
    return in_range(fn, s, value);
}

void ccrnn__group_bounds(int param, double *lo, double *hi, int *integer)
{
    const setting *s = find(group_table, sizeof group_table / sizeof group_table[0], param);
    *lo = s ? s->lo : 0;
    *hi = s ? s->hi : 0;
    *integer = s ? s->integer : 0;
}

int ccrnn__setting_integer(int param)
{
    const setting *s = find(table, sizeof table / sizeof table[0], param);
    return s && s->integer;
}

int ccrnn_param_bounds(int param, double *lo, double *hi)
{
    REQUIRE(lo);
    REQUIRE(hi);
    const setting *s = find(table, sizeof table / sizeof table[0], param);
    if (!s) return FAIL(CCRNN_ERR_ARG, "parameter %d has no settable range", param);
    *lo = s->lo;
    *hi = s->hi;
    return CCRNN_OK;
}
