import Counters

/// A simulated run's measuring instrument: the valgrind tool, the caches and data TLBs it
/// simulates, and the session that reads the dump it writes for each sample.
public struct Simulation {
    public let simulator: Simulator
    /// The caches simulated (nil: the tool's own choice, which the CLI never leaves it).
    public let caches: CacheGeometry?
    /// The data TLBs simulated; nil under callgrind, which has none.
    public let tlbs: TLBGeometry?
    public let session: CallgrindSession

    /// The session reads the dumps written under `outputBase` (BASE.1, BASE.2, …), expecting
    /// the events `simulator` reports on `caches`.
    public init(simulator: Simulator, caches: CacheGeometry?, tlbs: TLBGeometry?, outputBase: String) {
        self.simulator = simulator
        self.caches = caches
        self.tlbs = tlbs
        session = CallgrindSession(outputBase: outputBase, reportedEvents: simulator.reportedEvents(caches: caches),
                                   unavailable: simulator.unsimulatedEvents(caches: caches))
    }
}

/// Where a runner's counts come from, chosen once for a run: the machine's counters beside
/// timed samples, or a simulator counting one pass.
public enum MeasurementBackend {
    /// Timed samples with the PAPI events of `plan` (`hw`, `sw`); an empty plan times only.
    case counters(CounterPlan, library: PAPILibrary?)
    /// Counts from a valgrind tool's simulated caches and TLBs (`sim`); times mean nothing.
    case simulation(Simulation)

    /// Timed samples and no counters.
    public static var timesOnly: MeasurementBackend { .counters(CounterPlan(requested: [], groups: [], unavailable: [:]), library: nil) }

    public var mode: RunMode {
        switch self {
        case .counters: return .run
        case .simulation: return .sim
        }
    }

    /// The counter names reported, in column order.
    public var counterNames: [String] {
        switch self {
        case let .counters(plan, _): return plan.requested
        case let .simulation(simulation): return simulation.session.reportedEvents
        }
    }

    /// The events asked for that cannot be counted, each with why.
    public var unavailable: [String: String] {
        switch self {
        case let .counters(plan, _): return plan.unavailable.mapValues { $0.description }
        case let .simulation(simulation): return simulation.session.unavailable
        }
    }

    /// The PMU groups each kernel runs once for; 0 with no counters and under simulation.
    public var counterGroups: Int {
        switch self {
        case let .counters(plan, _): return plan.groups.count
        case .simulation: return 0
        }
    }

    /// The simulation, when this is one.
    public var simulation: Simulation? {
        if case let .simulation(simulation) = self { return simulation }
        return nil
    }
}
