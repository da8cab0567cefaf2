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
    /// `--variants`: the variants measured; nil measures all.
    public var variantFilter: VariantFilter?
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

    public func sizes(for experiment: any Experiment) -> [ByteSize] {
        sizes ?? (runner.simulation != nil ? experiment.simulationSizes : experiment.defaultSizes)
    }

    /// Refuses, before anything is allocated, a size whose footprint exceeds what any limit
    /// leaves: MemAvailable, the cgroup's memory limit less its usage, and (against the address
    /// space the experiment maps) RLIMIT_AS less the current VmSize and, under strict
    /// overcommit, CommitLimit less Committed_AS. The tightest limit that refuses is named.
    public func validateMemory() throws {
        let limits = memoryLimits ?? MemoryLimits.current(memAvailable: machine.memAvailableBytes)
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

    /// One line naming every noisy result with its reasons, never shortened: a reader must
    /// know which cells not to trust.
    static func noisyNote(_ results: [VariantResult]) -> [String] {
        let noisy = results.filter(\.isNoisy)
        guard !noisy.isEmpty else { return [] }
        let listed = noisy.map { "\($0.subject) (\($0.noisy!))" }.joined(separator: "; ")
        return ["noisy: \(noisy.count) result(s) marked \(Noise.marker): \(listed). Their samples lost the CPU "
            + "(task clock under \(Int(Noise.minimumCPUShare * 100))% of wall) or disagree (spread over "
            + "\(Int(Noise.maximumSpread * 100))%); another process ran meanwhile: rerun on a quieter machine before concluding"]
    }

    /// Findings and plots read times and the process's memory: under valgrind both are
    /// valgrind's, so a simulated run has none.
    private func findings(of experiment: any Experiment, _ results: [VariantResult]) -> [String] {
        guard runner.simulation == nil else { return [] }
        let own = results.filter { $0.experiment == experiment.name }
        var lines = experiment.findings(from: own, machine: machine)
        let noisy = own.filter(\.isNoisy)
        if !noisy.isEmpty {
            lines.append("not concluded: \(noisy.count) of \(own.count) results are noisy (\(Noise.marker): "
                + noisy.map { "\($0.variant)/\(ByteSize(rawValue: $0.sizeBytes))" }.joined(separator: ", ")
                + "); what is drawn from them above is unconfirmed until a quieter run agrees")
        }
        return lines

    }

    /// Measures every experiment at its sizes. `simulatedCaches` is the geometry callgrind
    /// simulates, when the runner reads callgrind.
    public func run(simulatedCaches: CacheGeometry? = nil) throws -> RunReport {
        try validateSizes()
        // Under valgrind the parent has checked already (`locality sim` does before launching
        // it), and the process's VmSize is valgrind's. Reading the limits there would also move
        // glibc's heap, and with it the simulated counts of heap-placed kernels.
        if runner.simulation == nil { try validateMemory() }
        var results: [VariantResult] = []
        var notes: [String] = []
        var ran: [any Experiment] = []
        for experiment in experiments {
            let kept = variantFilter?.selected(in: experiment) ?? experiment.variants.map(\.name)
            guard !kept.isEmpty else { continue }
            ran.append(experiment)
            notes += variantFilter?.remarks(for: experiment) ?? []
            for size in sizes(for: experiment) {
                progress?("\(experiment.name) \(size)")
                let workloads = try experiment.prepare(size: size, options: options).filter { kept.contains($0.variant) }
                results += try runner.measure(workloads, experiment: experiment.name, size: size)
            }
        }
        let byName = Dictionary(ran.map { ($0.name, $0) }) { first, _ in first }
        results.computeRatios { experiment, variant in byName[experiment]?.ratioPartner(of: variant) }
        for index in results.indices where results[index].ratioToBaseline != nil {
            let result = results[index]
            results[index].ratioTolerance = byName[result.experiment]?.variants.first { $0.name == result.variant }?.ratioTolerance
        }
        let plan = runner.plan
        if runner.simulation != nil {
            notes.append("counts are callgrind's cache simulation (sim) of one pass after a warm-up pass; "
                + "times under valgrind are ~50× the real ones and are not comparable with `locality run`")
        } else if plan.groups.count > 1 {
            notes.append("the requested hardware events do not fit the PMU at once: each kernel ran once per "
                + "counter group (\(plan.groups.count) groups, no multiplexing); times come from the first group")
        }
        if runner.simulation == nil {
            notes += Self.noisyNote(results)
        }
        return RunReport(
            mode: runner.simulation != nil ? "sim" : "run", machine: machine,
            configuration: .init(repetitions: runner.configuration.repetitions,
                                 minimumSampleNanoseconds: runner.configuration.minimumSampleNanoseconds,
                                 events: runner.counterNames, counterGroups: plan.groups.count,
                                 simulatedCaches: simulatedCaches),
            results: results, notes: notes,
            experiments: ran.map { experiment in
                .init(name: experiment.name, summary: experiment.summary, unit: experiment.unit,
                      baseline: experiment.baselineVariant,
                      findings: findings(of: experiment, results))
            })
    }
}
