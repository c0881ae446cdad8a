/* Regression targets of the seqMNIST drawing tasks (docs/model.md §seqMNIST): a label d in
 * 0..9 maps to a path of L points (x, y) that the network must draw, one point per
 * image row. */
#ifndef SEQMNIST_TARGETS_H
#define SEQMNIST_TARGETS_H

#include <stddef.h>
#include <stdint.h>

/* Most points in a digit's template point list (digits 5 and 9 have 11). */
#define SEQMNIST_MAX_POINTS 11

/* The reference's fit_points: a path of exactly L points through P >= 2 corner points
 * pts[P][2].  n = P-1 segments of q = L / n points (r = L mod n); if r > 0 the first
 * r-1 segments get one point more, else the last segment one point less, so the
 * segments hold L-1 points and the final corner makes L.  Segment i emits
 * p_i + (k/m_i)(p_{i+1} - p_i) for k = 0..m_i-1.  out: L*2 values; seg (may be NULL):
 * the P-1 segment lengths m_i.  Returns 0, or -1 if L < P or P < 2. */
int seqmnist_fit_points(size_t length, const double *pts, size_t n_pts, double *out,
                        size_t *seg);

/* The corner points of digit d (0..9) in the unit square; returns their count
 * (0 for a bad digit) and points *pts at d's list (count*2 values). */
size_t seqmnist_digit_points(int digit, const double **pts);

/* Template path of digit d: fit_points(L, points of d).  out: L*2 values.
 * Returns 0, or -1 for a bad digit or an L below the digit's point count. */
int seqmnist_digit_template(int digit, size_t length, double *out);

/* Straight line from the origin to `end` in L points: y_t = (t/(L-1)) end. */
void seqmnist_line_path(const double end[2], size_t length, double *out);

/* Line endpoints per label, 10 x 2 values.
 * circle: 10 (sin(2 pi d/10), cos(2 pi d/10)), the paper's fixed magnitude;
 * grid: the reference's other choice, 10 distinct points of the 4x4 grid
 * {0, 1/3, 2/3, 1}^2 times 10, drawn without replacement from `seed`. */
void seqmnist_line_endpoints_circle(double *ends);
void seqmnist_line_endpoints_grid(uint64_t seed, double *ends);

#endif
