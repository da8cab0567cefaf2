/// Where a counter value comes from. Every value Locality prints carries one.
public enum CounterSource: String, Codable, Sendable, CaseIterable {
    /// A hardware performance-monitoring event read through PAPI (a preset such as
    /// `PAPI_L1_DCM`, or a native PMU event).
    case hardware = "hw"
    /// A kernel software event read through PAPI's perf_event component
    /// (`perf::PAGE-FAULTS`, `perf::TASK-CLOCK`, …): counted by the kernel, present without a PMU.
    case software = "sw"
    /// A count from a simulation under valgrind: locsim (Tools/locsim) or callgrind (`--cache-sim=yes`).
    case simulated = "sim"
}
