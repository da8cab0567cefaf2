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

    /// Reads the counter against the clock (~20 ms) and 20 000 back-to-back pairs. No file is
    /// read, so it runs under valgrind too (`locality sim`), where the figures are valgrind's.
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
        // A histogram of the differences on the stack rather than an array of them on the heap:
        // the run calibrates before its first experiment, and a 160 KB array mmap'd and freed
        // there would raise glibc's mmap threshold and move the heap under every experiment
        // after it (the simulated counts of heap-placed kernels follow where chunks lie).
        // Differences from `cap` ticks up (~6 µs: a preemption, never a read) share its bucket.
        let cap = 1 << 14
        let (medianTicks, quantumTicks) = withUnsafeTemporaryAllocation(of: UInt32.self, capacity: cap + 1) { histogram -> (Int, Int) in
            histogram.initialize(repeating: 0)
            for _ in 0..<pairs {
                let a = now()
                let b = now()
                histogram[Int(min(b &- a, UInt64(cap)))] &+= 1
            }
            // The median is the sorted differences' element pairs / 2 (from 0); the quantum their
            // smallest non-zero one.
            var seen = 0, median = cap
            for ticks in 0...cap {
                seen += Int(histogram[ticks])
                if seen > pairs / 2 { median = ticks; break }
            }
            var quantum = 1
            for ticks in 1...cap where histogram[ticks] > 0 { quantum = ticks; break }
            return (median, quantum)
        }
        let median = Double(medianTicks) / ticksPerNanosecond
        let quantum = Double(quantumTicks) / ticksPerNanosecond
        return CycleTimer(ticksPerNanosecond: ticksPerNanosecond, costNanoseconds: median,
                          quantumNanoseconds: quantum, source: hasTSC ? "rdtscp" : "clock_gettime")
    }
}
