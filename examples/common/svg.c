#include "svg.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ex_svg {
    FILE *f;
    char *path;
    int clips; /* clip paths defined so far, for unique ids */
};

static const char *const palette[] = {"#d62728", "#1f77b4", "#2ca02c", "#ff7f0e",
                                      "#9467bd", "#8c564b", "#e377c2", "#17becf"};

const char *ex_color(size_t i) { return palette[i % (sizeof palette / sizeof palette[0])]; }

static int name_is(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b)) return 0;
    return *a == *b;
}

static int name_has(const char *s, const char *part)
{
    size_t n = strlen(part);
    for (; *s; s++) {
        size_t i = 0;
        while (i < n && s[i] && tolower((unsigned char)s[i]) == part[i]) i++;
        if (i == n) return 1;
    }
    return 0;
}

const char *ex_model_color(const char *model)
{
    if (!model) return "#2ca02c";
    if (name_has(model, "ablat")) return "#7f7f7f";
    if (name_has(model, "lesion")) return "#9467bd";
    if (name_is(model, "crnn")) return "#1f77b4";
    if (name_is(model, "ccrnn")) return "#d62728";
    if (name_is(model, "variant2")) return "#ff7f0e";
    if (name_is(model, "variant3")) return "#8c564b";
    return "#2ca02c";
}

ex_svg *ex_svg_open(const char *path, double width, double height)
{
    ex_svg *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->f = fopen(path, "w");
    s->path = malloc(strlen(path) + 1);
    if (!s->f || !s->path) {
        fprintf(stderr, "cannot write '%s': %s\n", path, strerror(errno));
        if (s->f) fclose(s->f);
        free(s->path);
        free(s);
        return NULL;
    }
    strcpy(s->path, path);
    fprintf(s->f,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
            "viewBox=\"0 0 %.0f %.0f\" font-family=\"Helvetica, Arial, sans-serif\">\n"
            "<rect x=\"0\" y=\"0\" width=\"%.0f\" height=\"%.0f\" fill=\"white\"/>\n",
            width, height, width, height, width, height);
    return s;
}

int ex_svg_close(ex_svg *s)
{
    if (!s) return -1;
    fprintf(s->f, "</svg>\n");
    int bad = ferror(s->f);
    if (fclose(s->f) != 0) bad = 1;
    if (bad) fprintf(stderr, "error while writing '%s'\n", s->path);
    free(s->path);
    free(s);
    return bad ? -1 : 0;
}

static void put_escaped(FILE *f, const char *text)
{
    for (const char *p = text; *p; p++) {
        switch (*p) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*p, f);
        }
    }
}

void ex_svg_text(ex_svg *s, double x, double y, double size, const char *anchor, double rotate,
                 const char *color, const char *text)
{
    fprintf(s->f, "<text x=\"%.2f\" y=\"%.2f\" font-size=\"%.1f\" text-anchor=\"%s\" fill=\"%s\"",
            x, y, size, anchor, color);
    if (rotate != 0.0) fprintf(s->f, " transform=\"rotate(%.1f %.2f %.2f)\"", rotate, x, y);
    fputc('>', s->f);
    put_escaped(s->f, text);
    fputs("</text>\n", s->f);
}

static void stroke_attrs(FILE *f, const char *color, double width, int dashed)
{
    fprintf(f, " fill=\"none\" stroke=\"%s\" stroke-width=\"%.2f\"", color, width);
    if (dashed) fprintf(f, " stroke-dasharray=\"%.1f %.1f\"", 3.0 * width + 2.0, 2.0 * width + 2.0);
}

void ex_svg_line(ex_svg *s, double x1, double y1, double x2, double y2, const char *color,
                 double width, int dashed)
{
    fprintf(s->f, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\"", x1, y1, x2, y2);
    stroke_attrs(s->f, color, width, dashed);
    fputs("/>\n", s->f);
}

static void put_points(FILE *f, const double *xy, size_t n)
{
    fputs(" points=\"", f);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%s%.2f,%.2f", i ? " " : "", xy[2 * i], xy[2 * i + 1]);
    fputc('"', f);
}

void ex_svg_polyline(ex_svg *s, const double *xy, size_t n, const char *color, double width,
                     int dashed, double opacity)
{
    if (n == 0) return;
    fputs("<polyline", s->f);
    put_points(s->f, xy, n);
    stroke_attrs(s->f, color, width, dashed);
    if (opacity < 1.0) fprintf(s->f, " stroke-opacity=\"%.2f\"", opacity);
    fputs(" stroke-linejoin=\"round\" stroke-linecap=\"round\"/>\n", s->f);
}

