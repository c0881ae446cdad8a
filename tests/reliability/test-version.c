/* The version script (lib/libccrnn.map), the header's version macros and the library's
 * runtime version stay in step: the newest symbol-version node must be
 * CCRNN_<MAJOR>.<MINOR> of the header, nodes must only grow, and the runtime version
 * must be the header's.  Usage: test-rel-version path/to/libccrnn.map */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ccrnn/ccrnn.h"

static int passed, failed;

static void check(int ok, const char *what)
{
    if (ok) {
        passed++;
    } else {
        failed++;
        fprintf(stderr, "FAIL: %s\n", what);
    }
}

/* Read every "CCRNN_<a>.<b> {" node of the map, in order, into majors/minors. */
static int read_nodes(const char *path, unsigned *majors, unsigned *minors, int cap)
{
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    char line[512];
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        const char *p = line;
        while (*p == ' ' || *p == '\t') p++;
        unsigned a, b;
        char brace;
        if (sscanf(p, "CCRNN_%u.%u %c", &a, &b, &brace) == 3 && brace == '{' && n < cap) {
            majors[n] = a;
            minors[n] = b;
            n++;
        }
    }
    fclose(f);
    return n;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s libccrnn.map\n", argv[0]);
        return 2;
    }
    unsigned majors[64], minors[64];
    int n = read_nodes(argv[1], majors, minors, 64);
    check(n >= 1, "the version script has at least one CCRNN_x.y node");
    if (n >= 1) {
        char msg[200];
        snprintf(msg, sizeof msg, "newest node CCRNN_%u.%u matches the header's %d.%d",
                 majors[n - 1], minors[n - 1], CCRNN_VERSION_MAJOR, CCRNN_VERSION_MINOR);
        check(majors[n - 1] == CCRNN_VERSION_MAJOR && minors[n - 1] == CCRNN_VERSION_MINOR, msg);
        printf("%s\n", msg);
    }
    for (int i = 1; i < n; i++)
        check(majors[i] > majors[i - 1] || (majors[i] == majors[i - 1] && minors[i] > minors[i - 1]),
              "version nodes appear in increasing order");
    check(ccrnn_version_number() == CCRNN_VERSION_NUMBER,
          "ccrnn_version_number() equals the header's CCRNN_VERSION_NUMBER");
    check(CCRNN_VERSION_NUMBER ==
              CCRNN_VERSION_MAJOR * 10000 + CCRNN_VERSION_MINOR * 100 + CCRNN_VERSION_PATCH,
          "CCRNN_VERSION_NUMBER is major*10000 + minor*100 + patch");
    char expect[64];
    snprintf(expect, sizeof expect, "%d.%d.%d", CCRNN_VERSION_MAJOR, CCRNN_VERSION_MINOR,
             CCRNN_VERSION_PATCH);
    check(strcmp(ccrnn_version_string(), expect) == 0 && strcmp(CCRNN_VERSION_STRING, expect) == 0,
          "version strings (runtime and header) equal major.minor.patch");
    printf("test-version: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
