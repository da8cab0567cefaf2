import Harness

/// Percentiles of per-call times, in nanoseconds with the timer's own cost taken off.
struct PerCallSummary: Equatable, Sendable {
    let p50: Double
    let p99: Double
    let max: Double
    let calls: Int

    /// `ticks` are raw bracketed durations; each becomes max(0, ticks / rate − cost).
    init(ticks: [UInt64], timer: CycleTimer) {
        precondition(!ticks.isEmpty, "no calls timed")
        let sorted = ticks.sorted()
        func net(_ t: UInt64) -> Double { Swift.max(0, Double(t) / timer.ticksPerNanosecond - timer.costNanoseconds) }
        // Nearest rank: the smallest value with at least q of the calls at or below it.
        func percentile(_ q: Double) -> UInt64 { sorted[Swift.max(0, Int((Double(sorted.count) * q).rounded(.up)) - 1)] }
        p50 = net(percentile(0.5))
        p99 = net(percentile(0.99))
        max = net(sorted[sorted.count - 1])
        calls = sorted.count
    }
}
