// Terminating signals and child processes: one thread takes every terminating signal
// (sigwaitinfo), so no handler ever runs on a thread in the middle of Swift code, and children
// are started with fork + execve so that they can die with this process (PR_SET_PDEATHSIG).
#define _GNU_SOURCE
#include "CLocalitySupport.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

// The asynchronous signals whose default action ends the process. The faults (SIGSEGV, SIGBUS,
// SIGILL, SIGFPE, SIGTRAP, SIGABRT, SIGSYS) are crashes and stay the runtime's; the real-time
// signals are glibc's own (thread cancellation, setxid).
static const int terminating[] = {
    SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGALRM, SIGVTALRM, SIGPROF,
    SIGXCPU, SIGXFSZ, SIGPWR, SIGSTKFLT, SIGIO,
};

static sigset_t handled;
static atomic_int first_signal;
static atomic_int deferring;
static atomic_int child_pid;
static pthread_mutex_t temporary_lock = PTHREAD_MUTEX_INITIALIZER;
static char temporary_path[PATH_MAX];

static void end_now(int sig) {
    // Held until the end: the writer cannot create or rename a temporary meanwhile.
    pthread_mutex_lock(&temporary_lock);
    if (temporary_path[0] != 0) unlink(temporary_path);
    locality_end_by_signal(sig);
    _exit(128 + sig);
}

static void *signal_thread(void *unused) {
    (void)unused;
    for (;;) {
        siginfo_t info;
        int sig = sigwaitinfo(&handled, &info);
        if (sig < 0) continue;  // EINTR
        int expected = 0;
        int first = atomic_compare_exchange_strong(&first_signal, &expected, sig);
        pid_t child = atomic_load(&child_pid);
        // SIGQUIT would make the Swift runtime in a child print a crash report: the child is
        // stopped plainly instead.
        if (child > 0) kill(child, sig == SIGQUIT ? SIGTERM : sig);
        // Deferred: the program stops at its next check and ends itself. A second signal with
        // no child to wait for means "now" (a write that blocks, an impatient user).
        if (atomic_load(&deferring) && (first || child > 0)) continue;
        end_now(atomic_load(&first_signal));
    }
    return NULL;
}

