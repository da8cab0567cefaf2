import Foundation
import Harness
import Testing

/// Runs the built `locality` executable, as a user would.
struct CLI {
    /// Held by the tests that leave a `/tmp/locality-sim-*` directory behind on purpose (a
    /// SIGKILLed sim) and by those that assert no run of theirs left one: tests run in
    /// parallel, and one's deliberate leftover must not count as the other's.
    static let simDirectories = NSLock()

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The binary beside the test bundle (`swift build` puts both in one folder), or
    /// LOCALITY_BIN when set.
    static var binary: String {
        if let path = ProcessInfo.processInfo.environment["LOCALITY_BIN"] { return path }
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("locality").path,
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent(".build/debug/locality").path,
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[1]
    }

    /// Output goes to files, not pipes: a child that fills one pipe while the test drains the
    /// other would hang instead of failing.
    /// `addressSpaceLimitKiB` runs it under `ulimit -v`, set by a shell in the child only;
    /// `shellPrefix`, a shell command line the binary and its arguments are appended to.
    static func run(_ arguments: [String], environment: [String: String]? = nil, workingDirectory: String? = nil,
                    addressSpaceLimitKiB: Int? = nil, shellPrefix: String? = nil) throws -> Result {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("locality-cli-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let outURL = directory.appendingPathComponent("stdout"), errURL = directory.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        let process = Process()
        if let prefix = shellPrefix ?? addressSpaceLimitKiB.map({ "ulimit -v \($0) && exec" }) {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", prefix + " \"$0\" \"$@\"", binary] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = arguments
        }
        if let environment { process.environment = environment }
        if let workingDirectory { process.currentDirectoryURL = URL(fileURLWithPath: workingDirectory, isDirectory: true) }
        process.standardOutput = out
        process.standardError = err
        try process.run()
        process.waitUntilExit()
        try out.close()
        try err.close()
        return Result(status: process.terminationStatus,
                      stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
                      stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }
}

extension CLI {
    /// Starts `/bin/sh -c SCRIPT ARGUMENTS…` with stdin from /dev/null, stdout and stderr to the
    /// files named, and every terminating signal at its default and unblocked, as from an
    /// interactive shell (a script's background job would start with SIGINT and SIGQUIT ignored).
    static func spawnShell(_ script: String, _ arguments: [String], stdout: String, stderr: String) throws -> pid_t {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGALRM, SIGVTALRM, SIGXCPU, SIGXFSZ,
                       SIGPWR, SIGPIPE] {
            sigaddset(&defaults, signal)
        }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv: [UnsafeMutablePointer<CChar>?] = (["/bin/sh", "-c", script] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, "/bin/sh", &actions, &attributes, argv, environ)
        guard status == 0 else { throw POSIXError(POSIXErrorCode(rawValue: status) ?? .EIO) }
        return pid
    }
}

@Suite struct CLITests {
    @Test(arguments: [
        (["run", "loop-order", "--sizes", "4Q"], "unknown suffix 'Q'"),
        (["run", "loop-order", "--sizes", "0"], "greater than zero"),
        (["run", "loop-order", "--sizes=-4K"], "greater than zero"),
        (["run", "no-such-experiment"], "unknown experiment 'no-such-experiment'"),
        (["run", "loop-order", "--sizes", "4K", "--events", "perf::NO-SUCH-EVENT"], "unknown event 'perf::NO-SUCH-EVENT'"),
        (["run", "loop-order", "--sizes", "1T"], "MemAvailable"),
        (["run", "loop-order", "--repetitions", "0"], "at least 1"),
        (["run", "loop-order", "--output", "/nonexistent-locality-dir/x.json"], "does not exist"),
        (["frobnicate"], "Unexpected argument 'frobnicate'"),
        (["run", "loop-order", "--sizes", "8388607T"], "too large"),
        (["run", "huge-pages", "--sizes", "9223372036854775807"], "too large"),
        (["sim", "loop-order", "--cache", "L1=32K:4611686018427387904:64"], "impossible"),
        (["sim", "loop-order", "--cache", "L1=64:1:64"], "impossible"),
    ])
    func badInputIsOneLineOnStderrAndANonZeroExit(arguments: [String], message: String) throws {
        let result = try CLI.run(arguments)
        #expect(result.status != 0)
        #expect(result.stdout.isEmpty)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "stderr: \(result.stderr)")
        #expect(result.stderr.hasPrefix("locality: error: "))
        #expect(result.stderr.contains(message), "stderr: \(result.stderr)")
    }

    @Test func listNamesExperimentsAndVariants() throws {
        let result = try CLI.run(["list"])
        #expect(result.status == 0)
        for name in ["loop-order", "row-major", "column-major", "row-major-c", "default sizes: 4K,400K,4M,64M"] {
            #expect(result.stdout.contains(name))
        }
    }

    @Test func machineListsCachesAndEveryDefaultEvent() throws {
        let result = try CLI.run(["machine"])
        #expect(result.status == 0)
        for text in ["cache L1d", "page size", "THP", "PAPI", "PAPI_L1_DCM", "perf::PAGE-FAULTS  available (sw)"] {
            #expect(result.stdout.contains(text), "missing \(text)")
        }
    }

