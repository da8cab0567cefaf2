import Foundation

/// Everything one `locality run` produced: the JSON document of schema `locality/1`.
public struct RunReport: Codable, Equatable, Sendable {
    public static let schemaName = "locality/1"

    public var schema: String
    /// The subcommand that produced it: `run` (timed, PAPI counters) or `sim` (callgrind).
    public var mode: String
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

    public struct Configuration: Codable, Equatable, Sendable {
        public var repetitions: Int
        public var minimumSampleNanoseconds: UInt64
        public var events: [String]
        /// How many times each kernel ran per sample set: once per counter group.
        public var counterGroups: Int
        /// The caches callgrind simulated (`locality sim` only).
        public var simulatedCaches: CacheGeometry?

        enum CodingKeys: String, CodingKey {
            case repetitions, minimumSampleNanoseconds = "min_sample_ns", events, counterGroups = "counter_groups"
            case simulatedCaches = "simulated_caches"
        }

        public init(repetitions: Int, minimumSampleNanoseconds: UInt64, events: [String], counterGroups: Int,
                    simulatedCaches: CacheGeometry? = nil) {
            self.repetitions = repetitions
            self.minimumSampleNanoseconds = minimumSampleNanoseconds
            self.events = events
            self.counterGroups = counterGroups
            self.simulatedCaches = simulatedCaches
        }
    }

    public struct ExperimentInfo: Codable, Equatable, Sendable {
        public var name: String
        public var summary: String
        public var unit: String
        public var baseline: String
        /// The experiment's conclusions from this run (see `Experiment.findings`).
        public var findings: [String]

        public init(name: String, summary: String, unit: String, baseline: String, findings: [String] = []) {
            self.name = name
            self.summary = summary
            self.unit = unit
            self.baseline = baseline
            self.findings = findings
        }
    }

    public init(mode: String, machine: MachineInfo, configuration: Configuration, results: [VariantResult],
                notes: [String], experiments: [ExperimentInfo]) {
        self.schema = Self.schemaName
        self.mode = mode
        self.machine = machine
        self.configuration = configuration
        self.results = results
        self.notes = notes
        self.experiments = experiments
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
