#include "output.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

int ex_mkdirs(const char *path)
{
    char buf[4096];
    size_t len = strlen(path);
    if (len == 0 || len >= sizeof buf) {
        fprintf(stderr, "bad output directory '%s'\n", path);
        return -1;
    }
    memcpy(buf, path, len + 1);
    for (size_t i = 1; i <= len; i++) {
        if (buf[i] != '/' && buf[i] != '\0') continue;
        char keep = buf[i];
        buf[i] = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST) {
            fprintf(stderr, "cannot create directory '%s': %s\n", buf, strerror(errno));
            return -1;
        }
        buf[i] = keep;
    }
    return 0;
}

const char *ex_path_join(char *buf, size_t cap, const char *dir, const char *name)
{
    snprintf(buf, cap, "%s/%s", dir, name);
    return buf;
}

FILE *ex_csv_open(const char *path, const char *header)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "cannot write '%s': %s\n", path, strerror(errno));
        return NULL;
    }
    fprintf(f, "%s\n", header);
    return f;
}

int ex_csv_close(FILE *f, const char *path)
{
    if (!f) return -1;
    int bad = ferror(f);
    if (fclose(f) != 0) bad = 1;
    if (bad) fprintf(stderr, "error while writing '%s'\n", path);
    return bad ? -1 : 0;
}

void ex_mean_sem(const double *v, size_t n, double *mean, double *sem)
{
    double m = 0.0, ss = 0.0;
    for (size_t i = 0; i < n; i++) m += v[i];
    m = n ? m / (double)n : NAN;
    for (size_t i = 0; i < n; i++) ss += (v[i] - m) * (v[i] - m);
    if (mean) *mean = m;
    if (sem) *sem = n >= 2 ? sqrt(ss / (double)(n - 1)) / sqrt((double)n) : NAN;
}

double ex_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
