import ArgumentParser
import CLocalitySupport
import Counters
import Foundation
import Harness

/// `locality sim`: the same suite, with cache misses from callgrind's simulation instead of a PMU.
///
/// Re-executes itself under `valgrind --tool=callgrind --cache-sim=yes --collect-atstart=no`
/// with the cache geometry given explicitly. Inside valgrind, each measured pass is bracketed by
/// client requests (zero, toggle collection, dump with the variant's name) and the dump is read
/// back at once, so the child prints the whole report itself.
struct SimCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim",
        abstract: "Run experiments under callgrind's cache simulation: exact, repeatable miss counts without a PMU.",
        discussion: """
            Counts (source sim): Ir instructions, Dr/Dw data reads/writes, D1mr/D1mw L1 data read/write \
            misses, DLmr/DLmw last-level data read/write misses, each per element. Default sizes are small: \
            simulation runs ~50× slower. Needs valgrind (make check installs it).
            """)

    @OptionGroup var suite: SuiteOptions

    @Option(help: ArgumentHelp(
        "Cache geometry to simulate instead of sysfs's: LEVEL=SIZE:WAYS:LINE,… with LEVEL in L1 (I1 and D1), I1, D1, LL. E.g. L1=32K:8:64,LL=32M:16:64. valgrind needs a power-of-two number of sets, lines of at least 16 bytes (32 with AVX) and sizes below 2G.",
        valueName: "spec"))
    var cache: String?

    @Option(help: "Simulated samples per variant and size, interleaved across variants (each count is the median).")
    var repetitions = 1

    static let outputEnvironment = "LOCALITY_CALLGRIND_OUT"
    static let geometryEnvironment = "LOCALITY_SIM_CACHES"

    func validate() throws {
        guard repetitions >= 1 else { throw ValidationError("--repetitions must be at least 1") }
        if let cache {
            do { _ = try CacheGeometry.fallback.overridden(by: cache) } catch { throw ValidationError("--cache: \(error)") }
        }
    }

    func run() throws {
        try suite.checkNames()
        let environment = ProcessInfo.processInfo.environment
        if let outputBase = environment[Self.outputEnvironment] {
            guard CallgrindSession.isRunningUnderValgrind else {
                throw SimError.notUnderValgrind
            }
            try runInsideValgrind(outputBase: outputBase, geometry: environment[Self.geometryEnvironment])
        } else {
            try launchValgrind()
        }
    }

    private func launchValgrind() throws {
        let machine = MachineInfo.current()
        // --cache was checked by validate(); what sysfs gives for the other levels is made
        // simulatable where it can be (sets, size), else refused here, before valgrind says so.
        let geometry: CacheGeometry
        do {
            geometry = try CacheGeometry(machine: machine).overridden(by: cache ?? "").simulatable.checkedForValgrind()
        } catch {
            throw SimError.unsimulatableCaches(error)
        }
        // Refuse oversized working sets before valgrind starts.
        var check = SuiteRun(experiments: suite.selected, sizes: try suite.sizeChoice.all,
                             runner: Runner(configuration: RunConfiguration(), plan: CounterPlan(requested: [], groups: [], unavailable: [:]),
                                            library: nil, simulation: CallgrindSession(outputBase: "/dev/null")),
                             machine: machine)
        try suite.configure(&check)
        try check.validateMemory()
        guard let valgrind = ChildProcess.find("valgrind") else { throw SimError.valgrindMissing }
        guard locality_have_callgrind() != 0 else { throw SimError.builtWithoutCallgrind }

        // SIGINT, SIGTERM, SIGHUP and SIGQUIT go to valgrind (in a process group of its own, so
        // a Ctrl-C reaches only this process); once it has ended and the temporary directory is
        // gone, this process ends by the same signal, saying nothing more.
        var report: RunReport
        do {
            report = try ChildProcess.forwardingSignals { try simulate(valgrind: valgrind, geometry: geometry) }
        } catch let interrupted as ChildProcess.Interrupted {
            interrupted.endProcess()
        }
        // Read here, not in the child: every byte read under valgrind moves its heap.
        report.context = RunContext.current(machine: machine, build: Locality.build, commandLine: CommandLine.arguments,
                                            seed: suite.seed, repetitions: 1, quick: suite.quick)
        // Nothing streamed from the child (its stdout is JSON): the whole report goes out now.
        try suite.emit(report, clearingProgress: false, streamed: false)
    }

    /// Runs the child under valgrind in a temporary directory, removed before this returns.
    private func simulate(valgrind: String, geometry: CacheGeometry) throws -> RunReport {
        // Callgrind's counts repeat exactly only if the client's addresses and allocations do: the
        // stack's place depends on ASLR and on the size of the environment and arguments, and
        // Swift seeds its hashing randomly; the working directory's path lands on the heap and
        // moves everything allocated after it (seen: malloc-each's L1 misses 823–827 from three
        // directories). So: no ASLR, a minimal environment with deterministic hashing, and a
        // temporary directory whose name has a fixed length, which is also the working directory.
        var template = Array("/tmp/locality-sim-XXXXXX".utf8CString)
        guard let created = mkdtemp(&template) else { throw SimError.temporaryDirectory(String(cString: strerror(errno))) }
        let directory = String(cString: created)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let outputBase = directory + "/callgrind.out"
        let log = directory + "/valgrind.log"
        let executable = Self.withoutDebugInfo(ChildProcess.selfPath, in: directory)
        _ = locality_disable_aslr_for_children()

        let child = try ChildProcess.run(
            valgrind,
            ["--tool=callgrind", "--cache-sim=yes", "--collect-atstart=no", "-q",
             "--log-file=\(log)", "--callgrind-out-file=\(outputBase)"] + geometry.valgrindArguments + [executable] + childArguments,
            environment: [Self.outputEnvironment: outputBase, Self.geometryEnvironment: geometry.description,
                          "SWIFT_DETERMINISTIC_HASHING": "1"],
            directory: directory)
        if child.killedBySignal {
            FileHandle.standardError.write(Data("locality: error: valgrind was killed by signal \(child.status)\n".utf8))
            throw ExitCode(1)
        }
        if child.status != 0 {
            // valgrind's own failure (a bad option, unreadable debug info, an unsupported
            // instruction) is in its log; a failure of locality inside it was already printed.
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            let problems = text.split(separator: "\n").filter { !$0.contains("warning:") && $0.count > 12 }
            if let line = problems.first {
                FileHandle.standardError.write(Data("locality: error: valgrind failed: \(line)\n".utf8))
            }
            throw ExitCode(child.status)
        }
        return try RunReport.decode(child.stdout)
    }

    /// What the child under valgrind is told: only what defines the measurement, in one
    /// canonical form, and JSON on stdout. Output options stay with this process, since every
    /// byte of the child's arguments moves its stack and so its cache sets.
    var childArguments: [String] {
        ["sim"] + suite.uniqueExperimentNames + sizeArguments
            + (suite.variants.map { ["--variants", $0] } ?? [])
            + (repetitions != 1 ? ["--repetitions", String(repetitions)] : [])
            + ["--seed", String(suite.seed), "--format", "json"]
    }

    /// `--sizes` in one canonical form: the plain list, then each experiment's, sorted by name.
    var sizeArguments: [String] {
        guard let choice = try? suite.sizeChoice else { return [] }
        var tokens = choice.all.map { [$0.map(\.description).joined(separator: ",")] } ?? []
        for name in choice.byExperiment.keys.sorted() {
            tokens.append("\(name)=" + choice.byExperiment[name]!.map(\.description).joined(separator: ","))
        }
        return (tokens.isEmpty ? [] : ["--sizes"] + tokens) + (suite.quick ? ["--quick"] : [])
    }

    private func runInsideValgrind(outputBase: String, geometry: String?) throws {
        let machine = MachineInfo.current()
        // The parent checked the geometry against this machine; reading /proc/cpuinfo again here
        // would move the child's heap.
        let simulatedCaches = try geometry.map {
            try CacheGeometry.fallback.overridden(by: $0, minimumLineBytes: CacheShape.valgrindSmallestLine)
        }
        let runner = Runner(configuration: RunConfiguration(repetitions: repetitions, lastLevelCacheBytes: simulatedCaches?.ll.sizeBytes),
                            plan: CounterPlan(requested: [], groups: [], unavailable: [:]), library: nil,
                            simulation: CallgrindSession(outputBase: outputBase))
        var run = SuiteRun(experiments: suite.selected, sizes: try suite.sizeChoice.all, runner: runner, machine: machine,
                           options: RunOptions(seed: suite.seed))
        try suite.configure(&run)
        run.variantFilter = suite.variantFilter
        let report = try run.run(simulatedCaches: simulatedCaches)
        try suite.emit(report, clearingProgress: false, streamed: false)
    }

    /// A copy of `path` without debug info (`objcopy --strip-debug`): valgrind 3.19 cannot read
    /// the DWARF 5 that Swift's clang writes and gives up. Falls back to `path` itself.
    static func withoutDebugInfo(_ path: String, in directory: String) -> String {
        guard let objcopy = ChildProcess.find("objcopy") else { return path }
        let copy = directory + "/locality"
        let outcome = try? ChildProcess.run(objcopy, ["--strip-debug", path, copy])
        return outcome?.status == 0 ? copy : path
    }
}

enum SimError: Error, CustomStringConvertible {
    case valgrindMissing
    case notUnderValgrind
    case temporaryDirectory(String)
    case builtWithoutCallgrind
    case unsimulatableCaches(GeometryError)

    var description: String {
        switch self {
        case .valgrindMissing:
            return "valgrind is not installed: install it with `sudo apt-get install valgrind` (make check does this)"
        case .notUnderValgrind:
            return "\(SimCommand.outputEnvironment) is set but this process is not under valgrind: "
                + "locality was built without <valgrind/callgrind.h>; install valgrind and rebuild"
        case .builtWithoutCallgrind:
            return "locality was built without <valgrind/callgrind.h>, so it cannot bracket its kernels: "
                + "install valgrind, then rebuild from scratch (rm -rf .build; make check does both)"
        case let .unsimulatableCaches(error):
            return "valgrind cannot simulate this machine's caches as sysfs describes them: \(error); "
                + "give them with --cache (e.g. --cache I1=32K:8:64,D1=32K:8:64,LL=32M:16:64)"
        case let .temporaryDirectory(reason):
            return "cannot create a temporary directory in /tmp: \(reason)"
        }
    }
}
