import CLocalitySupport

/// The time stamp counter as a per-call timer, with what it costs and how finely it sees.
///
/// Reading it (rdtscp, a C call) takes time, and in this KVM guest consecutive reads differ
/// by multiples of ~10 ns: a call shorter than a few quanta cannot be told apart from the
/// timer itself. Per-call figures carry these two numbers so they are not read as precise.
struct CycleTimer: Sendable {
    /// Counter ticks per nanosecond (rdtscp against CLOCK_MONOTONIC_RAW over ~20 ms).
    let ticksPerNanosecond: Double
    /// Median time between two consecutive reads: what bracketing adds to every call.
    let costNanoseconds: Double
    /// Smallest non-zero difference between two consecutive reads: the timer's resolution.
    let quantumNanoseconds: Double
    /// `rdtscp`, or `clock_gettime` where there is no time stamp counter.
    let source: String

    static let shared = CycleTimer.calibrate()

    /// Below this, a per-call time is not resolved.
    var resolutionLimitNanoseconds: Double { 3 * quantumNanoseconds }

    @inline(__always)
    static func now() -> UInt64 {
        let tsc = locality_read_tsc()
        return tsc != 0 ? tsc : locality_monotonic_ns()
    }

    static func calibrate(pairs: Int = 20_000) -> CycleTimer {
        let hasTSC = locality_read_tsc() != 0
        var ticksPerNanosecond = 1.0
        if hasTSC {
            let ticks0 = locality_read_tsc(), ns0 = locality_monotonic_ns()
            var ns1 = ns0
            while ns1 &- ns0 < 20_000_000 { ns1 = locality_monotonic_ns() }
            let ticks1 = locality_read_tsc()
            ticksPerNanosecond = Double(ticks1 &- ticks0) / Double(ns1 &- ns0)
        }
        var deltas = [UInt64](repeating: 0, count: pairs)
        for i in 0..<pairs {
            let a = now()
            let b = now()
            deltas[i] = b &- a
        }
        deltas.sort()
        let median = Double(deltas[pairs / 2]) / ticksPerNanosecond
        let quantum = Double(deltas.first { $0 > 0 } ?? 1) / ticksPerNanosecond
        return CycleTimer(ticksPerNanosecond: ticksPerNanosecond, costNanoseconds: median,
                          quantumNanoseconds: quantum, source: hasTSC ? "rdtscp" : "clock_gettime")
    }
}

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
