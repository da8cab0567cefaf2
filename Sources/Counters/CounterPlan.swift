/// Which of the requested events can be counted here, and how they are grouped.
///
/// Each event is probed by really adding it to an event set and starting it: PAPI's own
/// availability queries (`papi_avail`, `PAPI_query_named_event`) call presets available on
/// guests where adding them fails. Events that pass are packed into groups that fit the PMU at
/// once; when more than one group is needed the kernel is run once per group instead of
/// letting PAPI multiplex, and `groups.count` says so.
public struct CounterPlan: Sendable {
    /// The names asked for, in order.
    public let requested: [String]
    /// Events counted together; the first group also holds the software events.
    public let groups: [[Event]]
    /// Events that cannot be counted here, by name, with the reason.
    public let unavailable: [String: Unavailability]

    public var available: [Event] { groups.flatMap { $0 } }

    public init(requested: [String], groups: [[Event]], unavailable: [String: Unavailability]) {
        self.requested = requested
        self.groups = groups
        self.unavailable = unavailable
    }

    /// A plan that counts nothing (used when counters are switched off or PAPI is missing).
    public static func none(requested: [String], reason: Unavailability) -> CounterPlan {
        CounterPlan(requested: requested, groups: [],
                    unavailable: Dictionary(uniqueKeysWithValues: requested.map { ($0, reason) }))
    }

    /// Probes each of `names` and groups the ones that work.
    ///
    /// - Throws: `CounterError.unknownEvent` when PAPI does not know a name at all (a typo or
    ///   another CPU's native event): that is bad input, not an unavailable counter.
    public static func probe(_ names: [String], library: PAPILibrary,
                             environment: CountingEnvironment) throws -> CounterPlan {
        var usable: [Event] = []
        var unavailable: [String: Unavailability] = [:]
        for name in names {
            let event: Event
            do {
                event = try library.event(named: name)
            } catch let error as PAPIError {
                throw CounterError.unknownEvent(name: name, error: error)
            }
            if let error = probeAlone(event, library: library) {
                unavailable[name] = environment.explain(
                    error, for: name, componentDisabledReason: library.componentDisabledReason(of: event))
            } else if !usable.contains(event) {
                usable.append(event)
            }
        }
        return CounterPlan(requested: names, groups: group(usable, library: library), unavailable: unavailable)
    }

    /// Adds, starts and stops `event` in a set of its own; the error if any step fails.
    static func probeAlone(_ event: Event, library: PAPILibrary) -> PAPIError? {
        do {
            let set = try EventSet(library: library)
            try set.add(event)
            try set.start()
            _ = try set.stop()
            return nil
        } catch let error as PAPIError {
            return error
        } catch {
            return PAPIError(code: -1, call: "probe(\(event.name))")
        }
    }

    /// Packs hardware events greedily into sets that PAPI accepts and can start; software
    /// events ride in the first group, since they use no PMU counter.
    static func group(_ events: [Event], library: PAPILibrary) -> [[Event]] {
        let software = events.filter { $0.source == .software }
        let hardware = events.filter { $0.source == .hardware }
        var groups: [[Event]] = []
        var current: [Event] = []
        for event in hardware {
            if fitsTogether(current + [event], library: library) {
                current.append(event)
            } else {
                if !current.isEmpty { groups.append(current) }
                current = [event]
            }
        }
        if !current.isEmpty { groups.append(current) }
        if groups.isEmpty { return software.isEmpty ? [] : [software] }
        if fitsTogether(groups[0] + software, library: library) {
            groups[0] += software
        } else {
            groups.insert(software, at: 0)
        }
        return groups
    }

    private static func fitsTogether(_ events: [Event], library: PAPILibrary) -> Bool {
        guard let set = try? EventSet(library: library) else { return false }
        do {
            for event in events { try set.add(event) }
            try set.start()
            _ = try set.stop()
            return true
        } catch {
            return false
        }
    }
}

/// Errors of the counters layer that are not a plain failed PAPI call.
public enum CounterError: Error, CustomStringConvertible, Sendable {
    case unknownEvent(name: String, error: PAPIError)

    public var description: String {
        switch self {
        case let .unknownEvent(name, error):
            return "unknown event '\(name)': \(error.message) (PAPI_event_name_to_code); "
                + "`papi_avail` and `papi_native_avail` list the events of this machine"
        }
    }
}
