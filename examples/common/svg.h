/* A small SVG writer of our own (no plotting dependency): drawing primitives, axes
 * with ticks and labels (linear or log-y), a legend, and two ready-made figures:
 * learning curves (mean +- SEM band per model) and 2-D trajectories against targets.
 * Coordinates are SVG pixels (y grows downwards) unless said otherwise. */
#ifndef EX_SVG_H
#define EX_SVG_H

#include <stddef.h>

typedef struct ex_svg ex_svg;

/* Start a drawing of width x height pixels on a white background; NULL on failure
 * (message on stderr).  ex_svg_close finishes and closes it: 0, or -1 on a write error. */
ex_svg *ex_svg_open(const char *path, double width, double height);
int ex_svg_close(ex_svg *s);

/* anchor: "start", "middle" or "end"; rotate in degrees around (x, y); text is escaped. */
void ex_svg_text(ex_svg *s, double x, double y, double size, const char *anchor, double rotate,
                 const char *color, const char *text);
void ex_svg_line(ex_svg *s, double x1, double y1, double x2, double y2, const char *color,
                 double width, int dashed);
/* xy: n points as x0,y0,x1,y1,... */
void ex_svg_polyline(ex_svg *s, const double *xy, size_t n, const char *color, double width,
                     int dashed, double opacity);
void ex_svg_polygon(ex_svg *s, const double *xy, size_t n, const char *fill, double opacity);
void ex_svg_rect(ex_svg *s, double x, double y, double w, double h, const char *stroke,
                 const char *fill);
void ex_svg_circle(ex_svg *s, double cx, double cy, double r, const char *fill);
/* Everything drawn until ex_svg_clip_end is clipped to the rectangle. */
void ex_svg_clip_begin(ex_svg *s, double x, double y, double w, double h);
void ex_svg_clip_end(ex_svg *s);

/* A data window [x0,x1] x [y0,y1] shown in a pixel box.  log_y: y0 > 0, log scale. */
typedef struct ex_axes {
    double left, top, width, height;
    double x0, x1, y0, y1;
    int log_y;
} ex_axes;

double ex_axes_px(const ex_axes *a, double x);
double ex_axes_py(const ex_axes *a, double y);
/* Frame, grid, ticks, tick labels, axis labels and a title above the box. */
void ex_svg_axes(ex_svg *s, const ex_axes *a, const char *title, const char *xlabel,
                 const char *ylabel);

typedef struct ex_legend_item {
    const char *label;
    const char *color;
    int dashed;
} ex_legend_item;

/* A boxed legend whose top-right corner is at (right, top). */
void ex_svg_legend(ex_svg *s, double right, double top, const ex_legend_item *items, size_t n);

/* A colour of a fixed qualitative palette (cycles), for categories that are not
 * models (e.g. the cues of a drawing task). */
const char *ex_color(size_t i);

/* The project's one colour per model, the same in every figure (case-insensitive):
 * "crnn" #1f77b4 blue, "ccrnn" #d62728 red, any name containing "ablat" (e.g.
 * "ccrnn-ablated") #7f7f7f grey, containing "lesion" #9467bd purple; "variant2"
 * #ff7f0e orange, "variant3" #8c564b brown; any other name (a further variant,
 * "variant1") #2ca02c green.
 * Never NULL (NULL model gives the green of a further variant). */
const char *ex_model_color(const char *model);

/* ---- ready-made figures ---------------------------------------------------------- */

/* One learning curve: mean over seeds with a +- SEM band (sem may be NULL or hold NaN
 * where undefined; non-finite means are skipped). */
typedef struct ex_curve {
    const char *label;
    const char *color;
    const double *x, *mean, *sem;
    size_t n;
} ex_curve;

int ex_plot_curves(const char *path, const char *title, const char *xlabel, const char *ylabel,
                   int log_y, const ex_curve *curves, size_t n);
/* For sparse points (e.g. one per truncation): like ex_plot_curves, but a dot and an
 * SEM error bar at each point joined by a thin line instead of a band, plus a dashed
 * horizontal reference line at y = ref_y (NaN: none), e.g. zero for a difference. */
int ex_plot_points(const char *path, const char *title, const char *xlabel, const char *ylabel,
                   const ex_curve *curves, size_t n, double ref_y);

/* One bar of a bar chart: the mean over seeds with an SEM error bar and, if given, the
 * per-seed values as dots.  Consecutive bars with the same group string stand together
 * above that group's label; the legend lists each distinct label once. */
typedef struct ex_bar {
    const char *group;
    const char *label;
    const char *color;
    double mean, sem;
    const double *points;
    size_t n_points;
} ex_bar;

int ex_plot_bars(const char *path, const char *title, const char *ylabel, const ex_bar *bars,
                 size_t n);

/* One 2-D path in data coordinates (n points as x,y pairs). */
typedef struct ex_path2d {
    const double *xy;
    size_t n;
    const char *color;
    double width;   /* stroke width in pixels */
    int dashed;
    double opacity;
    int mark_end;   /* draw a dot at the last point */
} ex_path2d;

typedef struct ex_panel {
    const char *title;
    const ex_path2d *paths;
    size_t n;
} ex_panel;

/* Panels side by side, each a square showing [-lim, lim]^2 with equal aspect, and a
 * legend to the right. */
int ex_plot_paths(const char *path, const char *title, const ex_panel *panels, size_t n_panels,
                  double lim, const ex_legend_item *legend, size_t n_legend);

#endif
