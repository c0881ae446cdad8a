#include "figures.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "svg.h"

#define PANEL_W 330.0
#define PANEL_H 250.0
#define LEFT 80.0
#define GAP 95.0
#define TOP 70.0

static void pad_range(double *lo, double *hi)
{
    if (!isfinite(*lo) || !isfinite(*hi)) *lo = 0.0, *hi = 1.0;
    if (*hi - *lo < 1e-12) *lo -= 0.5, *hi += 0.5;
    double pad = 0.06 * (*hi - *lo);
    *lo -= pad, *hi += pad;
}

static double legend_height(size_t n) { return 20.0 * (double)n + 12.0; }

int an_plot_panels(const char *path, const char *title, const an_panel *panels, size_t n)
{
    size_t n_legend = n ? panels[0].n : 0;
    double width = LEFT + (double)n * (PANEL_W + GAP), height = TOP + PANEL_H + 70 +
                                                               legend_height(n_legend);
    ex_svg *s = ex_svg_open(path, width, height);
    if (!s) return -1;
    ex_svg_text(s, width / 2, 24, 16, "middle", 0, "black", title);
    for (size_t p = 0; p < n; p++) {
        const an_panel *pn = &panels[p];
        ex_axes a = {LEFT + (double)p * (PANEL_W + GAP), TOP, PANEL_W, PANEL_H,
                     INFINITY, -INFINITY, INFINITY, -INFINITY, 0};
        for (size_t k = 0; k < pn->n; k++)
            for (size_t i = 0; i < pn->series[k].n; i++) {
                const an_series *c = &pn->series[k];
                double m = c->mean[i], e = c->sem && isfinite(c->sem[i]) ? c->sem[i] : 0.0;
                if (!isfinite(m)) continue;
                a.x0 = fmin(a.x0, c->x[i]), a.x1 = fmax(a.x1, c->x[i]);
                a.y0 = fmin(a.y0, m - e), a.y1 = fmax(a.y1, m + e);
            }
        pad_range(&a.y0, &a.y1);
        if (!isfinite(a.x0)) a.x0 = 0, a.x1 = 1;
        if (a.x1 <= a.x0) a.x0 -= 0.5, a.x1 += 0.5;
        ex_svg_axes(s, &a, pn->title, pn->xlabel, pn->ylabel);
        ex_svg_clip_begin(s, a.left, a.top, a.width, a.height);
        for (size_t k = 0; k < pn->n; k++) {
            const an_series *c = &pn->series[k];
            double xy[2 * 512];
            size_t m = 0;
            for (size_t i = 0; i < c->n && m < 512; i++) {
                if (!isfinite(c->mean[i])) continue;
                double px = ex_axes_px(&a, c->x[i]), py = ex_axes_py(&a, c->mean[i]);
                xy[2 * m] = px, xy[2 * m + 1] = py, m++;
                if (c->sem && isfinite(c->sem[i]) && c->sem[i] > 0)
                    ex_svg_line(s, px, ex_axes_py(&a, c->mean[i] - c->sem[i]), px,
                                ex_axes_py(&a, c->mean[i] + c->sem[i]), c->color, 1.2, 0);
                if (c->n <= 30) ex_svg_circle(s, px, py, 2.5, c->color);
            }
            ex_svg_polyline(s, xy, m, c->color, 2.0, c->dashed, 1.0);
        }
        ex_svg_clip_end(s);
    }
    for (size_t k = 0; k < n_legend; k++) {
        const an_series *c = &panels[0].series[k];
        double y = TOP + PANEL_H + 70 + 20.0 * (double)k;
        ex_svg_line(s, LEFT, y, LEFT + 26, y, c->color, 2.5, c->dashed);
        ex_svg_text(s, LEFT + 34, y + 4, 12, "start", 0, "black", c->label);
    }
    return ex_svg_close(s);
}

