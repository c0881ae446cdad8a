/* Command-line options for the example programs: a table of long options, each with
 * a typed destination that already holds its default.  --help prints every option
 * with that default; a bad option or value is a one-line error (exit status 2). */
#ifndef EX_ARGS_H
#define EX_ARGS_H

#include <stddef.h>

enum ex_opt_kind {
    EX_OPT_FLAG,   /* value: int*, set to 1 when given; takes no argument */
    EX_OPT_INT,    /* value: long*, checked against [min, max] */
    EX_OPT_REAL,   /* value: double*, checked against [min, max] */
    EX_OPT_STRING  /* value: const char**, points into argv */
};

typedef struct ex_option {
    const char *name; /* long name without the leading "--" */
    int kind;         /* enum ex_opt_kind */
    void *value;      /* destination; its current content is the default */
    double min, max;  /* accepted range for INT and REAL */
    const char *meta; /* placeholder for the value in --help, e.g. "N" */
    const char *help; /* one line */
} ex_option;

enum ex_args_result {
    EX_ARGS_OK = 0,    /* parsed; run the program */
    EX_ARGS_HELP = 1,  /* --help was printed to stdout; exit 0 */
    EX_ARGS_ERROR = 2  /* an error was printed to stderr; exit 2 */
};

/* Parse argv against the table.  `about` is printed under the usage line of --help.
 * Accepts "--name value" and "--name=value"; "-h" is --help.  Positional arguments
 * are rejected.  Returns enum ex_args_result. */
int ex_args_parse(int argc, char **argv, const char *about, const ex_option *opts, size_t n);

/* Print the --help text (usage, about, every option with its default) to stdout. */
void ex_args_help(const char *prog, const char *about, const ex_option *opts, size_t n);

/* Parse a comma-separated list of unsigned integers into out (at most cap values).
 * Returns the count, or 0 on a malformed list or overflow of cap. */
size_t ex_parse_uint_list(const char *text, unsigned long long *out, size_t cap);

#endif
