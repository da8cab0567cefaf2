import Counters

/// A working set that does not fit in the memory this process may still take: MemAvailable,
/// the address-space limit (RLIMIT_AS), its cgroup's memory limit or the kernel's commit
/// limit, whichever refuses it.
public struct InsufficientMemory: Error, CustomStringConvertible {
    public let experiment: String
    public let size: ByteSize
    /// The bytes the limit counts: memory occupied, or address space for RLIMIT_AS and the
    /// commit limit.
    public let footprint: Int
    public let limit: MemoryLimit
    /// What the limit leaves.
    public var available: Int { limit.remainingBytes }

    public init(experiment: String, size: ByteSize, footprint: Int, limit: MemoryLimit) {
        self.experiment = experiment
        self.size = size
        self.footprint = footprint
        self.limit = limit
    }

    public var description: String {
        let needs = "size \(size) for \(experiment) needs \(MemoryLimit.bytes(footprint))"
        switch limit.kind {
        case .memAvailable:
            return needs + " but only \(MemoryLimit.bytes(available)) is available (\(limit.source))"
        case .addressSpace, .commitLimit:
            return needs + " of address space, more than the \(MemoryLimit.bytes(available)) left under \(limit.source)"
        case .cgroup:
            return needs + ", more than the \(MemoryLimit.bytes(available)) left under \(limit.source)"
        }
    }
}

/// A size given by `--sizes` below an experiment's smallest (`Experiment.minimumSize`).
public struct SizeBelowMinimum: Error, CustomStringConvertible, Equatable {
    public let experiment: String
    public let size: ByteSize
    public let minimum: ByteSize

    public var description: String {
        "size \(size) is too small for \(experiment): its smallest size is \(Self.bytes(minimum))"
    }

    static func bytes(_ size: ByteSize) -> String { size.rawValue < 1024 ? "\(size.rawValue) bytes" : size.description }
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
    /// The limits the memory check applies; nil reads this process's when checking
    /// (MemAvailable from `machine`). Tests set fixed ones.
    public var memoryLimits: MemoryLimits?

    public init(experiments: [any Experiment], sizes: [ByteSize]?, runner: Runner, machine: MachineInfo,
                options: RunOptions = RunOptions(), progress: ((String) -> Void)? = nil) {
        self.experiments = experiments
        self.sizes = sizes
        self.runner = runner
        self.machine = machine
        self.options = options
        self.progress = progress
    }

    /// The sizes given, else the experiment's defaults (simulation's under valgrind), before
    /// any trimming to the memory limits (see `plannedSizes`).
    public func sizes(for experiment: any Experiment) -> [ByteSize] {
        sizes ?? (runner.simulation != nil ? experiment.simulationSizes : experiment.defaultSizes)
    }

    /// The limits the memory check applies: `memoryLimits`, else this process's.
    func currentLimits() -> MemoryLimits {
        memoryLimits ?? MemoryLimits.current(memAvailable: machine.memAvailableBytes)
    }

    /// The sizes each experiment will measure, and the default sizes left out because a memory
    /// limit refuses them, each with the limit that does. Sizes given by `--sizes` are never
    /// left out (`validateMemory` refuses them instead), nor under valgrind (its parent checked).
    public func plannedSizes(limits: MemoryLimits?) -> (sizes: [String: [ByteSize]], leftOut: [InsufficientMemory]) {
        var planned: [String: [ByteSize]] = [:]
        var leftOut: [InsufficientMemory] = []
        for experiment in experiments {
            var kept: [ByteSize] = []
            for size in sizes(for: experiment) {
                if sizes == nil, runner.simulation == nil, let limits,
                   let (limit, needed) = limits.refusing(footprint: experiment.footprint(of: size),
                                                         addressSpace: experiment.addressSpace(of: size)) {
                    leftOut.append(InsufficientMemory(experiment: experiment.name, size: size, footprint: needed, limit: limit))
                } else {
                    kept.append(size)
                }
            }
            planned[experiment.name] = kept
        }
        return (planned, leftOut)
    }

