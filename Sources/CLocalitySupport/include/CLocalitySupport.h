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

/// A signal's abbreviation as `kill -l` gives it (`INT`, `TERM`; sigabbrev_np), NULL for a
/// number that names no signal.
const char *locality_signal_abbreviation(int signal);

/// Ends this process by `signal` with its default action: unblocks it, restores SIG_DFL and
/// raises it. For SIGQUIT (whose default dumps core) the process is first made undumpable
/// (prctl(PR_SET_DUMPABLE, 0)), so no core is written by any core_pattern. Returns only if
/// the signal did not end the process.
void locality_end_by_signal(int signal);

/// Terminating signals (SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1/2, SIGALRM, SIGVTALRM, SIGPROF,
/// SIGXCPU, SIGXFSZ, SIGPWR, SIGSTKFLT, SIGIO; not those ignored at start, as under nohup):
/// blocked in the calling thread, which must be the only one, and taken by one thread of
/// their own (sigwaitinfo). By default a signal removes the temporary file being written (see
/// below) and ends the process by itself; while deferring, the first one is only recorded
/// (and passed on to the running child), for the program to stop at its next check. Returns 0
/// or an errno.
int locality_signals_start(void);
void locality_signals_defer(int on);
/// The first terminating signal received, or 0.
int locality_signals_received(void);

/// A temporary file that a terminating signal removes: created (O_EXCL, O_NOFOLLOW, O_CLOEXEC)
/// and renamed (or, on failure, removed) under one lock with the signal thread, so a signal
/// never leaves it behind nor removes what the rename put in place. -1 and errno on failure.
int locality_create_temporary(const char *path, int mode);
int locality_rename_temporary(const char *path, const char *target);
void locality_discard_temporary(const char *path);

/// How a child run by `locality_run_child` ended and what it wrote on stdout (malloc'd; free it).
struct locality_child_outcome {
    int status;       ///< exit status, or the signal when `signaled`
    int signaled;
    int exec_errno;   ///< why execve failed (the child then exits 127), or 0
    char *output;
    size_t output_length;
};

/// Runs `path` to its end with fork + execve, stdout read through a pipe: in a process group of
/// its own, its signals at their defaults and unblocked, dying with this process
/// (PR_SET_PDEATHSIG, SIGKILL); terminating signals this process receives meanwhile are passed
/// on to it (SIGQUIT as SIGTERM). `envp` NULL keeps this environment, `directory` NULL this
/// working directory, `stderr_path` NULL this stderr (else the file is created or truncated).
/// Returns 0, or the errno that kept it from running or being read.
int locality_run_child(const char *path, char *const argv[], char *const envp[], const char *directory,
                       const char *stderr_path, struct locality_child_outcome *outcome);

/// True when this library was built with <valgrind/callgrind.h>, so its client requests work.
int locality_have_callgrind(void);

/// True when running under valgrind (RUNNING_ON_VALGRIND).
int locality_running_on_valgrind(void);

/// Callgrind client requests (valgrind/callgrind.h). Outside valgrind each is a few
/// instructions that do nothing.
void locality_callgrind_zero_stats(void);
void locality_callgrind_toggle_collect(void);
void locality_callgrind_dump_stats(const char *name);
/// Tells locsim (Locality's valgrind tool) that [start, start + length) is backed by 2 MiB
/// pages, as AnonHugePages showed: its translations then use the simulated 2 MiB TLB entries.
/// Forgotten when the range is unmapped. A no-op outside valgrind and under callgrind.
void locality_sim_declare_huge_pages(const void *start, size_t length);

/// Allocator introspection (glibc): the bytes malloc really reserved for a block, and how
/// many blocks it currently holds in their own mmap (mallinfo2().hblks; -1 before glibc 2.33).
size_t locality_malloc_usable_size(const void *pointer);
long long locality_malloc_mmapped_chunks(void);

/// Copies `length` bytes at `address` of this process into `buffer` without dereferencing
/// it: the kernel does the access and reports a bad address as an error instead of a
/// SIGSEGV. Return 0 or an errno (EFAULT: not readable). `_vm` uses process_vm_readv on
/// the process itself; `_pipe` write()s the bytes into a pipe (for where seccomp forbids
/// process_vm_readv) and reads them back.
int locality_read_own_memory_vm(uintptr_t address, void *buffer, size_t length);
int locality_read_own_memory_pipe(uintptr_t address, void *buffer, size_t length);

/// Landmarks for `locality probe`: a C constant and a C string literal (read-only data),
/// a C function and libc's malloc (code).
uintptr_t locality_probe_constant_address(void);
uintptr_t locality_probe_c_string_literal_address(void);
uintptr_t locality_probe_c_function_address(void);
uintptr_t locality_probe_libc_function_address(void);

/// 1 when this process runs with ADDR_NO_RANDOMIZE (setarch -R, gdb): no ASLR for it.
int locality_aslr_disabled_by_personality(void);

/// A thread that records the address of a local on its own stack and waits until stopped,
/// so that its stack is still mapped while /proc/self/maps is read.
typedef struct locality_parked_thread locality_parked_thread;
locality_parked_thread *locality_parked_thread_start(void);
uintptr_t locality_parked_thread_stack_local(const locality_parked_thread *parked);
void locality_parked_thread_stop(locality_parked_thread *parked);

/// 1 on the process's main thread (whose stack is [stack] and whose mallocs use the brk heap).
int locality_is_main_thread(void);

#ifdef __cplusplus
}
#endif

#endif
