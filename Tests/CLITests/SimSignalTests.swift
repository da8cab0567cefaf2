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

    @Test(arguments: [SIGINT, SIGTERM, SIGHUP, SIGQUIT])
    func aSignalStopsValgrindRemovesTheTemporaryDirectoryAndEndsLocalityByIt(signal: Int32) throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("locality-signal-\(UUID())").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        // Three experiments at 4M: tens of seconds under valgrind, so the signal, sent a second
        // after valgrind starts, surely comes while it runs.
        // Cores allowed, so that a SIGQUIT that dumped one would show (0x80 in the status).
        var cores = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_CORE.rawValue), &cores)
        let previous = cores
        cores.rlim_cur = cores.rlim_max
        setrlimit(__rlimit_resource_t(RLIMIT_CORE.rawValue), &cores)
        defer { var restore = previous; setrlimit(__rlimit_resource_t(RLIMIT_CORE.rawValue), &restore) }
        let pid = try spawn(["sim", "loop-order", "layout", "working-set", "--sizes", "4M"], in: scratch,
                            stdout: scratch + "/stdout", stderr: scratch + "/stderr")

        // valgrind is started (its own process group) with a log in the run's temporary directory.
        var valgrind: (pid: pid_t, directory: String)?
        let deadline = Date().addingTimeInterval(60)
        while valgrind == nil && Date() < deadline {
            for process in processes() where process.parent == pid && process.commandLine.contains("--tool=callgrind") {
                if let range = process.commandLine.range(of: "--log-file=/tmp/locality-sim-") {
                    let path = process.commandLine[range.upperBound...].prefix { $0 != "/" }
                    valgrind = (process.pid, "/tmp/locality-sim-" + path)
                }
            }
            if valgrind == nil { usleep(50_000) }
        }
        guard let valgrind else {
            kill(pid, SIGKILL)
            _ = wait(pid, seconds: 10)
            Issue.record("valgrind did not start under locality \(pid): \(read(scratch + "/stderr"))")
            return
        }
        // Left behind only if the test fails; removed so that a failure leaves nothing running.
        defer {
            if processes().contains(where: { $0.pid == valgrind.pid }) { kill(valgrind.pid, SIGKILL) }
            try? FileManager.default.removeItem(atPath: valgrind.directory)
        }
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