void ex_svg_polygon(ex_svg *s, const double *xy, size_t n, const char *fill, double opacity)
{
    if (n == 0) return;
    fputs("<polygon", s->f);
    put_points(s->f, xy, n);
    fprintf(s->f, " fill=\"%s\" fill-opacity=\"%.2f\" stroke=\"none\"/>\n", fill, opacity);
}

void ex_svg_rect(ex_svg *s, double x, double y, double w, double h, const char *stroke,
                 const char *fill)
{
    fprintf(s->f,
            "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"%s\" stroke=\"%s\"/>\n",
            x, y, w, h, fill ? fill : "none", stroke ? stroke : "none");
}

void ex_svg_circle(ex_svg *s, double cx, double cy, double r, const char *fill)
{
    fprintf(s->f, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"%.2f\" fill=\"%s\"/>\n", cx, cy, r, fill);
}

void ex_svg_clip_begin(ex_svg *s, double x, double y, double w, double h)
{
    int id = ++s->clips;
    fprintf(s->f,
            "<clipPath id=\"clip%d\"><rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\"/>"
            "</clipPath>\n<g clip-path=\"url(#clip%d)\">\n",
            id, x, y, w, h, id);
}

void ex_svg_clip_end(ex_svg *s) { fputs("</g>\n", s->f); }

/* ---- axes ------------------------------------------------------------------------- */

double ex_axes_px(const ex_axes *a, double x)
{
    return a->left + (x - a->x0) / (a->x1 - a->x0) * a->width;
}

double ex_axes_py(const ex_axes *a, double y)
{
    double f = a->log_y ? (log10(y) - log10(a->y0)) / (log10(a->y1) - log10(a->y0))
                        : (y - a->y0) / (a->y1 - a->y0);
    return a->top + (1.0 - f) * a->height;
}

/* A "nice" tick step (1, 2 or 5 times a power of ten) giving about five ticks. */
static double nice_step(double span)
{
    double raw = span / 5.0, mag = pow(10.0, floor(log10(raw))), r = raw / mag;
    return (r < 1.5 ? 1.0 : r < 3.0 ? 2.0 : r < 7.0 ? 5.0 : 10.0) * mag;
}

static void tick_label(double v, double step, char *buf, size_t cap)
{
    if (fabs(v) < step * 1e-9) v = 0.0;
    snprintf(buf, cap, "%g", v);
}

static void x_ticks(ex_svg *s, const ex_axes *a)
{
    double step = nice_step(a->x1 - a->x0), bottom = a->top + a->height;
    char buf[32];
    for (double v = ceil(a->x0 / step - 1e-9) * step; v <= a->x1 + step * 1e-9; v += step) {
        double px = ex_axes_px(a, v);
        ex_svg_line(s, px, a->top, px, bottom, "#e6e6e6", 1.0, 0);
        ex_svg_line(s, px, bottom, px, bottom + 5, "black", 1.0, 0);
        tick_label(v, step, buf, sizeof buf);
        ex_svg_text(s, px, bottom + 18, 12, "middle", 0, "black", buf);
    }
}

static void y_tick(ex_svg *s, const ex_axes *a, double v, const char *label, int major)
{
    double py = ex_axes_py(a, v);
    if (major) ex_svg_line(s, a->left, py, a->left + a->width, py, "#e6e6e6", 1.0, 0);
    ex_svg_line(s, a->left - (major ? 5 : 3), py, a->left, py, "black", 1.0, 0);
    if (label) ex_svg_text(s, a->left - 8, py + 4, 12, "end", 0, "black", label);
}

static int log_labelled(int m, int few) { return m == 1 || (few && (m == 2 || m == 5)); }

static void y_ticks_linear(ex_svg *s, const ex_axes *a);

static void y_ticks_log(ex_svg *s, const ex_axes *a)
{
    int k0 = (int)floor(log10(a->y0)), k1 = (int)ceil(log10(a->y1));
    int few = k1 - k0 <= 2; /* label 2 and 5 too when the range spans few decades */
    int labels = 0;
    for (int k = k0; k <= k1; k++)
        for (int m = 1; m <= 9; m++) {
            double v = m * pow(10.0, k);
            labels += v >= a->y0 * (1 - 1e-9) && v <= a->y1 * (1 + 1e-9) && log_labelled(m, few);
        }
    if (labels < 2) { /* a narrow range: evenly spaced values read better */
        y_ticks_linear(s, a);
        return;
    }
    char buf[32];
    for (int k = k0; k <= k1; k++) {
        for (int m = 1; m <= 9; m++) {
            double v = m * pow(10.0, k);
            if (v < a->y0 * (1 - 1e-9) || v > a->y1 * (1 + 1e-9)) continue;
            snprintf(buf, sizeof buf, "%g", v);
            y_tick(s, a, v, log_labelled(m, few) ? buf : NULL, m == 1);
        }
    }
}

