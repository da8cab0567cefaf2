/// The valgrind tool behind `locality sim`. Both write callgrind's dump format when the client
/// asks (zero, toggle collection, dump under the variant's name), so the harness brackets and
/// reads a pass the same way under either.
public enum Simulator: String, Codable, Sendable, CaseIterable {
    /// Locality's own tool (Tools/locsim): every data-cache level and the data TLBs.
    case locsim
    /// valgrind's callgrind (`--cache-sim=yes`): D1 and LL, no TLB. Kept as the independent
    /// reference the tests hold locsim's D1 and LL counts against.
    case callgrind

    /// The events its dumps report, in table order: callgrind's Ir, Dr, Dw, D1 and last-level
    /// read and write misses; locsim adds the L2 misses (reads and writes, where it simulates
    /// an L2), L1 dTLB misses and page walks (L2 TLB misses).
    public func reportedEvents(caches: CacheGeometry?) -> [String] {
        SimulatedEvent.names(events(caches: caches))
    }

    /// `reportedEvents`, typed.
    public func events(caches: CacheGeometry?) -> [SimulatedEvent] {
        switch self {
        case .callgrind: return CallgrindDump.events
        case .locsim: return SimulatedEvent.allCases.filter { $0 != .l2Misses || caches?.l2 != nil }
        }
    }

    /// The events locsim can count that this simulator, on `caches`, does not, each with why:
    /// shown unavailable with the reason, as a PAPI event the machine lacks is, never left out
    /// in silence.
    public func unsimulatedEvents(caches: CacheGeometry?) -> [String: String] {
        let counted = Set(events(caches: caches))
        var reasons: [String: String] = [:]
        for event in SimulatedEvent.allCases where !counted.contains(event) {
            switch (self, event) {
            case (.callgrind, .l2Misses): reasons[event.rawValue] = "callgrind simulates D1 and LL only (--simulator locsim counts L2 misses)"
            case (.callgrind, _): reasons[event.rawValue] = "callgrind simulates no TLB (--simulator locsim counts dTLB misses and page walks)"
            default: reasons[event.rawValue] = "no L2 simulated (--cache L2=none, or the machine reports no level between L1d and the last)"
            }
        }
        return reasons
    }

    /// The reported events that count misses rather than accesses.
    public static let missEvents = Set(SimulatedEvent.allCases.filter(\.countsMisses).map(\.rawValue))
}
