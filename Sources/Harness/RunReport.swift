import Foundation

/// The subcommand a report comes from, as its JSON `mode` names it.
public enum RunMode: String, Codable, Sendable {
    /// Timed samples with PAPI counters (`hw`, `sw`).
    case run
    /// Counts from a cache and TLB simulator (`sim`), no times.
    case sim
}

/// Everything one `locality run` produced: the JSON document of schema `locality/1`.
public struct RunReport: Codable, Equatable, Sendable {
    public static let schemaName = "locality/1"

    public var schema: String
    /// The subcommand that produced it: `run` (timed, PAPI counters) or `sim` (simulated counts).
    public var mode: RunMode
    public var machine: MachineInfo
    public var configuration: Configuration
    public var results: [VariantResult]
    /// One-line remarks a reader needs, e.g. that counters were read in several groups.
    public var notes: [String]
    /// Experiment name → what it shows, its unit and baseline variant, in run order.
    public var experiments: [ExperimentInfo]
    /// false when the run was interrupted and holds only what was measured before (`"complete":
    /// false`, with `interruption` saying why); absent from a complete report.
    public var complete: Bool?
    public var interruption: String?
    /// When, where and how the run was made (nil in reports written before it was recorded).
    public var context: RunContext?

    enum CodingKeys: String, CodingKey {
        case schema, mode, machine, configuration, results, notes, experiments, context, complete, interruption
        case unavailableReasons = "unavailable_reasons"
    }

    /// In JSON each distinct reason an event could not be counted is written once, in
    /// `unavailable_reasons` (id → reason); a result's `unavailable` maps the event to the id.
    /// Reports without that map (older ones) hold the reasons in each result, and read as well.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        schema = try c.decode(String.self, forKey: .schema)
        mode = try c.decode(RunMode.self, forKey: .mode)
        machine = try c.decode(MachineInfo.self, forKey: .machine)
        configuration = try c.decode(Configuration.self, forKey: .configuration)
        results = try c.decode([VariantResult].self, forKey: .results)
        notes = try c.decode([String].self, forKey: .notes)
        experiments = try c.decode([ExperimentInfo].self, forKey: .experiments)
        context = try c.decodeIfPresent(RunContext.self, forKey: .context)
        complete = try c.decodeIfPresent(Bool.self, forKey: .complete)
        interruption = try c.decodeIfPresent(String.self, forKey: .interruption)
        if let reasons = try c.decodeIfPresent([String: String].self, forKey: .unavailableReasons) {
            for index in results.indices {
                results[index].unavailable = results[index].unavailable.mapValues { reasons[$0] ?? $0 }
            }
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(schema, forKey: .schema)
        try c.encode(mode, forKey: .mode)
        try c.encode(machine, forKey: .machine)
        try c.encode(configuration, forKey: .configuration)
        try c.encode(notes, forKey: .notes)
        try c.encode(experiments, forKey: .experiments)
        try c.encodeIfPresent(context, forKey: .context)
        try c.encodeIfPresent(complete, forKey: .complete)
        try c.encodeIfPresent(interruption, forKey: .interruption)
        let ids = unavailableReasonIDs
        var encoded = results
        for index in encoded.indices { encoded[index].unavailable = encoded[index].unavailable.mapValues { ids[$0] ?? $0 } }
        if !ids.isEmpty {
            try c.encode(Dictionary(ids.map { ($0.value, $0.key) }) { first, _ in first }, forKey: .unavailableReasons)
        }
        // Under simulation the times are valgrind's: a `sim` report holds counts, not times.
        try c.encode(encoded.map { VariantResult.Encoded(result: $0, timed: mode != .sim) }, forKey: .results)
    }

    /// Each distinct reason → its id (`r1`, `r2`, … in the order the events were requested).
    public var unavailableReasonIDs: [String: String] {
        var ids: [String: String] = [:]
        // Each name once: the list holds it once per result that could not count it.
        var seen: Set<String> = []
        let names = (counterNames + results.flatMap { $0.unavailable.keys.sorted() }).filter { seen.insert($0).inserted }
        for name in names {
            for result in results {
                if let reason = result.unavailable[name], ids[reason] == nil { ids[reason] = "r\(ids.count + 1)" }
            }
        }
        return ids
    }

