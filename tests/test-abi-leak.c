/* A deliberately bad library for check-exports.sh's own test: it exports a symbol
 * without the ccrnn_ prefix and one with the internal ccrnn__ prefix, so the check
 * must fail on it (registered with should_fail). */
int leaked_helper(void);
int ccrnn__internal_helper(void);
int ccrnn_fine(void);

int leaked_helper(void) { return 1; }
int ccrnn__internal_helper(void) { return 2; }
int ccrnn_fine(void) { return 3; }
