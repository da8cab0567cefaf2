import Foundation
import Harness

/// The conclusions printed under the layout tables: what scattering and chasing cost at the
/// largest size, what ARC adds per hop, and how close the Swift kernels come to C.
struct LayoutFindings {
    typealias Name = Layout.VariantName
    let results: [VariantResult]

    private var sizes: [Int] { results.measuredSizes }

    private func median(_ variant: Name, _ size: Int) -> Double? { results.result(variant, size: size)?.nsPerElement.median }

    private func pageSwitches(_ variant: Name, _ size: Int) -> Double? {
        results.result(variant, size: size)?.extra(Layout.Column.pageSwitchesPerElement)
    }

    private func ratio(_ variant: Name, to baseline: Name, _ size: Int) -> Double? {
        results.quietRatio(variant, to: baseline, size: size)
    }

    private static func format(_ value: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", value) }

    var lines: [String] {
        var lines: [String] = []
        // The table has every ratio; the page switches per step are what explains the largest.
        if let size = sizes.last, let switches = pageSwitches(.listShuffled, size), let flatSwitches = pageSwitches(.flat, size) {
            lines.append("at \(ByteSize(rawValue: size)) list-shuffled changes page on \(Self.format(switches * 100, 0))% of steps, "
                + "flat on \(Self.format(flatSwitches * 100, 1))%"
                + (ratio(.listShuffled, to: .flat, size).map { ": \(NumberFormat.compactRatio($0)) flat" } ?? ""))
        }
        if let size = sizes.first, ratio(.listInOrderARC, to: .listInOrder, size) != nil,
           let arc = median(.listInOrderARC, size), let free = median(.listInOrder, size) {
            lines.append("list-in-order-arc's retain/release: +\(Self.format(arc - free)) ns per hop at "
                + "\(ByteSize(rawValue: size)) (\(Self.format(arc / max(free, 1e-9), 1))× the walk without)")
        }
        // Each Swift kernel against its C twin, on one line: the table's `-c` rows in numbers.
        let twins = [(Name.flat, Name.flatC), (.indexListShuffled, .indexListShuffledC)].compactMap { swift, c in
            results.twinRatios(swift, c).map { (name: swift.rawValue, ratios: $0) }
        }
        if let span = twins.first?.ratios.span, twins.allSatisfy({ $0.ratios.span == span }) {
            lines.append("Swift/C twin \(span): " + twins.map { "\($0.name) \($0.ratios.range)" }.joined(separator: ", "))
        } else if !twins.isEmpty {
            lines.append("Swift/C twin: " + twins.map { "\($0.name) \($0.ratios.range) \($0.ratios.span)" }.joined(separator: ", "))
        }
        return lines
    }
}
