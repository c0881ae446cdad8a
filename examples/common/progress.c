#include "progress.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "output.h"

void ex_progress_init(ex_progress *p, size_t total) { ex_progress_init_kinds(p, 1, &total); }

void ex_progress_label(ex_progress *p, const char *label) { ex_progress_begin(p, 0, label); }

void ex_progress_init_kinds(ex_progress *p, size_t kinds, const size_t *units)
{
    memset(p, 0, sizeof *p);
    p->active = isatty(fileno(stderr));
    p->kinds = kinds < EX_PROGRESS_KINDS ? kinds : EX_PROGRESS_KINDS;
    for (size_t k = 0; k < p->kinds; k++) p->total[k] = units[k];
    p->start = p->last_tick = ex_now();
}

void ex_progress_begin(ex_progress *p, size_t kind, const char *label)
{
    p->kind = kind < p->kinds ? kind : 0;
    p->last_tick = ex_now();
    snprintf(p->label, sizeof p->label, "%s", label);
}

static void format_time(double s, char *buf, size_t cap)
{
    long t = (long)(s + 0.5);
    if (t >= 3600) snprintf(buf, cap, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    else snprintf(buf, cap, "%ld:%02ld", t / 60, t % 60);
}

/* Seconds left: unmeasured kinds are assumed as slow as the slowest measured one. */
static double time_left(const ex_progress *p)
{
    double slowest = 0.0, left = 0.0;
    for (size_t k = 0; k < p->kinds; k++)
        if (p->done[k] && p->spent[k] / (double)p->done[k] > slowest)
            slowest = p->spent[k] / (double)p->done[k];
    for (size_t k = 0; k < p->kinds; k++) {
        double rate = p->done[k] ? p->spent[k] / (double)p->done[k] : slowest;
        if (p->total[k] > p->done[k]) left += rate * (double)(p->total[k] - p->done[k]);
    }
    return left;
}

void ex_progress_advance(ex_progress *p, size_t units, size_t epoch, size_t epochs, double loss)
{
    double now = ex_now();
    size_t done = 0, total = 0;
    p->done[p->kind] += units;
    p->spent[p->kind] += now - p->last_tick;
    p->last_tick = now;
    if (!p->active || now - p->last_draw < 0.1) return;
    p->last_draw = now;
    for (size_t k = 0; k < p->kinds; k++) done += p->done[k], total += p->total[k];
    double frac = total ? (double)done / (double)total : 1.0;
    if (frac > 1.0) frac = 1.0;
    char bar[21], left[32];
    size_t filled = (size_t)(frac * 20.0);
    for (size_t i = 0; i < 20; i++) bar[i] = i < filled ? '#' : '.';
    bar[20] = '\0';
    format_time(time_left(p), left, sizeof left);
    fprintf(stderr, "\r[%s] %3.0f%%  %s  epoch %zu/%zu  loss %.4g  left %s\033[K", bar,
            100.0 * frac, p->label, epoch, epochs, loss, left);
    fflush(stderr);
}

void ex_progress_finish(ex_progress *p)
{
    if (!p->active) return;
    fprintf(stderr, "\r\033[K");
    fflush(stderr);
}
