import CLocalitySupport
import Counters

/// How the runner samples.
public struct RunConfiguration: Sendable {
    /// Samples measured per variant and size, after the warm-up.
    public var repetitions: Int
    /// A sample repeats the pass until it lasts at least this long, so the timer's quantum
    /// (~10–30 ns here) and PAPI's start/stop (~5–9 µs) vanish in it.
    public var minimumSampleNanoseconds: UInt64
    /// The last-level cache's size (sysfs's, or the simulated one under `sim`), which bounds
    /// the warm-up before each sample (see `Workload.warmUpPasses`); nil: one lap.
    public var lastLevelCacheBytes: Int?

    public init(repetitions: Int = 5, minimumSampleNanoseconds: UInt64 = 10_000_000, lastLevelCacheBytes: Int? = nil) {
        self.repetitions = repetitions
        self.minimumSampleNanoseconds = minimumSampleNanoseconds
        self.lastLevelCacheBytes = lastLevelCacheBytes
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

/// The measurement was stopped before it finished (`Runner.shouldStop`): the variants of the
/// size being measured have no result.
public struct MeasurementStopped: Error {}

/// Measures workloads: check the checksum, calibrate, warm up, then `repetitions` timed samples
/// per variant, interleaved across variants, each bracketed whole by the counters (never single
/// passes), once per counter group. Before every sample, untimed passes of the variant about to
/// be timed bring the caches into its own steady state, so that what the previous variant left
/// there (a stream through the same buffer) does not leak into it.
public struct Runner {
    public let configuration: RunConfiguration
    /// The machine's counters, or a simulator's (`sim`) under valgrind.
    public let backend: MeasurementBackend
    /// Told the variant about to be calibrated or sampled (for a progress line).
    public var onVariant: ((String) -> Void)?

    /// Asked before every pass and sample: true stops the measurement (`MeasurementStopped`),
    /// e.g. once a terminating signal has come. Nil never stops.
    public var shouldStop: (() -> Bool)?

    public init(configuration: RunConfiguration, backend: MeasurementBackend = .timesOnly, shouldStop: (() -> Bool)? = nil) {
        self.configuration = configuration
        self.backend = backend
        self.shouldStop = shouldStop
    }

    /// Timed samples with the PAPI events of `plan`.
    public init(configuration: RunConfiguration, plan: CounterPlan, library: PAPILibrary?, shouldStop: (() -> Bool)? = nil) {
        self.init(configuration: configuration, backend: .counters(plan, library: library), shouldStop: shouldStop)
    }

    /// Throws `MeasurementStopped` when `shouldStop` says so: nothing new is started.
    func checkStop() throws {
        if let shouldStop, shouldStop() { throw MeasurementStopped() }
    }

    /// The counter names this runner reports, in column order.
    public var counterNames: [String] { backend.counterNames }

    public func measure(_ workload: Workload, experiment: String, size: ByteSize) throws -> VariantResult {
        try measure([workload], experiment: experiment, size: size)[0]
    }

    /// Measures the variants of one size with their samples interleaved (A B C, A B C, …), so
    /// that a change in the machine's load during the run falls on every variant alike and the
    /// ratios between them stay fair.
    public func measure(_ workloads: [Workload], experiment: String, size: ByteSize) throws -> [VariantResult] {
        var checksums: [Double] = []
        var iterations: [Int] = []
        for workload in workloads {
            try checkStop()
            onVariant?(workload.variant)
            let checksum = workload.pass()
            if let expected = workload.expectedChecksum, expected != checksum {
                throw ChecksumMismatch(experiment: experiment, variant: workload.variant, expected: expected, actual: checksum)
            }
            checksums.append(checksum)
            // Under simulation one pass is exact. The warm-up sample also resolves the lazily
            // bound calls of the sampling code, which would otherwise land in the first
            // collected sample.
            let passes = backend.mode == .sim ? 1 : calibrate(workload)
            _ = sample(workload, iterations: passes)
            iterations.append(passes)
        }

        var times = [[Double]](repeating: [], count: workloads.count)
        var counts = [[String: (source: CounterSource, samples: [Double])]](repeating: [:], count: workloads.count)
        func record(_ index: Int, _ name: String, _ source: CounterSource, _ value: Double) {
            counts[index][name, default: (source, [])].samples.append(value)
        }
        switch backend {
        case let .simulation(simulation):
            let session = simulation.session
            for _ in 0..<configuration.repetitions {
                for (index, workload) in workloads.enumerated() {
                    let label = "\(experiment)/\(workload.variant)/\(size)"
                    // Callgrind's cache simulation runs on while collection is off, so the
                    // untimed warm-up puts the simulated caches in the same state on every run:
                    // the counts repeat exactly.
                    warmUp(workload)
                    let result = try measuredSample(workload, iterations: 1, eventSet: nil, callgrindLabel: label)
                    times[index].append(Double(result.nanoseconds))
                    let dump = try session.nextDump(label: label)
                    for name in session.reportedEvents { record(index, name, .simulated, Double(try dump.total(name))) }
                }
            }
        case let .counters(plan, library):
            let sets = try plan.groups.map { group -> EventSet in
                guard let library else { throw PAPIError(code: -1, call: "counters requested without PAPI") }
                let set = try EventSet(library: library)
                for event in group { try set.add(event) }
                return set
            }
            // Timing comes from the first group's samples; each further group re-runs the kernels
            // only for its counters, since the PMU cannot hold them all at once.
            for groupIndex in 0..<max(sets.count, 1) {
                let set = sets.isEmpty ? nil : sets[groupIndex]
                for _ in 0..<configuration.repetitions {
                    for (index, workload) in workloads.enumerated() {
                        try checkStop()
                        onVariant?(workload.variant)
                        warmUp(workload)
                        let result = try measuredSample(workload, iterations: iterations[index], eventSet: set, callgrindLabel: nil)
                        if groupIndex == 0 { times[index].append(Double(result.nanoseconds)) }
                        for (event, value) in zip(set?.events ?? [], result.counts) {
                            record(index, event.name, event.source, Double(value))
                        }
                    }
                }
            }
        }

        return workloads.indices.map { index in
            let workload = workloads[index]
            let units = Double(workload.units * iterations[index])
            let perElement = Summary(times[index].map { $0 / units })
            var counters: [String: CounterValue] = [:]
            for (name, entry) in counts[index] {
                let median = Summary(entry.samples).median
                let tolerance = entry.source == .simulated && Simulator.missEvents.contains(name)
                    ? workload.simulatedMissTolerance : nil
                counters[name] = CounterValue(value: median, perElement: median / units, source: entry.source,
                                              tolerance: tolerance)
            }
            let gbPerSecond = workload.bytesPerPass.map { bytes in
                perElement.median > 0 ? Double(bytes) / Double(workload.units) / perElement.median : 0
            }
            return VariantResult(
                experiment: experiment, variant: workload.variant, sizeBytes: size.rawValue,
                elements: workload.units, iterations: iterations[index], samples: configuration.repetitions,
                nsPerElement: perElement, gbPerSecond: gbPerSecond, counters: counters,
                unavailable: backend.unavailable,
                // Under valgrind a time the workload took itself is valgrind's too: left out.
                checksum: checksums[index], extras: backend.mode == .run ? workload.extras : workload.extras.filter { !$0.isTime },
                // Under valgrind the times are valgrind's: nothing to judge.
                noisy: backend.mode == .run
                    ? Noise.assess(time: perElement, cpuTime: counters.first { WellKnownEvent.isTaskClock($0.key) }?.value.perElement) : nil)
        }
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

    /// The untimed passes before a sample (`Workload.warmUpPasses`).
    func warmUp(_ workload: Workload) {
        for _ in 0..<workload.warmUpPasses(lastLevelBytes: configuration.lastLevelCacheBytes) {
            locality_do_not_optimize_double(workload.pass())
        }
    }

    private func sample(_ workload: Workload, iterations: Int) -> UInt64 {
        (try? measuredSample(workload, iterations: iterations, eventSet: nil, callgrindLabel: nil).nanoseconds) ?? 0
    }

    private func measuredSample(_ workload: Workload, iterations: Int, eventSet: EventSet?,
                                callgrindLabel: String?) throws -> (nanoseconds: UInt64, counts: [Int64]) {
        let pass = workload.pass
        try eventSet?.start()
        let start = locality_monotonic_ns()
        // Callgrind collects only between the toggles: the passes, not the clock reads.
        if callgrindLabel != nil {
            locality_callgrind_zero_stats()
            locality_callgrind_toggle_collect()
        }
        for _ in 0..<iterations {
            locality_do_not_optimize_double(pass())
        }
        if callgrindLabel != nil { locality_callgrind_toggle_collect() }
        let end = locality_monotonic_ns()
        let counts = try eventSet?.stop() ?? []
        if let callgrindLabel { locality_callgrind_dump_stats(callgrindLabel) }
        return (end &- start, counts)
    }
}
