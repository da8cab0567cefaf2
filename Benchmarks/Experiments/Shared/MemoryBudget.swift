import Harness

/// What the largest default sizes must fit in half of.
public enum MemoryBudget: Sendable {
    /// The tightest limit on the memory this process may take (MemAvailable, `ulimit -v`, the
    /// cgroup's, the commit limit), read once, when first needed. Not before: the process
    /// `locality sim` runs under valgrind must not read files whose lengths change from run to
    /// run (a cgroup's memory.current), since every allocation moves the heap it measures.
    case current
    /// A given limit (tests); nil for none.
    case given(MemoryLimit?)

    static let currentLimit: MemoryLimit? = MemoryLimits.current(memAvailable: MachineInfo.current().memAvailableBytes).tightest

    public var limit: MemoryLimit? {
        switch self {
        case .current: return Self.currentLimit
        case let .given(limit): return limit
        }
    }
}

/// The finding naming the default sizes `capped` left out and not measured anyway, or nil.
/// `what` says what of a size needs the memory ("two buffers of it need ").
func leftOutFinding(_ leftOut: [ByteSize], measured results: [VariantResult], memory: MemoryLimit?,
                    what: String = "") -> String? {
    let measured = Set(results.map(\.sizeBytes))
    let missing = leftOut.filter { !measured.contains($0.rawValue) }
    guard !missing.isEmpty, let memory else { return nil }
    return "left out of the default sizes: \(missing.map(\.description).joined(separator: ", ")) "
        + "(\(what)more than half of what \(memory.source) leaves, \(MemoryLimit.bytes(memory.remainingBytes)))"
}

/// Splits `sizes` into those whose footprint fits in half of `memory` and those left out.
func capped(_ sizes: [ByteSize], footprint: (ByteSize) -> Int, memory: MemoryLimit?) -> (kept: [ByteSize], left: [ByteSize]) {
    guard let budget = memory.map({ $0.remainingBytes / 2 }) else { return (sizes, []) }
    return (sizes.filter { footprint($0) <= budget }, sizes.filter { footprint($0) > budget })
}
