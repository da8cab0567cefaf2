import Foundation
import Testing

/// The built CLI under a hostile environment: stdout and stderr closed or full, few
/// descriptors, a small address space, and every terminating signal at a few points of a
/// short run. Each case asserts the exit code (or the signal that ended it), at most one
/// `locality: error:` line, no crash report, no temporary file left, and an old --output
/// either intact or replaced by a whole report. No case asserts a time.
@Suite(.serialized) struct RobustnessTests {
    /// How a process ended: by `exit(code)`, or by `signal`; with what it printed.
    struct Ending: CustomStringConvertible {
        var code: Int32?
        var signal: Int32?
        var coreDumped: Bool
        var stdout: String
        var stderr: String
        var description: String {
            (code.map { "exit \($0)" } ?? "signal \(signal ?? 0)") + (stderr.isEmpty ? "" : ", stderr: \(stderr)")
        }
    }

    let dir: String

    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("locality-robust-\(UUID())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    private func read(_ path: String) -> String {
        (try? Data(contentsOf: URL(fileURLWithPath: path))).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    /// Starts `sh -c "PREAMBLE; exec locality ARGS REDIRECTIONS"` in `dir`, the terminating
    /// signals at their defaults and unblocked (as from an interactive shell: a script's
    /// background job would start with SIGINT and SIGQUIT ignored), stdout and stderr to files
    /// unless `redirections` sends them elsewhere (`2>&-`, `>/dev/full`).
    private func spawn(_ arguments: [String], preamble: String = "", redirections: String = "") throws -> pid_t {
        let quoted = arguments.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        let script = "cd \"$0\" && \(preamble.isEmpty ? "" : preamble + " && ")exec \"$1\" \(quoted) \(redirections)"
        return try CLI.spawnShell(script, [dir, CLI.binary], stdout: dir + "/stdout", stderr: dir + "/stderr")
    }

    private func wait(_ pid: pid_t) -> Ending {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let signal = status & 0x7f
        return Ending(code: signal == 0 ? (status >> 8) & 0xff : nil, signal: signal == 0 ? nil : signal,
                      coreDumped: status & 0x80 != 0, stdout: read(dir + "/stdout"), stderr: read(dir + "/stderr"))
    }

    private func run(_ arguments: [String], preamble: String = "", redirections: String = "") throws -> Ending {
        wait(try spawn(arguments, preamble: preamble, redirections: redirections))
    }

    /// At most one line, `locality: error: …`, and never the Swift runtime's crash report.
    private func expectOneLineOrNothing(_ ending: Ending, _ label: String) {
        let lines = ending.stderr.split(separator: "\n")
        #expect(lines.count <= 1, "\(label): \(ending.stderr)")
        #expect(lines.allSatisfy { $0.hasPrefix("locality: error: ") }, "\(label): \(ending.stderr)")
        #expect(!ending.stderr.contains("Program crashed") && !ending.coreDumped, "\(label): \(ending)")
    }

    /// Files the run left in `dir` beside what the test put there: a `.locality-*.tmp` is a
    /// temporary file that a rename never consumed.
    private func temporaries() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasPrefix(".locality-") }
    }

    // MARK: stdout and stderr closed or full

    @Test(arguments: [
        // (arguments, redirections, expected exit code)
        (["run", "bogus"], "2>&-", Int32(64)),
        (["run", "bogus"], "2>/dev/full", Int32(64)),
        (["compare", "nope.json", "a.json"], "2>&-", Int32(2)),
        (["compare", "nope.json", "a.json"], "2>/dev/full", Int32(2)),
        (["run", "loop-order", "--sizes", "0"], "2>/dev/full", Int32(64)),
        (["run", "loop-order", "--sizes", "4K", "--repetitions", "1"], ">/dev/full 2>&-", Int32(1)),
        (["run", "loop-order", "--sizes", "4K", "--repetitions", "1"], ">&-", Int32(1)),
        (["list"], ">/dev/full", Int32(1)),
        (["probe", "--no-second-run"], ">/dev/full 2>/dev/full", Int32(1)),
    ])
    func closedOrFullStandardStreamsKeepTheExitCode(arguments: [String], redirections: String, code: Int32) throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ending = try run(arguments, redirections: redirections)
        #expect(ending.code == code, "\(arguments) \(redirections): \(ending)")
        expectOneLineOrNothing(ending, "\(arguments) \(redirections)")
    }

    @Test func compareOnAStdoutItCannotWriteIsBadEnvironmentNotARegression() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let baseline = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Benchmarks/baselines/sim.json").path
        for redirections in [">/dev/full", ">&-", ">/dev/full 2>&-"] {
            let ending = try run(["compare", baseline, baseline], redirections: redirections)
            #expect(ending.code == 2, "\(redirections): \(ending)")
            expectOneLineOrNothing(ending, redirections)
        }
    }

    // MARK: few descriptors, a small address space

    /// This user's /tmp/locality-sim-* that no process holds (an unlocked `.lock`, or empty).
    private func abandonedSimDirectories() -> Set<String> {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? []
        return Set(entries.filter { $0.hasPrefix("locality-sim-") }.filter { entry in
            let path = "/tmp/" + entry
            if ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [""]).isEmpty { return true }
            let fd = open(path + "/.lock", O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { return false }
            defer { close(fd) }
            return flock(fd, LOCK_EX | LOCK_NB) == 0
        })
    }

    @Test func fewDescriptorsGiveAResultOrOneLineNamingTheLimit() throws {
        CLI.simDirectories.lock()
        defer { CLI.simDirectories.unlock() }
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let before = abandonedSimDirectories()
        // probe re-executes itself for its second run: a child costs one pipe, not a dispatch thread.
        let probe = try run(["probe", "--format", "json"], preamble: "ulimit -n 8")
        #expect(probe.code == 0, "\(probe)")
        #expect(probe.stdout.contains("\"landmarks\""))
        let run = try self.run(["run", "loop-order", "--sizes", "4K", "--repetitions", "1", "--quiet"], preamble: "ulimit -n 8")
        #expect(run.code == 0, "\(run)")
        expectOneLineOrNothing(run, "run")
        // valgrind itself needs more: one line naming the limit, exit 1, nothing left in /tmp.
        for limit in [8, 12, 16] {
            let sim = try self.run(["sim", "loop-order", "--sizes", "4K"], preamble: "ulimit -n \(limit)")
            #expect(sim.code == 1 || sim.code == 0, "ulimit -n \(limit): \(sim)")
            expectOneLineOrNothing(sim, "sim, ulimit -n \(limit)")
            if sim.code == 1 { #expect(sim.stderr.contains("ulimit -n is \(limit)"), "\(sim)") }
        }
        #expect(abandonedSimDirectories().subtracting(before).isEmpty)
    }

    @Test func aSmallAddressSpaceGivesOneLineAndExitOne() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // 1G of loop-order does not fit in 400 MB of address space: refused before measuring.
        let run = try self.run(["run", "loop-order", "--sizes", "1G", "--repetitions", "1"], preamble: "ulimit -v 400000")
        #expect(run.code == 1, "\(run)")
        #expect(run.stderr.contains("ulimit -v") || run.stderr.contains("RLIMIT_AS") || run.stderr.contains("address space"),
                "\(run)")
        expectOneLineOrNothing(run, "run")
        // A default size that does not fit is left out with a finding, not measured as nothing in silence.
        let pageFaults = try self.run(["run", "page-faults", "--repetitions", "1", "--quiet"], preamble: "ulimit -v 400000")
        #expect(pageFaults.code == 0, "\(pageFaults)")
        #expect(pageFaults.stdout.contains("left out of the default sizes: 256M"), "\(pageFaults.stdout)")
        // valgrind's child cannot even load its libraries: named, exit 1, not the loader's 127.
        let sim = try self.run(["sim", "loop-order", "--sizes", "4K"], preamble: "ulimit -v 150000")
        #expect(sim.code == 1, "\(sim)")
        #expect(sim.stderr.contains("ulimit -v is 150000 KiB"), "\(sim)")
        expectOneLineOrNothing(sim, "sim")
    }

    // MARK: terminating signals

    /// The process's CPU time so far (user + system) in clock ticks, from /proc/PID/stat; nil once gone.
    private func cpuTicks(_ pid: pid_t) -> Int? {
        let stat = read("/proc/\(pid)/stat")
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, fields[0] != "Z", let user = Int(fields[11]), let system = Int(fields[12]) else { return nil }
        return user + system
    }

    enum Point: String, CaseIterable {
        /// At once: the run may not have started measuring.
        case start
        /// After half a second of the run's own CPU time: some sizes are measured.
        case measuring
    }

    static let oldReport = #"{"old": "report"}"#

    @Test(arguments: [SIGINT, SIGTERM, SIGHUP, SIGQUIT], Point.allCases)
    func theMainSignalsKeepWhatWasMeasured(signal: Int32, point: Point) throws {
        try interrupt(with: signal, at: point)
    }

    @Test(arguments: [SIGUSR1, SIGUSR2, SIGALRM, SIGXCPU, SIGVTALRM, SIGPWR, SIGIO, SIGSTKFLT])
    func everyOtherTerminatingSignalEndsTheRunTheSameWay(signal: Int32) throws {
        try interrupt(with: signal, at: .measuring)
    }

    private func interrupt(with signal: Int32, at point: Point) throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let output = dir + "/report.json"
        try Self.oldReport.write(toFile: output, atomically: false, encoding: .utf8)
        // Many sizes at one repetition: each is quick, all together take far longer than the
        // half second of CPU time the test waits for.
        let pid = try spawn(["run", "loop-order", "working-set", "layout", "--repetitions", "1", "--format", "json", "--quiet",
                             "--output", output])
        if point == .measuring {
            let hertz = Int(sysconf(Int32(_SC_CLK_TCK)))
            while let ticks = cpuTicks(pid), ticks < hertz / 2 { usleep(20_000) }
        }
        kill(pid, signal)
        let ending = wait(pid)
        let label = "signal \(signal) at \(point)"
        // Ended by the signal itself (a shell sees 128 + it), never by the runtime's crash handler.
        #expect(ending.signal == signal, "\(label): \(ending)")
        #expect(ending.stderr.isEmpty, "\(label): \(ending.stderr)")
        #expect(!ending.coreDumped, "\(label)")
        #expect(temporaries().isEmpty, "\(label): left \(temporaries())")
        let written = read(output)
        if written == Self.oldReport {
            // Stopped before any result: no report at all, the old one intact.
            #expect(ending.stdout.isEmpty, "\(label): \(ending.stdout.prefix(200))")
            #expect(point == .start, "\(label): half a second of measuring gave no result")
            return
        }
        // Otherwise the report of what was measured, on stdout and in --output alike.
        let report = try #require(try JSONSerialization.jsonObject(with: Data(written.utf8)) as? [String: Any], "\(label)")
        #expect(ending.stdout == written, "\(label)")
        let results = report["results"] as? [[String: Any]] ?? []
        #expect(!results.isEmpty, "\(label)")
        #expect(report["complete"] as? Bool == false, "\(label)")
        let interruption = report["interruption"] as? String ?? ""
        let name = [SIGINT: "SIGINT", SIGTERM: "SIGTERM", SIGHUP: "SIGHUP", SIGQUIT: "SIGQUIT", SIGUSR1: "SIGUSR1", SIGUSR2: "SIGUSR2",
                    SIGALRM: "SIGALRM", SIGXCPU: "SIGXCPU", SIGVTALRM: "SIGVTALRM", SIGPWR: "SIGPWR", SIGIO: "SIGIO",
                    SIGSTKFLT: "SIGSTKFLT"][signal] ?? "signal \(signal)"
        #expect(interruption.hasPrefix(name + " received"), "\(label): \(interruption)")
        // Each size measured is whole: every variant of it is there.
        let variants = Dictionary(grouping: results) { "\($0["experiment"] ?? "")" }
            .mapValues { Set($0.compactMap { $0["variant"] as? String }).count }
        for (experiment, group) in Dictionary(grouping: results, by: { "\($0["experiment"] ?? "")" }) {
            let perSize = Dictionary(grouping: group) { $0["size_bytes"] as? Int ?? 0 }
            #expect(perSize.values.allSatisfy { $0.count == variants[experiment] }, "\(label): \(experiment)")
        }
    }

    /// A signal that ends the process while a report's temporary file exists removes it:
    /// `ulimit -f` makes the write of the temporary fail with SIGXFSZ, a terminating signal,
    /// at a known point (stdout goes to /dev/null, which the limit does not touch).
    @Test func aSignalWhileTheTemporaryFileIsWrittenRemovesIt() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let output = dir + "/probe.json"
        try Self.oldReport.write(toFile: output, atomically: false, encoding: .utf8)
        let ending = try run(["probe", "--no-second-run", "--output", output], preamble: "ulimit -f 1",
                             redirections: ">/dev/null")
        #expect(ending.signal == SIGXFSZ || ending.code == 1, "\(ending)")
        expectOneLineOrNothing(ending, "probe")
        #expect(temporaries().isEmpty, "left \(temporaries())")
        #expect(read(output) == Self.oldReport)
    }
}