static void y_ticks_linear(ex_svg *s, const ex_axes *a)
{
    double step = nice_step(a->y1 - a->y0);
    char buf[32];
    for (double v = ceil(a->y0 / step - 1e-9) * step; v <= a->y1 + step * 1e-9; v += step) {
        tick_label(v, step, buf, sizeof buf);
        y_tick(s, a, v, buf, 1);
    }
}

void ex_svg_axes(ex_svg *s, const ex_axes *a, const char *title, const char *xlabel,
                 const char *ylabel)
{
    x_ticks(s, a);
    if (a->log_y) y_ticks_log(s, a);
    else y_ticks_linear(s, a);
    ex_svg_rect(s, a->left, a->top, a->width, a->height, "black", NULL);
    if (title) ex_svg_text(s, a->left + a->width / 2, a->top - 10, 15, "middle", 0, "black", title);
    if (xlabel)
        ex_svg_text(s, a->left + a->width / 2, a->top + a->height + 40, 13, "middle", 0, "black",
                    xlabel);
    if (ylabel) {
        double x = a->left - 58, y = a->top + a->height / 2;
        ex_svg_text(s, x, y, 13, "middle", -90, "black", ylabel);
    }
}

static void legend_size(const ex_legend_item *items, size_t n, double *w, double *h)
{
    size_t longest = 0;
    for (size_t i = 0; i < n; i++)
        if (strlen(items[i].label) > longest) longest = strlen(items[i].label);
    *w = 44 + 7.0 * (double)longest;
    *h = 8 + 20.0 * (double)n;
}

void ex_svg_legend(ex_svg *s, double right, double top, const ex_legend_item *items, size_t n)
{
    double w, h;
    legend_size(items, n, &w, &h);
    ex_svg_rect(s, right - w, top, w, h, "#999999", "white");
    for (size_t i = 0; i < n; i++) {
        double y = top + 14 + 20.0 * (double)i;
        ex_svg_line(s, right - w + 8, y, right - w + 32, y, items[i].color, 2.5, items[i].dashed);
        ex_svg_text(s, right - w + 38, y + 4, 12, "start", 0, "black", items[i].label);
    }
}

/* ---- learning curves -------------------------------------------------------------- */

static void curve_range(const ex_curve *c, size_t n, int log_y, double *xlo, double *xhi,
                        double *ylo, double *yhi)
{
    *xlo = INFINITY, *xhi = -INFINITY, *ylo = INFINITY, *yhi = -INFINITY;
    for (size_t k = 0; k < n; k++)
        for (size_t i = 0; i < c[k].n; i++) {
            double m = c[k].mean[i], e = c[k].sem && isfinite(c[k].sem[i]) ? c[k].sem[i] : 0.0;
            if (!isfinite(m) || (log_y && m <= 0)) continue;
            double lo = m - e;
            if (log_y && lo <= 0) lo = m;
            *xlo = fmin(*xlo, c[k].x[i]);
            *xhi = fmax(*xhi, c[k].x[i]);
            *ylo = fmin(*ylo, lo);
            *yhi = fmax(*yhi, m + e);
        }
}

static void fix_range(double *lo, double *hi, int log_y)
{
    if (!isfinite(*lo) || !isfinite(*hi)) *lo = log_y ? 0.1 : 0.0, *hi = 1.0;
    if (log_y) {
        double pad = pow(*hi / *lo, 0.04);
        *lo /= pad, *hi *= pad;
        if (*hi <= *lo * 1.0001) *lo /= 2, *hi *= 2;
    } else {
        double pad = 0.05 * (*hi - *lo);
        if (*lo >= 0 && *lo - pad < 0) *lo = 0;
        else *lo -= pad;
        *hi += pad;
        if (*hi <= *lo) *hi = *lo + 1.0;
    }
}

