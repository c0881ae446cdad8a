/* The MuJoCo side of mujoco-reach: a planar two-joint arm (arm2.xml) driven by joint
 * position servos, and the delayed-reach task it performs.
 *
 * One controller tick is one mj_step (the model's timestep dt, 10 ms).  The controller
 * commands joint speeds u (rad/s): the servos' target angles move by dt u each tick
 * (from the start posture, within the actuators' range) and the servos pull the
 * joints toward them, so holding still is u = 0 and a reach is a pulse.
 *
 * A reach of `ticks` ticks: tick 0 shows the target (the cue), which then disappears;
 * the hand must hold at the centre until the go tick `delay`, then reach the
 * remembered target and stay there.  The controller senses the hand position
 * `feedback_delay` ticks late (proprioception is not instantaneous).  The loss after
 * each tick is scale^2 ||p - goal||^2 at the new hand position; the host's gradient
 * dL/du = 2 scale^2 dt J(q)^T (p - goal) treats the servos as following their targets
 * (dp/du ~ dt J, with J the hand Jacobian that MuJoCo computes): an approximate plant
 * model, as a real controller would have. */
#ifndef MJ_PLANT_H
#define MJ_PLANT_H

#include <stddef.h>

#include <mujoco/mujoco.h>

#define PLANT_INPUTS 5   /* cue x, cue y (tick 0 only), go, sensed hand x, y */
#define PLANT_OUTPUTS 2  /* joint-speed commands for the servo targets (rad/s) */
#define PLANT_MAX_FEEDBACK_DELAY 64

typedef struct reach_task {
    double centre[2];       /* start position of the hand, centre of the targets (m) */
    double radius;          /* distance of the targets from the centre (m) */
    size_t n_targets;       /* evenly spaced on the ring */
    size_t ticks;           /* ticks per reach */
    size_t delay;           /* go tick */
    size_t feedback_delay;  /* ticks between the hand's position and its sensing */
    double scale;           /* inputs and loss in units of 1/scale metres */
} reach_task;

/* 8 targets 10 cm around (0, 0.4), 30 ticks, go at tick 2, feedback 2 ticks late
 * (20 ms), scale 10. */
void reach_task_defaults(reach_task *t);
void reach_target(const reach_task *t, size_t k, double p[2]);
/* Where the hand should be after tick t: the centre before the go tick, the target
 * from it on. */
void reach_goal(const reach_task *t, const double target[2], size_t tick, double goal[2]);

typedef struct plant {
    mjModel *m;
    mjData *d;              /* the simulation */
    mjData *plan;           /* kinematics of the servo targets (the learning signal) */
    int hand;               /* site id */
    double q0[2];           /* start posture: the hand at the centre */
    double command[2];      /* the servos' target angles */
    reach_task task;
    double sensed[PLANT_MAX_FEEDBACK_DELAY + 1][2]; /* ring of past hand positions */
    size_t tick;
} plant;

/* Load the MJCF model at path and compute the start posture.  0, or -1 with a message
 * on stderr. */
int plant_open(plant *p, const char *path, const reach_task *task);
void plant_close(plant *p);
/* Start a reach: the arm at rest in the start posture, the servos holding it. */
void plant_reset(plant *p);
/* The controller's input at the current tick of a reach to `target`. */
void plant_input(const plant *p, const double target[2], float x[PLANT_INPUTS]);
/* Apply the command u and advance one mj_step (timed by the caller). */
void plant_step(plant *p, const float u[PLANT_OUTPUTS]);
/* After plant_step: update kinematics and the sensing ring, compute the loss at the
 * new hand position against goal and its gradient du (dL/du).  Returns the loss. */
double plant_observe(plant *p, const double goal[2], float du[PLANT_OUTPUTS]);
/* Hand position (m) of the current state. */
void plant_hand(const plant *p, double xy[2]);

#endif
