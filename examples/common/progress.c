#include "progress.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "output.h"

void ex_progress_init(ex_progress *p, size_t total)
{
    memset(p, 0, sizeof *p);
    p->active = isatty(fileno(stderr));
    p->total = total ? total : 1;
    p->start = ex_now();
}

void ex_progress_label(ex_progress *p, const char *label)
{
    snprintf(p->label, sizeof p->label, "%s", label);
}

static void format_time(double s, char *buf, size_t cap)
{
    long t = (long)(s + 0.5);
    if (t >= 3600) snprintf(buf, cap, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    else snprintf(buf, cap, "%ld:%02ld", t / 60, t % 60);
}

void ex_progress_advance(ex_progress *p, size_t units, size_t epoch, size_t epochs, double loss)
{
    p->done += units;
    if (!p->active) return;
    double now = ex_now();
    if (now - p->last_draw < 0.1 && p->done < p->total) return;
    p->last_draw = now;
    double frac = (double)p->done / (double)p->total;
    if (frac > 1.0) frac = 1.0;
    char bar[21], left[32];
    size_t filled = (size_t)(frac * 20.0);
    for (size_t i = 0; i < 20; i++) bar[i] = i < filled ? '#' : '.';
    bar[20] = '\0';
    double elapsed = now - p->start;
    if (p->done > 0) format_time(elapsed / frac - elapsed, left, sizeof left);
    else snprintf(left, sizeof left, "?");
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
