import Harness

/// How far each kind of metric may move before it counts as a regression.
public struct Tolerances: Equatable, Sendable {
    public var simulated = 0.01
    public var counters = 0.10
    /// For time ratios: a change beyond it regresses only when, besides, the two runs' ratio
    /// intervals (see `Metric.range`) do not overlap. Derived from the variation between
    /// processes, which the spread inside one run does not show (physical page placement moves a
    /// chase's time, and a ratio between variants on separate buffers, from process to
    /// process): see README "Regression checks" for the measurement.
    public var ratio = Tolerances.measuredRatioTolerance

    /// Twice the largest change of a non-noisy time ratio seen between ten back-to-back
    /// processes of `run tlb` and of `run working-set --sizes 4M,16M,64M` on the 2-vCPU KVM
    /// guest this was developed on (README "Regression checks").
    public static let measuredRatioTolerance = 0.25
    /// Differences of at most this many events in a sample are equal: they can come from a
    /// single line that lands in another cache set. A kernel whose misses follow where the
    /// allocator put its memory declares a wider tolerance for them instead (see
    /// `Workload.simulatedMissTolerance`).
    public var countFloor = 2.0
    /// For simulated counts, differences of at most this many events per element are equal
    /// too: a few conflict misses move with where the stack, heap and data land, which any
    /// change to the binary or its start-up shifts (working-set's chase over exactly the
    /// simulated L1: 60, 68 and 77 misses per 65536 loads from three working directories). A
    /// changed access pattern moves a count by far more (rows against columns: 0.125 against 1
    /// miss per element). Measured counts have no such floor: their tolerance is wide already.
    public var simulatedPerElementFloor = 0.01

    public init() {}

    /// The same relative tolerance for every kind.
    public init(all value: Double) {
        simulated = value
        counters = value
        ratio = value
    }

    func relative(for kind: MetricKind) -> Double? {
        switch kind {
        case .simulated: return simulated
        case .software, .hardware: return counters
        case .ratio: return ratio
        case .time: return nil
        }
    }
}

/// The verdict on one metric. Higher is worse for every judged metric (misses, faults,
/// instructions, time ratios), so only an increase can regress; except a C twin's ratio to its
/// Swift kernel, which falls when the Swift kernel gets slower (`Metric.higherIsBetter`).
public enum Verdict: String, Sendable, Equatable {
    case ok, improved, regressed, missing, new
    /// Reported, not judged (absolute times).
    case info
    /// The current report did not run this metric's experiment (a narrowed check).
    case notRun = "not run"
    /// Reported, not judged: a time or ratio whose result was noisy in either report.
    case noisy
}

/// One line of a comparison.
public struct MetricComparison: Equatable, Sendable {
    public let key: String
    public let kind: MetricKind
    public let baseline: Double?
    public let current: Double?
    public let tolerance: Double?
    public let verdict: Verdict
    /// The samples' intervals of a time or ratio in each report (see `Metric.range`).
    public var baselineRange: ClosedRange<Double>? = nil
    public var currentRange: ClosedRange<Double>? = nil

    /// (current − baseline) / baseline; nil where either is missing or the baseline is 0.
    public var change: Double? {
        guard let baseline, let current, baseline != 0 else { return nil }
        return (current - baseline) / baseline
    }
}

/// A baseline report set against a current one.
public struct Comparison: Sendable {
    public let lines: [MetricComparison]

    public var regressions: [MetricComparison] { lines.filter { $0.verdict == .regressed || $0.verdict == .missing } }
    public var passed: Bool { regressions.isEmpty }

