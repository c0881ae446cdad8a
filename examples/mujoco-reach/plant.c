#include "plant.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void reach_task_defaults(reach_task *t)
{
    t->centre[0] = 0.0;
    t->centre[1] = 0.4;
    t->radius = 0.1;
    t->n_targets = 8;
    t->ticks = 30;
    t->delay = 2;
    t->feedback_delay = 2;
    t->scale = 10.0;
}

void reach_target(const reach_task *t, size_t k, double p[2])
{
    double a = 2.0 * 3.14159265358979323846 * (double)k / (double)t->n_targets;
    p[0] = t->centre[0] + t->radius * cos(a);
    p[1] = t->centre[1] + t->radius * sin(a);
}

void reach_goal(const reach_task *t, const double target[2], size_t tick, double goal[2])
{
    const double *g = tick >= t->delay ? target : t->centre;
    goal[0] = g[0];
    goal[1] = g[1];
}

/* Positions (kinematics) and the quantities mj_jacSite reads (com-based dofs). */
static void update_positions(const mjModel *m, mjData *d)
{
    mj_kinematics(m, d);
    mj_comPos(m, d);
}

static void site_xy(const plant *p, const mjData *d, double xy[2])
{
    xy[0] = d->site_xpos[3 * p->hand];
    xy[1] = d->site_xpos[3 * p->hand + 1];
}

void plant_hand(const plant *p, double xy[2]) { site_xy(p, p->d, xy); }

/* The planar part of the hand Jacobian: J[i][j] = d hand_i / d q_j, i = x, y. */
static void hand_jacobian(const plant *p, const mjData *d, double J[4])
{
    mjtNum jacp[3 * 2];
    mj_jacSite(p->m, d, jacp, NULL, p->hand);
    J[0] = jacp[0], J[1] = jacp[1], J[2] = jacp[2], J[3] = jacp[3];
}

/* Joint angles with the hand at the centre, by Newton steps on MuJoCo's kinematics
 * from a bent elbow (so the posture is the elbow-bent one). */
static int start_posture(plant *p)
{
    double q[2] = {0.5, 1.5};
    for (int it = 0; it < 100; it++) {
        double h[2], J[4];
        p->d->qpos[0] = q[0], p->d->qpos[1] = q[1];
        update_positions(p->m, p->d);
        plant_hand(p, h);
        hand_jacobian(p, p->d, J);
        double ex = p->task.centre[0] - h[0], ey = p->task.centre[1] - h[1];
        double det = J[0] * J[3] - J[1] * J[2];
        if (fabs(det) < 1e-9) return -1;
        q[0] += (J[3] * ex - J[1] * ey) / det;
        q[1] += (-J[2] * ex + J[0] * ey) / det;
        if (hypot(ex, ey) < 1e-12) break;
    }
    p->q0[0] = q[0], p->q0[1] = q[1];
    return 0;
}

int plant_open(plant *p, const char *path, const reach_task *task)
{
    char err[1024] = "";
    memset(p, 0, sizeof *p);
    p->task = *task;
    if (task->feedback_delay > PLANT_MAX_FEEDBACK_DELAY) {
        fprintf(stderr, "mujoco-reach: feedback delay above %d ticks\n",
                PLANT_MAX_FEEDBACK_DELAY);
        return -1;
    }
    p->m = mj_loadXML(path, NULL, err, sizeof err);
    if (!p->m) {
        fprintf(stderr, "mujoco-reach: cannot load %s: %s\n", path, err);
        return -1;
    }
    p->d = mj_makeData(p->m);
    p->plan = mj_makeData(p->m);
    p->hand = mj_name2id(p->m, mjOBJ_SITE, "hand");
    if (!p->d || !p->plan || p->hand < 0 || p->m->nq != 2 || p->m->nu != 2) {
        fprintf(stderr, "mujoco-reach: %s is not a two-joint arm with two actuators and a "
                        "'hand' site\n", path);
        plant_close(p);
        return -1;
    }
    if (start_posture(p)) {
        fprintf(stderr, "mujoco-reach: the centre is out of the arm's reach\n");
        plant_close(p);
        return -1;
    }
    return 0;
}

void plant_close(plant *p)
{
    if (p->plan) mj_deleteData(p->plan);
    if (p->d) mj_deleteData(p->d);
    if (p->m) mj_deleteModel(p->m);
    p->plan = p->d = NULL;
    p->m = NULL;
}

void plant_reset(plant *p)
{
    mj_resetData(p->m, p->d);
    for (int j = 0; j < 2; j++) {
        p->d->qpos[j] = p->q0[j];
        p->d->ctrl[j] = p->q0[j];
        p->command[j] = p->q0[j];
    }
    update_positions(p->m, p->d);
    p->tick = 0;
    for (size_t i = 0; i <= p->task.feedback_delay; i++) plant_hand(p, p->sensed[i]);
}

void plant_input(const plant *p, const double target[2], float x[PLANT_INPUTS])
{
    const reach_task *t = &p->task;
    /* slot k % (F+1) holds the hand at tick k: ticks tick-F .. tick, so the position
     * F ticks ago sits in the slot after the current one */
    const double *s = p->sensed[(p->tick + 1) % (t->feedback_delay + 1)];
    x[0] = p->tick == 0 ? (float)(t->scale * (target[0] - t->centre[0])) : 0.0f;
    x[1] = p->tick == 0 ? (float)(t->scale * (target[1] - t->centre[1])) : 0.0f;
    x[2] = p->tick >= t->delay ? 1.0f : 0.0f;
    x[3] = (float)(t->scale * (s[0] - t->centre[0]));
    x[4] = (float)(t->scale * (s[1] - t->centre[1]));
}

void plant_step(plant *p, const float u[PLANT_OUTPUTS])
{
    /* the servo targets move at the commanded joint speeds, within the actuators' range */
    const double dt = p->m->opt.timestep;
    for (int j = 0; j < 2; j++) {
        double c = p->command[j] + dt * u[j];
        const mjtNum *range = p->m->actuator_ctrlrange + 2 * j;
        p->command[j] = c < range[0] ? range[0] : c > range[1] ? range[1] : c;
        p->d->ctrl[j] = p->command[j];
    }
    mj_step(p->m, p->d);
}

double plant_observe(plant *p, const double goal[2], float du[PLANT_OUTPUTS])
{
    double h[2], J[4];
    const double s2 = p->task.scale * p->task.scale, dt = p->m->opt.timestep;
    update_positions(p->m, p->d);
    p->tick++;
    plant_hand(p, p->sensed[p->tick % (p->task.feedback_delay + 1)]);
    /* the learning signal: the hand where the servos are taking it */
    p->plan->qpos[0] = p->command[0], p->plan->qpos[1] = p->command[1];
    update_positions(p->m, p->plan);
    site_xy(p, p->plan, h);
    hand_jacobian(p, p->plan, J);
    double ex = h[0] - goal[0], ey = h[1] - goal[1];
    for (int j = 0; j < 2; j++) du[j] = (float)(2.0 * s2 * dt * (ex * J[j] + ey * J[2 + j]));
    return s2 * (ex * ex + ey * ey);
}