    public struct Configuration: Codable, Equatable, Sendable {
        public var repetitions: Int
        public var minimumSampleNanoseconds: UInt64
        public var events: [String]
        /// How many times each kernel ran per sample set: once per counter group.
        public var counterGroups: Int
        /// The caches simulated (`locality sim` only).
        public var simulatedCaches: CacheGeometry?
        /// The data TLBs simulated (`locality sim` under locsim only).
        public var simulatedTLBs: TLBGeometry?
        /// The valgrind tool that simulated (`locality sim` only; absent in older reports: callgrind).
        public var simulator: Simulator?

        enum CodingKeys: String, CodingKey {
            case repetitions, minimumSampleNanoseconds = "min_sample_ns", events, counterGroups = "counter_groups"
            case simulatedCaches = "simulated_caches", simulatedTLBs = "simulated_tlbs", simulator
        }

        public init(repetitions: Int, minimumSampleNanoseconds: UInt64, events: [String], counterGroups: Int,
                    simulatedCaches: CacheGeometry? = nil, simulatedTLBs: TLBGeometry? = nil, simulator: Simulator? = nil) {
            self.repetitions = repetitions
            self.minimumSampleNanoseconds = minimumSampleNanoseconds
            self.events = events
            self.counterGroups = counterGroups
            self.simulatedCaches = simulatedCaches
            self.simulatedTLBs = simulatedTLBs
            self.simulator = simulator
        }
    }

    public struct ExperimentInfo: Codable, Equatable, Sendable {
        public var name: String
        public var summary: String
        public var unit: String
        public var baseline: String
        /// The experiment's conclusions from this run (see `Experiment.findings`).
        public var findings: [String]
        /// What each size holds on this machine ("L1d", "8 pages"), keyed by the size (`4K`).
        public var sizeLabels: [String: String]?
        /// The sizes a terminal's table shows of a long sweep (see `Experiment.keySizes`).
        public var keySizes: KeySizes?

        enum CodingKeys: String, CodingKey {
            case name, summary, unit, baseline, findings, sizeLabels = "size_labels", keySizes = "key_sizes"
        }

        public init(name: String, summary: String, unit: String, baseline: String, findings: [String] = [],
                    sizeLabels: [String: String]? = nil, keySizes: KeySizes? = nil) {
            self.name = name
            self.summary = summary
            self.unit = unit
            self.baseline = baseline
            self.findings = findings
            self.sizeLabels = sizeLabels
            self.keySizes = keySizes
        }
    }

    public init(mode: RunMode, machine: MachineInfo, configuration: Configuration, results: [VariantResult],
                notes: [String], experiments: [ExperimentInfo], context: RunContext? = nil) {
        self.schema = Self.schemaName
        self.mode = mode
        self.machine = machine
        self.configuration = configuration
        self.results = results
        self.notes = notes
        self.experiments = experiments
        self.context = context
    }

    /// Reads a report, checking the schema.
    public static func decode(_ data: Data) throws -> RunReport {
        let report = try JSONDecoder().decode(RunReport.self, from: data)
        guard report.schema == schemaName else {
            throw ReportError.wrongSchema(found: report.schema)
        }
        return report
    }

    /// The events named in the results, in the order they were requested.
    /// Linear in the results: a set remembers the names seen (a 100k-result report asks this once).
    public var counterNames: [String] {
        var names = configuration.events
        var seen = Set(names)
        for result in results {
            for name in result.counters.keys.sorted() where !seen.contains(name) {
                seen.insert(name)
                names.append(name)
            }
        }
        return names
    }
}

public enum ReportError: Error, CustomStringConvertible, Equatable {
    case wrongSchema(found: String)
    case cannotInferFormat(path: String)

    public var description: String {
        switch self {
        case let .wrongSchema(found): return "schema is '\(found)', expected '\(RunReport.schemaName)'"
        case let .cannotInferFormat(path):
            return "cannot tell the format of '\(path)' from its extension (use .json, .csv, .md or .txt)"
        }
    }
}
