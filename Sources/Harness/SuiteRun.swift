import Counters

/// A working set that does not fit in the memory this machine has free.
public struct InsufficientMemory: Error, CustomStringConvertible {
    public let experiment: String
    public let size: ByteSize
    public let footprint: Int
    public let available: Int
    public var description: String {
        "size \(size) for \(experiment) needs \(ByteSize(rawValue: footprint).approximate) but only "
            + "\(ByteSize(rawValue: available).approximate) is available (MemAvailable in /proc/meminfo)"
    }
}

/// Runs experiments over their sizes and gathers one report.
public struct SuiteRun {
    public let experiments: [any Experiment]
    /// The sizes given by `--sizes`; nil means each experiment's defaults.
    public let sizes: [ByteSize]?
    public let runner: Runner
    public let machine: MachineInfo
    public let options: RunOptions
    /// Called with a line before each measurement (the CLI shows it on a terminal).
    public var progress: ((String) -> Void)?

    public init(experiments: [any Experiment], sizes: [ByteSize]?, runner: Runner, machine: MachineInfo,
                options: RunOptions = RunOptions(), progress: ((String) -> Void)? = nil) {
        self.experiments = experiments
        self.sizes = sizes
        self.runner = runner
        self.machine = machine
        self.options = options
        self.progress = progress
    }

    public func sizes(for experiment: any Experiment) -> [ByteSize] {
        sizes ?? (runner.simulation != nil ? experiment.simulationSizes : experiment.defaultSizes)
    }

    /// Checks every size against MemAvailable before anything is allocated.
    public func validateMemory() throws {
        guard let available = machine.memAvailableBytes else { return }
        for experiment in experiments {
            for size in sizes(for: experiment) {
                let footprint = experiment.footprint(of: size)
                if footprint > available {
                    throw InsufficientMemory(experiment: experiment.name, size: size, footprint: footprint, available: available)
                }
            }
        }
    }

    /// The plots of every experiment for `report`'s results.
    public func plots(for report: RunReport) -> [Plot] {
        guard runner.simulation == nil else { return [] }
        return experiments.flatMap { experiment in
            experiment.plots(from: report.results.filter { $0.experiment == experiment.name }, machine: machine)
        }
    }

    /// Results whose samples had the CPU for less than 90% of their wall time, by the kernel's
    /// task clock: another process ran meanwhile, so their times are longer than the work.
    static func descheduled(_ results: [VariantResult], threshold: Double = 0.9) -> [String] {
        let taskClock = "perf::TASK-CLOCK"
        let short = results.compactMap { result -> (String, Double)? in
            guard let cpu = result.counters[taskClock]?.perElement, result.nsPerElement.median > 0 else { return nil }
            let share = cpu / result.nsPerElement.median
            let name = "\(result.experiment)/\(result.variant)/\(ByteSize(rawValue: result.sizeBytes))"
            return share < threshold ? (name, share) : nil
        }
        guard !short.isEmpty else { return [] }
        let listed = short.prefix(6).map { "\($0.0) \(Int(($0.1 * 100).rounded()))%" }.joined(separator: ", ")
        return ["descheduled: \(short.count) result(s) had the CPU for under \(Int(threshold * 100))% of their wall time "
            + "(\(taskClock) against ns/elem: \(listed)\(short.count > 6 ? ", …" : "")); another process ran meanwhile, "
            + "so read their times with care"]
    }

    /// Findings and plots read times and the process's memory: under valgrind both are
    /// valgrind's, so a simulated run has none.
    private func findings(of experiment: any Experiment, _ results: [VariantResult]) -> [String] {
        guard runner.simulation == nil else { return [] }
        return experiment.findings(from: results.filter { $0.experiment == experiment.name }, machine: machine)
    }

    /// Measures every experiment at its sizes. `simulatedCaches` is the geometry callgrind
    /// simulates, when the runner reads callgrind.
    public func run(simulatedCaches: CacheGeometry? = nil) throws -> RunReport {
        try validateMemory()
        var results: [VariantResult] = []
        for experiment in experiments {
            for size in sizes(for: experiment) {
                progress?("\(experiment.name) \(size)")
                let workloads = try experiment.prepare(size: size, options: options)
                results += try runner.measure(workloads, experiment: experiment.name, size: size)
            }
        }
        results.computeRatios(baselines: Dictionary(experiments.map { ($0.name, $0.baselineVariant) }) { first, _ in first })
        let plan = runner.plan
        var notes: [String] = []
        if runner.simulation != nil {
            notes.append("counts are callgrind's cache simulation (sim) of one pass after a warm-up pass; "
                + "times under valgrind are ~50× the real ones and are not comparable with `locality run`")
        } else if plan.groups.count > 1 {
            notes.append("the requested hardware events do not fit the PMU at once: each kernel ran once per "
                + "counter group (\(plan.groups.count) groups, no multiplexing); times come from the first group")
        }
        if runner.simulation == nil {
            notes += Self.descheduled(results)
        }
        return RunReport(
            mode: runner.simulation != nil ? "sim" : "run", machine: machine,
            configuration: .init(repetitions: runner.configuration.repetitions,
                                 minimumSampleNanoseconds: runner.configuration.minimumSampleNanoseconds,
                                 events: runner.counterNames, counterGroups: plan.groups.count,
                                 simulatedCaches: simulatedCaches),
            results: results, notes: notes,
            experiments: experiments.map { experiment in
                .init(name: experiment.name, summary: experiment.summary, unit: experiment.unit,
                      baseline: experiment.baselineVariant,
                      findings: findings(of: experiment, results))
            })
    }
}