/* y ticks at a 1-2-5 step, with a zero line. */
static void bar_axes(ex_svg *s, const ex_axes *a, const char *title, const char *ylabel)
{
    double span = a->y1 - a->y0, raw = span / 5.0, mag = pow(10.0, floor(log10(raw)));
    double step = raw / mag < 1.5 ? mag : raw / mag < 3.5 ? 2 * mag : raw / mag < 7.5 ? 5 * mag
                                                                                      : 10 * mag;
    char buf[32];
    for (double v = ceil(a->y0 / step) * step; v <= a->y1 + 1e-9 * span; v += step) {
        double py = ex_axes_py(a, v);
        ex_svg_line(s, a->left, py, a->left + a->width, py, "#e5e5e5", 1, 0);
        snprintf(buf, sizeof buf, "%.3g", fabs(v) < 1e-12 * span ? 0.0 : v);
        ex_svg_text(s, a->left - 6, py + 4, 11, "end", 0, "black", buf);
    }
    if (a->y0 < 0 && a->y1 > 0)
        ex_svg_line(s, a->left, ex_axes_py(a, 0), a->left + a->width, ex_axes_py(a, 0), "black",
                    1, 0);
    ex_svg_rect(s, a->left, a->top, a->width, a->height, "black", NULL);
    ex_svg_text(s, a->left + a->width / 2, a->top - 10, 14, "middle", 0, "black", title);
    ex_svg_text(s, a->left - 58, a->top + a->height / 2, 12, "middle", -90, "black", ylabel);
}

int an_plot_bars(const char *path, const char *title, const an_bars *panels, size_t n)
{
    size_t n_legend = n ? panels[0].n_kinds : 0;
    double width = LEFT + (double)n * (PANEL_W + GAP), height = TOP + PANEL_H + 60 +
                                                               legend_height(n_legend);
    ex_svg *s = ex_svg_open(path, width, height);
    if (!s) return -1;
    ex_svg_text(s, width / 2, 24, 16, "middle", 0, "black", title);
    for (size_t p = 0; p < n; p++) {
        const an_bars *b = &panels[p];
        ex_axes a = {LEFT + (double)p * (PANEL_W + GAP), TOP, PANEL_W, PANEL_H, 0, 1, 0, 0, 0};
        for (size_t i = 0; i < b->n_groups * b->n_kinds; i++) {
            double v = b->value[i], e = b->sem && isfinite(b->sem[i]) ? b->sem[i] : 0.0;
            if (!isfinite(v)) continue;
            a.y0 = fmin(a.y0, v - e), a.y1 = fmax(a.y1, v + e);
        }
        pad_range(&a.y0, &a.y1);
        bar_axes(s, &a, b->title, b->ylabel);
        double gw = PANEL_W / (double)b->n_groups, bw = 0.8 * gw / (double)b->n_kinds;
        for (size_t g = 0; g < b->n_groups; g++) {
            double gx = a.left + gw * (double)g + 0.1 * gw;
            ex_svg_text(s, a.left + gw * ((double)g + 0.5), a.top + a.height + 18, 11, "middle", 0,
                        "black", b->groups[g]);
            for (size_t k = 0; k < b->n_kinds; k++) {
                double v = b->value[g * b->n_kinds + k];
                if (!isfinite(v)) continue;
                double x = gx + bw * (double)k, y0 = ex_axes_py(&a, 0), y1 = ex_axes_py(&a, v);
                ex_svg_rect(s, x + 1, fmin(y0, y1), bw - 2, fabs(y1 - y0), b->colors[k],
                            b->colors[k]);
                double e = b->sem ? b->sem[g * b->n_kinds + k] : NAN;
                if (isfinite(e) && e > 0)
                    ex_svg_line(s, x + bw / 2, ex_axes_py(&a, v - e), x + bw / 2,
                                ex_axes_py(&a, v + e), "black", 1.2, 0);
            }
        }
    }
    for (size_t k = 0, row = 0; k < n_legend; k++) {
        int shown = 0; /* a kind with no bar at all gets no legend entry */
        for (size_t g = 0; g < panels[0].n_groups; g++)
            shown |= isfinite(panels[0].value[g * panels[0].n_kinds + k]);
        if (!shown) continue;
        double y = TOP + PANEL_H + 60 + 20.0 * (double)row++;
        ex_svg_rect(s, LEFT, y - 6, 22, 12, panels[0].colors[k], panels[0].colors[k]);
        ex_svg_text(s, LEFT + 30, y + 4, 12, "start", 0, "black", panels[0].kinds[k]);
    }
    return ex_svg_close(s);
}
