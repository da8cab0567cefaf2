#ifndef LOCALITY_CPAPI_SHIM_H
#define LOCALITY_CPAPI_SHIM_H

#include <papi.h>
#include <pthread.h>

// PAPI_VER_CURRENT is a computed macro that Swift cannot import. PAPI_library_init
// returns the version it was given on success (not PAPI_OK), so callers compare the
// result with locality_papi_version_current().
static inline int locality_papi_version_current(void) { return PAPI_VER_CURRENT; }
static inline int locality_papi_library_init(void) { return PAPI_library_init(PAPI_VER_CURRENT); }

// The version of the library loaded at run time (the header's may differ in its revision).
static inline int locality_papi_library_version(void) { return PAPI_get_opt(PAPI_LIB_VERSION, NULL); }

static inline int locality_papi_version_major(int v) { return PAPI_VERSION_MAJOR(v); }
static inline int locality_papi_version_minor(int v) { return PAPI_VERSION_MINOR(v); }
static inline int locality_papi_version_revision(int v) { return PAPI_VERSION_REVISION(v); }

static inline unsigned long locality_papi_thread_id(void) { return (unsigned long)pthread_self(); }
// Makes PAPI keep one context per thread, so event sets made on a thread count that thread.
static inline int locality_papi_thread_init(void) { return PAPI_thread_init(locality_papi_thread_id); }

// Registers the calling thread with PAPI (PAPI_register_thread) the first time it makes a
// PAPI call: a thread that had not been was seen to crash inside PAPI_event_name_to_code
// (a NULL thread record) when another thread had initialised the library.
static inline int locality_papi_register_this_thread(void) {
    static _Thread_local int registered = 0;
    if (registered) return PAPI_OK;
    int result = PAPI_register_thread();
    if (result == PAPI_OK) registered = 1;
    return result;
}

// Compiler barrier around PAPI_start/PAPI_stop: the optimiser must assume any memory may have
// been read or written here, so no measured access moves out of the counted window. Counters'
// own, so the library needs no other C target (CLocalitySupport has the same one-liner).
static inline void locality_papi_compiler_barrier(void) { __asm__ __volatile__("" ::: "memory"); }

#endif