static void draw_markers(ex_svg *s, const ex_axes *a, const ex_curve *c)
{
    double *pts = malloc(2 * (c->n ? c->n : 1) * sizeof *pts);
    if (!pts) return;
    size_t m = 0;
    for (size_t i = 0; i < c->n; i++) {
        if (!isfinite(c->mean[i]) || (a->log_y && c->mean[i] <= 0)) continue;
        double px = ex_axes_px(a, c->x[i]), py = ex_axes_py(a, c->mean[i]);
        pts[2 * m] = px, pts[2 * m++ + 1] = py;
        if (c->sem && isfinite(c->sem[i])) {
            double lo = c->mean[i] - c->sem[i], hi = c->mean[i] + c->sem[i];
            if (a->log_y && lo <= a->y0) lo = a->y0;
            double plo = ex_axes_py(a, lo), phi = ex_axes_py(a, hi);
            ex_svg_line(s, px, plo, px, phi, c->color, 1.5, 0);
            ex_svg_line(s, px - 4, plo, px + 4, plo, c->color, 1.5, 0);
            ex_svg_line(s, px - 4, phi, px + 4, phi, c->color, 1.5, 0);
        }
        ex_svg_circle(s, px, py, 4.0, c->color);
    }
    ex_svg_polyline(s, pts, m, c->color, 1.2, 0, 0.8);
    free(pts);
}

static void draw_curve(ex_svg *s, const ex_axes *a, const ex_curve *c, int markers)
{
    if (markers) {
        draw_markers(s, a, c);
        return;
    }
    double *pts = malloc(4 * (c->n ? c->n : 1) * sizeof *pts);
    if (!pts) return;
    size_t m = 0;
    if (c->sem) { /* band: upper edge forwards, lower edge backwards */
        for (size_t i = 0; i < c->n; i++) {
            if (!isfinite(c->mean[i]) || !isfinite(c->sem[i])) continue;
            pts[2 * m] = ex_axes_px(a, c->x[i]);
            pts[2 * m++ + 1] = ex_axes_py(a, c->mean[i] + c->sem[i]);
        }
        for (size_t i = c->n; i-- > 0;) {
            if (!isfinite(c->mean[i]) || !isfinite(c->sem[i])) continue;
            double lo = c->mean[i] - c->sem[i];
            if (a->log_y && lo <= a->y0) lo = a->y0;
            pts[2 * m] = ex_axes_px(a, c->x[i]);
            pts[2 * m++ + 1] = ex_axes_py(a, lo);
        }
        if (m > 2) ex_svg_polygon(s, pts, m, c->color, 0.22);
    }
    m = 0;
    for (size_t i = 0; i < c->n; i++) {
        if (!isfinite(c->mean[i]) || (a->log_y && c->mean[i] <= 0)) continue;
        pts[2 * m] = ex_axes_px(a, c->x[i]);
        pts[2 * m++ + 1] = ex_axes_py(a, c->mean[i]);
    }
    ex_svg_polyline(s, pts, m, c->color, 2.0, 0, 1.0);
    free(pts);
}

/* The corner of the plot whose legend box covers the fewest curve points (ties: the
 * top right). */
static void legend_corner(const ex_axes *a, const ex_curve *c, size_t n,
                          const ex_legend_item *items, size_t ni, double *right, double *top)
{
    double w, h, best = INFINITY;
    legend_size(items, ni, &w, &h);
    *right = a->left + a->width - 8;
    *top = a->top + 8;
    for (int corner = 0; corner < 4; corner++) {
        double r = corner % 2 ? a->left + w + 8 : a->left + a->width - 8;
        double t = corner < 2 ? a->top + 8 : a->top + a->height - 8 - h;
        double hits = 0;
        for (size_t k = 0; k < n; k++)
            for (size_t i = 0; i < c[k].n; i++) {
                double m = c[k].mean[i];
                if (!isfinite(m) || (a->log_y && m <= 0)) continue;
                double px = ex_axes_px(a, c[k].x[i]), py = ex_axes_py(a, m);
                hits += px >= r - w - 10 && px <= r + 10 && py >= t - 10 && py <= t + h + 10;
            }
        if (hits < best) best = hits, *right = r, *top = t;
    }
}

