import CLocalitySupport
import Counters

/// Runs experiments over their sizes and gathers one report.
public struct SuiteRun {
    public let experiments: [any Experiment]
    public let runner: Runner
    public let machine: MachineInfo
    public let options: RunOptions
    /// Called before each size is measured and as each variant starts (the CLI shows it).
    public var progress: ((ProgressStep) -> Void)?
    /// What the report's `context` says about the run (command line, date, …).
    public var context: RunContext?
    /// `--variants`: the variants measured; nil measures all.
    public var variantFilter: VariantFilter?
    /// The sizes each experiment measures (see `SizePlan`).
    public var sizing: SizePlan
    /// The per-call timer handed to the experiments; nil calibrates it once as the run starts
    /// (no file read, so under valgrind too). Tests give one.
    public var timer: CycleTimer?
    /// A timed run, or a simulated one: the runner's backend decides.
    public var mode: RunMode { runner.backend.mode }

    public init(experiments: [any Experiment], sizes: [ByteSize]?, runner: Runner, machine: MachineInfo,
                options: RunOptions = RunOptions(), progress: ((ProgressStep) -> Void)? = nil) {
        self.experiments = experiments
        self.runner = runner
        self.machine = machine
        self.options = options
        self.progress = progress
        sizing = SizePlan(experiments: experiments, sizes: sizes, mode: runner.backend.mode, memAvailable: machine.memAvailableBytes)
    }

    /// The plots of every experiment for `report`'s results.
    public func plots(for report: RunReport) -> [Plot] {
        guard mode == .run else { return [] }
        return experiments.flatMap { experiment in
            experiment.plots(from: report.results.filter { $0.experiment == experiment.name }, machine: machine)
        }
    }

    /// One line naming every noisy result with its reasons, never shortened: a reader must
    /// know which cells not to trust.
    public static func noisyNote(_ results: [VariantResult]) -> [String] {
        let noisy = results.filter(\.isNoisy)
        guard !noisy.isEmpty else { return [] }
        let listed = noisy.map { "\($0.subject) (\($0.noisy!))" }.joined(separator: "; ")
        return ["noisy: \(noisy.count) result(s) marked \(Noise.marker): \(listed). Their samples lost the CPU "
            + "(task clock under \(Int(Noise.minimumCPUShare * 100))% of wall) or disagree (spread over "
            + "\(Int(Noise.maximumSpread * 100))%); another process ran meanwhile: rerun on a quieter machine before concluding"]
    }

    /// Findings and plots read times and the process's memory: under valgrind both are
    /// valgrind's, so a simulated run has only the findings an experiment draws from counts.
    private func findings(of experiment: any Experiment, _ results: [VariantResult], context: ExperimentContext) -> [String] {
        let own = results.filter { $0.experiment == experiment.name }
        if let simulation = runner.backend.simulation { return experiment.simulatedFindings(from: own, tlbs: simulation.tlbs) }
        return experiment.findings(from: own, context: context) + [Self.noisyFinding(own)].compactMap { $0 }
    }

    /// The finding that closes an experiment with noisy results, naming each (a terminal shows
    /// it without the list: the table marks the rows).
    public static func noisyFinding(_ own: [VariantResult]) -> String? {
        let noisy = own.filter(\.isNoisy)
        guard !noisy.isEmpty else { return nil }
        return "not concluded: \(noisy.count) of \(own.count) results are noisy (\(Noise.marker): "
            + noisy.map { "\($0.variant)/\(ByteSize(rawValue: $0.sizeBytes))" }.joined(separator: ", ")
            + "); what is drawn from them above is unconfirmed until a quieter run agrees"
    }

    /// Measures every experiment at its sizes. `finished` is called after each experiment with
    /// the report of every experiment completed so far (ratios and findings included), so a
    /// caller can print that experiment at once, and keep a report to write if the run stops.
    public func run(finished: ((_ soFar: RunReport, _ experiment: RunReport.ExperimentInfo) throws -> Void)? = nil) throws -> RunReport {
        try sizing.validateSizes()
        // Under valgrind the parent has checked already (`locality sim` does before launching
        // it), and the process's VmSize is valgrind's. Reading the limits there would also move
        // glibc's heap, and with it the simulated counts of heap-placed kernels.
        // The limits are read once (/proc/meminfo, /proc/self/status, the cgroup) for both uses.
        let limits = mode == .run ? sizing.currentLimits() : nil
        if let limits { try sizing.validateMemory(against: limits) }
        // Default sizes that a limit refuses are left out, with a note naming them.
        let (planned, leftOut) = sizing.plannedSizes(limits: limits)
        // What the experiments are given, read once here: the limits above (nil under valgrind)
        // and the per-call timer.
        let context = ExperimentContext(machine: machine, options: options, limits: limits, timer: timer ?? .calibrate())
        var filterNotes = sizing.leftOutNotes(leftOut)
        var soFar = report(results: [], experiments: [], filterNotes: filterNotes)
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
                    let workloads = try experiment.prepare(size: size, context: context).filter { kept.contains($0.variant) }
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
                baseline: experiment.baselineVariant, findings: findings(of: experiment, results, context: context),
                sizeLabels: mode == .run ? sizeLabels(of: experiment, results) : nil,
                keySizes: mode == .run ? experiment.keySizes(from: results) : nil)
            soFar = report(results: soFar.results + results, experiments: soFar.experiments + [info], filterNotes: filterNotes)
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
    func report(results: [VariantResult], experiments: [RunReport.ExperimentInfo], filterNotes: [String]) -> RunReport {
        var notes = filterNotes
        let backend = runner.backend
        let simulation = backend.simulation
        if let simulation {
            let tool = simulation.simulator
            notes.append("counts are \(tool == .locsim ? "locsim's cache and TLB simulation" : "callgrind's cache simulation") (sim) "
                + "of one pass after its warm-up; times under valgrind are ~50× the real ones and are not comparable with `locality run`")
            if let caches = simulation.caches {
                notes.append("simulated caches: D1 \(caches.d1)"
                    + (tool == .locsim ? caches.l2.map { ", L2 \($0)" } ?? ", no L2" : "")
                    + ", LL \(caches.ll) (SIZE:WAYS:LINE, LRU, write-allocate)")
            }
            if let tlbs = simulation.tlbs {
                notes.append("simulated data TLBs (LRU; DTLB1m = L1 dTLB misses, DTLB2m = L2 TLB misses = page walks): \(tlbs.prose)")
            }
        } else {
            if backend.counterGroups > 1 {
                notes.append("the requested hardware events do not fit the PMU at once: each kernel ran once per "
                    + "counter group (\(backend.counterGroups) groups, no multiplexing); times come from the first group")
            }
            notes += Self.noisyNote(results)
        }
        return RunReport(
            mode: mode, machine: machine,
            configuration: .init(repetitions: runner.configuration.repetitions,
                                 minimumSampleNanoseconds: runner.configuration.minimumSampleNanoseconds,
                                 events: runner.counterNames, counterGroups: backend.counterGroups,
                                 simulatedCaches: simulation?.caches, simulatedTLBs: simulation?.tlbs, simulator: simulation?.simulator),
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
