import Harness

extension [VariantResult] {
    /// A Swift kernel's time over its C twin's, at each size where both are quiet, as one range:
    /// "0.95×–1.16× over 4K–64M", "1.08× at 400K"; nil where no size has both quiet. The C twin
    /// is the independent measurement a Swift kernel is held against.
    func twinRatios(_ swift: some VariantKey, _ twin: some VariantKey) -> (range: String, span: String)? {
        let twins = measuredSizes.compactMap { size in quietRatio(swift, to: twin, size: size).map { (size: size, ratio: $0) } }
        guard let low = twins.map(\.ratio).min(), let high = twins.map(\.ratio).max(), let first = twins.first, let last = twins.last
        else { return nil }
        let range = NumberFormat.ratio(low) == NumberFormat.ratio(high) ? NumberFormat.ratio(low)
            : "\(NumberFormat.ratio(low))–\(NumberFormat.ratio(high))"
        let span = first.size == last.size ? "at \(ByteSize(rawValue: first.size))"
            : "over \(ByteSize(rawValue: first.size))–\(ByteSize(rawValue: last.size))"
        return (range, span)
    }
}
