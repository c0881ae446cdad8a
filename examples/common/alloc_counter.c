/* The replacement allocator of alloc_counter.h. */
#define _GNU_SOURCE 1

#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "alloc_counter.h"

extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t n);
extern void __libc_free(void *p);
extern void *__libc_memalign(size_t align, size_t n);

void ex_alloc_book_caller(ex_alloc_callers *t, const void *caller)
{
    Dl_info info;
    const char *name = dladdr(caller, &info) && info.dli_fname ? info.dli_fname : "?";
    for (int i = 0; i < EX_ALLOC_CALLERS; i++) {
        if (!t->name[i]) t->name[i] = name;
        if (t->name[i] == name || !strcmp(t->name[i], name)) {
            __atomic_add_fetch(&t->count[i], 1, __ATOMIC_RELAXED);
            return;
        }
    }
}

void *malloc(size_t n)
{
    ex_alloc_event(EX_ALLOC_MALLOC, __builtin_return_address(0));
    return __libc_malloc(n);
}

void *calloc(size_t n, size_t size)
{
    ex_alloc_event(EX_ALLOC_CALLOC, __builtin_return_address(0));
    return __libc_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
    ex_alloc_event(EX_ALLOC_REALLOC, __builtin_return_address(0));
    return __libc_realloc(p, n);
}

void free(void *p)
{
    if (p) ex_alloc_event(EX_ALLOC_FREE, __builtin_return_address(0));
    __libc_free(p);
}

void *memalign(size_t align, size_t n)
{
    ex_alloc_event(EX_ALLOC_ALIGNED, __builtin_return_address(0));
    return __libc_memalign(align, n);
}

void *aligned_alloc(size_t align, size_t n)
{
    ex_alloc_event(EX_ALLOC_ALIGNED, __builtin_return_address(0));
    return __libc_memalign(align, n);
}

int posix_memalign(void **out, size_t align, size_t n)
{
    if (align < sizeof(void *) || (align & (align - 1))) return EINVAL;
    ex_alloc_event(EX_ALLOC_ALIGNED, __builtin_return_address(0));
    void *p = __libc_memalign(align, n);
    if (!p && n) return ENOMEM;
    *out = p;
    return 0;
}