static int plot_curves(const char *path, const char *title, const char *xlabel,
                       const char *ylabel, int log_y, const ex_curve *curves, size_t n,
                       int markers, double ref_y)
{
    ex_axes a = {90, 40, 560, 330, 0, 1, 0, 1, log_y};
    curve_range(curves, n, log_y, &a.x0, &a.x1, &a.y0, &a.y1);
    if (!isfinite(a.x0) || a.x1 <= a.x0) a.x0 = 0, a.x1 = 1;
    if (isfinite(ref_y) && isfinite(a.y0)) a.y0 = fmin(a.y0, ref_y), a.y1 = fmax(a.y1, ref_y);
    fix_range(&a.y0, &a.y1, log_y);
    if (markers) { /* room for the end markers */
        double pad = 0.04 * (a.x1 - a.x0);
        a.x0 -= pad, a.x1 += pad;
    }
    ex_svg *s = ex_svg_open(path, 680, 430);
    if (!s) return -1;
    ex_svg_axes(s, &a, title, xlabel, ylabel);
    ex_svg_clip_begin(s, a.left, a.top, a.width, a.height);
    if (isfinite(ref_y)) {
        double py = ex_axes_py(&a, ref_y);
        ex_svg_line(s, a.left, py, a.left + a.width, py, "#444444", 1.0, 1);
    }
    /* The first curve is drawn last, on top: list the main models first. */
    for (size_t k = n; k-- > 0;) draw_curve(s, &a, &curves[k], markers);
    ex_svg_clip_end(s);
    ex_legend_item items[16];
    size_t ni = n < 16 ? n : 16;
    for (size_t k = 0; k < ni; k++) {
        items[k].label = curves[k].label;
        items[k].color = curves[k].color;
        items[k].dashed = 0;
    }
    double right, top;
    legend_corner(&a, curves, n, items, ni, &right, &top);
    ex_svg_legend(s, right, top, items, ni);
    return ex_svg_close(s);
}

int ex_plot_curves(const char *path, const char *title, const char *xlabel, const char *ylabel,
                   int log_y, const ex_curve *curves, size_t n)
{
    return plot_curves(path, title, xlabel, ylabel, log_y, curves, n, 0, NAN);
}

int ex_plot_points(const char *path, const char *title, const char *xlabel, const char *ylabel,
                   const ex_curve *curves, size_t n, double ref_y)
{
    return plot_curves(path, title, xlabel, ylabel, 0, curves, n, 1, ref_y);
}

/* ---- bars ------------------------------------------------------------------------- */

static void bar_range(const ex_bar *b, size_t n, double *lo, double *hi)
{
    *lo = 0.0, *hi = 0.0;
    for (size_t i = 0; i < n; i++) {
        double e = isfinite(b[i].sem) ? b[i].sem : 0.0;
        if (isfinite(b[i].mean)) *lo = fmin(*lo, b[i].mean - e), *hi = fmax(*hi, b[i].mean + e);
        for (size_t k = 0; k < b[i].n_points; k++)
            if (isfinite(b[i].points[k]))
                *lo = fmin(*lo, b[i].points[k]), *hi = fmax(*hi, b[i].points[k]);
    }
}

static int same_group(const ex_bar *a, const ex_bar *b)
{
    return a->group && b->group && !strcmp(a->group, b->group);
}

