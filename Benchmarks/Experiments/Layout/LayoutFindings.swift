import Foundation
import Harness

/// The conclusions printed under the layout tables: what scattering and chasing cost at the
/// largest size, what ARC adds per hop, and how close the Swift kernels come to C.
struct LayoutFindings {
    let results: [VariantResult]

    private var sizes: [Int] { Array(Set(results.map(\.sizeBytes))).sorted() }

    private func median(_ variant: String, _ size: Int) -> Double? {
        results.first { $0.variant == variant && $0.sizeBytes == size }?.nsPerElement.median
    }

    /// Nil when either result is noisy: no conclusion is drawn from it.
    private func ratio(_ variant: String, to baseline: String, _ size: Int) -> Double? {
        let noisy = results.contains { ($0.variant == variant || $0.variant == baseline) && $0.sizeBytes == size && $0.isNoisy }
        guard !noisy, let a = median(variant, size), let b = median(baseline, size), b > 0 else { return nil }
        return a / b
    }

    private static func format(_ value: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", value) }

    var lines: [String] {
        var lines: [String] = []
        if let size = sizes.last {
            let ranked = ["list-shuffled", "index-list-shuffled", "boxed-shuffled", "list-in-order", "boxed-in-order", "nested-arrays"]
                .compactMap { variant in ratio(variant, to: "flat", size).map { "\(variant) \(Self.format($0, 1))×" } }
            if !ranked.isEmpty {
                var line = "at \(ByteSize(rawValue: size)) against flat: " + ranked.joined(separator: ", ")
                if let switches = results.first(where: { $0.variant == "list-shuffled" && $0.sizeBytes == size })?.extra(Layout.Column.pageSwitchesPerElement),
                   let flatSwitches = results.first(where: { $0.variant == "flat" && $0.sizeBytes == size })?.extra(Layout.Column.pageSwitchesPerElement) {
                    line += " (list-shuffled changes page on \(Self.format(switches * 100, 0))% of its steps, flat on \(Self.format(flatSwitches * 100, 1))%)"
                }
                lines.append(line)
            }
        }
        if let size = sizes.first, ratio("list-in-order-arc", to: "list-in-order", size) != nil,
           let arc = median("list-in-order-arc", size), let free = median("list-in-order", size) {
            lines.append("retain/release in the loop (list-in-order-arc) adds \(Self.format(arc - free)) ns per hop at "
                + "\(ByteSize(rawValue: size)) (\(Self.format(arc / max(free, 1e-9), 1))× the ARC-free walk)")
        }
        // Each Swift kernel against its C twin, on one line: the table's `-c` rows in numbers.
        let twins = [("flat", "flat-c"), ("index-list-shuffled", "index-list-shuffled-c")].compactMap { swift, c -> String? in
            let pairs = sizes.compactMap { size in ratio(swift, to: c, size).map { "\(Self.format($0)) at \(ByteSize(rawValue: size))" } }
            return pairs.isEmpty ? nil : "\(swift) " + pairs.joined(separator: ", ")
        }
        if !twins.isEmpty { lines.append("Swift / C twin time: " + twins.joined(separator: "; ")) }
        return lines
    }
}
