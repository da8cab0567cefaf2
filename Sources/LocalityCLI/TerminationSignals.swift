import CLocalitySupport
import Foundation

/// Every terminating signal (SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, …) goes to one thread
/// (`locality_signals_start`), never to a handler in the middle of Swift code: the Swift
/// runtime's backtracer never sees SIGQUIT, so it prints no "Program crashed" report. By
/// default a signal removes the temporary file of a report being written and ends the process
/// by itself; `deferring` lets a command stop where it chooses (run: after the experiments
/// already measured, whose report it writes; sim: once valgrind has ended).
enum TerminationSignals {
    /// Called first in `main`, before any thread exists. Not under valgrind: the child of
    /// `locality sim` is ended by its parent, and a thread of its own would move its heap and
    /// with it the simulated counts.
    static func start() {
        _ = locality_signals_start()
    }

    /// The first terminating signal received, or nil.
    static var received: Int32? {
        let signal = locality_signals_received()
        return signal == 0 ? nil : signal
    }

    /// Runs `body` with signals recorded (and passed on to a running child) instead of
    /// ending the process; a second signal, with no child to wait for, still ends it at once.
    static func deferring<T>(_ body: () throws -> T) rethrows -> T {
        locality_signals_defer(1)
        defer { locality_signals_defer(0) }
        return try body()
    }

    /// Ends the process by `signal`, its default action restored: killed by it, as a shell
    /// loop expects, so `$?` reads 128 + the signal (130 for SIGINT, 143 for SIGTERM). For
    /// SIGQUIT the process is made undumpable first: no core.
    static func end(by signal: Int32) -> Never {
        locality_end_by_signal(signal)
        exit(128 + signal)  // only if the signal did not end the process
    }

    /// SIGINT, SIGTERM, …: the signal's name as kill -l gives it (glibc's sigabbrev_np, which
    /// names 29 by its System V alias POLL; kill -l and signal(7) call it IO).
    static func name(_ signal: Int32) -> String {
        if signal == SIGIO { return "SIGIO" }
        return locality_signal_abbreviation(signal).map { "SIG" + String(cString: $0) } ?? "signal \(signal)"
    }
}
