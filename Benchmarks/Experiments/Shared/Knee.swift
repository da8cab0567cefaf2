/// A place where a measured latency curve steps up: between two neighbouring sizes, the time
/// per access rises by at least a set factor, and stays up.
struct Knee: Equatable, Sendable {
    /// The last size before the step and the first after it.
    let lowerX: Double
    let upperX: Double
    let lowerY: Double
    let upperY: Double
    /// False for a step at the last size, which no later point confirms.
    var confirmed = true

    var ratio: Double { upperY / lowerY }
}

/// Finds knees in a measured curve, without knowing the machine: the sysfs and cpuid sizes
/// are printed beside them afterwards, so a reader sees where they agree and where the
/// effective capacity differs from the reported one.
enum KneeDetector {
    /// Each step between neighbouring points (sorted by x) where y rises by `minimumRatio` and
    /// by `minimumRise` in absolute terms, where the next point, if any, is still that far
    /// above the step's lower end (a single noisy sample is not a knee), and, when the samples'
    /// ranges are given, where the slowest sample below is faster than the fastest above.
    static func knees(xs: [Double], ys: [Double], ranges: [ClosedRange<Double>]? = nil,
                      minimumRatio: Double = 1.25, minimumRise: Double = 0.5) -> [Knee] {
        precondition(xs.count == ys.count && (ranges?.count ?? xs.count) == xs.count)
        let points = xs.indices.map { (x: xs[$0], y: ys[$0], range: ranges?[$0]) }.sorted { $0.x < $1.x }
        guard points.count >= 2 else { return [] }
        var knees: [Knee] = []
        for i in 1..<points.count {
            let lower = points[i - 1], upper = points[i]
            guard lower.y > 0, upper.y >= lower.y * minimumRatio, upper.y - lower.y >= minimumRise else { continue }
            if let below = lower.range, let above = upper.range, below.upperBound >= above.lowerBound { continue }
            if i + 1 < points.count, points[i + 1].y < lower.y * minimumRatio { continue }
            knees.append(Knee(lowerX: lower.x, upperX: upper.x, lowerY: lower.y, upperY: upper.y,
                              confirmed: i + 1 < points.count))
        }
        return knees
    }
}
