import CPAPI
import Foundation

/// Every PAPI call goes through this lock, one thread at a time (PAPI_library_init is not
/// safe to race either), and every call after initialisation first registers its thread
/// with PAPI. A thread's first call without registering crashed inside
/// PAPI_event_name_to_code (a NULL thread record) in about one run in four of the test
/// suites, whose threads come and go; with both, 0 in 70. Recursive, so that
/// `PAPILibrary.exclusively` can hold it across calls that take it again.
private let calls = NSRecursiveLock()

/// Runs `body` with the PAPI lock held, the calling thread registered (`PAPI_register_thread`).
func withPAPILock<T>(_ body: () throws -> T) rethrows -> T {
    calls.lock()
    defer { calls.unlock() }
    _ = locality_papi_register_this_thread()
    return try body()
}

/// The initialised PAPI library (`PAPI_library_init` and `PAPI_thread_init`).
///
/// PAPI keeps process-wide state, so initialisation is idempotent: every value of this type
/// refers to the same library. Event sets count the thread that created them.
public struct PAPILibrary: Sendable {
    /// The version PAPI reports, as `major.minor.revision`.
    public let version: String

    /// Initialises PAPI (`PAPI_library_init(PAPI_VER_CURRENT)`), or returns the library
    /// already initialised.
    ///
    /// - Throws: `PAPIError` carrying PAPI's message, for example when the library that is
    ///   loaded at run time does not match the headers the package was built with.
    public init() throws {
        // The lock itself, not withPAPILock: registering a thread needs the library initialised.
        calls.lock()
        defer { calls.unlock() }
        if PAPI_is_initialized() == PAPI_NOT_INITED {
            let result = locality_papi_library_init()
            if result != locality_papi_version_current() {
                // A positive result is a different library version; a negative one an error.
                if result > 0 {
                    throw PAPIError(code: PAPI_EINVAL, call: "PAPI_library_init (library version \(Self.format(result)) does not match header version \(Self.format(locality_papi_version_current())))")
                }
                throw PAPIError(code: result, call: "PAPI_library_init")
            }
            try PAPIError.check(locality_papi_thread_init(), "PAPI_thread_init")
        }
        version = Self.format(locality_papi_library_version())
    }

    private static func format(_ v: Int32) -> String {
        "\(locality_papi_version_major(v)).\(locality_papi_version_minor(v)).\(locality_papi_version_revision(v))"
    }

    /// Runs `body` while no other thread makes a PAPI call: for a whole measurement (create
    /// a set, start, run, stop) where other threads of the process use PAPI too. Single calls
    /// take the lock themselves.
    public static func exclusively<T>(_ body: () throws -> T) rethrows -> T {
        try withPAPILock(body)
    }

    /// Resolves an event name (`PAPI_event_name_to_code`): a preset such as `PAPI_L1_DCM` or a
    /// native name such as `perf::PAGE-FAULTS`.
    ///
    /// - Throws: `PAPIError` when PAPI does not know the name on this machine.
    public func event(named name: String) throws -> Event {
        var code: Int32 = 0
        let result = withPAPILock { PAPI_event_name_to_code(name, &code) }
        try PAPIError.check(result, "PAPI_event_name_to_code(\(name))")
        return Event(name: name, code: EventCode(rawValue: code))
    }

    /// The name of the component that owns `event` (`PAPI_get_event_info`, then
    /// `PAPI_get_component_info`), e.g. `perf_event`; nil when PAPI cannot say.
    public func componentName(of event: Event) -> String? {
        guard let component = componentInfo(of: event) else { return nil }
        return string(fromCharArray: component.name)
    }

    /// Why the component owning `event` is disabled, if it is (`disabled_reason`).
    public func componentDisabledReason(of event: Event) -> String? {
        guard let component = componentInfo(of: event), component.disabled != 0 else { return nil }
        return string(fromCharArray: component.disabled_reason)
    }

    /// How many hardware counters the component owning `event` has (`PAPI_num_cmp_hwctrs`).
    public func hardwareCounterCount(for event: Event) -> Int? {
        var info = PAPI_event_info_t()
        guard withPAPILock({ PAPI_get_event_info(event.code.rawValue, &info) }) == PAPI_OK else { return nil }
        let count = withPAPILock { PAPI_num_cmp_hwctrs(info.component_index) }
        return count > 0 ? Int(count) : nil
    }

    /// What PAPI knows of the hardware (`PAPI_get_hardware_info`).
    public var hardware: HardwareInfo? {
        guard let info = withPAPILock({ PAPI_get_hardware_info()?.pointee }) else { return nil }
        return HardwareInfo(model: string(fromCharArray: info.model_string), virtualized: info.virtualized != 0,
                            virtualVendor: string(fromCharArray: info.virtual_vendor_string)
                                .trimmingCharacters(in: .whitespaces))
    }

    private func componentInfo(of event: Event) -> PAPI_component_info_t? {
        var info = PAPI_event_info_t()
        guard withPAPILock({ PAPI_get_event_info(event.code.rawValue, &info) }) == PAPI_OK else { return nil }
        return withPAPILock { PAPI_get_component_info(info.component_index)?.pointee }
    }
}

/// Hardware facts as PAPI reports them.
public struct HardwareInfo: Sendable, Equatable {
    public let model: String
    public let virtualized: Bool
    public let virtualVendor: String
}

/// A NUL-terminated C `char[N]` field, which Swift imports as a tuple, as a String.
func string<T>(fromCharArray field: T) -> String {
    withUnsafeBytes(of: field) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
}