    @Test func runWritesJSONAtomicallyAndPrintsTheTable() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("locality-cli-\(UUID())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let output = dir + "/run.json"
        let result = try CLI.run(["run", "loop-order", "--sizes", "4K,64K", "--repetitions", "2", "--output", output])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("loop-order · 4K, 64K"))
        #expect(result.stdout.contains("TASK-CLOCK/elem (sw)"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["run.json"])

        let data = try Data(contentsOf: URL(fileURLWithPath: output))
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(root["schema"] as? String == "locality/1")
        let results = try #require(root["results"] as? [[String: Any]])
        #expect(results.count == 6)
        let sizes = Set(results.compactMap { $0["size_bytes"] as? Int })
        #expect(sizes == [4096, 65536])
        for result in results {
            let counters = try #require(result["counters"] as? [String: [String: Any]])
            #expect(counters["perf::TASK-CLOCK"]?["source"] as? String == "sw")
            // Every requested event is either counted or explained.
            let unavailable = result["unavailable"] as? [String: String] ?? [:]
            #expect(Set(counters.keys).union(unavailable.keys).count == 7)
            // Checksums agree between variants of the same size.
        }
        let checksums = Dictionary(grouping: results) { $0["size_bytes"] as? Int ?? 0 }
            .mapValues { Set($0.compactMap { $0["checksum"] as? Double }) }
        #expect(checksums.values.allSatisfy { $0.count == 1 })
    }
}

@Suite struct ExperimentCLITests {
    @Test func workingSetNamesCacheLevelsAndTLBFindings() throws {
        let result = try CLI.run(["run", "working-set", "tlb", "--sizes", "4K,64K", "--repetitions", "1"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("working-set · 4K, 64K\n"), "\(result.stdout)")
        // The level that holds each size is a column.
        #expect(result.stdout.contains("  L1d ("), "\(result.stdout)")
        #expect(result.stdout.contains("→ cpuid for 4 KiB pages: "), "\(result.stdout)")
        // Where the PMU is missing, the TLB counter is named unavailable with PAPI's reason;
        // where it is present, it is a column with source hw.
        if FileManager.default.fileExists(atPath: "/sys/bus/event_source/devices/cpu") {
            #expect(result.stdout.contains("PAPI_TLB_DM/load (hw)") || result.stdout.contains("Counters unavailable here"))
        } else {
            // The reason, once, where the report lists what could not be counted.
            #expect(result.stdout.range(of: #"PAPI_TLB_DM[A-Z_, 0-9]*: Event does not exist \(PAPI -7\)"#, options: .regularExpression) != nil,
                    "\(result.stdout)")
            #expect(!result.stdout.contains("PAPI_TLB_DM/load"))
        }
    }

    /// The issue's "fits an 80-column terminal": the whole quick suite, every experiment, with
    /// no line wider than COLUMNS, and the headline at the end.
    @Test func aQuickRunFitsEightyColumns() throws {
        var environment = ProcessInfo.processInfo.environment
        environment["COLUMNS"] = "80"
        let result = try CLI.run(["run", "--quick", "--quiet"], environment: environment)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        let over = lines.filter { $0.count > 80 }
        #expect(over.isEmpty, "\(over)")
        for name in ["loop-order", "layout", "working-set", "tlb", "huge-pages", "page-faults", "alloc"] {
            #expect(lines.contains { $0.hasPrefix("\(name): ") }, "\(name)")
        }
        #expect(lines.contains("Headline"))
        // Said once, at the end, not after each table.
        #expect(!result.stdout.contains("(why: the legend and note at the end)"))
    }

