import Foundation
import Synchronization

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
        signalTarget.store(process.processIdentifier, ordering: .sequentiallyConsistent)
        // A signal that came while the child was being started did not reach it.
        if let signal = pendingSignal { kill(process.processIdentifier, signal) }
        let data = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        signalTarget.store(0, ordering: .sequentiallyConsistent)
        if let signal = pendingSignal { throw Interrupted(signal: signal) }
        return Outcome(status: process.terminationStatus, killedBySignal: process.terminationReason == .uncaughtSignal,
                       stdout: data)
    }
}

// Passing SIGINT, SIGTERM and SIGHUP on to a child. Foundation's Process starts the child in a
// process group of its own, so a Ctrl-C at the terminal (or a kill of this process) would
// leave it running, reparented to init, and skip this process's cleanup. The handler only
// touches these two atomics and calls kill(2), both async-signal-safe.

/// The child `ChildProcess.run` is waiting for, or 0.
private let signalTarget = Atomic<Int32>(0)
/// The first forwarded signal received, or 0.
private let receivedSignal = Atomic<Int32>(0)

private func passSignalOn(_ signal: Int32) {
    _ = receivedSignal.compareExchange(expected: 0, desired: signal, ordering: .sequentiallyConsistent)
    let child = signalTarget.load(ordering: .sequentiallyConsistent)
    if child > 0 { kill(child, signal) }
}

extension ChildProcess {
    /// A forwarded signal arrived: the child it was passed to has ended.
    struct Interrupted: Error {
        var signal: Int32
        /// The shell's convention for a process ended by `signal`: 130 for SIGINT.
        var exitCode: Int32 { 128 + signal }
    }

    static let forwardedSignals: [Int32] = [SIGINT, SIGTERM, SIGHUP]

    fileprivate static var pendingSignal: Int32? {
        let signal = receivedSignal.load(ordering: .sequentiallyConsistent)
        return signal == 0 ? nil : signal
    }

    /// Runs `body` with SIGINT, SIGTERM and SIGHUP caught rather than fatal: each is passed to
    /// the child `run` is waiting for, and that `run` throws `Interrupted` once the child has
    /// ended, as does any later `run` without starting its child, so `body` unwinds through
    /// its cleanup. If a signal came at all, this throws `Interrupted` after `body`, whatever
    /// `body` returned or threw. A signal ignored when this is called (nohup) stays ignored.
    static func forwardingSignals<T>(_ body: () throws -> T) throws -> T {
        receivedSignal.store(0, ordering: .sequentiallyConsistent)
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
            receivedSignal.store(0, ordering: .sequentiallyConsistent)
            throw Interrupted(signal: signal)
        }
        return try outcome.get()
    }
}
