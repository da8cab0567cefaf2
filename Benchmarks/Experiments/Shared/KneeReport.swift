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

    /// "sysfs L1d 32K", "cpuid L2 dTLB 3072 entries"; a rule's label names itself one.
    var cited: String { source == "rule" ? label : "\(source) \(label)" }

    /// The level that holds a working set of `bytes`: the smallest data cache at least that
    /// large, else memory.
    static func level(holding bytes: Int, machine: MachineInfo) -> String {
        guard let cache = machine.dataCaches.first(where: { $0.sizeBytes >= bytes }) else { return "memory" }
        return "\(cache.name) (\(ByteSize(rawValue: cache.sizeBytes)))"
    }
}

/// Knees of a measured curve as finding lines, each with the landmarks that fall inside it.
enum KneeReport {
    /// `describe` formats an x value (bytes, pages…); y is in ns (per the unit the experiment's
    /// table names). One line per knee; neighbouring knees that no reported size explains, below
    /// the same next one, share a line (a gradual climb); the steps that start or end at a noisy
    /// point (`noisy[i]`) share one line, named, not concluded from.
    static func findings(xs: [Double], ys: [Double], ranges: [ClosedRange<Double>]? = nil, noisy: [Bool] = [], landmarks: [Landmark],
                         describe: (Double) -> String) -> [String] {
        let knees = KneeDetector.knees(xs: xs, ys: ys, ranges: ranges)
        let noisyXs = Set(zip(xs, noisy).filter(\.1).map(\.0))
        guard !knees.isEmpty else {
            return ["no knee: between neighbouring sizes the latency never rose 1.25× and stayed up"]
        }
        let (unsure, sure) = (knees.filter { noisyXs.contains($0.lowerX) || noisyXs.contains($0.upperX) },
                              knees.filter { !noisyXs.contains($0.lowerX) && !noisyXs.contains($0.upperX) })
        // "knee 2.7× at 64 → 128 pages: cpuid L1 dTLB 72 entries": one line on an 80-column
        // terminal where the sizes the machine reports allow. The times are the table's rows
        // (it shows both sides of every knee).
        func step(_ knee: Knee) -> String { span([knee.lowerX, knee.upperX].map(describe)) }
        func beside(_ knee: Knee) -> String {
            let inside = landmarks.filter { $0.x >= knee.lowerX && $0.x < knee.upperX }
            return inside.isEmpty ? "unexplained" + nearestAbove(knee, landmarks) : inside.map(\.cited).joined(separator: ", ")
        }
        var chains: [[Knee]] = []
        for knee in sure {
            if let last = chains.last?.last, last.upperX == knee.lowerX, last.confirmed, knee.confirmed,
               landmarks.allSatisfy({ $0.x < last.lowerX || $0.x >= knee.upperX }), beside(last) == beside(knee) {
                chains[chains.count - 1].append(knee)
            } else {
                chains.append([knee])
            }
        }
        var lines = chains.map { chain in
            let (first, last) = (chain[0], chain[chain.count - 1])
            return (chain.count == 1 ? "knee " : "knees ") + chain.map { String(format: "%.1f×", $0.ratio) }.joined(separator: ", ")
                + " at \(span(([first.lowerX] + chain.map(\.upperX)).map(describe))): \(beside(last))"
                + (last.confirmed ? "" : " (the last size: unconfirmed)")
        }
        if !unsure.isEmpty {
            lines.append("no conclusion where a noisy result (\(Noise.marker)) ends a step up: "
                + unsure.map(step).joined(separator: ", "))
        }
        return lines
    }

    /// The rows a terminal's table shows of a curve's sweep: the smallest and largest size
    /// and both sides of every knee the findings name (nil where that is every size).
    static func keySizes(_ curve: [VariantResult]) -> KeySizes? {
        let sorted = curve.sorted { $0.sizeBytes < $1.sizeBytes }
        guard let first = sorted.first, let last = sorted.last else { return nil }
        let knees = KneeDetector.knees(xs: sorted.map { Double($0.sizeBytes) }, ys: sorted.map(\.nsPerElement.median),
                                       ranges: sorted.map { $0.nsPerElement.min...$0.nsPerElement.max })
        let sizes = Set([first.sizeBytes, last.sizeBytes] + knees.flatMap { [Int($0.lowerX), Int($0.upperX)] })
        guard sizes.count < sorted.count else { return nil }
        return KeySizes(sizes: sizes.sorted().map { ByteSize(rawValue: $0) }, why: "the ends and both sides of each knee")
    }

    /// "64 pages", "128 pages" → "64 → 128 pages"; "32K", "64K" → "32K → 64K": a unit they
    /// share is written once, at the end.
    static func span(_ names: [String]) -> String {
        let words = names.map { $0.split(separator: " ") }
        if let unit = words.first?.last, words.allSatisfy({ $0.count == 2 && $0[1] == unit }) {
            return words.map { String($0[0]) }.joined(separator: " → ") + " \(unit)"
        }
        return names.joined(separator: " → ")
    }

    private static func nearestAbove(_ knee: Knee, _ landmarks: [Landmark]) -> String {
        guard let next = landmarks.filter({ $0.x >= knee.upperX }).min(by: { $0.x < $1.x }) else { return "" }
        return " (next: \(next.cited))"
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
