import CLocalitySupport
import Foundation

/// Reads, from inside a process that runs under callgrind, the dump each measured sample
/// requested (`CALLGRIND_DUMP_STATS_AT`). Valgrind writes the dump before the client request
/// returns, so the file is complete when `nextDump(label:)` reads it.
public final class CallgrindSession {
    /// The `--callgrind-out-file` base path; dumps are written as BASE.1, BASE.2, …
    public let outputBase: String
    /// The events each dump must have, in table order (`Simulator.reportedEvents`).
    public let reportedEvents: [String]
    /// Events the simulator does not count, each with why (`Simulator.unsimulatedEvents`).
    public let unavailable: [String: String]
    private var seen: Set<String> = []

    public init(outputBase: String, reportedEvents: [String] = CallgrindDump.reportedEvents, unavailable: [String: String] = [:]) {
        self.outputBase = outputBase
        self.reportedEvents = reportedEvents
        self.unavailable = unavailable
    }

    /// True when this process runs under valgrind.
    public static var isRunningUnderValgrind: Bool { locality_running_on_valgrind() != 0 }

    /// Parses and removes the dump written since the last call, which must be the one
    /// requested as `label`: a stray or out-of-order dump never lands on another variant.
    public func nextDump(label: String) throws -> CallgrindDump {
        let url = URL(fileURLWithPath: outputBase)
        let directory = url.deletingLastPathComponent().path
        let prefix = url.lastPathComponent + "."
        let names = try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { $0.hasPrefix(prefix) && Int($0.dropFirst(prefix.count)) != nil && !seen.contains($0) }
            .sorted { Int($0.dropFirst(prefix.count))! < Int($1.dropFirst(prefix.count))! }
        guard let name = names.first else {
            throw CallgrindDumpError.missing("dump file \(outputBase).N")
        }
        seen.insert(name)
        let path = directory + "/" + name
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try? FileManager.default.removeItem(atPath: path)
        let dump = try CallgrindDump(parsing: text)
        guard dump.trigger == label else { throw CallgrindDumpError.unexpectedTrigger(expected: label, found: dump.trigger) }
        return dump
    }
}
