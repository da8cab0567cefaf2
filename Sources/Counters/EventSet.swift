import CPAPI

/// A PAPI event set (`PAPI_create_eventset`): events counted together, started and stopped as
/// one. Counts the thread that creates it; destroyed (`PAPI_cleanup_eventset`,
/// `PAPI_destroy_eventset`) when the value is released.
public final class EventSet {
    private var handle: Int32 = PAPI_NULL
    /// The events added so far, in the order their values are read.
    public private(set) var events: [Event] = []
    public private(set) var isRunning = false

    /// - Throws: `PAPIError` from `PAPI_create_eventset`.
    public init(library: PAPILibrary) throws {
        _ = library
        try PAPIError.check(withPAPILock { PAPI_create_eventset(&handle) }, "PAPI_create_eventset")
    }

    deinit {
        withPAPILock {
            if isRunning {
                var scratch = [Int64](repeating: 0, count: max(events.count, 1))
                _ = scratch.withUnsafeMutableBufferPointer { PAPI_stop(handle, $0.baseAddress) }
            }
            _ = PAPI_cleanup_eventset(handle)
            _ = PAPI_destroy_eventset(&handle)
        }
    }

    /// Adds `event` (`PAPI_add_event`). A failed add leaves the set as it was.
    ///
    /// - Throws: `PAPIError`, e.g. `PAPI_ENOEVNT` ("Event does not exist") for a hardware
    ///   preset where no PMU is visible, or `PAPI_ECNFLCT` when the counters are used up.
    public func add(_ event: Event) throws {
        try PAPIError.check(withPAPILock { PAPI_add_event(handle, event.code.rawValue) }, "PAPI_add_event(\(event.name))")
        events.append(event)
    }

    /// Removes `event` (`PAPI_remove_event`).
    public func remove(_ event: Event) throws {
        try PAPIError.check(withPAPILock { PAPI_remove_event(handle, event.code.rawValue) }, "PAPI_remove_event(\(event.name))")
        events.removeAll { $0 == event }
    }

    /// Zeroes and starts the counters (`PAPI_start`), with a compiler barrier after it so that
    /// no measured memory access is moved before the start. The PAPI lock's release after the
    /// start (and its taking before `stop`) falls inside the counted window: some 100
    /// instructions and one cache line per sample, against samples of ≥ 10 ms.
    public func start() throws {
        try PAPIError.check(withPAPILock { PAPI_start(handle) }, "PAPI_start")
        isRunning = true
        locality_papi_compiler_barrier()
    }

    /// Stops the counters (`PAPI_stop`) and returns one value per event, in `events` order.
    /// A compiler barrier before it keeps measured accesses inside the bracket.
    public func stop() throws -> [Int64] {
        locality_papi_compiler_barrier()
        var values = [Int64](repeating: 0, count: max(events.count, 1))
        let result = withPAPILock { values.withUnsafeMutableBufferPointer { PAPI_stop(handle, $0.baseAddress) } }
        isRunning = false
        try PAPIError.check(result, "PAPI_stop")
        return Array(values.prefix(events.count))
    }

    /// Reads the running counters without stopping them (`PAPI_read`).
    public func read() throws -> [Int64] {
        locality_papi_compiler_barrier()
        var values = [Int64](repeating: 0, count: max(events.count, 1))
        let result = withPAPILock { values.withUnsafeMutableBufferPointer { PAPI_read(handle, $0.baseAddress) } }
        try PAPIError.check(result, "PAPI_read")
        return Array(values.prefix(events.count))
    }
}
