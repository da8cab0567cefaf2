import Foundation
import Harness

/// The conclusions printed under the layout tables: what scattering and chasing cost at the
/// largest size, what ARC adds per hop, and how close the Swift kernels come to C.
struct LayoutFindings {
    typealias Name = Layout.VariantName
    let results: [VariantResult]

    private var sizes: [Int] { results.measuredSizes }

    private func median(_ variant: Name, _ size: Int) -> Double? {
        results.first { $0.isVariant(variant) && $0.sizeBytes == size }?.nsPerElement.median
    }

    private func ratio(_ variant: Name, to baseline: Name, _ size: Int) -> Double? {
        results.quietRatio(variant, to: baseline, size: size)
    }

    private static func format(_ value: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", value) }

    var lines: [String] {
        var lines: [String] = []
        if let size = sizes.last {
            let ranked = [Name.listShuffled, .indexListShuffled, .boxedShuffled, .listInOrder, .boxedInOrder, .nestedArrays]
                .compactMap { variant in ratio(variant, to: .flat, size).map { "\(variant.rawValue) \(Self.format($0, 1))×" } }
            if !ranked.isEmpty {
                var line = "at \(ByteSize(rawValue: size)) against flat: " + ranked.joined(separator: ", ")
                if let switches = results.first(where: { $0.isVariant(Name.listShuffled) && $0.sizeBytes == size })?.extra(Layout.Column.pageSwitchesPerElement),
                   let flatSwitches = results.first(where: { $0.isVariant(Name.flat) && $0.sizeBytes == size })?.extra(Layout.Column.pageSwitchesPerElement) {
                    line += " (list-shuffled changes page on \(Self.format(switches * 100, 0))% of its steps, flat on \(Self.format(flatSwitches * 100, 1))%)"
                }
                lines.append(line)
            }
        }
        if let size = sizes.first, ratio(.listInOrderARC, to: .listInOrder, size) != nil,
           let arc = median(.listInOrderARC, size), let free = median(.listInOrder, size) {
            lines.append("retain/release in the loop (list-in-order-arc) adds \(Self.format(arc - free)) ns per hop at "
                + "\(ByteSize(rawValue: size)) (\(Self.format(arc / max(free, 1e-9), 1))× the ARC-free walk)")
        }
        // Each Swift kernel against its C twin, on one line: the table's `-c` rows in numbers.
        let twins = [(Name.flat, Name.flatC), (.indexListShuffled, .indexListShuffledC)].compactMap { swift, c -> String? in
            let pairs = sizes.compactMap { size in ratio(swift, to: c, size).map { "\(Self.format($0)) at \(ByteSize(rawValue: size))" } }
            return pairs.isEmpty ? nil : "\(swift.rawValue) " + pairs.joined(separator: ", ")
        }
        if !twins.isEmpty { lines.append("Swift / C twin time: " + twins.joined(separator: "; ")) }
        return lines
    }
}
