/* alloc_count: an LD_PRELOAD allocator shim for the Brian2 example's test.
 *
 * It replaces malloc & co. (forwarding to glibc's __libc_* entry points) and, while
 * counting is on, counts the allocation events whose caller is a shared object whose
 * file name contains "libccrnn" or "libblis" -- the library and the BLIS it calls --
 * whatever Python, numpy or Brian2 allocate meanwhile.  The test loads this shim with
 * ctypes and calls alloc_count_set(1) / alloc_count_get() around the simulation. */
#define _GNU_SOURCE 1

#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>

extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t n);
extern void __libc_free(void *p);
extern void *__libc_memalign(size_t align, size_t n);

static int counting;
static unsigned long events;

static void book(const void *ret)
{
    Dl_info info;
    if (!__atomic_load_n(&counting, __ATOMIC_RELAXED)) return;
    if (dladdr(ret, &info) && info.dli_fname &&
        (strstr(info.dli_fname, "libccrnn") || strstr(info.dli_fname, "libblis")))
        __atomic_add_fetch(&events, 1, __ATOMIC_RELAXED);
}

void alloc_count_set(int on) { __atomic_store_n(&counting, on, __ATOMIC_RELAXED); }
unsigned long alloc_count_get(void) { return __atomic_load_n(&events, __ATOMIC_RELAXED); }

void *malloc(size_t n)
{
    book(__builtin_return_address(0));
    return __libc_malloc(n);
}

void *calloc(size_t n, size_t size)
{
    book(__builtin_return_address(0));
    return __libc_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
    book(__builtin_return_address(0));
    return __libc_realloc(p, n);
}

void free(void *p)
{
    if (p) book(__builtin_return_address(0));
    __libc_free(p);
}

void *memalign(size_t align, size_t n)
{
    book(__builtin_return_address(0));
    return __libc_memalign(align, n);
}

void *aligned_alloc(size_t align, size_t n)
{
    book(__builtin_return_address(0));
    return __libc_memalign(align, n);
}

int posix_memalign(void **out, size_t align, size_t n)
{
    if (align < sizeof(void *) || (align & (align - 1))) return EINVAL;
    book(__builtin_return_address(0));
    void *p = __libc_memalign(align, n);
    if (!p && n) return ENOMEM;
    *out = p;
    return 0;
}
