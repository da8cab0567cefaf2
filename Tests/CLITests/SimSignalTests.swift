import Foundation
import Testing

/// A Ctrl-C (or SIGTERM, SIGHUP) to `locality sim` stops valgrind too, removes the temporary
/// directory and exits 128 + the signal, saying nothing more.
@Suite(.serialized) struct SimSignalTests {
    /// Starts `locality` with SIGINT, SIGTERM and SIGHUP at their defaults, as from an
    /// interactive shell (a background job of a script would inherit SIGINT ignored), with
    /// stdout and stderr to files.
    /// Starts locality in `directory` (where a core dump would land).
    private func spawn(_ arguments: [String], in directory: String, stdout: String, stderr: String) throws -> pid_t {
        // sh changes directory, then becomes locality (exec: the same pid).
        try CLI.spawnShell("cd \"$0\" && exec \"$@\"", [directory, CLI.binary] + arguments, stdout: stdout, stderr: stderr)
    }

    private func read(_ path: String) -> String {
        (try? Data(contentsOf: URL(fileURLWithPath: path))).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    /// Every process: its id, parent's id and command line (arguments joined by spaces).
    private func processes() -> [(pid: pid_t, parent: pid_t, commandLine: String)] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry in
            guard let pid = pid_t(entry) else { return nil }
            let stat = read("/proc/\(pid)/stat")
            // "pid (comm) state ppid …": comm may hold spaces and parentheses.
            guard let close = stat.lastIndex(of: ")") else { return nil }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 1, let parent = pid_t(fields[1]) else { return nil }
            let commandLine = read("/proc/\(pid)/cmdline").replacingOccurrences(of: "\0", with: " ")
            return (pid, parent, commandLine)
        }
    }

    /// Waits up to `seconds` for `pid` to end; its wait status, or nil.
    private func wait(_ pid: pid_t, seconds: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            var status: Int32 = 0
            let done = waitpid(pid, &status, WNOHANG)
            if done == pid { return status }
            if done < 0 { return nil }
            usleep(50_000)
        }
        return nil
    }

    /// valgrind started by `pid` (its own process group), with its log in the run's temporary
    /// directory: its pid and that directory, once it runs (nil if it never does).
    private func valgrind(startedBy pid: pid_t) -> (pid: pid_t, directory: String)? {
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            for process in processes() where process.parent == pid && process.commandLine.contains("--tool=") {
                if let range = process.commandLine.range(of: "--log-file=/tmp/locality-sim-") {
                    let path = process.commandLine[range.upperBound...].prefix { $0 != "/" }
                    return (process.pid, "/tmp/locality-sim-" + path)
                }
            }
            usleep(50_000)
        }
        return nil
    }

    /// Starts a long `locality sim` (three experiments at 4M: tens of seconds under valgrind) in
    /// `scratch`, and waits for its valgrind: locality's pid and valgrind's pid and directory,
    /// or nil (locality then killed, the failure recorded).
    private func startSim(in scratch: String) throws -> (locality: pid_t, valgrind: (pid: pid_t, directory: String))? {
        let pid = try spawn(["sim", "loop-order", "layout", "working-set", "--sizes", "4M"], in: scratch,
                            stdout: scratch + "/stdout", stderr: scratch + "/stderr")
        guard let valgrind = valgrind(startedBy: pid) else {
            kill(pid, SIGKILL)
            _ = wait(pid, seconds: 10)
            Issue.record("valgrind did not start under locality \(pid): \(read(scratch + "/stderr"))")
            return nil
        }
        return (pid, valgrind)
    }

    /// Kills what a failed test left running and removes valgrind's directory.
    private func cleanUp(_ valgrind: (pid: pid_t, directory: String)) {
        if processes().contains(where: { $0.pid == valgrind.pid }) { kill(valgrind.pid, SIGKILL) }
        try? FileManager.default.removeItem(atPath: valgrind.directory)
    }

    /// SIGKILL gives locality no chance to clean up: valgrind dies with it (PR_SET_PDEATHSIG) and
    /// the next `locality sim` removes the directory left behind.
    @Test func aKilledSimTakesValgrindWithItAndTheNextRunRemovesItsDirectory() throws {
        CLI.simDirectories.lock()
        defer { CLI.simDirectories.unlock() }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("locality-kill-\(UUID())").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        guard let (pid, valgrind) = try startSim(in: scratch) else { return }
        defer { cleanUp(valgrind) }
        kill(pid, SIGKILL)
        #expect(wait(pid, seconds: 30).map { $0 & 0x7f } == SIGKILL)
        // The kernel sends valgrind its SIGKILL as locality dies; it is gone once reaped by init.
        var running = true
        for _ in 0..<200 where running {
            let entry = processes().first { $0.pid == valgrind.pid }
            running = entry != nil && !read("/proc/\(valgrind.pid)/stat").contains(") Z ")
            if running { usleep(50_000) }
        }
        #expect(!running, "valgrind \(valgrind.pid) outlived its parent")
        // The directory is left behind, unless another test's sim, running meanwhile, has already
        // removed it as stale: either way, after the next run it must be gone.
        let next = try CLI.run(["sim", "loop-order", "--sizes", "4K"])
        #expect(next.status == 0, "\(next.stderr)")
        #expect(!FileManager.default.fileExists(atPath: valgrind.directory), "\(valgrind.directory) was left behind")
    }

    /// valgrind failing without a word (here a stand-in that exits 3) is one line and exit 1,
    /// not its status passed through in silence.
    @Test func aSilentValgrindFailureIsOneLineAndExitOne() throws {
        let bin = FileManager.default.temporaryDirectory.appendingPathComponent("locality-fake-\(UUID())").path
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: bin) }
        try "#!/bin/sh\nexit 3\n".write(toFile: bin + "/valgrind", atomically: true, encoding: .utf8)
        chmod(bin + "/valgrind", 0o755)
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = bin + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        let result = try CLI.run(["sim", "loop-order", "--sizes", "4K"], environment: environment)
        #expect(result.status == 1)
        #expect(result.stderr == "locality: error: valgrind exited with status 3 and said nothing\n",
                "\(result.stderr)")
    }

    @Test(arguments: [SIGINT, SIGTERM, SIGHUP, SIGQUIT])
    func aSignalStopsValgrindRemovesTheTemporaryDirectoryAndEndsLocalityByIt(signal: Int32) throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("locality-signal-\(UUID())").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        // The signal, sent a second after valgrind starts, surely comes while it runs.
        // Cores allowed, so that a SIGQUIT that dumped one would show (0x80 in the status).
        var cores = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_CORE.rawValue), &cores)
        let previous = cores
        cores.rlim_cur = cores.rlim_max
        setrlimit(__rlimit_resource_t(RLIMIT_CORE.rawValue), &cores)
        defer { var restore = previous; setrlimit(__rlimit_resource_t(RLIMIT_CORE.rawValue), &restore) }
        guard let (pid, valgrind) = try startSim(in: scratch) else { return }
        // Left behind only if the test fails; removed so that a failure leaves nothing running.
        defer { cleanUp(valgrind) }
        #expect(FileManager.default.fileExists(atPath: valgrind.directory))
        usleep(1_000_000)  // well into the simulation

        kill(pid, signal)
        guard let status = wait(pid, seconds: 60) else {
            kill(pid, SIGKILL)
            _ = wait(pid, seconds: 10)
            Issue.record("locality did not end within 60 s of signal \(signal)")
            return
        }
        // Ended by the signal itself (so that a shell loop stops too), not by exit(128 + it),
        // and without a core dump, even for SIGQUIT (0x80: core dumped).
        #expect(status & 0x7f == signal, "locality's wait status is \(status)")
        #expect(status & 0x80 == 0, "locality dumped core")
        #expect(read(scratch + "/stdout").isEmpty)
        #expect(read(scratch + "/stderr").isEmpty, "stderr: \(read(scratch + "/stderr"))")
        let leftovers = processes().filter { $0.pid == valgrind.pid || $0.commandLine.contains(valgrind.directory) }
        #expect(leftovers.isEmpty, "still running: \(leftovers.map(\.commandLine))")
        #expect(!FileManager.default.fileExists(atPath: valgrind.directory), "\(valgrind.directory) was left behind")
    }
}
