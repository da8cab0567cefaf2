/// Median, minimum and maximum of a set of samples.
public struct Summary: Codable, Equatable, Sendable {
    public let median: Double
    public let min: Double
    public let max: Double

    public init(median: Double, min: Double, max: Double) {
        self.median = median
        self.min = min
        self.max = max
    }

    /// Summarises `samples`; the median of an even count is the mean of the middle two.
    public init(_ samples: [Double]) {
        precondition(!samples.isEmpty, "Summary of no samples")
        let sorted = samples.sorted()
        let mid = sorted.count / 2
        median = sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
        min = sorted[0]
        max = sorted[sorted.count - 1]
    }

    /// (max − min) / median: the relative spread of the samples.
    public var spread: Double { median > 0 ? (max - min) / median : 0 }
}
