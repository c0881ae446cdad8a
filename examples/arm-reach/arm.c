#include "arm.h"

#include <math.h>

void arm_config_defaults(arm_config *c)
{
    c->l1 = 0.3;
    c->l2 = 0.3;
    c->centre[0] = 0.0;
    c->centre[1] = 0.4;
    c->radius = 0.1;
    c->n_targets = 8;
    c->dt = 0.05;
    c->u_max = 4.0;
    c->delay = 2;
    c->ticks = 20;
    c->input_scale = 10.0;
}

void arm_hand(const arm_config *c, const double q[2], double p[2])
{
    p[0] = c->l1 * cos(q[0]) + c->l2 * cos(q[0] + q[1]);
    p[1] = c->l1 * sin(q[0]) + c->l2 * sin(q[0] + q[1]);
}

void arm_jacobian(const arm_config *c, const double q[2], double J[4])
{
    double s1 = sin(q[0]), c1 = cos(q[0]), s12 = sin(q[0] + q[1]), c12 = cos(q[0] + q[1]);
    J[0] = -c->l1 * s1 - c->l2 * s12;
    J[1] = -c->l2 * s12;
    J[2] = c->l1 * c1 + c->l2 * c12;
    J[3] = c->l2 * c12;
}

int arm_inverse(const arm_config *c, const double p[2], double q[2])
{
    double r2 = p[0] * p[0] + p[1] * p[1];
    double cos2 = (r2 - c->l1 * c->l1 - c->l2 * c->l2) / (2.0 * c->l1 * c->l2);
    if (cos2 < -1.0 || cos2 > 1.0) return -1;
    q[1] = acos(cos2); /* elbow bent one way: q2 in [0, pi] */
    q[0] = atan2(p[1], p[0]) - atan2(c->l2 * sin(q[1]), c->l1 + c->l2 * cos(q[1]));
    return 0;
}

void arm_target(const arm_config *c, size_t k, double p[2])
{
    double a = 2.0 * 3.14159265358979323846 * (double)k / (double)c->n_targets;
    p[0] = c->centre[0] + c->radius * cos(a);
    p[1] = c->centre[1] + c->radius * sin(a);
}

void arm_reset(const arm_config *c, arm_state *s) { arm_inverse(c, c->centre, s->q); }

void arm_input(const arm_config *c, const arm_state *s, const double target[2], size_t t,
               float x[ARM_INPUTS])
{
    double p[2];
    arm_hand(c, s->q, p);
    x[0] = t == 0 ? (float)(c->input_scale * (target[0] - c->centre[0])) : 0.0f;
    x[1] = t == 0 ? (float)(c->input_scale * (target[1] - c->centre[1])) : 0.0f;
    x[2] = t >= c->delay ? 1.0f : 0.0f;
    x[3] = (float)(c->input_scale * (p[0] - c->centre[0]));
    x[4] = (float)(c->input_scale * (p[1] - c->centre[1]));
}

void arm_goal(const arm_config *c, const double target[2], size_t t, double goal[2])
{
    const double *g = t >= c->delay ? target : c->centre;
    goal[0] = g[0];
    goal[1] = g[1];
}

double arm_step(const arm_config *c, arm_state *s, const float u[ARM_OUTPUTS],
                const double goal[2], float du[ARM_OUTPUTS])
{
    int clipped[2];
    for (int i = 0; i < 2; i++) {
        double v = u[i];
        clipped[i] = v > c->u_max || v < -c->u_max;
        if (v > c->u_max) v = c->u_max;
        if (v < -c->u_max) v = -c->u_max;
        s->q[i] += c->dt * v;
    }
    double p[2], J[4];
    arm_hand(c, s->q, p);
    arm_jacobian(c, s->q, J);
    double s2 = c->input_scale * c->input_scale;
    double ex = p[0] - goal[0], ey = p[1] - goal[1];
    /* dL/du_i = s^2 dt sum_k 2 e_k dp_k/dq_i, as q = q_prev + dt u (J at the new q). */
    for (int i = 0; i < 2; i++)
        du[i] = clipped[i] ? 0.0f : (float)(s2 * c->dt * 2.0 * (ex * J[i] + ey * J[2 + i]));
    return s2 * (ex * ex + ey * ey);
}
