import CLocalitySupport
import Counters

/// How the runner samples.
public struct RunConfiguration: Sendable {
    /// Samples measured per variant and size, after the warm-up.
    public var repetitions: Int
    /// A sample repeats the pass until it lasts at least this long, so the timer's quantum
    /// (~10–30 ns here) and PAPI's start/stop (~5–9 µs) vanish in it.
    public var minimumSampleNanoseconds: UInt64
    /// One pass per sample, no calibration and no warm-up sample: for callgrind, whose counts
    /// are exact and whose time is ~10× slower.
    public var singlePass: Bool

    public init(repetitions: Int = 5, minimumSampleNanoseconds: UInt64 = 10_000_000, singlePass: Bool = false) {
        self.repetitions = repetitions
        self.minimumSampleNanoseconds = minimumSampleNanoseconds
        self.singlePass = singlePass
    }
}

/// A kernel returned another checksum than the one its working set implies: the variant does
/// different work, so its time means nothing.
public struct ChecksumMismatch: Error, CustomStringConvertible {
    public let experiment: String
    public let variant: String
    public let expected: Double
    public let actual: Double
    public var description: String {
        "\(experiment)/\(variant): checksum \(actual) differs from the expected \(expected)"
    }
}

/// Measures workloads: calibrate, warm up, then `repetitions` timed samples, each bracketed
/// whole by the counters (never single passes), once per counter group.
public struct Runner {
    public let configuration: RunConfiguration
    public let plan: CounterPlan
    private let library: PAPILibrary?

    public init(configuration: RunConfiguration, plan: CounterPlan, library: PAPILibrary?) {
        self.configuration = configuration
        self.plan = plan
        self.library = library
    }

    public func measure(_ workload: Workload, experiment: String, size: ByteSize) throws -> VariantResult {
        let checksum = workload.pass()
        if let expected = workload.expectedChecksum, expected != checksum {
            throw ChecksumMismatch(experiment: experiment, variant: workload.variant, expected: expected, actual: checksum)
        }
        let iterations = configuration.singlePass ? 1 : calibrate(workload)
        if !configuration.singlePass { _ = sample(workload, iterations: iterations) }

        let sets = try plan.groups.map { group -> EventSet in
            guard let library else { throw PAPIError(code: -1, call: "counters requested without PAPI") }
            let set = try EventSet(library: library)
            for event in group { try set.add(event) }
            return set
        }
        let label = "\(experiment)/\(workload.variant)/\(size)"
        var times: [Double] = []
        var counts: [String: [Double]] = [:]
        // Timing comes from the first group's samples; each further group re-runs the kernel
        // only for its counters, since the PMU cannot hold them all at once.
        for groupIndex in 0..<max(sets.count, 1) {
            let set = sets.isEmpty ? nil : sets[groupIndex]
            for _ in 0..<configuration.repetitions {
                let simulatedLabel = configuration.singlePass && groupIndex == 0 ? label : nil
                let result = try measuredSample(workload, iterations: iterations, eventSet: set, callgrindLabel: simulatedLabel)
                if groupIndex == 0 { times.append(Double(result.nanoseconds)) }
                for (event, value) in zip(set?.events ?? [], result.counts) {
                    counts[event.name, default: []].append(Double(value))
                }
            }
        }

        let units = Double(workload.units * iterations)
        let perElement = Summary(times.map { $0 / units })
        var counters: [String: CounterValue] = [:]
        for event in plan.available {
            guard let samples = counts[event.name] else { continue }
            let median = Summary(samples).median
            counters[event.name] = CounterValue(value: median, perElement: median / units, source: event.source)
        }
        let gbPerSecond = workload.bytesPerPass.map { bytes in
            perElement.median > 0 ? Double(bytes) / Double(workload.units) / perElement.median : 0
        }
        return VariantResult(
            experiment: experiment, variant: workload.variant, sizeBytes: size.rawValue,
            elements: workload.units, iterations: iterations, samples: configuration.repetitions,
            nsPerElement: perElement, gbPerSecond: gbPerSecond, counters: counters,
            unavailable: plan.unavailable.mapValues { $0.description }, checksum: checksum,
            extras: workload.extras)
    }

    /// Doubles the pass count until a sample lasts a tenth of the target, then scales up.
    func calibrate(_ workload: Workload) -> Int {
        let target = configuration.minimumSampleNanoseconds
        var iterations = 1
        while true {
            let elapsed = sample(workload, iterations: iterations)
            if elapsed >= target { return iterations }
            if elapsed >= target / 10 || iterations >= 1 << 30 {
                let scaled = Double(iterations) * Double(target) / Double(max(elapsed, 1)) * 1.1
                return max(iterations, Int(scaled.rounded(.up)))
            }
            iterations *= 2
        }
    }

    private func sample(_ workload: Workload, iterations: Int) -> UInt64 {
        (try? measuredSample(workload, iterations: iterations, eventSet: nil, callgrindLabel: nil).nanoseconds) ?? 0
    }

    private func measuredSample(_ workload: Workload, iterations: Int, eventSet: EventSet?,
                                callgrindLabel: String?) throws -> (nanoseconds: UInt64, counts: [Int64]) {
        let pass = workload.pass
        if callgrindLabel != nil {
            locality_callgrind_zero_stats()
            locality_callgrind_toggle_collect()
        }
        try eventSet?.start()
        let start = locality_monotonic_ns()
        for _ in 0..<iterations {
            locality_do_not_optimize_double(pass())
        }
        let end = locality_monotonic_ns()
        let counts = try eventSet?.stop() ?? []
        if let callgrindLabel {
            locality_callgrind_toggle_collect()
            locality_callgrind_dump_stats(callgrindLabel)
        }
        return (end &- start, counts)
    }
}
