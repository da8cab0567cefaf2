import CLocalitySupport
import Foundation

/// Running other programs, and this one again: `sim` under valgrind, `probe` for a second
/// address-space layout.
///
/// Children start through fork + execve (`locality_run_child`), not Foundation's Process:
/// Process needs a dispatch thread, an eventfd and a descriptor sweep, so under a low
/// `ulimit -n` it crashed (SIGILL) or failed with a raw NSPOSIXErrorDomain message; here a child
/// costs one pipe. The child dies with this process (PR_SET_PDEATHSIG), so a SIGKILL of
/// `locality sim` leaves no valgrind running.
enum ChildProcess {
    struct Outcome {
        var status: Int32
        var killedBySignal: Bool
        var stdout: Data
    }

    /// A child that could not be started or read: the program and the C library's reason.
    struct Failure: Error, CustomStringConvertible {
        var program: String
        var code: Int32
        var description: String {
            let reason = String(cString: strerror(code))
            return code == EMFILE || code == ENFILE
                ? "cannot run \(program): \(reason) (the descriptor limit, ulimit -n, is \(ChildProcess.descriptorLimit))"
                : "cannot run \(program): \(reason)"
        }
    }

    /// RLIMIT_NOFILE's soft limit (getrlimit), nil when unlimited or unknown.
    static var descriptorLimitValue: Int? {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max else { return nil }
        return Int(clamping: limit.rlim_cur)
    }

    /// RLIMIT_NOFILE's soft limit, as `ulimit -n` prints it.
    static var descriptorLimit: String { descriptorLimitValue.map(String.init) ?? "unlimited" }

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
    /// `stderr` names a file for it (/dev/null silences it), and this environment and working directory unless `environment` and
    /// `directory` replace them. Throws `Interrupted` when a terminating signal has come
    /// (before, or while the child ran: it was passed on to the child).
    static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                    directory: String? = nil, stderr: String? = nil) throws -> Outcome {
        if let signal = pendingSignal { throw Interrupted(signal: signal) }
        let name = URL(fileURLWithPath: executable).lastPathComponent
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let envp = environment.map { $0.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer { envp?.forEach { free($0) } }
        var outcome = locality_child_outcome()
        let error: Int32 = argv.withUnsafeBufferPointer { argvBuffer in
            let argvPointer = UnsafePointer(argvBuffer.baseAddress!)
            if let envp {
                return envp.withUnsafeBufferPointer { envpBuffer in
                    locality_run_child(executable, argvPointer, UnsafePointer(envpBuffer.baseAddress!), directory,
                                       stderr, &outcome)
                }
            }
            return locality_run_child(executable, argvPointer, nil, directory, stderr, &outcome)
        }
        defer { free(outcome.output) }
        if let signal = pendingSignal { throw Interrupted(signal: signal) }
        if error != 0 { throw Failure(program: name, code: error) }
        if outcome.exec_errno != 0 { throw Failure(program: name, code: outcome.exec_errno) }
        let stdout = outcome.output.map { Data(bytes: $0, count: outcome.output_length) } ?? Data()
        return Outcome(status: outcome.status, killedBySignal: outcome.signaled != 0, stdout: stdout)
    }
}

extension ChildProcess {
    /// A terminating signal arrived: the child it was passed to has ended.
    struct Interrupted: Error {
        var signal: Int32

        /// Ends this process by `signal` itself, its default action restored, once the cleanup
        /// is done: a shell loop stops on a child killed by SIGINT, not on one that exited 130
        /// (it takes that as a child that handled the signal). `$?` reads 128 + the signal.
        func endProcess() -> Never {
            TerminationSignals.end(by: signal)
        }
    }

    fileprivate static var pendingSignal: Int32? { TerminationSignals.received }

    /// Runs `body` with terminating signals deferred rather than fatal: each is passed to the
    /// child `run` is waiting for, and that `run` throws `Interrupted` once the child has
    /// ended, as does any later `run` without starting its child, so `body` unwinds through
    /// its cleanup. If a signal came at all, this throws `Interrupted` after `body`, whatever
    /// `body` returned or threw.
    static func forwardingSignals<T>(_ body: () throws -> T) throws -> T {
        let outcome = TerminationSignals.deferring { Result { try body() } }
        if let signal = pendingSignal { throw Interrupted(signal: signal) }
        return try outcome.get()
    }
}
