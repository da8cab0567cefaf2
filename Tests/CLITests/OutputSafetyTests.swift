import Foundation
import Testing

/// Where reports go: every output target is checked before measuring, a failed write leaves
/// no new report, and stdout's write errors are failures. All files live in a fresh temporary
/// directory; /dev/null and /dev/full are only ever opened, never a --output target.
@Suite struct OutputSafetyTests {
    static let quickRun = ["run", "loop-order", "--sizes", "4K", "--repetitions", "1", "--events", "perf::PAGE-FAULTS"]

    let dir: String

    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("locality-output-\(UUID())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    private func cleanUp() { try? FileManager.default.removeItem(atPath: dir) }

    private func entries(_ sub: String = "") throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir + sub).sorted()
    }

    private func type(_ path: String) -> mode_t {
        var info = stat()
        return lstat(path, &info) == 0 ? info.st_mode & S_IFMT : 0
    }

    /// Runs locality with stdout on `stdout` and stderr captured; `shell` runs it through
    /// `sh -c SCRIPT` instead, with `"$@"` standing for the binary and `arguments`.
    private func run(_ arguments: [String], stdout: FileHandle, shell script: String? = nil)
        throws -> (status: Int32, signalled: Bool, stderr: String) {
        let errURL = URL(fileURLWithPath: dir + "/.stderr")
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errURL) }
        let process = Process()
        if let script {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", script, "sh", CLI.binary] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: CLI.binary)
            process.arguments = arguments
        }
        process.currentDirectoryURL = URL(fileURLWithPath: dir, isDirectory: true)
        process.standardOutput = stdout
        let err = try FileHandle(forWritingTo: errURL)
        process.standardError = err
        try process.run()
        process.waitUntilExit()
        try err.close()
        return (process.terminationStatus, process.terminationReason == .uncaughtSignal,
                String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }

    /// stderr without the line per finished experiment a run prints off a terminal.
    static func withoutProgress(_ stderr: String) -> String {
        stderr.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix("locality: [") }.joined(separator: "\n")
    }

    private func expectOneLine(_ stderr: String, containing text: String) {
        let stderr = Self.withoutProgress(stderr)
        #expect(stderr.split(separator: "\n").count == 1, "stderr: \(stderr)")
        #expect(stderr.hasPrefix("locality: error: "), "stderr: \(stderr)")
        #expect(stderr.contains(text), "stderr: \(stderr)")
    }

    // MARK: 1. --output onto links, FIFOs and devices

    @Test func outputIntoAFIFOWritesThroughItAndKeepsIt() throws {
        defer { cleanUp() }
        let fifo = dir + "/report.json"
        #expect(mkfifo(fifo, 0o600) == 0)
        // A reader already there (non-blocking, and the report fits the pipe's buffer): the
        // writer never waits, and a FIFO replaced instead of written leaves it empty.
        let reader = open(fifo, O_RDONLY | O_NONBLOCK)
        #expect(reader >= 0)
        defer { close(reader) }
        let result = try CLI.run(Self.quickRun + ["--output", fifo], workingDirectory: dir)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(type(fifo) == S_IFIFO)
        var bytes: [UInt8] = [], buffer = [UInt8](repeating: 0, count: 65536)
        while case let count = read(reader, &buffer, buffer.count), count > 0 { bytes += buffer[..<count] }
        #expect(String(decoding: bytes, as: UTF8.self).contains("\"schema\" : \"locality/1\""))
        #expect(try entries() == ["report.json"])
    }

    @Test func outputThroughASymlinkReplacesItsTargetAndKeepsTheLink() throws {
        defer { cleanUp() }
        try "old".write(toFile: dir + "/target.json", atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: dir + "/link.json", withDestinationPath: "target.json")
        let result = try CLI.run(Self.quickRun + ["--output", "link.json"], workingDirectory: dir)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(type(dir + "/link.json") == S_IFLNK)
        #expect(try String(contentsOfFile: dir + "/target.json", encoding: .utf8).contains("\"schema\" : \"locality/1\""))
        #expect(try entries() == ["link.json", "target.json"])
    }

    // MARK: 2. output targets checked before measuring; the report written last

    @Test(arguments: [
        (["--output", "out"], "--output: cannot write 'out': Is a directory"),
        (["--output", "out/"], "Is a directory"),
        (["--output", ""], "--output: cannot write '': the path is empty"),
        (["--output", "missing/report.json"], "directory 'missing' does not exist"),
        (["--plot", "keep.json"], "--plot: 'keep.json' is not a directory"),
        (["--plot", ""], "--plot: no directory named"),
        (["--plot", "missing"], "--plot: directory 'missing' does not exist"),
    ])
    func badOutputTargetsAreUsageErrors(options: [String], message: String) throws {
        defer { cleanUp() }
        try FileManager.default.createDirectory(atPath: dir + "/out", withIntermediateDirectories: false)
        try "keep".write(toFile: dir + "/keep.json", atomically: false, encoding: .utf8)
        let result = try CLI.run(Self.quickRun + options, workingDirectory: dir)
        #expect(result.status == 64)
        #expect(result.stdout.isEmpty)
        expectOneLine(result.stderr, containing: message)
        #expect(try entries() == ["keep.json", "out"])
        #expect(try entries("/out").isEmpty)
    }

    /// sim and probe share the option code: the same refusal, before valgrind or any probe.
    @Test(arguments: [["sim", "loop-order"], ["probe", "--no-second-run"]])
    func otherCommandsRefuseADirectoryAsOutputToo(command: [String]) throws {
        defer { cleanUp() }
        try FileManager.default.createDirectory(atPath: dir + "/out", withIntermediateDirectories: false)
        let result = try CLI.run(command + ["--output", "out"], workingDirectory: dir)
        #expect(result.status == 64)
        #expect(result.stdout.isEmpty)
        expectOneLine(result.stderr, containing: "--output: cannot write 'out': Is a directory")
    }

    @Test func aPlotThatCannotBeWrittenLeavesTheOldReport() throws {
        defer { cleanUp() }
        try "keep".write(toFile: dir + "/keep.json", atomically: false, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: dir + "/pd2/working-set-latency.svg", withIntermediateDirectories: true)
        let result = try CLI.run(["run", "working-set", "--sizes", "4K", "--repetitions", "1", "--events", "perf::PAGE-FAULTS",
                                  "--output", "keep.json", "--plot", "pd2"], workingDirectory: dir)
        #expect(result.status == 1)
        expectOneLine(result.stderr, containing: "cannot write 'pd2/working-set-latency.svg': Is a directory")
        #expect(try String(contentsOfFile: dir + "/keep.json", encoding: .utf8) == "keep")
        #expect(try entries() == ["keep.json", "pd2"])
    }

    /// A write that fails midway (the file size limit, EFBIG) keeps the old report and leaves
    /// no temporary file.
    @Test func aReportWriteFailingMidwayLeavesTheOldFileAndNoTemporary() throws {
        defer { cleanUp() }
        try "keep".write(toFile: dir + "/keep.json", atomically: false, encoding: .utf8)
        let null = try #require(FileHandle(forWritingAtPath: "/dev/null"))
        let result = try run(Self.quickRun + ["--output", "keep.json"], stdout: null,
                             shell: "trap '' XFSZ; ulimit -f 2; exec \"$@\"")
        #expect(result.status == 1)
        expectOneLine(result.stderr, containing: "cannot write 'keep.json': File too large")
        #expect(try String(contentsOfFile: dir + "/keep.json", encoding: .utf8) == "keep")
        #expect(try entries() == ["keep.json"])
    }

    // MARK: 3. stdout's write errors

    @Test(arguments: [
        ["run", "loop-order", "--sizes", "4K", "--repetitions", "1", "--events", "perf::PAGE-FAULTS", "--format", "json"],
        ["list"],
        ["probe", "--no-second-run", "--address", "0"],
    ])
    func aFullStdoutIsAFailure(arguments: [String]) throws {
        defer { cleanUp() }
        let full = try #require(FileHandle(forWritingAtPath: "/dev/full"))
        let result = try run(arguments, stdout: full)
        #expect(result.status == 1)
        expectOneLine(result.stderr, containing: "cannot write to stdout: No space left on device")
    }

    @Test func compareOntoAFullStdoutIsBadEnvironment() throws {
        defer { cleanUp() }
        let made = try CLI.run(Self.quickRun + ["--output", "base.json"], workingDirectory: dir)
        #expect(made.status == 0, "stderr: \(made.stderr)")
        let full = try #require(FileHandle(forWritingAtPath: "/dev/full"))
        let result = try run(["compare", "base.json", "base.json"], stdout: full)
        // 1 would read as "regressed" to a CI step: a stdout that cannot be written is bad environment.
        #expect(result.status == 2)
        expectOneLine(result.stderr, containing: "cannot write to stdout: No space left on device")
    }

    @Test func aClosedStdoutIsAFailureAndNoFileTakesItsPlace() throws {
        defer { cleanUp() }
        let null = try #require(FileHandle(forWritingAtPath: "/dev/null"))
        let result = try run(Self.quickRun + ["--format", "json", "--output", "report.json"], stdout: null,
                             shell: "exec \"$@\" >&-")
        #expect(result.status == 1)
        expectOneLine(result.stderr, containing: "cannot write to stdout: Bad file descriptor")
        // The report is written after stdout: a failed command leaves none.
        #expect(try entries().isEmpty)
    }

    /// A reader that went away (`| head -1`): a non-zero exit and no message, as SIGPIPE gives.
    @Test func aVanishedReaderEndsTheRunQuietly() throws {
        defer { cleanUp() }
        let pipe = Pipe()
        try pipe.fileHandleForReading.close()
        let result = try run(Self.quickRun + ["--format", "json"], stdout: pipe.fileHandleForWriting)
        #expect(result.signalled || result.status == 1)
        #expect(result.status != 0)
        #expect(Self.withoutProgress(result.stderr).isEmpty, "stderr: \(result.stderr)")
    }
}
