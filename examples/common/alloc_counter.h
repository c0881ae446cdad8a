/* A counting allocator for the allocation tests: alloc_counter.c replaces malloc &
 * co. (forwarding to glibc's __libc_* entry points), so every shared object's
 * allocations reach it, and reports each event to ex_alloc_event, which the test
 * program defines (what to count, and when).  Linked into a test program, or built
 * into an LD_PRELOAD module. */
#ifndef EX_ALLOC_COUNTER_H
#define EX_ALLOC_COUNTER_H

enum ex_alloc_kind { EX_ALLOC_MALLOC, EX_ALLOC_CALLOC, EX_ALLOC_REALLOC, EX_ALLOC_FREE,
                     EX_ALLOC_ALIGNED, EX_ALLOC_KINDS };

/* One allocator call of `kind`, made from code at `caller` (a return address; dladdr
 * names its shared object).  Must not allocate. */
void ex_alloc_event(int kind, const void *caller);

/* Which shared objects called the allocator: the first EX_ALLOC_CALLERS distinct ones,
 * by file name, each with a count, for a test's report.  Zero-initialise; a tally does
 * not allocate (dladdr reads the loader's tables), so ex_alloc_event may book into one. */
#define EX_ALLOC_CALLERS 8
typedef struct ex_alloc_callers {
    const char *name[EX_ALLOC_CALLERS];
    unsigned long count[EX_ALLOC_CALLERS];
} ex_alloc_callers;

/* Count one call made from `caller` (atomically: worker threads may allocate while the
 * main thread waits in a call). */
void ex_alloc_book_caller(ex_alloc_callers *t, const void *caller);

#endif
