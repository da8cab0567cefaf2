/// A PAPI event code (the `int` that `PAPI_event_name_to_code` returns).
public struct EventCode: RawRepresentable, Hashable, Sendable {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }
}

/// A countable event, known to PAPI by name.
public struct Event: Hashable, Sendable {
    /// The name as the user gave it: `PAPI_L1_DCM`, `perf::PAGE-FAULTS`, …
    public let name: String
    public let code: EventCode

    /// Whether the kernel or the PMU counts this event.
    public var source: CounterSource { Event.source(ofName: name) }

    public init(name: String, code: EventCode) {
        self.name = name
        self.code = code
    }

    /// Linux's software events (`PERF_COUNT_SW_*` in linux/perf_event.h, as libpfm4 names them
    /// under the `perf::` PMU). These are counted by the kernel and need no PMU; every other
    /// event, presets included, is hardware.
    public static let kernelSoftwareEvents: Set<String> = [
        "CPU-CLOCK", "TASK-CLOCK", "PAGE-FAULTS", "FAULTS", "CONTEXT-SWITCHES", "CS",
        "CPU-MIGRATIONS", "MIGRATIONS", "MINOR-FAULTS", "MAJOR-FAULTS", "ALIGNMENT-FAULTS",
        "EMULATION-FAULTS", "DUMMY", "BPF-OUTPUT", "CGROUP-SWITCHES",
    ]

    /// `sw` for Linux's software events, by their short or long names, with or without the
    /// `perf::` (or `perf_event::`) PMU prefix and with or without modifiers
    /// (`perf::PAGE-FAULTS:u`, `PAGE-FAULTS`, `perf::PERF_COUNT_SW_TASK_CLOCK`): libpfm4 finds an
    /// unprefixed name in every PMU, so `PAGE-FAULTS` is the kernel's event too. `hw` for
    /// presets, for names under any other PMU and for everything else.
    public static func source(ofName name: String) -> CounterSource {
        softwareEventBase(ofName: name) == nil ? .hardware : .software
    }

    /// The kernel software event a name means, upper-cased, without PMU prefix or modifiers
    /// (`perf::TASK-CLOCK:u` → `TASK-CLOCK`, `perf_event::PERF_COUNT_SW_TASK_CLOCK` →
    /// `PERF_COUNT_SW_TASK_CLOCK`); nil for every other event.
    public static func softwareEventBase(ofName name: String) -> String? {
        var rest = Substring(name)
        if let prefix = perfPrefixes.first(where: { rest.hasPrefix($0) }) {
            rest = rest.dropFirst(prefix.count)
        } else if rest.contains("::") {
            return nil
        }
        let base = (rest.split(separator: ":", maxSplits: 1).first.map(String.init) ?? "").uppercased()
        return kernelSoftwareEvents.contains(base) || base.hasPrefix("PERF_COUNT_SW_") ? base : nil
    }

    /// The PMU names under which libpfm4 lists Linux's generic perf events.
    public static let perfPrefixes = ["perf::", "perf_event::"]

    /// The events `locality run` counts unless `--events` says otherwise.
    public static let defaultNames = WellKnownEvent.allCases.map(\.rawValue)
}

/// The events Locality counts by default and refers to by name (tables, findings, the noise
/// check), each named once here; the raw value is PAPI's name, as reports key counters.
public enum WellKnownEvent: String, CaseIterable, Sendable {
    case l1DataMisses = "PAPI_L1_DCM"
    case l2DataMisses = "PAPI_L2_DCM"
    case tlbDataMisses = "PAPI_TLB_DM"
    case cycles = "PAPI_TOT_CYC"
    case instructions = "PAPI_TOT_INS"
    case pageFaults = "perf::PAGE-FAULTS"
    /// The kernel's CPU time of this process, which tells a sample that waited for the CPU.
    case taskClock = "perf::TASK-CLOCK"

    /// Whether `name` is the task clock under any of its names (`TASK-CLOCK`,
    /// `perf_event::TASK-CLOCK:u`, `perf::PERF_COUNT_SW_TASK_CLOCK`), as `--events` may give it.
    public static func isTaskClock(_ name: String) -> Bool {
        ["TASK-CLOCK", "PERF_COUNT_SW_TASK_CLOCK"].contains(Event.softwareEventBase(ofName: name) ?? "")
    }

    /// Whether `name` is one of the kernel's clocks, the task clock or the CPU clock, under any
    /// of its names: a count of time, not of events.
    public static func isClock(_ name: String) -> Bool {
        isTaskClock(name) || ["CPU-CLOCK", "PERF_COUNT_SW_CPU_CLOCK"].contains(Event.softwareEventBase(ofName: name) ?? "")
    }
}
