#ifndef LOCALITY_SUPPORT_H
#define LOCALITY_SUPPORT_H

#include <stdint.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Compiler barrier: the optimiser must assume any memory may have been read or written
/// here, so stores before it are not sunk past it and loads after it are not hoisted.
static inline void locality_clobber_memory(void) { __asm__ __volatile__("" ::: "memory"); }

/// Keeps a computed value alive: the optimiser cannot prove the value unused, so the work
/// that produced it cannot be deleted. Costs one register move.
static inline void locality_do_not_optimize_double(double value) {
    __asm__ __volatile__("" : : "x"(value) : "memory");
}
static inline void locality_do_not_optimize_u64(uint64_t value) {
    __asm__ __volatile__("" : : "r"(value) : "memory");
}
static inline void locality_do_not_optimize_pointer(const void *value) {
    __asm__ __volatile__("" : : "r"(value) : "memory");
}

/// CLOCK_MONOTONIC_RAW in nanoseconds (clock_gettime); not slewed by NTP.
uint64_t locality_monotonic_ns(void);

/// Time stamp counter (rdtscp on x86-64, which waits for earlier instructions to finish);
/// 0 where the architecture has none.
uint64_t locality_read_tsc(void);

/// Executes cpuid; returns 0 where the instruction does not exist.
int locality_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t out[4]);

/// Turns off address-space randomisation for programs this process executes from now on
/// (personality(ADDR_NO_RANDOMIZE)); returns -1 where the kernel or a seccomp filter refuses.
int locality_disable_aslr_for_children(void);

/// True when running under valgrind (RUNNING_ON_VALGRIND).
int locality_running_on_valgrind(void);

/// Callgrind client requests (valgrind/callgrind.h). Outside valgrind each is a few
/// instructions that do nothing.
void locality_callgrind_zero_stats(void);
void locality_callgrind_toggle_collect(void);
void locality_callgrind_dump_stats(const char *name);

#ifdef __cplusplus
}
#endif

#endif