/// The smaller usage errors: each one line saying what is wrong with the value, exit 64.
@Suite struct UsageErrorTests {
    @Test(arguments: [
        (["run", "loop-order", "--sizes", "-1"], "size '-1' must be greater than zero"),
        (["run", "loop-order", "--repetitions", "-1"], "--repetitions must be at least 1"),
        (["run", "loop-order", "--seed", "-5"], "seed '-5' is not a whole number"),
        (["run", "loop-order", "--sizes", "4K", "--events", "perf::NO-SUCH-EVENT"], "unknown event 'perf::NO-SUCH-EVENT'"),
        (["sim", "loop-order", "--cache", ""], "--cache: no cache given"),
        (["sim", "loop-order", "--cache", "L1=32K:8:64,D1=32K:8:64"], "cache level D1 given twice"),
        (["sim", "loop-order", "--cache", "LL=16K:4:64"], "is smaller than L1"),
        (["run", "loop-order", "--output", "/tmp/locality-plot.svg", "--plot", "/tmp"], "is an .svg in the --plot directory"),
        (["probe", "--scan", "0..0xC0000000", "--scan", "0x100000000..0x180000000"], "pages per command"),
    ])
    func aBadValueIsNamedWithExit64(arguments: [String], message: String) throws {
        let result = try CLI.run(arguments)
        #expect(result.status == 64, "\(arguments): \(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("locality: error: ") && result.stderr.contains(message), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "/tmp/locality-plot.svg"))
    }

    @Test func scanSummariesPrintAddressesInHex() throws {
        let result = try CLI.run(["probe", "--scan", "0x1000..0x3000"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("scan of addresses 0x0000000000001000..<0x0000000000003000 "), "\(result.stdout)")
    }
}
