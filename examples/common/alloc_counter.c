/* The replacement allocator of alloc_counter.h. */
#define _GNU_SOURCE 1

#include <errno.h>
#include <stddef.h>

#include "alloc_counter.h"

extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t n);
extern void __libc_free(void *p);
extern void *__libc_memalign(size_t align, size_t n);

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
