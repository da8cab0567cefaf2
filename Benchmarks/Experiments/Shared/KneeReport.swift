import Foundation
import Harness
import Plotting

/// A size the machine reports, that a latency curve's knees are compared with: a sysfs cache
/// size, a cpuid TLB's reach, the 400 KB rule of thumb. `x` is in the curve's own unit
/// (bytes for working-set, pages for tlb).
struct Landmark: Equatable, Sendable {
    let label: String
    let x: Double
    /// `sysfs`, `cpuid` or `rule`: where the figure comes from.
    let source: String

    static let ruleOfThumbBytes = 400 * 1000

    /// The data caches sysfs lists, at their size in bytes.
    static func caches(_ machine: MachineInfo) -> [Landmark] {
        machine.dataCaches.map { Landmark(label: "\($0.name) \(ByteSize(rawValue: $0.sizeBytes))", x: Double($0.sizeBytes), source: "sysfs") }
    }

    /// The reach of each data TLB for 4 KiB pages (entries × 4 KiB), from cpuid.
    static func tlbReach(_ tlbs: [TLBLevel]) -> [Landmark] {
        TLBInfo.dataTLBs(tlbs).map {
            Landmark(label: "\($0.name) reach \(ByteSize(rawValue: $0.reachBytes).approximate)", x: Double($0.reachBytes), source: "cpuid")
        }
    }

    static let ruleOfThumb = Landmark(label: "4 KB × 100 rule (400 KB)", x: Double(ruleOfThumbBytes), source: "rule")

    /// The level that holds a working set of `bytes`: the smallest data cache at least that
    /// large, else memory.
    static func level(holding bytes: Int, machine: MachineInfo) -> String {
        guard let cache = machine.dataCaches.first(where: { $0.sizeBytes >= bytes }) else { return "memory" }
        return "\(cache.name) (\(ByteSize(rawValue: cache.sizeBytes)))"
    }
}

/// Knees of a measured curve as finding lines, each with the landmarks that fall inside it.
enum KneeReport {
    /// `describe` formats an x value (bytes, pages…); `unit` names what y is per.
    /// A knee that starts or ends at a noisy point (`noisy[i]`) is named, not concluded from.
    static func findings(xs: [Double], ys: [Double], ranges: [ClosedRange<Double>]? = nil, noisy: [Bool] = [], landmarks: [Landmark],
                         unit: String, describe: (Double) -> String) -> [String] {
        let knees = KneeDetector.knees(xs: xs, ys: ys, ranges: ranges)
        let noisyXs = Set(zip(xs, noisy).filter(\.1).map(\.0))
        guard !knees.isEmpty else {
            return ["no knee: between neighbouring sizes the latency never rose 1.25× and stayed up"]
        }
        return knees.map { knee in
            if noisyXs.contains(knee.lowerX) || noisyXs.contains(knee.upperX) {
                return "no conclusion between \(describe(knee.lowerX)) and \(describe(knee.upperX)) "
                    + "(\(format(knee.lowerY)) → \(format(knee.upperY)) ns/\(unit)): a noisy result (\(Noise.marker)) lies at its end"
            }
            let inside = landmarks.filter { $0.x >= knee.lowerX && $0.x < knee.upperX }
            let beside = inside.isEmpty
                ? "no reported size lies there" + nearestAbove(knee, landmarks)
                : inside.map { "\($0.source) \($0.label)" }.joined(separator: ", ")
            return "knee: latency steps up \(String(format: "%.1f", knee.ratio))× between \(describe(knee.lowerX)) and "
                + "\(describe(knee.upperX)) (\(format(knee.lowerY)) → \(format(knee.upperY)) ns/\(unit)) — \(beside)"
                + (knee.confirmed ? "" : " (at the last size measured: no larger size confirms it)")
        }
    }

    private static func nearestAbove(_ knee: Knee, _ landmarks: [Landmark]) -> String {
        guard let next = landmarks.filter({ $0.x >= knee.upperX }).min(by: { $0.x < $1.x }) else { return "" }
        return " (next above: \(next.source) \(next.label); none reported explains it)"
    }

    static func format(_ value: Double) -> String {
        value >= 100 ? String(format: "%.0f", value) : value >= 10 ? String(format: "%.1f", value) : String(format: "%.2f", value)
    }

    /// Dashed vertical markers for a chart, coloured by source (sysfs grey, cpuid orange, rule
    /// green); those far outside the measured range (beyond a factor of two) would only
    /// squeeze the curve, so they are left out.
    static func markers(_ landmarks: [Landmark], within xs: [Double]) -> [SVGChart.Marker] {
        guard let low = xs.min(), let high = xs.max() else { return [] }
        let colors = ["sysfs": "#666", "cpuid": "#c05a00", "rule": "#2a7d3a"]
        return landmarks.filter { $0.x >= low / 2 && $0.x <= high * 2 }.map {
            SVGChart.Marker(x: $0.x, label: $0.label, color: colors[$0.source] ?? "#666")
        }
    }

    /// One series point per size from the results of `variant`: the median with a min–max whisker.
    static func points(_ results: [VariantResult], variant: some VariantKey, x: (VariantResult) -> Double) -> [SVGChart.Point] {
        results.filter { $0.isVariant(variant) }.map {
            SVGChart.Point(x: x($0), y: $0.nsPerElement.median, low: $0.nsPerElement.min, high: $0.nsPerElement.max)
        }
    }
}