    /// One note per experiment whose default sizes a memory limit cut: which, and why.
    static func leftOutNotes(_ leftOut: [InsufficientMemory]) -> [String] {
        var byExperiment: [(String, [InsufficientMemory])] = []
        for entry in leftOut {
            if let index = byExperiment.firstIndex(where: { $0.0 == entry.experiment }) {
                byExperiment[index].1.append(entry)
            } else {
                byExperiment.append((entry.experiment, [entry]))
            }
        }
        return byExperiment.map { name, entries in
            "\(name): default size(s) \(entries.map(\.size.description).joined(separator: ", ")) left out under the memory "
                + "limits (the first: \(entries[0].description))"
        }
    }

    /// Refuses, before anything is allocated, a size whose footprint exceeds what any limit
    /// leaves: MemAvailable, the cgroup's memory limit less its usage, and (against the address
    /// space the experiment maps) RLIMIT_AS less the current VmSize and, under strict
    /// overcommit, CommitLimit less Committed_AS. The tightest limit that refuses is named.
    public func validateMemory() throws {
        let limits = currentLimits()
        for experiment in experiments {
            for size in sizes(for: experiment) {
                if let (limit, needed) = limits.refusing(footprint: experiment.footprint(of: size),
                                                         addressSpace: experiment.addressSpace(of: size)) {
                    throw InsufficientMemory(experiment: experiment.name, size: size, footprint: needed, limit: limit)
                }
            }
        }
    }

    /// The first size of `sizes` (given by `--sizes`) below the minimum of an experiment, or
    /// nil. Each experiment's own default sizes are never below it.
    public static func sizeBelowMinimum(experiments: [any Experiment], sizes: [ByteSize]?) -> SizeBelowMinimum? {
        guard let sizes else { return nil }
        for experiment in experiments {
            if let size = sizes.first(where: { $0 < experiment.minimumSize }) {
                return SizeBelowMinimum(experiment: experiment.name, size: size, minimum: experiment.minimumSize)
            }
        }
        return nil
    }

    /// Refuses sizes below an experiment's minimum, before anything is measured.
    public func validateSizes() throws {
        if let tooSmall = Self.sizeBelowMinimum(experiments: experiments, sizes: sizes) { throw tooSmall }
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
        try validateSizes()
        // Under valgrind the parent has checked already (`locality sim` does before launching
        // it), and the process's VmSize is valgrind's. Reading the limits there would also move
        // glibc's heap, and with it the simulated counts of heap-placed kernels.
        // Default sizes that a limit refuses are left out, with a note; given ones are refused.
        let limits = runner.simulation == nil ? currentLimits() : nil
        if sizes != nil, runner.simulation == nil { try validateMemory() }
        let (planned, leftOut) = plannedSizes(limits: limits)
        var results: [VariantResult] = []
        // Where the runner's `shouldStop` stopped the run: what was measured before is kept.
        var stoppedAt: String?
        measuring: for experiment in experiments {
            for size in planned[experiment.name] ?? [] {
                do {
                    try runner.checkStop()
                    progress?("\(experiment.name) \(size)")
                    let workloads = try experiment.prepare(size: size, options: options)
                    results += try runner.measure(workloads, experiment: experiment.name, size: size)
                } catch is MeasurementStopped {
                    stoppedAt = "\(experiment.name) \(size)"
                    break measuring
                }
            }
        }
        // An interrupted report names only the experiments it holds results of.
        let reported = stoppedAt == nil ? experiments
            : experiments.filter { experiment in results.contains { $0.experiment == experiment.name } }
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
            notes += Self.leftOutNotes(leftOut)
            notes += Self.descheduled(results)
        }
        var report = RunReport(
            mode: runner.simulation != nil ? "sim" : "run", machine: machine,
            configuration: .init(repetitions: runner.configuration.repetitions,
                                 minimumSampleNanoseconds: runner.configuration.minimumSampleNanoseconds,
                                 events: runner.counterNames, counterGroups: plan.groups.count,
                                 simulatedCaches: simulatedCaches),
            results: results, notes: notes,
            experiments: reported.map { experiment in
                .init(name: experiment.name, summary: experiment.summary, unit: experiment.unit,
                      baseline: experiment.baselineVariant,
                      findings: findings(of: experiment, results))
            })
        if let stoppedAt {
            report.complete = false
            report.interruption = "stopped before \(stoppedAt); the \(results.count) result(s) measured before are kept "
                + "(\(reported.count) of \(experiments.count) experiment(s))"
        }
        return report
    }
}