    @Test func simulatedExperimentsPrintNoTimeBasedFindings() throws {
        let result = try CLI.run(["sim", "working-set", "--sizes", "4K"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("D1mr/load (sim)"))
        #expect(!result.stdout.contains("→ "))
        #expect(!result.stdout.contains("ns/load  "))
        // Nor the times a workload takes itself (alloc's per-call figures, layout's setup), which
        // under valgrind are valgrind's; the extras that are not times stay.
        let json = try CLI.run(["sim", "alloc", "layout", "--sizes", "16", "--format", "json"])
        #expect(json.status == 0, "stderr: \(json.stderr)")
        for time in ["p50 ns", "p99 ns", "max ns", "unresolved <ns", "setup ms"] {
            #expect(!json.stdout.contains("\"\(time)\""), "\(time)")
        }
        #expect(json.stdout.contains("\"usable B\"") && json.stdout.contains("\"B/elem\""))
    }
}

@Suite struct RepeatedNamesTests {
    @Test func anExperimentOrEventNamedTwiceRunsOnce() throws {
        let result = try CLI.run(["run", "loop-order", "loop-order", "--sizes", "4K", "--repetitions", "1",
                                  "--events", "perf::PAGE-FAULTS,perf::PAGE-FAULTS", "--format", "csv"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 4)  // header + three variants
        #expect(lines[0].components(separatedBy: "perf_page_faults_per_element").count == 2)
    }

    @Test func compareUsageErrorsExitTwo() throws {
        let missing = try CLI.run(["compare", "only-one.json"])
        #expect(missing.status == 2)
        #expect(missing.stderr.split(separator: "\n").count == 1)
        // A well-formed report with an impossible value names where it is.
        let baseline = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Benchmarks/baselines/sim.json")
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: baseline)) as? [String: Any])
        var results = try #require(json["results"] as? [[String: Any]])
        var counters = try #require(results[0]["counters"] as? [String: [String: Any]])
        counters["D1mr"]?["source"] = "xyz"
        results[0]["counters"] = counters
        json["results"] = results
        let bad = FileManager.default.temporaryDirectory.appendingPathComponent("locality-bad-source-\(UUID()).json")
        defer { try? FileManager.default.removeItem(at: bad) }
        try JSONSerialization.data(withJSONObject: json).write(to: bad)
        let badSource = try CLI.run(["compare", bad.path, baseline.path])
        #expect(badSource.status == 2)
        #expect(badSource.stderr.contains("not a Locality report: ") && badSource.stderr.contains("at .results[0].counters.D1mr.source"),
                "\(badSource.stderr)")
        // A cache type that is none of sysfs's (Data, Instruction, Unified) is refused the same way.
        var machine = try #require(json["machine"] as? [String: Any])
        var caches = try #require(machine["caches"] as? [[String: Any]])
        caches[0]["type"] = "Victim"
        machine["caches"] = caches
        json["machine"] = machine
        counters["D1mr"]?["source"] = "sim"
        results[0]["counters"] = counters
        json["results"] = results
        try JSONSerialization.data(withJSONObject: json).write(to: bad)
        let badType = try CLI.run(["compare", bad.path, baseline.path])
        #expect(badType.status == 2)
        #expect(badType.stderr.contains("impossible value at .machine.caches[0].type"), "\(badType.stderr)")

        // Decimal percentages only: "0x10" would otherwise read as 16%, "1e2" as 100%.
        for text in ["x", "0x10", "1e2", "nan", ""] {
            let badTolerance = try CLI.run(["compare", "a.json", "b.json", "--tolerance", text])
            #expect(badTolerance.status == 2, "\(text)")
            #expect(badTolerance.stderr.contains("is not a percentage"), "\(text): \(badTolerance.stderr)")
        }
    }
}

@Suite struct SwitchesTests {
    @Test func anUnknownOptionIsReportedAsOne() throws {
        let result = try CLI.run(["run", "--filter", "x", "loop-order"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("Unknown option '--filter'"), "\(result.stderr)")
    }

    @Test func versionNamesTheCommitInACheckout() throws {
        let result = try CLI.run(["--version"])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("locality \(BuildInfo.version)"), "\(result.stdout)")
        // The tests run from the checkout the binary was built in.
        #expect(result.stdout.contains("(commit "), "\(result.stdout)")
    }

    @Test func listAndMachineSpeakJSON() throws {
        let list = try CLI.run(["list", "--format", "json"])
        #expect(list.status == 0)
        let experiments = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        #expect(experiments.map { $0["name"] as? String } .contains("loop-order"))
        #expect(experiments.allSatisfy { !($0["quick_sizes"] as? [String] ?? []).isEmpty })
        for arguments in [["machine", "--format", "json"], ["machine", "--json"]] {
            let machine = try CLI.run(arguments)
            #expect(machine.status == 0)
            let root = try #require(try JSONSerialization.jsonObject(with: Data(machine.stdout.utf8)) as? [String: Any])
            #expect(root["caches"] != nil)
        }
    }

    @Test func sizesPerExperimentAndOneLinePerFinishedExperimentOffATerminal() throws {
        let result = try CLI.run(["run", "loop-order", "tlb", "--sizes", "loop-order=4K,16K", "tlb=32K", "--repetitions", "1",
                                  "--events", "perf::PAGE-FAULTS", "--format", "json"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let root = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let results = try #require(root["results"] as? [[String: Any]])
        let sizes = Dictionary(grouping: results) { $0["experiment"] as? String ?? "" }.mapValues { Set($0.compactMap { $0["size_bytes"] as? Int }) }
        #expect(sizes["loop-order"] == [4096, 16384])
        #expect(sizes["tlb"] == [32768])
        let context = try #require(root["context"] as? [String: Any])
        #expect((context["command_line"] as? [String])?.contains("tlb=32K") == true)
        for key in ["date", "host_name", "kernel", "build", "seed", "repetitions", "caches"] { #expect(context[key] != nil, "\(key)") }
        #expect(result.stderr.contains("locality: [1/2] loop-order done"), "\(result.stderr)")
        #expect(result.stderr.contains("locality: [2/2] tlb done"), "\(result.stderr)")
        let quiet = try CLI.run(["run", "loop-order", "--sizes", "4K", "--repetitions", "1", "--quiet"])
        #expect(quiet.status == 0)
        #expect(quiet.stderr.isEmpty)
        #expect(quiet.stdout.contains("Headline"))
    }
}
