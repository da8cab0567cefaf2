// Allocator introspection (glibc) and safe reads of this process's own memory, for the
// `alloc` experiment and `locality probe`.
#define _GNU_SOURCE
#include "CLocalitySupport.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/uio.h>
#include <unistd.h>

size_t locality_malloc_usable_size(const void *pointer) { return malloc_usable_size((void *)pointer); }

long long locality_malloc_mmapped_chunks(void) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
    return (long long)mallinfo2().hblks;
#else
    return -1;
#endif
}

int locality_read_own_memory_vm(uintptr_t address, void *buffer, size_t length) {
    struct iovec local = {buffer, length};
    struct iovec remote = {(void *)address, length};
    ssize_t got = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
    if (got == (ssize_t)length) return 0;
    return got < 0 ? errno : EFAULT;
}

int locality_read_own_memory_pipe(uintptr_t address, void *buffer, size_t length) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return errno;
    int result = 0;
    ssize_t written = write(fds[1], (const void *)address, length);
    if (written < 0) {
        result = errno;
    } else if ((size_t)written != length) {
        result = EFAULT;
    } else if (read(fds[0], buffer, length) != (ssize_t)length) {
        result = EIO;
    }
    close(fds[0]);
    close(fds[1]);
    return result;
}

// The landmarks `locality probe` locates. The constant and the literal live in the
// executable's read-only data; the volatile read keeps the constant from being folded away.
static const int locality_probe_constant = 1000;

uintptr_t locality_probe_constant_address(void) {
    const volatile int *pointer = &locality_probe_constant;
    (void)*pointer;
    return (uintptr_t)pointer;
}

uintptr_t locality_probe_c_string_literal_address(void) { return (uintptr_t) "a"; }

uintptr_t locality_probe_c_function_address(void) { return (uintptr_t)&locality_probe_c_function_address; }

uintptr_t locality_probe_libc_function_address(void) { return (uintptr_t)dlsym(RTLD_DEFAULT, "malloc"); }

int locality_aslr_disabled_by_personality(void) {
    int persona = personality(0xffffffff);
    return persona >= 0 && (persona & ADDR_NO_RANDOMIZE) ? 1 : 0;
}

struct locality_parked_thread {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    uintptr_t stack_local;
    int ready;
    int release;
};

static void *locality_parked_thread_main(void *argument) {
    struct locality_parked_thread *parked = argument;
    volatile int local = 42;
    pthread_mutex_lock(&parked->lock);
    parked->stack_local = (uintptr_t)&local;
    parked->ready = 1;
    pthread_cond_broadcast(&parked->changed);
    while (!parked->release) pthread_cond_wait(&parked->changed, &parked->lock);
    pthread_mutex_unlock(&parked->lock);
    return NULL;
}

locality_parked_thread *locality_parked_thread_start(void) {
    struct locality_parked_thread *parked = calloc(1, sizeof *parked);
    if (!parked) return NULL;
    pthread_mutex_init(&parked->lock, NULL);
    pthread_cond_init(&parked->changed, NULL);
    if (pthread_create(&parked->thread, NULL, locality_parked_thread_main, parked) != 0) {
        free(parked);
        return NULL;
    }
    pthread_mutex_lock(&parked->lock);
    while (!parked->ready) pthread_cond_wait(&parked->changed, &parked->lock);
    pthread_mutex_unlock(&parked->lock);
    return parked;
}

uintptr_t locality_parked_thread_stack_local(const locality_parked_thread *parked) { return parked->stack_local; }

void locality_parked_thread_stop(locality_parked_thread *parked) {
    if (!parked) return;
    pthread_mutex_lock(&parked->lock);
    parked->release = 1;
    pthread_cond_broadcast(&parked->changed);
    pthread_mutex_unlock(&parked->lock);
    pthread_join(parked->thread, NULL);
    pthread_cond_destroy(&parked->changed);
    pthread_mutex_destroy(&parked->lock);
    free(parked);
}

int locality_is_main_thread(void) { return gettid() == getpid(); }
