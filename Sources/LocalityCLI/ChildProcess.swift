import CLocalitySupport
import Foundation

/// Running other programs, and this one again: `sim` under valgrind, `probe` for a second
/// address-space layout.
enum ChildProcess {
    struct Outcome {
        var status: Int32
        var killedBySignal: Bool
        var stdout: Data
    }

    /// This executable (/proc/self/exe), to run again.
    static var selfPath: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    /// `name` found on PATH.
    static func find(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs `executable` to its end and returns its stdout. The child inherits stderr unless
    /// `silenceStderr`, and this environment and working directory unless `environment` and
    /// `directory` replace them.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                    directory: String? = nil, silenceStderr: Bool = false) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory, isDirectory: true) }
        if silenceStderr { process.standardError = FileHandle.nullDevice }
        let stdout = Pipe()
        process.standardOutput = stdout
        if let signal = pendingSignal { throw Interrupted(signal: signal) }
        try process.run()
        forwarding[0] = process.processIdentifier
        // A signal that came while the child was being started did not reach it.
        if let signal = pendingSignal { kill(process.processIdentifier, signalForChild(signal)) }
        let data = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        forwarding[0] = 0
        if let signal = pendingSignal { throw Interrupted(signal: signal) }
        return Outcome(status: process.terminationStatus, killedBySignal: process.terminationReason == .uncaughtSignal,
                       stdout: data)
    }
}

// Passing SIGINT, SIGTERM, SIGHUP and SIGQUIT on to a child. Foundation's Process starts the
// child in a process group of its own, so a Ctrl-C at the terminal (or a kill of this process)
// would leave it running, reparented to init, and skip this process's cleanup.
//
// The handler shares two aligned Int32s with the code that starts and waits for children, as
// C's `volatile sig_atomic_t`, and calls only kill(2), which is async-signal-safe. They are
// reached through a pointer, not as Swift globals, whose accesses are checked for exclusivity
// (a handler's write during a read would stop the program). Not Synchronization's Atomic
// either: importing it makes libswiftSynchronization.so one of this binary's own (DT_NEEDED)
// libraries, a change to the start-up of the child under valgrind.

/// [0]: the child `ChildProcess.run` is waiting for, or 0; [1]: the first forwarded signal
/// received, or 0. Set up (once) before a handler is installed.
nonisolated(unsafe) private let forwarding: UnsafeMutablePointer<Int32> = {
    let state = UnsafeMutablePointer<Int32>.allocate(capacity: 2)
    state.initialize(repeating: 0, count: 2)
    return state
}()

private func passSignalOn(_ signal: Int32) {
    // kill(2) may set errno, which the interrupted code may be about to read.
    let savedErrno = errno
    if forwarding[1] == 0 { forwarding[1] = signal }
    let child = forwarding[0]
    if child > 0 { kill(child, signalForChild(signal)) }
    errno = savedErrno
}

/// SIGQUIT would make the Swift runtime in the child print a crash report: the child is
/// stopped plainly (SIGTERM) instead. The others go on as they came.
private func signalForChild(_ signal: Int32) -> Int32 { signal == SIGQUIT ? SIGTERM : signal }

extension ChildProcess {
    /// A forwarded signal arrived: the child it was passed to has ended.
    struct Interrupted: Error {
        var signal: Int32

        /// Ends this process by `signal` itself, its default action restored, once the cleanup
        /// is done: a shell loop stops on a child killed by SIGINT, not on one that exited 130
        /// (it takes that as a child that handled the signal). `$?` reads 128 + the signal.
        func endProcess() -> Never {
            locality_end_by_signal(signal)
            exit(128 + signal)  // only if the signal did not end the process
        }
    }

    static let forwardedSignals: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT]

    fileprivate static var pendingSignal: Int32? {
        let signal = forwarding[1]
        return signal == 0 ? nil : signal
    }

    /// Runs `body` with SIGINT, SIGTERM, SIGHUP and SIGQUIT caught rather than fatal: each is passed to
    /// the child `run` is waiting for, and that `run` throws `Interrupted` once the child has
    /// ended, as does any later `run` without starting its child, so `body` unwinds through
    /// its cleanup. If a signal came at all, this throws `Interrupted` after `body`, whatever
    /// `body` returned or threw. A signal ignored when this is called (nohup) stays ignored.
    static func forwardingSignals<T>(_ body: () throws -> T) throws -> T {
        forwarding[1] = 0
        var previous: [(signal: Int32, action: sigaction)] = []
        for signal in forwardedSignals {
            var old = sigaction()
            guard sigaction(signal, nil, &old) == 0,
                  unsafeBitCast(old.__sigaction_handler, to: Int.self) != unsafeBitCast(SIG_IGN, to: Int.self)
            else { continue }
            var action = sigaction()
            action.__sigaction_handler.sa_handler = passSignalOn
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_RESTART
            if sigaction(signal, &action, nil) == 0 { previous.append((signal, old)) }
        }
        let outcome = Result { try body() }
        for var entry in previous { sigaction(entry.signal, &entry.action, nil) }
        if let signal = pendingSignal {
            forwarding[1] = 0
            throw Interrupted(signal: signal)
        }
        return try outcome.get()
    }
}