    /// - Throws: `ComparisonError` when the reports cannot be compared at all.
    public init(baseline: RunReport, current: RunReport, tolerances: Tolerances = Tolerances()) throws(ComparisonError) {
        guard baseline.mode == current.mode else {
            throw .mismatched("baseline is a `\(baseline.mode.rawValue)` report, current a `\(current.mode.rawValue)` report")
        }
        if let a = baseline.configuration.simulatedCaches, let b = current.configuration.simulatedCaches, a != b {
            throw .mismatched("simulated caches differ: baseline \(a), current \(b) (pass the baseline's with --cache, or refresh it)")
        }
        if baseline.configuration.simulatedTLBs != current.configuration.simulatedTLBs
            || (baseline.configuration.simulator ?? .callgrind) != (current.configuration.simulator ?? .callgrind) {
            func tlbs(_ report: RunReport) -> String {
                "\((report.configuration.simulator ?? .callgrind).rawValue)" + (report.configuration.simulatedTLBs.map { " with TLBs \($0)" } ?? "")
            }
            throw .mismatched("simulations differ: baseline \(tlbs(baseline)), current \(tlbs(current)) (pass the baseline's with --simulator and --tlb, or refresh it)")
        }
        let before = Metric.all(in: baseline)
        let after = Metric.all(in: current)
        try Self.validate(before, in: "baseline")
        try Self.validate(after, in: "current report")
        let afterByKey = Dictionary(after.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        let beforeKeys = Set(before.map(\.key))
        guard before.contains(where: { afterByKey[$0.key] != nil }) else {
            throw .mismatched("the reports share no experiment, variant and size")
        }
        let currentExperiments = Set(current.results.map(\.experiment))
        var lines: [MetricComparison] = []
        for metric in before {
            let tolerance = metric.tolerance ?? tolerances.relative(for: metric.kind)
            guard let now = afterByKey[metric.key] else {
                // An experiment left out of the current run is not a regression; a variant, size
                // or counter lost from an experiment that ran is.
                let verdict: Verdict = !currentExperiments.contains(metric.experiment) ? .notRun
                    : metric.kind == .time ? .info : .missing
                lines.append(MetricComparison(key: metric.key, kind: metric.kind, baseline: metric.value, current: nil,
                                              tolerance: tolerance, verdict: verdict))
                continue
            }
            lines.append(MetricComparison(key: metric.key, kind: metric.kind, baseline: metric.value, current: now.value,
                                          tolerance: tolerance,
                                          verdict: Self.judge(metric, now, tolerance: tolerance, tolerances: tolerances),
                                          baselineRange: metric.range, currentRange: now.range))
        }
        for metric in after where !beforeKeys.contains(metric.key) {
            lines.append(MetricComparison(key: metric.key, kind: metric.kind, baseline: nil, current: metric.value,
                                          tolerance: nil, verdict: .new))
        }
        self.lines = lines
    }

    /// Counts, times, ratios and tolerances are never negative nor infinite: such a value is a
    /// damaged or hand-edited file, not a result to judge.
    static func validate(_ metrics: [Metric], in role: String) throws(ComparisonError) {
        for metric in metrics {
            guard metric.value.isFinite, metric.value >= 0, (metric.count ?? 0).isFinite, (metric.count ?? 0) >= 0 else {
                let what = (metric.count ?? 0) < 0 || !(metric.count ?? 0).isFinite ? "a count of \(metric.count ?? 0)" : "\(metric.value)"
                throw .invalid("\(role): \(metric.key) is \(what); counts, times and ratios are never negative")
            }
            if let tolerance = metric.tolerance, !(tolerance.isFinite && tolerance >= 0) {
                throw .invalid("\(role): \(metric.key) has tolerance \(tolerance); a tolerance is a fraction ≥ 0 (0.05 for ±5%)")
            }
        }
    }

    static func judge(_ before: Metric, _ after: Metric, tolerance: Double?, tolerances: Tolerances) -> Verdict {
        if (before.kind == .ratio || before.kind == .time) && (before.noisy || after.noisy) { return .noisy }
        guard let tolerance else { return .info }
        // A ratio moves only when its samples say so: both runs' intervals apart, not only the
        // medians beyond the tolerance.
        if before.kind == .ratio, let a = before.range, let b = after.range, a.overlaps(b) { return .ok }
        if let a = before.count, let b = after.count {
            if abs(b - a) <= tolerances.countFloor { return .ok }
            if before.kind == .simulated && abs(after.value - before.value) <= tolerances.simulatedPerElementFloor { return .ok }
        }
        let rose: Verdict = before.higherIsBetter ? .improved : .regressed
        let fell: Verdict = before.higherIsBetter ? .regressed : .improved
        if after.value > before.value * (1 + tolerance) && after.value - before.value > 1e-12 { return rose }
        if after.value < before.value * (1 - tolerance) { return fell }
        return .ok
    }
}

public enum ComparisonError: Error, Equatable, CustomStringConvertible {
    case mismatched(String)
    case invalid(String)

    public var description: String {
        switch self {
        case let .mismatched(what): return "reports do not match: \(what)"
        case let .invalid(what): return "impossible value in the \(what)"
        }
    }
}
