/* A planar two-joint arm (shoulder at the origin, two rigid links) driven by joint
 * velocity commands, and the delayed-reaching task it performs.
 *
 * Kinematics: hand p(q) = (l1 cos q1 + l2 cos(q1+q2), l1 sin q1 + l2 sin(q1+q2)).
 * Each tick of dt seconds the commanded joint velocities u (clipped to +-u_max) move
 * the joints: q <- q + dt u.  The arm starts every reach with the hand at the centre
 * of a ring of targets.
 *
 * A reach: tick 0 shows the target (the cue), which then disappears; the hand must
 * hold at the centre until the go signal at tick `delay`, then reach the remembered
 * target and stay there until the reach ends.  The feedback is the hand position at
 * every tick, so the target's direction must be remembered across the delay. */
#ifndef ARM_H
#define ARM_H

#include <stddef.h>

#define ARM_INPUTS 5  /* cue x, cue y (tick 0 only), go, hand x, hand y (centre-relative) */
#define ARM_OUTPUTS 2 /* joint velocity commands */

typedef struct arm_config {
    double l1, l2;         /* link lengths (m) */
    double centre[2];      /* start position of the hand and centre of the targets */
    double radius;         /* distance of the targets from the centre */
    size_t n_targets;      /* targets evenly spaced on the ring */
    double dt;             /* seconds per tick */
    double u_max;          /* joint speed limit (rad/s) */
    size_t delay;          /* go tick: hold before it, reach from it */
    size_t ticks;          /* ticks per reach */
    double input_scale;    /* inputs = scale * (position - centre); the loss uses the
                              same units: loss = scale^2 ||p - goal||^2 */
} arm_config;

/* The defaults: 0.3 m links, 8 targets 0.1 m around (0, 0.4), dt 50 ms, 4 rad/s,
 * go at tick 2, 20 ticks per reach, scale 10 (inputs and loss in units of 10 cm). */
void arm_config_defaults(arm_config *c);

typedef struct arm_state {
    double q[2];
} arm_state;

/* Hand position of joint angles q. */
void arm_hand(const arm_config *c, const double q[2], double p[2]);
/* J = dp/dq, row-major 2x2: [dpx/dq1 dpx/dq2; dpy/dq1 dpy/dq2]. */
void arm_jacobian(const arm_config *c, const double q[2], double J[4]);
/* Elbow-bent joint angles with the hand at p; -1 if p is out of reach. */
int arm_inverse(const arm_config *c, const double p[2], double q[2]);
/* Position of target k (0..n_targets-1), at 360 k / n degrees. */
void arm_target(const arm_config *c, size_t k, double p[2]);

/* Put the arm at the start posture (hand at the centre). */
void arm_reset(const arm_config *c, arm_state *s);
/* The controller's input at tick t of a reach to `target`, given the arm's state. */
void arm_input(const arm_config *c, const arm_state *s, const double target[2], size_t t,
               float x[ARM_INPUTS]);
/* Where the hand should be after tick t: the centre before the go tick, the target after. */
void arm_goal(const arm_config *c, const double target[2], size_t t, double goal[2]);

/* Apply the command u for one tick.  Then loss = scale^2 ||p - goal||^2 at the new
 * hand position, and dL/du (for the controller's output_grad) is written to du: zero
 * for a component clipped by the speed limit.  Returns the loss. */
double arm_step(const arm_config *c, arm_state *s, const float u[ARM_OUTPUTS],
                const double goal[2], float du[ARM_OUTPUTS]);

#endif
