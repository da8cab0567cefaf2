import Counters
import Foundation
import Harness

/// The one or two lines that sum an experiment up at the end of a run: its main ratio with the
/// sizes it holds at, the counters that explain it where they were counted, a marked noisy
/// result. One rule for every experiment, drawn from the report alone (the JSON), so a saved
/// report renders the same headline.
public enum Headline {
    /// A variant repeated for another round (`huge-pages-2`) or the C twin of a Swift kernel
    /// (`flat-c`) says nothing new about the question.
    static func isMainVariant(_ name: String, baseline: String) -> Bool {
        guard name != baseline, !CTwin.isTwin(name) else { return false }
        if let last = name.split(separator: "-").last, last.allSatisfy(\.isNumber) { return false }
        return true
    }

    /// The result the headline is about: the biggest effect either way (9.6× slower, or 6×
    /// faster) of a variant against its ratio partner, at the largest size where effects tie,
    /// among the quiet ratios where there are any (a noisy outlier is the largest effect too
    /// often, and a noisy baseline makes every ratio to it noisy). The terminal's table shows
    /// its size among the key ones.
    public static func main(baseline: String, results: [VariantResult]) -> VariantResult? {
        // A variant against its ratio partner: the same work done another way, so as many units
        // (a demo of another effect, page-faults' overcommit writing 16 pages against 65536
        // first touches, is no answer to the question). One that is its own partner
        // (working-set's sequential) has no ratio worth a headline.
        let candidates = results.filter {
            isMainVariant($0.variant, baseline: baseline) && $0.ratioToBaseline != nil && $0.baseline != $0.variant
                && results.result(size: $0.sizeBytes, variant: $0.baseline ?? baseline)?.elements == $0.elements
        }
        let quiet = candidates.filter { !ratioIsNoisy($0, baseline: baseline, results: results) }
        let pool = quiet.isEmpty ? candidates : quiet
        func effect(_ result: VariantResult) -> (Double, Int) {
            ((abs(log(result.ratioToBaseline!)) * 100).rounded(), result.sizeBytes)
        }
        return pool.max { effect($0) < effect($1) }
    }

    /// "column-major 9.6× row-major at 64M (1.03× at 4K); PAPI_L1_DCM 0.13 → 1.0/elem (hw)".
    public static func generic(experiment: String, baseline: String, unit: String, results: [VariantResult]) -> [String] {
        let sizes = results.measuredSizes
        guard !sizes.isEmpty else { return [] }
        var lines: [String] = []
        if let main = main(baseline: baseline, results: results) {
            lines.append(sentence(main, baseline: baseline, unit: unit, results: results))
        }
        // A sweep without a ratio to give (working-set's variants are C twins or their own
        // partner): how far the baseline's own time moves from the smallest size to the largest.
        let base = results.filter { $0.variant == baseline }.sorted { $0.sizeBytes < $1.sizeBytes }
        if sizes.count >= 3, lines.isEmpty, let first = base.first, let last = base.last, first.nsPerElement.median > 0 {
            let growth = last.nsPerElement.median / first.nsPerElement.median
            lines.append("\(baseline) \(NumberFormat.short(first.nsPerElement.median)) ns/\(unit) at \(size(first)) → "
                + "\(NumberFormat.short(last.nsPerElement.median)) at \(size(last)) (\(NumberFormat.compactRatio(growth)))"
                + (last.isNoisy || first.isNoisy ? " [noisy \(Noise.marker)]" : ""))
        }
        return lines
    }

    static func size(_ result: VariantResult) -> String { ByteSize(rawValue: result.sizeBytes).description }

    /// A ratio is as noisy as either of its two times.
    static func ratioIsNoisy(_ result: VariantResult, baseline: String, results: [VariantResult]) -> Bool {
        result.isNoisy || results.result(size: result.sizeBytes, variant: result.baseline ?? baseline)?.isNoisy == true
    }

    static func sentence(_ main: VariantResult, baseline: String, unit: String, results: [VariantResult]) -> String {
        let baseline = main.baseline ?? baseline
        let value = main.ratioToBaseline ?? 1
        var text = value >= 1 ? "\(main.variant) \(NumberFormat.compactRatio(value)) \(baseline)" : "\(main.variant) \(NumberFormat.compactRatio(1 / value)) faster than \(baseline)"
        text += " at \(size(main))"
        // Against the same ratio at the smallest size (the largest, where the headline is at the
        // smallest): how much the size changes it.
        let others = results.filter { $0.variant == main.variant && $0.sizeBytes != main.sizeBytes }.sorted { $0.sizeBytes < $1.sizeBytes }
        if let contrast = others.first.flatMap({ $0.sizeBytes < main.sizeBytes ? $0 : others.last }), let r = contrast.ratioToBaseline {
            text += " (\(NumberFormat.compactRatio(r)) at \(size(contrast))"
                + (ratioIsNoisy(contrast, baseline: baseline, results: results) ? ", noisy)" : ")")
        }
        if ratioIsNoisy(main, baseline: baseline, results: results) { text += " [noisy \(Noise.marker)]" }
        if let base = results.first(where: { $0.variant == baseline && $0.sizeBytes == main.sizeBytes }) {
            let explaining = explanation(main, base, unit: unit)
            if !explaining.isEmpty { text += "; " + explaining }
        }
        return text
    }

    /// Counters (hw, sim, or sw other than the task clock) that differ at least twofold between
    /// the variant and its baseline: "PAGE-FAULTS 1.00 → 0.002/page (sw)".
    static func explanation(_ main: VariantResult, _ base: VariantResult, unit: String) -> String {
        var parts: [String] = []
        for name in main.counters.keys.sorted() where !WellKnownEvent.isTaskClock(name) {
            guard let a = base.counters[name], let b = main.counters[name] else { continue }
            let high = max(a.perElement, b.perElement), low = min(a.perElement, b.perElement)
            guard high > 0.001, low == 0 || high / low >= 2 else { continue }
            let short = name.hasPrefix("perf::") ? String(name.dropFirst(6)) : name
            parts.append("\(short) \(NumberFormat.short(a.perElement)) → \(NumberFormat.short(b.perElement))/\(unit) (\(b.source.rawValue))")
        }
        return parts.prefix(2).joined(separator: ", ")
    }
}
