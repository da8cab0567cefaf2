import CLocalitySupport

/// The time stamp counter as a per-call timer, with what it costs and how finely it sees.
///
/// Reading it (rdtscp, a C call) takes time, and in this KVM guest consecutive reads differ
/// by multiples of ~10 ns: a call shorter than a few quanta cannot be told apart from the
/// timer itself. Per-call figures carry these two numbers so they are not read as precise.
///
/// Calibrated once per run by `SuiteRun` (where the machine is read) and handed to the
/// experiments in their `ExperimentContext`; tests give one with the figures they need.
public struct CycleTimer: Equatable, Sendable {
    /// Counter ticks per nanosecond (rdtscp against CLOCK_MONOTONIC_RAW over ~20 ms).
    public let ticksPerNanosecond: Double
    /// Median time between two consecutive reads: what bracketing adds to every call.
    public let costNanoseconds: Double
    /// Smallest non-zero difference between two consecutive reads: the timer's resolution.
    public let quantumNanoseconds: Double
    /// `rdtscp`, or `clock_gettime` where there is no time stamp counter.
    public let source: String

    public init(ticksPerNanosecond: Double, costNanoseconds: Double, quantumNanoseconds: Double, source: String) {
        self.ticksPerNanosecond = ticksPerNanosecond
        self.costNanoseconds = costNanoseconds
        self.quantumNanoseconds = quantumNanoseconds
        self.source = source
    }

    /// Below this, a per-call time is not resolved.
    public var resolutionLimitNanoseconds: Double { 3 * quantumNanoseconds }

    /// The counter now (rdtscp, else CLOCK_MONOTONIC_RAW in ns): inlined into timed loops.
    @inlinable @inline(__always)
    public static func now() -> UInt64 {
        let tsc = locality_read_tsc()
        return tsc != 0 ? tsc : locality_monotonic_ns()
    }

    /// Reads the counter against the clock (~20 ms) and 20 000 back-to-back pairs, counted in a
    /// histogram on the stack (see `medianAndQuantum`). No file is read and nothing is malloc'd,
    /// so it runs under valgrind too (`locality sim`), where the figures are valgrind's.
    public static func calibrate(pairs: Int = 20_000) -> CycleTimer {
        let hasTSC = locality_read_tsc() != 0
        var ticksPerNanosecond = 1.0
        if hasTSC {
            let ticks0 = locality_read_tsc(), ns0 = locality_monotonic_ns()
            var ns1 = ns0
            while ns1 &- ns0 < 20_000_000 { ns1 = locality_monotonic_ns() }
            let ticks1 = locality_read_tsc()
            ticksPerNanosecond = Double(ticks1 &- ticks0) / Double(ns1 &- ns0)
        }
        let (medianTicks, quantumTicks) = medianAndQuantum(pairs: pairs) {
            let a = now()
            let b = now()
            return b &- a
        }
        let median = Double(medianTicks) / ticksPerNanosecond
        let quantum = Double(quantumTicks) / ticksPerNanosecond
        return CycleTimer(ticksPerNanosecond: ticksPerNanosecond, costNanoseconds: median,
                          quantumNanoseconds: quantum, source: hasTSC ? "rdtscp" : "clock_gettime")
    }

    /// Ticks counted one by one, from the smallest of the warm-up's differences up: 512
    /// two-byte counts, 1024 bytes. `withUnsafeTemporaryAllocation` puts a buffer on the stack
    /// only up to 1024 bytes and mallocs a larger one; the run calibrates before its first
    /// experiment, and memory malloc'd there moves the heap under every experiment after it
    /// (the simulated counts of heap-placed kernels follow where chunks lie).
    static let histogramBuckets = 512
    static var histogramBytes: Int { histogramBuckets * MemoryLayout<UInt16>.stride }

    /// The median and the smallest non-zero of `pairs` differences drawn from `next` (two
    /// consecutive reads), after `warmUp` more that place the histogram: its buckets count
    /// each tick from the warm-up's smallest difference, and a difference 511 ticks or more
    /// above that (a preemption, never a read) shares the last. A median beyond the window is
    /// given as its last tick; the quantum is kept as a running minimum, exact at any size.
    /// At most 65535 pairs are counted (the counts are UInt16).
    static func medianAndQuantum(pairs: Int, warmUp: Int = 256, _ next: () -> UInt64) -> (median: Int, quantum: Int) {
        let pairs = min(max(pairs, 1), Int(UInt16.max))
        var quantum = UInt64.max
        var start = UInt64.max
        for _ in 0..<max(warmUp, 1) {
            let difference = next()
            start = min(start, difference)
            if difference > 0 { quantum = min(quantum, difference) }
        }
        let last = histogramBuckets - 1
        return withUnsafeTemporaryAllocation(of: UInt16.self, capacity: histogramBuckets) { histogram -> (Int, Int) in
            histogram.initialize(repeating: 0)
            var below = 0
            for _ in 0..<pairs {
                let difference = next()
                if difference > 0 { quantum = min(quantum, difference) }
                if difference < start { below += 1; continue }
                histogram[Int(min(difference - start, UInt64(last)))] &+= 1
            }
            // The median is the sorted differences' element pairs / 2 (from 0).
            var seen = below, median = last
            if seen <= pairs / 2 {
                for bucket in 0...last {
                    seen += Int(histogram[bucket])
                    if seen > pairs / 2 { median = bucket; break }
                }
            } else {
                median = 0  // below the window: its first tick is an upper bound
            }
            return (Int(clamping: start) + median, quantum == .max ? 1 : Int(clamping: quantum))
        }
    }
}
