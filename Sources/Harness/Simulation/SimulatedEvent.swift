/// The events `locality sim` reports, each named once: the raw value is the name callgrind's
/// dump format gives it (`events:` line), which reports key counters by. locsim writes the same
/// names and adds L2m, DTLB1m and DTLB2m.
public enum SimulatedEvent: String, CaseIterable, Sendable, CounterName {
    /// Instructions executed.
    case instructions = "Ir"
    case dataReads = "Dr"
    case dataWrites = "Dw"
    case l1DataReadMisses = "D1mr"
    case l1DataWriteMisses = "D1mw"
    /// L2 misses, reads and writes (locsim, where it simulates an L2).
    case l2Misses = "L2m"
    case lastLevelReadMisses = "DLmr"
    case lastLevelWriteMisses = "DLmw"
    /// L1 dTLB misses (locsim).
    case l1DataTLBMisses = "DTLB1m"
    /// L2 TLB misses, i.e. page walks (locsim).
    case pageWalks = "DTLB2m"

    /// Whether it counts misses rather than accesses.
    public var countsMisses: Bool {
        switch self {
        case .instructions, .dataReads, .dataWrites: return false
        default: return true
        }
    }

    /// The names of `events`, as dumps and reports write them.
    public static func names(_ events: [SimulatedEvent]) -> [String] { events.map(\.rawValue) }
}
