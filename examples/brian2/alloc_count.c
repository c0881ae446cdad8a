/* alloc_count: an LD_PRELOAD allocator shim for the Brian2 example's test.
 *
 * With examples/common/alloc_counter.c it replaces malloc & co. and, while counting is
 * on, counts the allocation events whose caller is a shared object whose
 * file name contains "libccrnn" or "libblis" -- the library and the BLIS it calls --
 * whatever Python, numpy or Brian2 allocate meanwhile.  The test loads this shim with
 * ctypes and calls alloc_count_set(1) / alloc_count_get() around the simulation. */
#define _GNU_SOURCE 1

#include <dlfcn.h>
#include <stddef.h>
#include <string.h>

#include "alloc_counter.h"

static int counting;
static unsigned long events;

void ex_alloc_event(int kind, const void *ret)
{
    (void)kind;
    Dl_info info;
    if (!__atomic_load_n(&counting, __ATOMIC_RELAXED)) return;
    if (dladdr(ret, &info) && info.dli_fname &&
        (strstr(info.dli_fname, "libccrnn") || strstr(info.dli_fname, "libblis")))
        __atomic_add_fetch(&events, 1, __ATOMIC_RELAXED);
}

void alloc_count_set(int on) { __atomic_store_n(&counting, on, __ATOMIC_RELAXED); }
unsigned long alloc_count_get(void) { return __atomic_load_n(&events, __ATOMIC_RELAXED); }
