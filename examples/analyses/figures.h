/* The figures of the analyses program: panels of curves with +- SEM bars, and panels
 * of bars with +- SEM whiskers (drawn with examples/common/svg.h). */
#ifndef AN_FIGURES_H
#define AN_FIGURES_H

#include <stddef.h>

/* One series of a panel: y mean and SEM at n x positions (non-finite means skipped). */
typedef struct an_series {
    const char *label;
    const char *color;
    int dashed;
    const double *x, *mean, *sem;
    size_t n;
} an_series;

typedef struct an_panel {
    const char *title, *xlabel, *ylabel;
    const an_series *series;
    size_t n;
} an_panel;

/* Panels side by side, one shared legend (the series of the first panel) below. */
int an_plot_panels(const char *path, const char *title, const an_panel *panels, size_t n);

/* A bar chart panel: groups along x (e.g. lesion epochs), in each group one bar per
 * kind (colour and legend per kind); value[g * n_kinds + k] and sem likewise (NaN: no
 * bar). */
typedef struct an_bars {
    const char *title, *ylabel;
    const char *const *groups;
    size_t n_groups;
    const char *const *kinds;
    const char *const *colors;
    size_t n_kinds;
    const double *value, *sem;
} an_bars;

int an_plot_bars(const char *path, const char *title, const an_bars *panels, size_t n);

#endif
