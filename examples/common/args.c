#include "args.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static void format_default(const ex_option *o, char *buf, size_t cap)
{
    switch (o->kind) {
    case EX_OPT_FLAG: snprintf(buf, cap, "%s", *(int *)o->value ? "on" : "off"); break;
    case EX_OPT_INT: snprintf(buf, cap, "%ld", *(long *)o->value); break;
    case EX_OPT_REAL: snprintf(buf, cap, "%g", *(double *)o->value); break;
    default: {
        const char *s = *(const char **)o->value;
        snprintf(buf, cap, "%s", s && *s ? s : "none");
    }
    }
}

/* Print text from column `indent` on, breaking lines at spaces before `width`. */
static void print_wrapped(const char *text, int indent, int width)
{
    int col = indent;
    const char *p = text;
    while (*p) {
        const char *w = p;
        while (*w && *w != ' ') w++;
        int len = (int)(w - p);
        if (col > indent && col + 1 + len > width) {
            printf("\n%*s", indent, "");
            col = indent;
        } else if (col > indent) {
            putchar(' ');
            col++;
        }
        printf("%.*s", len, p);
        col += len;
        p = *w ? w + 1 : w;
    }
    putchar('\n');
}

void ex_args_help(const char *prog, const char *about, const ex_option *opts, size_t n)
{
    printf("usage: %s [options]\n", prog);
    if (about && *about) printf("\n%s\n", about);
    printf("\noptions:\n");
    for (size_t i = 0; i < n; i++) {
        const ex_option *o = &opts[i];
        char left[64], def[128];
        if (o->kind == EX_OPT_FLAG) snprintf(left, sizeof left, "--%s", o->name);
        else snprintf(left, sizeof left, "--%s %s", o->name, o->meta ? o->meta : "VALUE");
        format_default(o, def, sizeof def);
        char text[1024];
        snprintf(text, sizeof text, "%s (default: %s)", o->help, def);
        printf("  %-22s ", left);
        print_wrapped(text, 25, 92);
    }
    printf("  %-22s %s\n", "-h, --help", "show this help and exit");
}

static const ex_option *find(const ex_option *opts, size_t n, const char *name, size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(opts[i].name) == len && strncmp(opts[i].name, name, len) == 0) return &opts[i];
    return NULL;
}

static int store(const char *prog, const ex_option *o, const char *text)
{
    char *end = NULL;
    errno = 0;
    if (o->kind == EX_OPT_STRING) {
        *(const char **)o->value = text;
        return 0;
    }
    if (o->kind == EX_OPT_INT) {
        long v = strtol(text, &end, 10);
        if (errno || end == text || *end || v < o->min || v > o->max) {
            fprintf(stderr, "%s: --%s expects an integer in %.0f..%.0f, got '%s' (try --help)\n",
                    prog, o->name, o->min, o->max, text);
            return -1;
        }
        *(long *)o->value = v;
        return 0;
    }
    double v = strtod(text, &end);
    if (errno || end == text || *end || !isfinite(v) || v < o->min || v > o->max) {
        fprintf(stderr, "%s: --%s expects a number in [%g, %g], got '%s' (try --help)\n", prog,
                o->name, o->min, o->max, text);
        return -1;
    }
    *(double *)o->value = v;
    return 0;
}

int ex_args_parse(int argc, char **argv, const char *about, const ex_option *opts, size_t n)
{
    const char *prog = base_name(argc > 0 ? argv[0] : "program");
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            ex_args_help(prog, about, opts, n);
            return EX_ARGS_HELP;
        }
        if (strncmp(a, "--", 2) != 0 || a[2] == '\0') {
            fprintf(stderr, "%s: unexpected argument '%s' (options start with --; try --help)\n",
                    prog, a);
            return EX_ARGS_ERROR;
        }
        const char *name = a + 2, *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        const ex_option *o = find(opts, n, name, len);
        if (!o) {
            fprintf(stderr, "%s: unknown option '--%.*s' (try --help)\n", prog, (int)len, name);
            return EX_ARGS_ERROR;
        }
        if (o->kind == EX_OPT_FLAG) {
            if (eq) {
                fprintf(stderr, "%s: --%s takes no value\n", prog, o->name);
                return EX_ARGS_ERROR;
            }
            *(int *)o->value = 1;
            continue;
        }
        const char *text = eq ? eq + 1 : NULL;
        if (!text) {
            if (i + 1 >= argc) {
                fprintf(stderr, "%s: --%s needs a value (try --help)\n", prog, o->name);
                return EX_ARGS_ERROR;
            }
            text = argv[++i];
        }
        if (store(prog, o, text)) return EX_ARGS_ERROR;
    }
    return EX_ARGS_OK;
}

size_t ex_parse_uint_list(const char *text, unsigned long long *out, size_t cap)
{
    size_t count = 0;
    const char *p = text;
    while (*p) {
        char *end = NULL;
        if (*p < '0' || *p > '9') return 0;
        errno = 0;
        unsigned long long v = strtoull(p, &end, 10);
        if (errno || end == p || count >= cap) return 0;
        out[count++] = v;
        p = end;
        if (*p == ',') p++;
        else if (*p) return 0;
    }
    return count;
}
