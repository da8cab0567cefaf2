/// An experiment written as closures, for measuring one's own code with the harness: a working
/// set built once per size (outside any timing) and one kernel per way of doing the work. The
/// runner treats it as every built-in experiment: checksum pass, calibration, warm-up,
/// interleaved samples, counters with their sources, `sim` and `compare`.
///
/// ```swift
/// let lookup = Benchmark("lookup", unit: "lookup", sizes: [.kib(64), .mib(32)],
///                        setUp: { size in Table(bytes: size) }, units: { $0.keys.count },
///                        variants: [Kernel("dictionary") { $0.viaDictionary() },
///                                   Kernel("sorted-array") { $0.viaBinarySearch() }])
/// ```
public struct Benchmark<State>: Experiment {
    public let name: String
    public let summary: String
    public let sizeMeaning: String
    public let unit: String
    public let variants: [Variant]
    public let defaultSizes: [ByteSize]
    private let simulationSizesGiven: [ByteSize]?
    private let setUp: @Sendable (ByteSize, ExperimentContext) throws -> State
    private let units: @Sendable (State) -> Int
    private let kernels: [Kernel<State>]
    private let bytesOccupied: @Sendable (ByteSize) -> Int
    private let checksum: ChecksumRule<State>

    /// - Parameters:
    ///   - name: the name `run`, `sim` and `list` show and take.
    ///   - unit: one unit of work; times and counters are reported per unit.
    ///   - sizes: the working-set sizes measured by default (`--sizes` replaces them).
    ///   - simulationSizes: `sim`'s default sizes; nil: those of `sizes` up to 4 MiB (the
    ///     smallest size when none is).
    ///   - footprint: bytes the working set occupies at a size, checked against the memory
    ///     limits before anything is allocated; the size itself by default.
    ///   - setUp: builds the working set for a size; the context has the machine (caches, page
    ///     size) and the options (the seed for shuffles).
    ///   - units: units of work one pass of a kernel does over that working set.
    ///   - checksum: what every pass must return; by default each variant what the first one does.
    ///   - variants: the kernels; ratios are taken against the first, unless one names a partner.
    public init(_ name: String, summary: String = "", unit: String = "element", sizes: [ByteSize],
                simulationSizes: [ByteSize]? = nil, sizeMeaning: String = "the working set's bytes",
                footprint: @escaping @Sendable (ByteSize) -> Int = { $0.rawValue },
                setUp: @escaping @Sendable (ByteSize, ExperimentContext) throws -> State,
                units: @escaping @Sendable (State) -> Int,
                checksum: ChecksumRule<State> = .sameAsFirstVariant,
                variants: [Kernel<State>]) {
        self.name = name
        self.summary = summary
        self.unit = unit
        self.sizeMeaning = sizeMeaning
        self.defaultSizes = sizes
        self.simulationSizesGiven = simulationSizes
        self.bytesOccupied = footprint
        self.setUp = setUp
        self.units = units
        self.checksum = checksum
        self.kernels = variants
        self.variants = variants.map { Variant($0.name, $0.summary, ratioPartner: $0.ratioPartner) }
    }

    /// The same, with a working set built from the size alone.
    public init(_ name: String, summary: String = "", unit: String = "element", sizes: [ByteSize],
                simulationSizes: [ByteSize]? = nil, sizeMeaning: String = "the working set's bytes",
                footprint: @escaping @Sendable (ByteSize) -> Int = { $0.rawValue },
                setUp: @escaping @Sendable (ByteSize) throws -> State,
                units: @escaping @Sendable (State) -> Int,
                checksum: ChecksumRule<State> = .sameAsFirstVariant,
                variants: [Kernel<State>]) {
        self.init(name, summary: summary, unit: unit, sizes: sizes, simulationSizes: simulationSizes,
                  sizeMeaning: sizeMeaning, footprint: footprint, setUp: { size, _ in try setUp(size) },
                  units: units, checksum: checksum, variants: variants)
    }

    public var baselineVariant: String { variants.first?.name ?? "" }

    public var simulationSizes: [ByteSize] {
        if let simulationSizesGiven { return simulationSizesGiven }
        let small = defaultSizes.filter { $0 <= .mib(4) }
        return small.isEmpty ? (defaultSizes.min().map { [$0] } ?? []) : small
    }

    public func footprint(of size: ByteSize) -> Int { bytesOccupied(size) }

    public func prepare(size: ByteSize, context: ExperimentContext) throws -> [Workload] {
        let state = try setUp(size, context)
        let count = units(state)
        let expected: Double?
        switch checksum {
        case .unchecked: expected = nil
        case let .expected(value): expected = value(state)
        // One untimed pass of the first kernel gives what every other must return.
        case .sameAsFirstVariant: expected = kernels.count > 1 ? kernels[0].pass(state) : nil
        }
        return kernels.map { kernel in
            let pass = kernel.pass
            return Workload(variant: kernel.name, units: count, bytesPerPass: nil, expectedChecksum: expected,
                            pass: { pass(state) })
        }
    }
}

/// One way of doing a `Benchmark`'s work: a pass over the working set that returns a checksum
/// (a sum of what it read), so the work cannot be optimised away and can be checked.
public struct Kernel<State>: Sendable {
    public let name: String
    public let summary: String
    /// The variant this one's time is divided by in reports; nil: the benchmark's first.
    public let ratioPartner: String?
    let pass: @Sendable (State) -> Double

    public init(_ name: String, _ summary: String = "", ratioPartner: String? = nil,
                _ pass: @escaping @Sendable (State) -> Double) {
        self.name = name
        self.summary = summary
        self.ratioPartner = ratioPartner
        self.pass = pass
    }
}

/// What a `Benchmark`'s passes must return before anything is timed (a mismatch is a
/// `ChecksumMismatch`: that variant does other work, so its time would mean nothing).
public enum ChecksumRule<State>: Sendable {
    /// Every variant returns what the first returns (one job done several ways).
    case sameAsFirstVariant
    /// Every variant returns this value, computed from the working set.
    case expected(@Sendable (State) -> Double)
    /// No check: the variants do different work.
    case unchecked
}
