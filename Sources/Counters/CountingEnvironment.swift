import Foundation

/// The facts about this machine that decide whether a counter can be read: whether the kernel
/// sees a hardware PMU, how strict `perf_event_paranoid` is, and whether we run under a
/// hypervisor. Read from /sys and /proc, or built by hand in tests.
public struct CountingEnvironment: Sendable, Equatable {
    /// True when /sys/bus/event_source/devices holds a core PMU (`cpu`, `cpu_core`,
    /// `cpu_atom` or an `armv8_*` PMU).
    public var hasHardwarePMU: Bool
    /// /proc/sys/kernel/perf_event_paranoid, nil when unreadable.
    public var perfEventParanoid: Int?
    /// The hypervisor's name (cpuid 0x40000000, or "unknown" when only the cpuinfo
    /// `hypervisor` flag says so), nil on bare metal.
    public var hypervisor: String?
    /// perf_event_paranoid does not bind root (CAP_PERFMON / CAP_SYS_ADMIN).
    public var isRoot: Bool

    public init(hasHardwarePMU: Bool, perfEventParanoid: Int?, hypervisor: String?, isRoot: Bool = false) {
        self.hasHardwarePMU = hasHardwarePMU
        self.perfEventParanoid = perfEventParanoid
        self.hypervisor = hypervisor
        self.isRoot = isRoot
    }

    public static let pmuDevicesPath = "/sys/bus/event_source/devices"

    /// Reads this machine's facts.
    public static func current(hypervisor: String?) -> CountingEnvironment {
        let devices = (try? FileManager.default.contentsOfDirectory(atPath: pmuDevicesPath)) ?? []
        let hasPMU = devices.contains { ["cpu", "cpu_core", "cpu_atom"].contains($0) || $0.hasPrefix("armv") }
        let paranoid = (try? String(contentsOfFile: "/proc/sys/kernel/perf_event_paranoid", encoding: .utf8))
            .flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        return CountingEnvironment(hasHardwarePMU: hasPMU, perfEventParanoid: paranoid, hypervisor: hypervisor,
                                   isRoot: geteuid() == 0)
    }

    /// Explains, in words a user can act on, why `event` could not be counted.
    public func explain(_ error: PAPIError, for eventName: String, componentDisabledReason: String? = nil) -> Unavailability {
        let source = Event.source(ofName: eventName)
        var cause: String
        if let disabled = componentDisabledReason, !disabled.isEmpty {
            cause = "PAPI disabled the component that owns this event: \(disabled)"
        } else if let paranoid = perfEventParanoid, paranoid > 2, !isRoot,
                  error.code == PAPIError.permissionDenied || error.code == PAPIError.systemCallFailed
                    || error.code == PAPIError.eventDoesNotExist {
            cause = "/proc/sys/kernel/perf_event_paranoid is \(paranoid), which forbids counting; "
                + "allow user-space counting with: sudo sysctl -w kernel.perf_event_paranoid=2"
        } else if source == .hardware && !hasHardwarePMU {
            cause = "the kernel sees no hardware PMU (no \(Self.pmuDevicesPath)/cpu)"
            if let hypervisor {
                cause += ": a \(hypervisor) guest without a virtual PMU; enable one on the host "
                    + "(QEMU: -cpu host,pmu=on) or run on bare metal"
            }
        } else if error.code == PAPIError.counterConflict {
            cause = "the PMU's counters are in use (another profiler, or the NMI watchdog: "
                + "sudo sysctl -w kernel.nmi_watchdog=0)"
        } else if error.code == PAPIError.permissionDenied {
            cause = "the kernel refused to open the counter (perf_event_paranoid is \(perfEventParanoid.map(String.init) ?? "unknown"); "
                + "in a container, CAP_PERFMON or the seccomp profile may block perf_event_open)"
        } else if error.code == PAPIError.eventDoesNotExist {
            cause = "this CPU's PMU does not offer the event (papi_avail and papi_native_avail list what it has)"
        } else {
            cause = "PAPI could not count it here"
        }
        return Unavailability(papiCall: error.call, papiCode: error.code, papiMessage: error.message, cause: cause)
    }
}

/// Why an event is not counted: PAPI's own words and the likely cause.
public struct Unavailability: Sendable, Equatable, Codable, CustomStringConvertible {
    public let papiCall: String
    public let papiCode: Int32
    /// PAPI's message (`PAPI_strerror`), e.g. "Event does not exist".
    public let papiMessage: String
    /// The likely cause and what to do about it.
    public let cause: String

    public init(papiCall: String, papiCode: Int32, papiMessage: String, cause: String) {
        self.papiCall = papiCall
        self.papiCode = papiCode
        self.papiMessage = papiMessage
        self.cause = cause
    }

    public var description: String { "\(papiMessage) (PAPI \(papiCode)) — \(cause)" }
}
