/// A place where a measured latency curve steps up: between two neighbouring sizes, the time
/// per access rises by at least a set factor, and stays up.
struct Knee: Equatable, Sendable {
    /// The last size before the step and the first after it.
    let lowerX: Double
    let upperX: Double
    let lowerY: Double
    let upperY: Double

    var ratio: Double { upperY / lowerY }
}

/// Finds knees in a measured curve, without knowing the machine: the sysfs and cpuid sizes
/// are printed beside them afterwards, so a reader sees where they agree and where the
/// effective capacity differs from the reported one.
enum KneeDetector {
    /// Each step between neighbouring points (sorted by x) where y rises by `minimumRatio` and
    /// by `minimumRise` in absolute terms, and where the next point, if any, is still that far
    /// above the step's lower end (a single noisy sample is not a knee).
    static func knees(xs: [Double], ys: [Double], minimumRatio: Double = 1.25, minimumRise: Double = 0.5) -> [Knee] {
        precondition(xs.count == ys.count)
        let points = zip(xs, ys).sorted { $0.0 < $1.0 }
        guard points.count >= 2 else { return [] }
        var knees: [Knee] = []
        for i in 1..<points.count {
            let (x0, y0) = points[i - 1], (x1, y1) = points[i]
            guard y0 > 0, y1 >= y0 * minimumRatio, y1 - y0 >= minimumRise else { continue }
            if i + 1 < points.count, points[i + 1].1 < y0 * minimumRatio { continue }
            knees.append(Knee(lowerX: x0, upperX: x1, lowerY: y0, upperY: y1))
        }
        return knees
    }

    /// The reference sizes (name, bytes) that fall inside a knee, `lowerX ≤ size < upperX`: a
    /// working set of exactly the cache's size still fits, one step larger does not.
    static func references(for knee: Knee, among references: [(name: String, x: Double)]) -> [String] {
        references.filter { $0.x >= knee.lowerX && $0.x < knee.upperX }.map(\.name)
    }
}
