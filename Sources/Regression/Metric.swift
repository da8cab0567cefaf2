import Counters
import Harness

/// What kind of figure a metric is, which decides how strictly it is judged.
public enum MetricKind: String, Codable, Sendable, CaseIterable {
    /// A callgrind count: the same on every run of the same binary, so judged almost exactly.
    case simulated = "sim"
    /// A kernel software event count (page faults, context switches).
    case software = "sw"
    /// A PMU event count.
    case hardware = "hw"
    /// A variant's time divided by its baseline variant's, both measured in one run: robust to
    /// a machine's speed, but noisy.
    case ratio
    /// An absolute time or time-like count (ns per element, task clock): reported, never judged,
    /// since it differs between machines and drifts ±20% on a shared one.
    case time
}

/// One figure of one variant at one size, as found in a report.
public struct Metric: Equatable, Sendable {
    public let experiment: String
    /// `loop-order/column-major/2M`.
    public let subject: String
    /// `D1mr/elem`, `ratio to row-major`, `ns/elem`.
    public let name: String
    public let kind: MetricKind
    public let value: Double
    /// The raw count behind a per-element value (one sample's total), for the absolute floor.
    public let count: Double?
    /// A tolerance the baseline carries for this metric, overriding the kind's.
    public let tolerance: Double?
    /// Where the samples put the figure: min–max of a time; for a ratio, the interval its two
    /// results' min–max allow (each end against the other's opposite end). Nil for counts.
    public var range: ClosedRange<Double>? = nil
    /// The result (or, for a ratio, either of its two results) is noisy: reported, not judged.
    public var noisy = false
    /// A C twin's time over its Swift kernel's (`flat-c` against `flat`): the C reference does
    /// not change with the Swift code, so a lower ratio means the Swift kernel got slower, a
    /// regression. Every other judged figure is worse when higher.
    public var higherIsBetter = false

    public var key: String { "\(subject) \(name)" }

    /// Every metric of a report, in report order.
    public static func all(in report: RunReport) -> [Metric] {
        var metrics: [Metric] = []
        let counterNames = report.counterNames  // once: it reads every result
        // Each ratio's partner, found in one lookup (reports may hold thousands of results).
        let byPlace = Dictionary(report.results.map { (Place(experiment: $0.experiment, variant: $0.variant, size: $0.sizeBytes), $0) },
                                 uniquingKeysWith: { first, _ in first })
        for result in report.results {
            let subject = "\(result.experiment)/\(result.variant)/\(ByteSize(rawValue: result.sizeBytes))"
            let time = result.nsPerElement
            // A simulated report holds no times (valgrind's would mean nothing).
            if report.mode != .sim {
                metrics.append(Metric(experiment: result.experiment, subject: subject, name: "ns/elem", kind: .time, value: time.median,
                                      count: nil, tolerance: nil, range: time.min...max(time.min, time.max), noisy: result.isNoisy))
            }
            if report.mode != .sim, let stored = result.ratioToBaseline, let baseline = result.baseline, baseline != result.variant {
                let partner = byPlace[Place(experiment: result.experiment, variant: baseline, size: result.sizeBytes)]
                // The ratio is derived from the two medians wherever the partner is in the
                // report: a stored ratio that disagrees with its times cannot hide a change.
                let other = partner.map(\.nsPerElement).flatMap { $0.min > 0 ? $0 : nil }
                let ratio = other.map { time.median / $0.median } ?? stored
                var metric = Metric(experiment: result.experiment, subject: subject, name: "time ×\(baseline)", kind: .ratio, value: ratio,
                                    count: nil, tolerance: result.ratioTolerance, noisy: result.isNoisy || partner?.isNoisy == true)
                // A C twin is named after its Swift kernel, its ratio partner (CONTRIBUTING).
                metric.higherIsBetter = CTwin.isTwin(result.variant, of: baseline)
                // The interval the samples allow: this result's fastest over the partner's
                // slowest up to its slowest over the partner's fastest.
                if let other {
                    metric.range = min(time.min / other.max, ratio)...max(time.max / other.min, ratio)
                }
                metrics.append(metric)
            }
            for name in counterNames {
                guard let counter = result.counters[name] else { continue }
                metrics.append(Metric(experiment: result.experiment, subject: subject, name: "\(name)/elem", kind: Metric.kind(of: name, source: counter.source),
                                      value: counter.perElement, count: counter.value, tolerance: counter.tolerance))
            }
        }
        return metrics
    }

    private struct Place: Hashable {
        let experiment: String
        let variant: String
        let size: Int
    }

    /// Clock events count time, so they are judged like times: not at all.
    static func kind(of name: String, source: CounterSource) -> MetricKind {
        switch source {
        case .simulated: return .simulated
        case .hardware: return .hardware
        case .software: return WellKnownEvent.isClock(name) ? .time : .software
        }
    }
}
