/// The totals of one callgrind dump file (`callgrind.out.PID.N`).
///
/// Reads the `events:` line (the names, e.g. `Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw`) and the
/// `summary:` line (their totals). Callgrind omits trailing zero fields, so a short summary
/// means zeros, not missing data.
public struct CallgrindDump: Equatable, Sendable {
    /// The name the dump was requested with (`desc: Trigger: Client Request: NAME`), if any.
    public let trigger: String?
    /// Event name → total.
    public let totals: [String: Int64]

    public init(parsing text: String) throws(CallgrindDumpError) {
        var events: [String]?
        var summary: [Int64]?
        var trigger: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("events:") {
                events = line.dropFirst("events:".count).split(separator: " ").map(String.init)
            } else if line.hasPrefix("summary:") {
                var values: [Int64] = []
                for field in line.dropFirst("summary:".count).split(separator: " ") {
                    guard let value = Int64(field) else { throw .badNumber(String(field)) }
                    values.append(value)
                }
                summary = values
            } else if line.hasPrefix("desc: Trigger: Client Request: ") {
                trigger = String(line.dropFirst("desc: Trigger: Client Request: ".count))
            }
        }
        guard let events, !events.isEmpty else { throw .missing("events:") }
        guard let summary else { throw .missing("summary:") }
        guard summary.count <= events.count else { throw .tooManyFields(summary.count, events.count) }
        var totals: [String: Int64] = [:]
        for (index, name) in events.enumerated() {
            totals[name] = index < summary.count ? summary[index] : 0
        }
        self.trigger = trigger
        self.totals = totals
    }

    /// The total of `event`; throws when the dump did not count it (callgrind counts cache
    /// misses only with `--cache-sim=yes`), rather than reading its absence as zero.
    public func total(_ event: String) throws(CallgrindDumpError) -> Int64 {
        guard let value = totals[event] else { throw .eventNotCounted(event) }
        return value
    }

    /// The events Locality reports, in table order: instructions, data reads and writes, D1
    /// read and write misses, last-level read and write misses.
    public static let reportedEvents = SimulatedEvent.names(events)
    /// `reportedEvents`, typed.
    public static let events: [SimulatedEvent] = [.instructions, .dataReads, .dataWrites, .l1DataReadMisses,
                                                  .l1DataWriteMisses, .lastLevelReadMisses, .lastLevelWriteMisses]
}

public enum CallgrindDumpError: Error, Equatable, CustomStringConvertible {
    case missing(String)
    case badNumber(String)
    case tooManyFields(Int, Int)
    case eventNotCounted(String)
    case unexpectedTrigger(expected: String, found: String?)

    public var description: String {
        switch self {
        case let .missing(line): return "callgrind dump has no '\(line)' line"
        case let .badNumber(field): return "callgrind dump has a non-numeric total '\(field)'"
        case let .tooManyFields(got, events): return "callgrind summary has \(got) fields for \(events) events"
        case let .eventNotCounted(event): return "callgrind dump has no '\(event)' counts (is its cache simulation on?)"
        case let .unexpectedTrigger(expected, found):
            return "callgrind dump is for '\(found ?? "no client request")', expected '\(expected)'"
        }
    }
}