int locality_signals_start(void) {
    sigemptyset(&handled);
    for (size_t i = 0; i < sizeof terminating / sizeof terminating[0]; i++) {
        struct sigaction old;
        // A signal ignored when the program started (nohup) stays ignored.
        if (sigaction(terminating[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN) continue;
        sigaddset(&handled, terminating[i]);
    }
    // Blocked here, before any other thread exists: every thread created later inherits the
    // mask, so only sigwaitinfo below ever takes these signals.
    int error = pthread_sigmask(SIG_BLOCK, &handled, NULL);
    if (error != 0) return error;
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attributes, 64 * 1024);
    pthread_t thread;
    error = pthread_create(&thread, &attributes, signal_thread, NULL);
    pthread_attr_destroy(&attributes);
    if (error != 0) pthread_sigmask(SIG_UNBLOCK, &handled, NULL);  // no thread: default actions
    return error;
}

void locality_signals_defer(int on) { atomic_store(&deferring, on); }

int locality_signals_received(void) { return atomic_load(&first_signal); }

int locality_create_temporary(const char *path, int mode) {
    pthread_mutex_lock(&temporary_lock);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    int saved = errno;
    if (fd >= 0 && strlen(path) < sizeof temporary_path) strcpy(temporary_path, path);
    pthread_mutex_unlock(&temporary_lock);
    errno = saved;
    return fd;
}

int locality_rename_temporary(const char *path, const char *target) {
    pthread_mutex_lock(&temporary_lock);
    int result = rename(path, target);
    int saved = errno;
    if (result != 0) unlink(path);
    temporary_path[0] = 0;
    pthread_mutex_unlock(&temporary_lock);
    errno = saved;
    return result;
}

void locality_discard_temporary(const char *path) {
    pthread_mutex_lock(&temporary_lock);
    unlink(path);
    temporary_path[0] = 0;
    pthread_mutex_unlock(&temporary_lock);
}

static void child_after_fork(pid_t parent, int *shared, const char *path, char *const argv[], char *const envp[],
                             const char *directory, int stdout_fd, int unused_fd, const char *stderr_path) {
    // Only async-signal-safe calls from here to execve.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);  // the parent is already gone
    setpgid(0, 0);  // a Ctrl-C reaches the parent, which passes it on
    for (size_t i = 0; i < sizeof terminating / sizeof terminating[0]; i++) {
        if (sigismember(&handled, terminating[i])) signal(terminating[i], SIG_DFL);
    }
    signal(SIGPIPE, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    pthread_sigmask(SIG_SETMASK, &none, NULL);
    if (unused_fd >= 0) close(unused_fd);
    if (stdout_fd != STDOUT_FILENO) {
        if (dup2(stdout_fd, STDOUT_FILENO) < 0) { *shared = errno; _exit(127); }
        close(stdout_fd);
    }
    if (stderr_path) {
        int err = open(stderr_path, O_WRONLY | O_CREAT | O_TRUNC | O_NOCTTY, 0600);
        if (err < 0) { *shared = errno; _exit(127); }
        if (err != STDERR_FILENO) { dup2(err, STDERR_FILENO); close(err); }
    }
    if (directory && chdir(directory) != 0) { *shared = errno; _exit(127); }
    if (envp) execve(path, argv, envp); else execv(path, argv);
    *shared = errno ? errno : ENOEXEC;
    _exit(127);
}

int locality_run_child(const char *path, char *const argv[], char *const envp[], const char *directory,
                       const char *stderr_path, struct locality_child_outcome *outcome) {
    memset(outcome, 0, sizeof *outcome);
    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) != 0) return errno;
    // Where the child reports a failed execve: a shared page, not a pipe, so that starting a
    // child takes no descriptor beyond its stdout's pipe.
    int *shared = mmap(NULL, sizeof(int), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shared == MAP_FAILED) {
        int saved = errno;
        close(pipe_fds[0]); close(pipe_fds[1]);
        return saved;
    }
    *shared = 0;
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        int saved = errno;
        close(pipe_fds[0]); close(pipe_fds[1]);
        munmap(shared, sizeof(int));
        return saved;
    }
    if (pid == 0) child_after_fork(parent, shared, path, argv, envp, directory, pipe_fds[1], pipe_fds[0], stderr_path);
    close(pipe_fds[1]);
    atomic_store(&child_pid, pid);
    // A signal that came before the child was registered did not reach it.
    int pending = atomic_load(&first_signal);
    if (pending) kill(pid, pending == SIGQUIT ? SIGTERM : pending);

    size_t capacity = 64 * 1024, length = 0;
    char *buffer = malloc(capacity);
    int read_error = buffer ? 0 : ENOMEM;
    while (buffer) {
        if (length == capacity) {
            char *larger = realloc(buffer, capacity * 2);
            if (!larger) { read_error = ENOMEM; break; }
            buffer = larger;
            capacity *= 2;
        }
        ssize_t got = read(pipe_fds[0], buffer + length, capacity - length);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) { read_error = errno; break; }
        if (got == 0) break;
        length += (size_t)got;
    }
    close(pipe_fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    atomic_store(&child_pid, 0);
    outcome->exec_errno = *shared;
    munmap(shared, sizeof(int));
    outcome->signaled = WIFSIGNALED(status) ? 1 : 0;
    outcome->status = WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status);
    outcome->output = buffer;
    outcome->output_length = length;
    if (read_error && buffer) { free(buffer); outcome->output = NULL; outcome->output_length = 0; }
    return read_error;
}

const char *locality_signal_abbreviation(int signal) {
    return sigabbrev_np(signal);
}
