import ArgumentParser
import Counters
import Foundation
import Harness
import Reporting

public struct Locality: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "locality",
        abstract: "Measure how memory layout and access order decide speed.",
        discussion: """
            Runs memory experiments with PAPI counters normalised per element. Every counter \
            value carries its source: hw (PMU event), sw (kernel software event) or sim \
            (callgrind); an event that cannot be counted is listed with the reason.
            """,
        version: build.description,
        subcommands: [ListCommand.self, MachineCommand.self, RunCommand.self, SimCommand.self, CompareCommand.self,
                      ProbeCommand.self])

    /// This binary's version, and its commit when it was built in a git checkout.
    static let build = BuildInfo.current(executable: ChildProcess.selfPath)

    public init() {}

    /// Runs the command line (`run`, `sim`, `compare`, `list`, `machine`, `probe`) over
    /// `experiments`: what the `locality` executable does with the built-in suite, and what a
    /// package's own executable does with its benchmarks. `sim` runs this same executable again
    /// under valgrind, so it must call this with the same experiments.
    public static func main(experiments: [any Experiment]) {
        Catalog.$current.withValue(Catalog(experiments)) { runCommandLine() }
    }

    /// The command line without experiments (`machine`, `probe`, `compare`). Shadows
    /// ArgumentParser's `main()`, whose errors are not one line.
    public static func main() { main(experiments: []) }

    /// Like ArgumentParser's `main()`, but every error is one line on stderr: usage errors
    /// exit 64, failures 1.
    private static func runCommandLine() {
        StandardOutput.reserveStandardDescriptors()
        // getenv, not ProcessInfo's environment: see SimCommand.childVariable.
        if SimCommand.childVariable(SimCommand.outputEnvironment) == nil { TerminationSignals.start() }
        do {
            var command = try parseAsRoot(joiningNegativeValues(Array(CommandLine.arguments.dropFirst())))
            try command.run()
            try StandardOutput.flushPrinted()
        } catch let error as StandardOutputError {
            // A reader that went away (`| head -1`) needs no message, as SIGPIPE would give none.
            if error.code != EPIPE { StandardError.write("locality: error: \(error)\n") }
            // compare's 1 means "regressed": a report it could not print is bad environment (2).
            Foundation.exit(isCompare ? 2 : 1)
        } catch let code as ExitCode {
            // The command has already said what went wrong.
            Foundation.exit(code.rawValue)
        } catch {
            var code = exitCode(for: error)
            if code == .success { exit(withError: error) }
            // An event name that does not exist is bad usage, as an unknown experiment is.
            if case CounterError.unknownEvent? = error as? CounterError { code = .validationFailure }
            // compare promises 0 (no regression), 1 (regression) and 2 (bad input) to CI scripts.
            if isCompare { code = ExitCode(2) }
            let message = message(for: error)
                .split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty }.joined(separator: " ")
            StandardError.write("locality: error: \(message)\n")
            Foundation.exit(code.rawValue)
        }
    }
}

/// `--sizes -1` as `--sizes=-1`: ArgumentParser reads a value that starts with "-" as an
/// option, and would say "Missing value" instead of what is wrong with the value.
func joiningNegativeValues(_ arguments: [String]) -> [String] {
    var joined: [String] = []
    var index = 0
    while index < arguments.count {
        let argument = arguments[index]
        if argument == "--" { joined += arguments[index...]; break }
        if argument.hasPrefix("--"), !argument.contains("="), index + 1 < arguments.count,
           let next = arguments[index + 1].dropFirst().first, arguments[index + 1].hasPrefix("-"), next.isNumber || next == "." {
            joined.append(argument + "=" + arguments[index + 1])
            index += 2
            continue
        }
        joined.append(argument)
        index += 1
    }
    return joined
}

/// compare promises 0 (no regression), 1 (regression) and 2 (bad input or environment).
private var isCompare: Bool { CommandLine.arguments.dropFirst().first == "compare" }

/// stderr, written with write(2) and never checked: with stderr closed (`2>&-`) or full
/// (`2>/dev/full`) the message is lost, but the exit code must stay the documented one.
/// (FileHandle.write raises an uncatchable Objective-C style error there: SIGILL, exit 132.)
enum StandardError {
    static func write(_ text: String) {
        _ = AtomicFile.writeAll(Data(text.utf8), to: STDERR_FILENO)
    }
}

/// stdout, where every write is checked: a report lost to a full disk, a closed descriptor or
/// a vanished reader is a failure, not a success.
enum StandardOutput {
    static func write(_ text: String) throws {
        if let error = AtomicFile.writeAll(Data(text.utf8), to: STDOUT_FILENO) { throw StandardOutputError(code: error) }
    }

    /// Flushes what `print` (list, machine) left in stdio's buffer, and says if it was lost.
    static func flushPrinted() throws {
        if fflush(nil) != 0 { throw StandardOutputError(code: errno) }
    }

    /// Started with stdin, stdout or stderr closed (`>&-`), the next file opened would take its
    /// number and receive the report: hold each closed one with /dev/null opened read-only, so
    /// writes to it fail (EBADF) as they would have.
    static func reserveStandardDescriptors() {
        for descriptor in [STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO] where fcntl(descriptor, F_GETFD) == -1 {
            let placeholder = open("/dev/null", O_RDONLY)
            if placeholder >= 0 && placeholder != descriptor { close(placeholder) }
        }
    }
}

struct StandardOutputError: Error, CustomStringConvertible {
    let code: Int32
    var description: String { "cannot write to stdout: \(String(cString: strerror(code)))" }
}

/// The experiments the commands know, given to `Locality.main(experiments:)` and in scope for
/// the whole command line (its parsing too, which checks the names given).
struct Catalog: Sendable {
    let experiments: [any Experiment]

    init(_ experiments: [any Experiment]) { self.experiments = experiments }

    func experiment(named name: String) -> (any Experiment)? {
        experiments.first { $0.name == name }
    }

    @TaskLocal static var current = Catalog([])
}
