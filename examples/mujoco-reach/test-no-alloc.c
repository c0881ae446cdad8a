/* mujoco-reach-no-alloc: the per-tick loop of mujoco-reach makes no heap allocation.
 *
 * This program replaces malloc & co. (examples/common/alloc_counter.c), so
 * the dynamic linker binds every shared object's allocations to it: those made inside
 * libccrnn, BLIS and MuJoCo are all counted, each attributed to the shared object that
 * called the allocator.  After a warm-up reach it trains a ccRNN controller (cerebellum
 * included) for 20 reaches with counting on around each whole tick: the cortex's
 * forward, one mj_step, the loss gradient and the learning step (backward, synthetic
 * gradient, cerebellar learning, optimizer step); then it runs inference reaches.  Any
 * allocation fails the test (exit 1).
 *
 * Usage: mujoco-reach-no-alloc [MJCF]   (default: the example's arm2.xml) */
#define _GNU_SOURCE 1

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc_counter.h"
#include "controller.h"
#include "plant.h"

#ifndef MUJOCO_REACH_MJCF
#define MUJOCO_REACH_MJCF "arm2.xml"
#endif

static int counting;
static unsigned long total;
static ex_alloc_callers callers;

void ex_alloc_event(int kind, const void *ret)
{
    (void)kind;
    if (!__atomic_load_n(&counting, __ATOMIC_RELAXED)) return;
    __atomic_add_fetch(&total, 1, __ATOMIC_RELAXED);
    ex_alloc_book_caller(&callers, ret);
}

/* One reach; counting on around every tick when `count` is set. */
static int reach(controller *c, plant *p, size_t k, int learn, int count)
{
    double target[2], goal[2];
    float x[PLANT_INPUTS], u[PLANT_OUTPUTS], du[PLANT_OUTPUTS];
    reach_target(&p->task, k % p->task.n_targets, target);
    plant_reset(p);
    if (ctl_begin_reach(c)) return -1;
    for (size_t t = 0; t < p->task.ticks; t++) {
        plant_input(p, target, x);
        reach_goal(&p->task, target, t, goal);
        __atomic_store_n(&counting, count, __ATOMIC_RELAXED);
        int st = ctl_act(c, x, u);
        if (!st) plant_step(p, u);
        if (!st) plant_observe(p, goal, du);
        if (!st && learn) st = ctl_learn(c, du, t + 1 == p->task.ticks);
        __atomic_store_n(&counting, 0, __ATOMIC_RELAXED);
        if (st) return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    reach_task task;
    plant p;
    controller *c = NULL;
    ctl_config cfg = {.cerebellum = 1, .n_in = PLANT_INPUTS, .n_out = PLANT_OUTPUTS,
                      .hidden = 32, .cb_layers = 1, .cb_width = 256, .bptt = 1, .lr = 1e-3,
                      .clip = 1.0, .sg_scale = 0.1, .threads = 1, .seed = 1};
    /* the counter itself: one allocation and one free are seen */
    __atomic_store_n(&counting, 1, __ATOMIC_RELAXED);
    void *volatile probe = malloc(64);
    free(probe);
    __atomic_store_n(&counting, 0, __ATOMIC_RELAXED);
    if (total != 2) {
        fprintf(stderr, "mujoco-reach-no-alloc: the counter saw %lu events, not 2\n", total);
        return 1;
    }
    total = 0;
    memset(&callers, 0, sizeof callers);
    reach_task_defaults(&task);
    if (plant_open(&p, argc > 1 ? argv[1] : MUJOCO_REACH_MJCF, &task)) return 1;
    if (ctl_create(&cfg, &c)) return 1;
    int st = reach(c, &p, 0, 1, 0);                          /* warm-up */
    for (size_t k = 1; k <= 20 && !st; k++) st = reach(c, &p, k, 1, 1);
    if (!st) st = ctl_set_training(c, 0);
    for (size_t k = 0; k < 8 && !st; k++) st = reach(c, &p, k, 0, 1);
    ctl_destroy(c);
    plant_close(&p);
    if (st) {
        fprintf(stderr, "mujoco-reach-no-alloc: a call failed\n");
        return 1;
    }
    printf("%zu training ticks and %zu inference ticks (libccrnn calls and mj_step): "
           "%lu allocation events\n", 20 * task.ticks, 8 * task.ticks, total);
    for (int i = 0; i < EX_ALLOC_CALLERS && callers.name[i]; i++)
        printf("    called from %s: %lu\n", callers.name[i], callers.count[i]);
    return total ? 1 : 0;
}
