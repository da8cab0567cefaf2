#define _GNU_SOURCE
#include "CLocalitySupport.h"

#include <time.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <signal.h>
#include <pthread.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <x86intrin.h>
#endif

#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define LOCALITY_HAVE_CALLGRIND 1
#endif
#endif

uint64_t locality_monotonic_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t locality_read_tsc(void) {
#if defined(__x86_64__) || defined(__i386__)
    unsigned int aux;
    return __rdtscp(&aux);
#else
    return 0;
#endif
}

int locality_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t out[4]) {
#if defined(__x86_64__) || defined(__i386__)
    unsigned int a, b, c, d;
    __cpuid_count(leaf, subleaf, a, b, c, d);
    out[0] = a; out[1] = b; out[2] = c; out[3] = d;
    return 1;
#else
    out[0] = out[1] = out[2] = out[3] = 0;
    return 0;
#endif
}

int locality_disable_aslr_for_children(void) {
    int current = personality(0xffffffff);
    if (current == -1) return -1;
    return personality((unsigned long)current | ADDR_NO_RANDOMIZE) == -1 ? -1 : 0;
}

void locality_end_by_signal(int sig) {
    if (sig == SIGQUIT) prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    signal(sig, SIG_DFL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    raise(sig);
}

int locality_have_callgrind(void) {
#ifdef LOCALITY_HAVE_CALLGRIND
    return 1;
#else
    return 0;
#endif
}

int locality_running_on_valgrind(void) {
#ifdef LOCALITY_HAVE_CALLGRIND
    return RUNNING_ON_VALGRIND ? 1 : 0;
#else
    return 0;
#endif
}

void locality_callgrind_zero_stats(void) {
#ifdef LOCALITY_HAVE_CALLGRIND
    CALLGRIND_ZERO_STATS;
#endif
}

void locality_callgrind_toggle_collect(void) {
#ifdef LOCALITY_HAVE_CALLGRIND
    CALLGRIND_TOGGLE_COLLECT;
#endif
}

void locality_sim_declare_huge_pages(const void *start, size_t length) {
#ifdef LOCALITY_HAVE_CALLGRIND
    // locsim's LOCSIM_USERREQ_DECLARE_HUGE (Tools/locsim/locsim.h, which this library does not
    // include: the tool is GPL and built apart). Callgrind ignores a request it does not know.
    VALGRIND_DO_CLIENT_REQUEST_STMT(VG_USERREQ_TOOL_BASE('L', 'S'), start, length, 0, 0, 0);
#else
    (void)start; (void)length;
#endif
}

void locality_callgrind_dump_stats(const char *name) {
#ifdef LOCALITY_HAVE_CALLGRIND
    CALLGRIND_DUMP_STATS_AT(name);
#else
    (void)name;
#endif
}