int ex_plot_bars(const char *path, const char *title, const char *ylabel, const ex_bar *bars,
                 size_t n)
{
    /* one slot per bar and an empty slot between groups */
    size_t *slot = malloc((n ? n : 1) * sizeof *slot);
    if (!slot) return -1;
    for (size_t i = 0; i < n; i++)
        slot[i] = i ? slot[i - 1] + 1 + !same_group(&bars[i - 1], &bars[i]) : 0;
    size_t slots = n ? slot[n - 1] + 1 : 1;
    double width = fmax(680.0, 150.0 + 34.0 * (double)slots);
    ex_axes a = {90, 40, width - 120, 330, 0, (double)slots, 0, 1, 0};
    bar_range(bars, n, &a.y0, &a.y1);
    fix_range(&a.y0, &a.y1, 0);
    ex_svg *s = ex_svg_open(path, width, 450);
    if (!s) return free(slot), -1;
    y_ticks_linear(s, &a); /* the x positions are categories: no x ticks */
    ex_svg_rect(s, a.left, a.top, a.width, a.height, "black", NULL);
    if (title) ex_svg_text(s, a.left + a.width / 2, a.top - 10, 15, "middle", 0, "black", title);
    if (ylabel)
        ex_svg_text(s, a.left - 58, a.top + a.height / 2, 13, "middle", -90, "black", ylabel);
    double slot_w = a.width / (double)slots, base = ex_axes_py(&a, 0.0);
    ex_svg_line(s, a.left, base, a.left + a.width, base, "#444444", 1.0, 0);
    ex_legend_item items[16];
    size_t ni = 0, group_first = 0;
    for (size_t i = 0; i < n; i++) {
        const ex_bar *b = &bars[i];
        double x = a.left + ((double)slot[i] + 0.15) * slot_w, w = 0.7 * slot_w;
        if (i == 0 || !same_group(&bars[i - 1], b)) group_first = i;
        if (isfinite(b->mean)) {
            double top = ex_axes_py(&a, b->mean);
            ex_svg_rect(s, x, fmin(top, base), w, fabs(base - top), b->color, b->color);
            if (isfinite(b->sem)) {
                double lo = ex_axes_py(&a, b->mean - b->sem), hi = ex_axes_py(&a, b->mean + b->sem);
                ex_svg_line(s, x + w / 2, lo, x + w / 2, hi, "black", 1.5, 0);
                ex_svg_line(s, x + w / 2 - 5, lo, x + w / 2 + 5, lo, "black", 1.5, 0);
                ex_svg_line(s, x + w / 2 - 5, hi, x + w / 2 + 5, hi, "black", 1.5, 0);
            }
        }
        for (size_t k = 0; k < b->n_points; k++) { /* seeds, spread across the bar */
            if (!isfinite(b->points[k])) continue;
            double f = b->n_points > 1 ? (double)k / (double)(b->n_points - 1) : 0.5;
            fprintf(s->f, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"2.2\" fill=\"white\" "
                          "stroke=\"black\" stroke-width=\"0.8\"/>\n",
                    x + w * (0.2 + 0.6 * f), ex_axes_py(&a, b->points[k]));
        }
        if (b->group && (i + 1 == n || !same_group(b, &bars[i + 1]))) {
            double mid = ((double)slot[group_first] + (double)slot[i] + 1.0) / 2.0;
            ex_svg_text(s, a.left + mid * slot_w, a.top + a.height + 18, 12, "middle", 0,
                        "black", b->group);
        }
        size_t j = 0;
        while (j < ni && strcmp(items[j].label, b->label)) j++;
        if (j == ni && ni < 16) items[ni++] = (ex_legend_item){b->label, b->color, 0};
    }
    ex_svg_legend(s, a.left + a.width - 8, a.top + 8, items, ni);
    free(slot);
    return ex_svg_close(s);
}

/* ---- trajectories ----------------------------------------------------------------- */

static void draw_path(ex_svg *s, const ex_axes *a, const ex_path2d *p)
{
    double *pts = malloc(2 * (p->n ? p->n : 1) * sizeof *pts);
    if (!pts) return;
    for (size_t i = 0; i < p->n; i++) {
        pts[2 * i] = ex_axes_px(a, p->xy[2 * i]);
        pts[2 * i + 1] = ex_axes_py(a, p->xy[2 * i + 1]);
    }
    ex_svg_polyline(s, pts, p->n, p->color, p->width, p->dashed, p->opacity);
    if (p->mark_end && p->n) ex_svg_circle(s, pts[2 * p->n - 2], pts[2 * p->n - 1], 3.0, p->color);
    free(pts);
}

int ex_plot_paths(const char *path, const char *title, const ex_panel *panels, size_t n_panels,
                  double lim, const ex_legend_item *legend, size_t n_legend)
{
    const double side = 330, gap = 90, left = 80, top = 70, legend_w = 190, row_h = side + 100;
    size_t cols = n_panels <= 3 ? n_panels : (n_panels + 1) / 2; /* 4 panels: 2 x 2 */
    size_t rows = cols ? (n_panels + cols - 1) / cols : 1;
    double width = left + (double)cols * (side + gap) - gap + 30 + legend_w;
    ex_svg *s = ex_svg_open(path, width, top + (double)rows * row_h - 30);
    if (!s) return -1;
    if (title) ex_svg_text(s, width / 2, 26, 17, "middle", 0, "black", title);
    for (size_t k = 0; k < n_panels; k++) {
        double x = left + (double)(k % cols) * (side + gap), y = top + (double)(k / cols) * row_h;
        ex_axes a = {x, y, side, side, -lim, lim, -lim, lim, 0};
        ex_svg_axes(s, &a, panels[k].title, "x", "y");
        ex_svg_clip_begin(s, a.left, a.top, a.width, a.height);
        for (size_t i = 0; i < panels[k].n; i++) draw_path(s, &a, &panels[k].paths[i]);
        ex_svg_clip_end(s);
    }
    if (n_legend) ex_svg_legend(s, width - 10, top, legend, n_legend);
    return ex_svg_close(s);
}
