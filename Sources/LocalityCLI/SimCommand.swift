import ArgumentParser
import CLocalitySupport
import Counters
import Foundation
import Harness

/// `locality sim`: the same suite, with cache and TLB misses from a simulation instead of a PMU.
///
/// Re-executes itself under valgrind with locsim, Locality's own tool (Tools/locsim: every
/// data-cache level and the data TLBs), or with `--simulator callgrind` under `valgrind
/// --tool=callgrind --cache-sim=yes --collect-atstart=no`, the geometry given explicitly. One
/// valgrind run either way: locsim also counts what callgrind would (Ir, Dr, Dw, D1 and LL
/// misses), and callgrind stays the independent reference the tests hold it against. Inside
/// valgrind, each measured pass is bracketed by callgrind's client requests (zero, toggle
/// collection, dump with the variant's name), which locsim answers too, and the dump is read
/// back at once, so the child prints the whole report itself.
struct SimCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim",
        abstract: "Run experiments under a cache and TLB simulation: exact, repeatable miss counts without a PMU.",
        discussion: """
            Counts (source sim): Ir instructions, Dr/Dw data reads/writes, D1mr/D1mw L1 data read/write \
            misses, L2m L2 misses, DLmr/DLmw last-level data read/write misses, DTLB1m L1 dTLB misses, \
            DTLB2m page walks (L2 TLB misses), each per element; callgrind (--simulator callgrind) has no \
            L2 and no TLBs. Default sizes are small: simulation runs ~50× slower. Needs valgrind and the \
            locsim tool (make builds it).
            """)

    @OptionGroup var suite: SuiteOptions

    @Option(help: ArgumentHelp(
        "Cache geometry to simulate instead of sysfs's: LEVEL=SIZE:WAYS:LINE,… with LEVEL in L1 (I1 and D1), I1, D1, L2 (or L2=none), LL. E.g. L1=32K:8:64,L2=1M:8:64,LL=32M:16:64. valgrind needs a power-of-two number of sets, lines of at least 16 bytes (32 with AVX) and sizes below 2G.",
        valueName: "spec"))
    var cache: String?

    @Option(help: ArgumentHelp(
        "Data TLBs to simulate instead of cpuid's: LEVEL=ENTRIES[:WAYS],… with LEVEL in L1, L2, L1-2M, L2-2M (no WAYS: fully associative; L1-2M=none: 2 MiB pages share the 4 KiB entries). E.g. L1=72,L2=3072:8,L1-2M=72,L2-2M=3072:6.",
        valueName: "spec"))
    var tlb: String?

    @Option(help: "The valgrind tool: locsim (caches and TLBs) or callgrind (D1 and LL only, the reference).")
    var simulator: Simulator = .locsim

    @Option(help: "Simulated samples per variant and size, interleaved across variants (each count is the median).")
    var repetitions = 1

    static let outputEnvironment = "LOCALITY_CALLGRIND_OUT"
    static let geometryEnvironment = "LOCALITY_SIM_CACHES"
    static let tlbEnvironment = "LOCALITY_SIM_TLBS"
    static let simulatorEnvironment = "LOCALITY_SIMULATOR"
    /// Where to find locsim's VALGRIND_LIB directory instead of `.build/locsim` beside this binary.
    static let locsimEnvironment = "LOCALITY_LOCSIM_DIR"

    func validate() throws {
        guard repetitions >= 1 else { throw ValidationError("--repetitions must be at least 1") }
        if let cache {
            guard !cache.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw ValidationError("--cache: no cache given (e.g. --cache L1=32K:8:64,LL=32M:16:64)")
            }
            do {
                let given = try CacheGeometry.fallback.overridden(by: cache)
                if simulator == .callgrind && given.l2 != nil {
                    throw ValidationError("--cache: L2 needs --simulator locsim: callgrind simulates D1 and LL only")
                }
            } catch let error as ValidationError { throw error } catch { throw ValidationError("--cache: \(error)") }
        }
        if let tlb {
            do { _ = try TLBGeometry.parse(tlb, over: TLBGeometry(l1: .init(entries: 1, ways: nil), l2: .init(entries: 1, ways: nil))) }
            catch { throw ValidationError("--tlb: \(error)") }
            if simulator == .callgrind { throw ValidationError("--tlb needs --simulator locsim: callgrind simulates no TLB") }
        }
    }

    func run() throws {
        try suite.checkNames()
        if let outputBase = Self.childVariable(Self.outputEnvironment) {
            guard CallgrindSession.isRunningUnderValgrind else {
                throw SimError.notUnderValgrind
            }
            let simulator = Self.childVariable(Self.simulatorEnvironment).flatMap(Simulator.init(rawValue:)) ?? .callgrind
            // callgrind's client is given a blank TLB list of locsim's width: there is nothing to read.
            try runInsideValgrind(outputBase: outputBase, geometry: Self.childVariable(Self.geometryEnvironment),
                                  tlbs: simulator == .locsim ? Self.childVariable(Self.tlbEnvironment) : nil, simulator: simulator)
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
            var simulated = try CacheGeometry(machine: machine).overridden(by: cache ?? "").simulatable.checkedForValgrind()
            // callgrind simulates D1 and LL only: the report must not name an L2 it never had.
            if simulator == .callgrind { simulated.l2 = nil }
            geometry = simulated
        } catch {
            throw SimError.unsimulatableCaches(error)
        }
        var tlbs: TLBGeometry?
        if simulator == .locsim {
            do {
                tlbs = try TLBGeometry.parse(tlb ?? "", over: TLBGeometry(cpuid: machine.tlbs ?? TLBInfo.current()))
            } catch {
                throw SimError.noTLBs(error)
            }
        }
        // Refuse oversized working sets before valgrind starts.
        var check = SizePlan(experiments: suite.selected, sizes: try suite.sizeChoice.all, mode: .sim,
                             memAvailable: machine.memAvailableBytes)
        try suite.configure(&check)
        try check.validateMemory()
        guard let valgrind = ChildProcess.find("valgrind") else { throw SimError.valgrindMissing }
        guard locality_have_callgrind() != 0 else { throw SimError.builtWithoutCallgrind }
        // VALGRIND_LIB: locsim's directory, or valgrind's own for callgrind. Without it
        // valgrind would find its own, but the client's environment would be shorter under
        // callgrind than under locsim, and the tools' counts would differ by more than their
        // models: so none found is a failure, not a silent difference.
        let toolDirectory: String
        switch simulator {
        case .locsim:
            guard let directory = Self.locsimDirectory() else { throw SimError.locsimMissing(Self.locsimToolName) }
            toolDirectory = directory
        case .callgrind:
            let searched = Self.valgrindLibraryCandidates(launcher: valgrind)
            guard let directory = searched.first(where: Self.holdsCallgrind) else { throw SimError.valgrindLibraryMissing(searched) }
            toolDirectory = directory
        }

        // SIGINT, SIGTERM, SIGHUP and SIGQUIT go to valgrind (in a process group of its own, so
        // a Ctrl-C reaches only this process); once it has ended and the temporary directory is
        // gone, this process ends by the same signal, saying nothing more.
        var report: RunReport
        do {
            report = try ChildProcess.forwardingSignals {
                try simulate(valgrind: valgrind, geometry: geometry, tlbs: tlbs, toolDirectory: toolDirectory)
            }
        } catch let interrupted as ChildProcess.Interrupted {
            interrupted.endProcess()
        }
        // Read here, not in the child: every byte read under valgrind moves its heap.
        report.machine = machine
        report.context = RunContext.current(machine: machine, build: Locality.build, commandLine: CommandLine.arguments,
                                            seed: suite.seed, repetitions: repetitions, quick: suite.quick)
        // Nothing streamed from the child (its stdout is JSON): the whole report goes out now.
        try suite.emit(report, clearingProgress: false, streamed: false)
    }

    /// Runs the child under valgrind in a temporary directory, removed before this returns.
    private func simulate(valgrind: String, geometry: CacheGeometry, tlbs: TLBGeometry?, toolDirectory: String) throws -> RunReport {
        // Callgrind's counts repeat exactly only if the client's addresses and allocations do: the
        // stack's place depends on ASLR and on the size of the environment and arguments, and
        // Swift seeds its hashing randomly; the working directory's path lands on the heap and
        // moves everything allocated after it (seen: malloc-each's L1 misses 823–827 from three
        // directories). So: no ASLR, a minimal environment with deterministic hashing, and a
        // temporary directory whose name has a fixed length, which is also the working directory.
        let scratch = try SimScratchDirectory()
        defer { scratch.remove() }
        let directory = scratch.path
        let outputBase = directory + "/callgrind.out"
        let log = directory + "/valgrind.log"
        // The child's own stderr goes to a file too, so that its failure (a loader that cannot
        // map a library, a locality error) is reported here as one line.
        let childErrors = directory + "/stderr"
        let stripped = try Self.withoutDebugInfo(ChildProcess.selfPath, in: directory)
        _ = locality_disable_aslr_for_children()

        // The client sees the same environment under either simulator: the same variables, each
        // value as long under callgrind as under locsim, so that the tools' counts differ by
        // their models and not by where the client's memory lies. The environment is on the
        // client's stack, so its size moves the stack and the cache sets of what is there; before,
        // callgrind's client had no VALGRIND_LIB and no TLB list, and malloc-each's D1 misses at
        // 16 B were 880 under one tool against 980 under the other. So the values that depend on
        // what is simulated are padded to fixed widths, the TLB list is there under callgrind
        // too, blank (callgrind simulates none, and its child reads none), and VALGRIND_LIB is
        // the same link under both.
        var environment = [Self.outputEnvironment: outputBase,
                           Self.geometryEnvironment: Self.padded(geometry.description, to: Self.geometryWidth),
                           Self.tlbEnvironment: Self.padded(tlbs?.description ?? "", to: Self.tlbWidth),
                           Self.simulatorEnvironment: Self.padded(simulator.rawValue, to: Self.simulatorWidth),
                           "SWIFT_DETERMINISTIC_HASHING": "1"]
        // valgrind loads a tool from VALGRIND_LIB (for locsim the directory `make` fills with
        // locsim and links to the rest of valgrind's files; for callgrind valgrind's own) and
        // names its vgpreload_core library in the client's LD_PRELOAD from it. The child is
        // given it through a link in the temporary directory, so that its length is the same
        // from every checkout and for both tools: a longer path moved malloc-each's L1 write
        // misses from 73 to 60 (CI's checkout against /work/main).
        let link = directory + "/lib"
        guard symlink(toolDirectory, link) == 0 else { throw SimError.toolLink(link, String(cString: strerror(errno))) }
        environment["VALGRIND_LIB"] = link
        let toolArguments: [String]
        switch simulator {
        case .callgrind:
            toolArguments = ["--tool=callgrind", "--cache-sim=yes", "--collect-atstart=no", "--callgrind-out-file=\(outputBase)"]
                + geometry.valgrindArguments
        case .locsim:
            toolArguments = ["--tool=locsim", "--out-file=\(outputBase)"] + geometry.locsimArguments + (tlbs?.locsimArguments ?? [])
        }
        let child = try ChildProcess.run(
            valgrind, toolArguments + ["-q", "--log-file=\(log)", stripped.executable] + childArguments,
            environment: environment, directory: directory, stderr: childErrors)
        if child.killedBySignal || child.status != 0 {
            throw SimError.valgrindFailed(Self.failure(of: child, log: log, childErrors: childErrors,
                                                       objcopyProblem: stripped.problem))
        }
        do {
            return try RunReport.decode(child.stdout)
        } catch {
            throw SimError.valgrindFailed("the simulated run printed no report (\(child.stdout.count) bytes on stdout)")
        }
    }

    /// One line saying what failed under valgrind: valgrind itself (its log), the locality
    /// inside it (its stderr: the loader, or its own error) or a signal; with the limits that
    /// likely caused it.
    static func failure(of child: ChildProcess.Outcome, log: String, childErrors: String, objcopyProblem: String?) -> String {
        func lines(_ path: String) -> [String] {
            ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n")
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        let errorPrefix = "locality: error: "
        var what: String
        if let own = lines(childErrors).first(where: { $0.hasPrefix(errorPrefix) }) {
            what = "the simulated run failed: " + own.dropFirst(errorPrefix.count)
        } else if let problem = lines(log).first(where: { !$0.contains("warning:") && $0.count > 12 }) {
            what = "valgrind failed: " + problem.replacingOccurrences(of: #"^==\d+== "#, with: "", options: .regularExpression)
        } else if let other = lines(childErrors).last {
            what = "valgrind failed: " + other
        } else if child.killedBySignal {
            what = "valgrind was killed by signal \(child.status) (\(TerminationSignals.name(child.status)))"
        } else {
            what = "valgrind exited with status \(child.status) and said nothing"
        }
        if !child.killedBySignal && !what.hasPrefix("valgrind exited") { what += " (exit status \(child.status))" }
        var limits: [String] = []
        if let descriptors = ChildProcess.descriptorLimitValue, descriptors < 256 {
            limits.append("ulimit -n is \(descriptors)")
        }
        if let addressSpace = MemoryLimits.currentAddressSpaceLimit() {
            limits.append("ulimit -v is \(addressSpace / 1024) KiB")
        }
        if !limits.isEmpty { what += "; valgrind may need more than this process's limits allow (\(limits.joined(separator: ", ")))" }
        if let objcopyProblem { what += "; \(objcopyProblem)" }
        return what
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

    private func runInsideValgrind(outputBase: String, geometry: String?, tlbs: String?, simulator: Simulator) throws {
        // The parent checked the geometry against this machine; reading /proc/cpuinfo again here
        // would move the child's heap.
        let simulatedCaches = try geometry.map {
            try CacheGeometry.fallback.overridden(by: $0, minimumLineBytes: CacheShape.valgrindSmallestLine)
        }
        let simulatedTLBs = try tlbs.map { try TLBGeometry.parse($0, over: nil) }
        // The experiments see the simulated machine, not this one: nothing of it is read here but
        // the THP mode, whose file reads the same length in every mode (the parent puts its own
        // machine into the report).
        let machine = MachineInfo.simulated(caches: (simulatedCaches ?? .fallback).levels, tlbs: simulatedTLBs?.levels)
        let simulation = Simulation(simulator: simulator, caches: simulatedCaches, tlbs: simulatedTLBs, outputBase: outputBase)
        let runner = Runner(configuration: RunConfiguration(repetitions: repetitions, lastLevelCacheBytes: simulatedCaches?.ll.sizeBytes),
                            backend: .simulation(simulation))
        var run = SuiteRun(experiments: suite.selected, sizes: try suite.sizeChoice.all, runner: runner, machine: machine,
                           options: RunOptions(seed: suite.seed))
        try suite.configure(&run.sizing)
        run.variantFilter = suite.variantFilter
        let report = try run.run()
        try suite.emit(report, clearingProgress: false, streamed: false)
    }

    /// `amd64-linux`: valgrind's name for this platform, the suffix of its tools' executables.
    static var valgrindPlatform: String {
        #if arch(x86_64)
        return "amd64-linux"
        #elseif arch(arm64)
        return "arm64-linux"
        #else
        return "unsupported-platform"
        #endif
    }

    /// `locsim-amd64-linux`: valgrind's name for locsim's executable on this platform.
    static var locsimToolName: String { "locsim-" + valgrindPlatform }

    /// The VALGRIND_LIB directory holding locsim: $LOCALITY_LOCSIM_DIR, else the first `locsim`
    /// or `.build/locsim` directory with the tool in an ancestor of this executable's real path
    /// (`make` builds it as .build/locsim; locality is .build/<triple>/<configuration>/locality,
    /// a package built on the library products, e.g. Examples/Lookup, has its own .build).
    static func locsimDirectory() -> String? {
        func holdsTool(_ directory: String) -> Bool {
            FileManager.default.isExecutableFile(atPath: directory + "/" + locsimToolName)
        }
        // Absolute, with links resolved: the child runs in its own temporary directory, where a
        // relative path would name nothing.
        if let given = ProcessInfo.processInfo.environment[locsimEnvironment] {
            return holdsTool(given) ? URL(fileURLWithPath: given).resolvingSymlinksInPath().path : nil
        }
        var url = URL(fileURLWithPath: ChildProcess.selfPath).deletingLastPathComponent()
        while url.path != "/" {
            for candidate in [url.appendingPathComponent("locsim").path, url.appendingPathComponent(".build/locsim").path]
            where holdsTool(candidate) { return candidate }
            url = url.deletingLastPathComponent()
        }
        return nil
    }

    /// Widths the child's variables are padded to (simulate()): the longest simulator name, and
    /// more than any cache geometry (`I1=32K:8:64,D1=48K:12:64,L2=1280K:10:64,LL=105M:15:64`
    /// is 51 characters) or TLB list (`L1=64:4,L2=1536:12,L1-2M=32:4,L2-2M=1536:12`, 44) needs.
    static let simulatorWidth = Simulator.allCases.map(\.rawValue.count).max() ?? 0
    static let geometryWidth = 80
    static let tlbWidth = 64

    /// `value` followed by spaces up to `width` characters; a longer value is left whole.
    static func padded(_ value: String, to width: Int) -> String {
        value + String(repeating: " ", count: max(0, width - value.count))
    }

    /// One variable the parent set for the simulated process, without simulate()'s padding;
    /// nil when unset or blank. Read with getenv(3), one by one: ProcessInfo's `environment`
    /// copies the whole environment into a dictionary on the heap, which then depends on the
    /// environment's size (seen: with ProcessInfo, 16 to 4000 more bytes of environment moved
    /// alloc's malloc-each D1 misses at 16 B by 14 to 75 and its data reads by up to 101; with
    /// getenv by 2 at most, and no data read).
    static func childVariable(_ name: String) -> String? {
        guard let raw = getenv(name) else { return nil }
        let value = String(cString: raw).trimmingCharacters(in: .whitespaces)
        return value.isEmpty ? nil : value
    }

    /// Where valgrind's own library directory (its tools, vgpreload_core) may be, in the order
    /// searched: under the launcher's prefix PREFIX/libexec/valgrind (PREFIX/lib/valgrind before
    /// valgrind 3.16), then pkg-config's `libdir`/valgrind, where older Debian and Ubuntu keep
    /// the tools (/usr/lib/x86_64-linux-gnu/valgrind): the places the Makefile links locsim's
    /// directory from.
    static func valgrindLibraryCandidates(launcher: String) -> [String] {
        let prefix = URL(fileURLWithPath: launcher).resolvingSymlinksInPath().deletingLastPathComponent().deletingLastPathComponent()
        var candidates = ["libexec/valgrind", "lib/valgrind"].map { prefix.appendingPathComponent($0).path }
        // Not found, failed or interrupted: no candidate (a pending signal is acted on by the
        // next child run, inside forwardingSignals).
        if let pkgConfig = ChildProcess.find("pkg-config"),
           let outcome = try? ChildProcess.run(pkgConfig, ["--variable=libdir", "valgrind"], stderr: "/dev/null"),
           outcome.status == 0, !outcome.killedBySignal {
            let libdir = String(decoding: outcome.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if libdir.hasPrefix("/") { candidates.append(libdir + "/valgrind") }
        }
        return candidates
    }

    /// A directory holding callgrind for this platform: valgrind's library directory.
    static func holdsCallgrind(_ directory: String) -> Bool {
        FileManager.default.isExecutableFile(atPath: directory + "/callgrind-" + valgrindPlatform)
    }

    /// A copy of `path` without debug info (`objcopy --strip-debug`): valgrind 3.19 cannot read
    /// the DWARF 5 that Swift's clang writes and gives up. Falls back to `path` itself, with
    /// what went wrong with objcopy, for the error should valgrind then fail.
    static func withoutDebugInfo(_ path: String, in directory: String) throws -> (executable: String, problem: String?) {
        guard let objcopy = ChildProcess.find("objcopy") else {
            return (path, "objcopy is not installed (binutils), so valgrind read locality's own debug info")
        }
        let copy = directory + "/locality"
        do {
            let outcome = try ChildProcess.run(objcopy, ["--strip-debug", path, copy], stderr: "/dev/null")
            if outcome.status == 0 && !outcome.killedBySignal { return (copy, nil) }
            return (path, "objcopy --strip-debug failed (\(outcome.killedBySignal ? "signal" : "exit status") \(outcome.status)), "
                + "so valgrind read locality's own debug info")
        } catch let interrupted as ChildProcess.Interrupted {
            throw interrupted  // the temporary directory is removed on the way out
        } catch {
            return (path, "objcopy failed (\(error)), so valgrind read locality's own debug info")
        }
    }
}

/// The temporary directory of one `locality sim`: /tmp/locality-sim-XXXXXX, holding a
/// `.lock` this process keeps locked (flock) while it lives. One left behind by a process that
/// was killed (SIGKILL gives no chance to clean up) is unlocked, and removed by the next run.
struct SimScratchDirectory {
    let path: String
    private let lock: Int32

    static let prefix = "locality-sim-"

    init() throws {
        Self.removeStale()
        var template = Array(("/tmp/" + Self.prefix + "XXXXXX").utf8CString)
        guard let created = mkdtemp(&template) else { throw SimError.temporaryDirectory(String(cString: strerror(errno))) }
        path = String(cString: created)
        // Locked under another name, then renamed: a cleaner never sees an unlocked `.lock`.
        let fresh = path + "/.lock-new"
        let fd = open(fresh, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0, flock(fd, LOCK_EX) == 0, rename(fresh, path + "/.lock") == 0 else {
            let failure = errno  // before close and the removal can change it
            if fd >= 0 { close(fd) }
            try? FileManager.default.removeItem(atPath: path)
            throw SimError.temporaryDirectory(String(cString: strerror(failure))
                                              + (failure == EMFILE ? " (ulimit -n is \(ChildProcess.descriptorLimit))" : ""))
        }
        lock = fd
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
        close(lock)
    }

    /// Removes this user's /tmp/locality-sim-* whose `.lock` nobody holds.
    static func removeStale() {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/tmp") else { return }
        for entry in entries where entry.hasPrefix(prefix) && entry.count == prefix.count + 6 {
            let directory = "/tmp/" + entry
            var info = stat()
            guard lstat(directory, &info) == 0, info.st_mode & S_IFMT == S_IFDIR, info.st_uid == getuid() else { continue }
            let fd = open(directory + "/.lock", O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
            guard fd >= 0 else { continue }  // not ours, or being set up
            if flock(fd, LOCK_EX | LOCK_NB) == 0 { try? FileManager.default.removeItem(atPath: directory) }
            close(fd)
        }
    }
}

enum SimError: Error, CustomStringConvertible {
    case valgrindMissing
    case notUnderValgrind
    case temporaryDirectory(String)
    /// The link to locsim's directory could not be made in the temporary directory.
    case toolLink(String, String)
    case builtWithoutCallgrind
    case unsimulatableCaches(GeometryError)
    case noTLBs(TLBGeometryError)
    case locsimMissing(String)
    /// None of these directories holds callgrind for this platform.
    case valgrindLibraryMissing([String])
    case valgrindFailed(String)

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
        case let .noTLBs(error):
            return "cannot tell which data TLBs to simulate: \(error); cpuid reports no L1 and L2 data TLB for 4 KiB pages "
                + "here, so give them with --tlb (e.g. --tlb L1=64:4,L2=1536:6) or use --simulator callgrind"
        case let .locsimMissing(name):
            return "the locsim valgrind tool (\(name)) is not built: run `make tool` (make test and make check build it), "
                + "set \(SimCommand.locsimEnvironment) to its directory, or use --simulator callgrind"
        case let .valgrindLibraryMissing(searched):
            return "cannot find valgrind's library directory (callgrind-\(SimCommand.valgrindPlatform)) in "
                + searched.joined(separator: ", ") + ": reinstall valgrind (`sudo apt-get install --reinstall valgrind`)"
        case let .valgrindFailed(what):
            return what
        case let .temporaryDirectory(reason):
            return "cannot create a temporary directory in /tmp: \(reason)"
        case let .toolLink(link, reason):
            return "cannot link locsim's directory as \(link): \(reason)"
        }
    }
}

extension Simulator: ExpressibleByArgument {}
