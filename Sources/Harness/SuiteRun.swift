import CLocalitySupport
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
    /// The share of what the limit leaves the size may take: 1 for a size the user chose,
    /// `SuiteRun.defaultSizeShare` for a default one.
    public let share: Double
    /// What the limit leaves.
    public var available: Int { limit.remainingBytes }

    public init(experiment: String, size: ByteSize, footprint: Int, limit: MemoryLimit, share: Double = 1) {
        self.experiment = experiment
        self.size = size
        self.footprint = footprint
        self.limit = limit
        self.share = share
    }

    public var description: String {
        let needs = "size \(size) for \(experiment) needs \(MemoryLimit.bytes(footprint))"
        if share < 1 {
            let space = limit.countsAddressSpace ? " of address space" : ""
            return needs + space + ", more than half of the \(MemoryLimit.bytes(available)) left under \(limit.source)"
        }
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
    /// Sizes for named experiments (`--sizes layout=4K,64M`, or `--quick`'s), before `sizes`.
    public var sizesByExperiment: [String: [ByteSize]] = [:]
    public let runner: Runner
    public let machine: MachineInfo
    public let options: RunOptions
    /// Called before each size is measured and as each variant starts (the CLI shows it).
    public var progress: ((ProgressStep) -> Void)?
    /// What the report's `context` says about the run (command line, date, …).
    public var context: RunContext?
    /// `--variants`: the variants measured; nil measures all.
    public var variantFilter: VariantFilter?
    /// The limits the memory check applies; nil reads this process's when checking
    /// (MemAvailable from `machine`). Tests set fixed ones.
    public var memoryLimits: MemoryLimits?
    /// `--quick`: each experiment's quick sizes stand for its defaults (trimmed the same way).
    public var quick = false

    /// The share of what the tightest memory limit leaves that a default (or `--quick`) size
    /// may take; the rest stays for the machine (other processes, the page cache). A size the
    /// user names may take all of it.
    public static let defaultSizeShare = 0.5

    public init(experiments: [any Experiment], sizes: [ByteSize]?, runner: Runner, machine: MachineInfo,
                options: RunOptions = RunOptions(), progress: ((ProgressStep) -> Void)? = nil) {
        self.experiments = experiments
        self.sizes = sizes
        self.runner = runner
        self.machine = machine
        self.options = options
        self.progress = progress
    }

    /// The sizes given, else the experiment's defaults (simulation's under valgrind, quick ones
    /// with `quick`), before any trimming to the memory limits (see `plannedSizes`).
    public func sizes(for experiment: any Experiment) -> [ByteSize] {
        if let chosen = sizesByExperiment[experiment.name] ?? sizes { return chosen }
        if runner.simulation != nil { return experiment.simulationSizes }
        return quick ? experiment.quickSizes : experiment.defaultSizes
    }

    /// Whether `experiment`'s sizes were chosen (`--sizes`, per experiment) rather than its
    /// defaults or quick sizes, which are trimmed to the memory limits instead of refused.
    func sizesGiven(for experiment: any Experiment) -> Bool {
        sizes != nil || sizesByExperiment[experiment.name] != nil
    }

    /// The limits the memory check applies: `memoryLimits`, else this process's.
    func currentLimits() -> MemoryLimits {
        memoryLimits ?? MemoryLimits.current(memAvailable: machine.memAvailableBytes)
    }

    /// The sizes each experiment will measure, and the default sizes left out because they would
    /// take more than `defaultSizeShare` of what a memory limit leaves, each with the limit. Sizes
    /// given by `--sizes` are never left out (`validateMemory` refuses them instead), nor under
    /// valgrind (its parent checked).
    public func plannedSizes(limits: MemoryLimits?) -> (sizes: [String: [ByteSize]], leftOut: [InsufficientMemory]) {
        var planned: [String: [ByteSize]] = [:]
        var leftOut: [InsufficientMemory] = []
        for experiment in experiments {
            var kept: [ByteSize] = []
            for size in sizes(for: experiment) {
                if !sizesGiven(for: experiment), runner.simulation == nil, let limits,
                   let (limit, needed) = limits.refusing(footprint: experiment.footprint(of: size),
                                                         addressSpace: experiment.addressSpace(of: size), share: Self.defaultSizeShare) {
                    leftOut.append(InsufficientMemory(experiment: experiment.name, size: size, footprint: needed, limit: limit,
                                                      share: Self.defaultSizeShare))
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
            "\(name): left out of the default sizes: \(entries.map(\.size.description).joined(separator: ", ")) "
                + "(\(entries[0].description))"
        }
    }

    /// Refuses, before anything is allocated, a size whose footprint exceeds what any limit
    /// leaves: MemAvailable, the cgroup's memory limit less its usage, and (against the address
    /// space the experiment maps) RLIMIT_AS less the current VmSize and, under strict
    /// overcommit, CommitLimit less Committed_AS. The tightest limit that refuses is named.
    public func validateMemory() throws {
        let limits = currentLimits()
        for experiment in experiments where sizesGiven(for: experiment) || runner.simulation != nil {
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
    public static func sizeBelowMinimum(experiments: [any Experiment], sizes: [ByteSize]?,
                                        byExperiment: [String: [ByteSize]] = [:]) -> SizeBelowMinimum? {
        for experiment in experiments {
            guard let sizes = byExperiment[experiment.name] ?? sizes else { continue }
            if let size = sizes.first(where: { $0 < experiment.minimumSize }) {
                return SizeBelowMinimum(experiment: experiment.name, size: size, minimum: experiment.minimumSize)
            }
        }
        return nil
    }

    /// Refuses sizes below an experiment's minimum, before anything is measured.
    public func validateSizes() throws {
        if let tooSmall = Self.sizeBelowMinimum(experiments: experiments, sizes: sizes, byExperiment: sizesByExperiment) { throw tooSmall }
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
    /// valgrind's, so a simulated run has only the findings an experiment draws from counts.
    private func findings(of experiment: any Experiment, _ results: [VariantResult], tlbs: TLBGeometry?) -> [String] {
        let own = results.filter { $0.experiment == experiment.name }
        guard runner.simulation == nil else { return experiment.simulatedFindings(from: own, tlbs: tlbs) }
        var lines = experiment.findings(from: own, machine: machine)
        let noisy = own.filter(\.isNoisy)
        if !noisy.isEmpty {
            lines.append("not concluded: \(noisy.count) of \(own.count) results are noisy (\(Noise.marker): "
                + noisy.map { "\($0.variant)/\(ByteSize(rawValue: $0.sizeBytes))" }.joined(separator: ", ")
                + "); what is drawn from them above is unconfirmed until a quieter run agrees")
        }
        return lines
    }

    /// Measures every experiment at its sizes. Under simulation, `simulator` is the valgrind
    /// tool the runner reads, `simulatedCaches` and `simulatedTLBs` the geometry it simulates.
    /// `finished` is called after each experiment with the report of every experiment completed
    /// so far (ratios and findings included), so a caller can print that experiment at once, and
    /// keep a report to write if the run stops.
    public func run(simulatedCaches: CacheGeometry? = nil, simulatedTLBs: TLBGeometry? = nil, simulator: Simulator? = nil,
                    finished: ((_ soFar: RunReport, _ experiment: RunReport.ExperimentInfo) throws -> Void)? = nil) throws -> RunReport {
        try validateSizes()
        // Under valgrind the parent has checked already (`locality sim` does before launching
        // it), and the process's VmSize is valgrind's. Reading the limits there would also move
        // glibc's heap, and with it the simulated counts of heap-placed kernels.
        if runner.simulation == nil { try validateMemory() }
        // Default sizes that a limit refuses are left out, with a note naming them.
        let (planned, leftOut) = plannedSizes(limits: runner.simulation == nil ? currentLimits() : nil)
        var filterNotes = runner.simulation == nil ? Self.leftOutNotes(leftOut) : []
        var soFar = report(results: [], experiments: [], simulatedCaches: simulatedCaches, simulatedTLBs: simulatedTLBs,
                           simulator: simulator, filterNotes: filterNotes)
        // The sizes of the experiments that run: one whose variants the filter all left out
        // takes no step, so the count and the estimate of what is left stay true.
        let steps = experiments.reduce(0) { total, experiment in
            let skipped = variantFilter?.selected(in: experiment).isEmpty ?? false
            return total + (skipped ? 0 : planned[experiment.name]?.count ?? 0)
        }
        var step = 0
        let start = locality_monotonic_ns()
        // Where the runner's `shouldStop` stopped the run: the sizes measured before are kept.
        var stoppedAt: String?
        for experiment in experiments {
            let kept = variantFilter?.selected(in: experiment) ?? experiment.variants.map(\.name)
            guard !kept.isEmpty else { continue }
            filterNotes += variantFilter?.remarks(for: experiment) ?? []
            var results: [VariantResult] = []
            for size in planned[experiment.name] ?? [] {
                var measuring = runner
                let elapsed = Double(locality_monotonic_ns() &- start) / 1e9
                let here = ProgressStep(experiment: experiment.name, size: size, step: step, steps: steps, elapsed: elapsed)
                do {
                    try runner.checkStop()
                    progress?(here)
                    if let progress { measuring.onVariant = { variant in var now = here; now.variant = variant; progress(now) } }
                    let workloads = try experiment.prepare(size: size, context: ExperimentContext(machine: machine, options: options)).filter { kept.contains($0.variant) }
                    results += try measuring.measure(workloads, experiment: experiment.name, size: size)
                } catch is MeasurementStopped {
                    stoppedAt = "\(experiment.name) \(size)"
                    break
                }
                step += 1
            }
            if stoppedAt != nil && results.isEmpty { break }
            results.computeRatios { _, variant in experiment.ratioPartner(of: variant) }
            for index in results.indices where results[index].ratioToBaseline != nil {
                results[index].ratioTolerance = experiment.variants.first { $0.name == results[index].variant }?.ratioTolerance
            }
            let info = RunReport.ExperimentInfo(
                name: experiment.name, summary: experiment.summary, unit: experiment.unit,
                baseline: experiment.baselineVariant, findings: findings(of: experiment, results, tlbs: simulatedTLBs),
                sizeLabels: runner.simulation == nil ? sizeLabels(of: experiment, results) : nil)
            soFar = report(results: soFar.results + results, experiments: soFar.experiments + [info],
                           simulatedCaches: simulatedCaches, simulatedTLBs: simulatedTLBs, simulator: simulator,
                           filterNotes: filterNotes)
            try finished?(soFar, info)
            if stoppedAt != nil { break }
        }
        if let stoppedAt {
            soFar.complete = false
            soFar.interruption = "stopped before \(stoppedAt); the \(soFar.results.count) result(s) measured before are kept "
                + "(\(soFar.experiments.count) of \(experiments.count) experiment(s))"
        }
        return soFar
    }

    /// What each measured size holds for `experiment` ("L1d", "8 pages"), keyed by the size's
    /// description; nil when the experiment names none.
    private func sizeLabels(of experiment: any Experiment, _ results: [VariantResult]) -> [String: String]? {
        var labels: [String: String] = [:]
        for size in Set(results.map(\.sizeBytes)) {
            let size = ByteSize(rawValue: size)
            if let label = experiment.sizeLabel(size, machine: machine) { labels[size.description] = label }
        }
        return labels.isEmpty ? nil : labels
    }

    /// The report of `results` from the completed `experiments`, with the notes they call for.
    func report(results: [VariantResult], experiments: [RunReport.ExperimentInfo], simulatedCaches: CacheGeometry?,
                simulatedTLBs: TLBGeometry?, simulator: Simulator?,
                filterNotes: [String]) -> RunReport {
        var notes = filterNotes
        let plan = runner.plan
        if runner.simulation != nil {
            let tool = simulator ?? .callgrind
            notes.append("counts are \(tool == .locsim ? "locsim's cache and TLB simulation" : "callgrind's cache simulation") (sim) "
                + "of one pass after its warm-up; times under valgrind are ~50× the real ones and are not comparable with `locality run`")
            if let caches = simulatedCaches {
                notes.append("simulated caches: D1 \(caches.d1)"
                    + (tool == .locsim ? caches.l2.map { ", L2 \($0)" } ?? ", no L2" : "")
                    + ", LL \(caches.ll) (SIZE:WAYS:LINE, LRU, write-allocate)")
            }
            if let tlbs = simulatedTLBs {
                notes.append("simulated data TLBs (LRU; DTLB1m = L1 dTLB misses, DTLB2m = L2 TLB misses = page walks): \(tlbs.prose)")
            }
        } else if plan.groups.count > 1 {
            notes.append("the requested hardware events do not fit the PMU at once: each kernel ran once per "
                + "counter group (\(plan.groups.count) groups, no multiplexing); times come from the first group")
        }
        if runner.simulation == nil {
            notes += Self.noisyNote(results)
        }
        return RunReport(
            mode: runner.simulation != nil ? .sim : .run, machine: machine,
            configuration: .init(repetitions: runner.configuration.repetitions,
                                 minimumSampleNanoseconds: runner.configuration.minimumSampleNanoseconds,
                                 events: runner.counterNames, counterGroups: plan.groups.count,
                                 simulatedCaches: simulatedCaches, simulatedTLBs: simulatedTLBs, simulator: simulator),
            results: results, notes: notes, experiments: experiments, context: context)
    }
}

/// Where a run stands, for a progress line: the experiment and size being measured (and the
/// variant, once the runner starts on one), `step` of `steps` sizes done, seconds elapsed.
public struct ProgressStep: Sendable {
    public var experiment: String
    public var size: ByteSize
    public var variant: String?
    public var step: Int
    public var steps: Int
    public var elapsed: Double

    public init(experiment: String, size: ByteSize, variant: String? = nil, step: Int, steps: Int, elapsed: Double) {
        self.experiment = experiment
        self.size = size
        self.variant = variant
        self.step = step
        self.steps = steps
        self.elapsed = elapsed
    }

    /// Seconds left at the pace so far (nil before the first size is done).
    public var remaining: Double? { step > 0 ? elapsed / Double(step) * Double(steps - step) : nil }
}
