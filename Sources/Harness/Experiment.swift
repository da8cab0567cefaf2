/// One way of doing an experiment's work, e.g. `row-major` or `column-major`.
public struct Variant: Sendable, Equatable {
    public let name: String
    public let summary: String
    /// The variant this one's time is divided by in reports: one doing the same work another
    /// way (a C twin against its Swift kernel, column against row order). Nil: the
    /// experiment's baseline variant.
    public let ratioPartner: String?
    /// How far `locality compare` lets this variant's time ratio move between two runs (its
    /// `ratio_tolerance` in reports), where the default does not hold: for a variant on other
    /// memory than its partner, whose ratio follows the physical pages each process gets.
    /// Derived from the variation measured between processes; nil: the default.
    public let ratioTolerance: Double?

    public init(_ name: String, _ summary: String, ratioPartner: String? = nil, ratioTolerance: Double? = nil) {
        self.name = name
        self.summary = summary
        self.ratioPartner = ratioPartner
        self.ratioTolerance = ratioTolerance
    }
}

/// The variants one experiment runs, named once as an enum whose raw values are the names
/// users type (`--variants`) and reports show (`case rowMajor = "row-major"`): the declaration,
/// the workloads `prepare` returns and the findings that pick results out all name the same
/// case, so a renamed variant cannot leave a workload or a finding behind.
public protocol VariantKey: RawRepresentable, Hashable, Sendable where RawValue == String {}

extension Variant {
    public init<Key: VariantKey>(_ key: Key, _ summary: String, ratioPartner: Key? = nil, ratioTolerance: Double? = nil) {
        self.init(key.rawValue, summary, ratioPartner: ratioPartner?.rawValue, ratioTolerance: ratioTolerance)
    }
}

extension VariantResult {
    /// Whether this is a result of the variant `key`.
    public func isVariant(_ key: some VariantKey) -> Bool { variant == key.rawValue }
}

extension Array where Element == VariantResult {
    /// The sizes measured, each once, smallest first.
    public var measuredSizes: [Int] { Set(map(\.sizeBytes)).sorted() }

    /// The result of `variant` at `size`, if it was measured.
    public func result(_ variant: some VariantKey, size: Int) -> VariantResult? {
        first { $0.isVariant(variant) && $0.sizeBytes == size }
    }

    /// `variant`'s median time over `partner`'s at `size`; nil when either is missing or noisy,
    /// since nothing is concluded from a noisy result.
    public func quietRatio(_ variant: some VariantKey, to partner: some VariantKey, size: Int) -> Double? {
        guard let a = result(variant, size: size), let b = result(partner, size: size),
              !a.isNoisy, !b.isNoisy, b.nsPerElement.median > 0 else { return nil }
        return a.nsPerElement.median / b.nsPerElement.median
    }
}

/// A memory experiment: several variants of the same work over a working set whose size the
/// user chooses. Experiments live in Benchmarks/Experiments; the harness runs them.
public protocol Experiment: Sendable {
    /// The name users type: `loop-order`.
    var name: String { get }
    /// One line on what the experiment shows.
    var summary: String { get }
    /// What a size given by `--sizes` means for this experiment.
    var sizeMeaning: String { get }
    /// What one unit of work is ("element", "access", …); times and counters are per unit.
    var unit: String { get }
    var variants: [Variant] { get }
    /// Ratios in reports are taken against this variant, unless a variant names another
    /// `ratioPartner`.
    var baselineVariant: String { get }
    var defaultSizes: [ByteSize] { get }
    /// Sizes `locality sim` uses by default: callgrind runs ~50× slower than the hardware.
    var simulationSizes: [ByteSize] { get }
    /// Sizes `--quick` uses: a few that still show the experiment's point in a second or two.
    var quickSizes: [ByteSize] { get }
    /// Bytes of memory this experiment occupies at `size` (allocated and touched, setup copies
    /// and permutations included), checked against MemAvailable and the cgroup's memory limit
    /// before anything is allocated.
    func footprint(of size: ByteSize) -> Int
    /// Bytes of address space this experiment maps at `size`, touched or not, checked against
    /// RLIMIT_AS (`ulimit -v`) and, under strict overcommit, the commit limit. The footprint,
    /// unless the experiment maps more than it touches.
    func addressSpace(of size: ByteSize) -> Int
    /// The smallest size the experiment can honour: below it the working set would not hold
    /// what a size means (a matrix, an element, a line, a page) and the report would show
    /// another size than the one measured. A smaller `--sizes` is refused up front.
    var minimumSize: ByteSize { get }
    /// Allocates and fills the working set for `size`, outside any timing, and returns one
    /// workload per variant, given the machine the run read once and the run's options.
    func prepare(size: ByteSize, context: ExperimentContext) throws -> [Workload]
    /// One-line conclusions drawn from this experiment's results (knees of a curve, what a
    /// demonstration showed), printed under its tables and kept in the JSON, given what the
    /// run read once (the machine, its memory limits, the per-call timer).
    func findings(from results: [VariantResult], context: ExperimentContext) -> [String]
    /// Conclusions drawn from simulated counts alone (`locality sim`), given the data TLBs
    /// simulated (nil under callgrind, which has none).
    func simulatedFindings(from results: [VariantResult], tlbs: TLBGeometry?) -> [String]
    /// What a working set of `size` is on this machine ("L1d", "512 pages"), shown beside the
    /// size in tables; nil when the size says it all.
    func sizeLabel(_ size: ByteSize, machine: MachineInfo) -> String?
    /// Pictures of the results, written by `--plot DIR`.
    func plots(from results: [VariantResult], machine: MachineInfo) -> [Plot]
    /// The sizes a terminal's table shows when the experiment measured more than a reader
    /// takes in at a glance, and why those; nil (the default): every size. `--wide`, Markdown,
    /// JSON and CSV always hold every size.
    func keySizes(from results: [VariantResult]) -> KeySizes?
}

/// The sizes of a long sweep a terminal's table shows, and what makes them the ones to see.
public struct KeySizes: Codable, Equatable, Sendable {
    /// Size names (`16`, `4K`), in the order the table shows them.
    public var sizes: [String]
    /// Why these: "the smallest request of each malloc chunk size".
    public var why: String

    public init(sizes: [ByteSize], why: String) {
        self.sizes = sizes.map(\.description)
        self.why = why
    }
}

extension Experiment {
    /// The variant `variant`'s time is divided by: its declared partner, else the baseline.
    public func ratioPartner(of variant: String) -> String {
        variants.first { $0.name == variant }?.ratioPartner ?? baselineVariant
    }

    public func addressSpace(of size: ByteSize) -> Int { footprint(of: size) }
    public var minimumSize: ByteSize { ByteSize(rawValue: 1) }
    /// `prepare(size:context:)` on the machine read now: for tests and one-off callers.
    public func prepare(size: ByteSize, options: RunOptions) throws -> [Workload] {
        try prepare(size: size, context: .current(options: options))
    }
    public var simulationSizes: [ByteSize] { defaultSizes.filter { $0 <= .mib(4) } }
    /// The smallest, middle and largest default sizes.
    public var quickSizes: [ByteSize] {
        let sizes = defaultSizes
        guard sizes.count > 3 else { return sizes }
        var picked: [ByteSize] = []
        for size in [sizes[0], sizes[sizes.count / 2], sizes[sizes.count - 1]] where !picked.contains(size) { picked.append(size) }
        return picked
    }
    public func findings(from results: [VariantResult], context: ExperimentContext) -> [String] { [] }
    public func simulatedFindings(from results: [VariantResult], tlbs: TLBGeometry?) -> [String] { [] }
    public func plots(from results: [VariantResult], machine: MachineInfo) -> [Plot] { [] }
    public func sizeLabel(_ size: ByteSize, machine: MachineInfo) -> String? { nil }
    public func keySizes(from results: [VariantResult]) -> KeySizes? { nil }
}

/// Choices the user makes for a whole run that experiments may consult.
public struct RunOptions: Sendable {
    /// Seed for every shuffle, so that two runs build the same permutations.
    public var seed: UInt64

    public static let defaultSeed: UInt64 = 0x10CA_1177

    public init(seed: UInt64 = RunOptions.defaultSeed) {
        self.seed = seed
    }
}

/// What an experiment is given to prepare a size and to draw its findings: what the run read
/// once (the machine's caches, TLBs, page size, THP mode and memory; the process's memory
/// limits and the kernel's overcommit policy; the calibrated per-call timer) and the user's
/// choices, so it need not read them again. Tests build one with the facts they mean to give.
public struct ExperimentContext: Sendable {
    public var machine: MachineInfo
    public var options: RunOptions
    /// RLIMIT_AS, the cgroup, the overcommit policy, … as the run read them; nil under
    /// valgrind, where they are not read (the parent checked them, and reading moves the heap).
    public var limits: MemoryLimits?
    /// The time stamp counter's rate, cost and resolution, calibrated once per run.
    public var timer: CycleTimer

    public init(machine: MachineInfo, options: RunOptions, limits: MemoryLimits?, timer: CycleTimer) {
        self.machine = machine
        self.options = options
        self.limits = limits
        self.timer = timer
    }

    /// This machine and process read now, the timer calibrated now: for tests and one-off callers.
    public static func current(options: RunOptions = RunOptions()) -> ExperimentContext {
        let machine = MachineInfo.current()
        return ExperimentContext(machine: machine, options: options,
                                 limits: .current(memAvailable: machine.memAvailableBytes), timer: .calibrate())
    }
}

/// A self-contained picture (an SVG document) and the file name it is written under.
public struct Plot: Sendable, Equatable {
    public let fileName: String
    public let svg: String

    public init(fileName: String, svg: String) {
        self.fileName = fileName
        self.svg = svg
    }
}

/// A figure that belongs to one variant besides its time and counters (bytes per element
/// occupied, pages touched, setup time, …): an extra column in tables, `extras` in JSON.
public struct Extra: Codable, Equatable, Sendable {
    /// The column's label (the key's raw value).
    public let name: String
    public let value: Double
    /// A time the workload took itself (`ExtraKey.isTime`): a simulated run leaves it out, since
    /// under valgrind it is valgrind's. Not written to reports: a report holds only the ones kept.
    public let isTime: Bool

    public init(_ key: some ExtraKey, _ value: Double) {
        self.name = key.rawValue
        self.value = value
        self.isTime = key.isTime
    }

    enum CodingKeys: String, CodingKey { case name, value }

    /// The figure, as a report holds it (`isTime` is not written).
    public static func == (a: Extra, b: Extra) -> Bool { a.name == b.name && a.value == b.value }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        value = try container.decode(Double.self, forKey: .value)
        isTime = false
    }
}

/// The extra columns one experiment writes, declared once as an enum whose raw values are the
/// labels tables, CSV and JSON show (`case mmapped = "mmap'd"`): the workload that writes a
/// figure and the finding that reads it back name the same case, so renaming a column cannot
/// leave a finding reading a label nothing writes any more.
public protocol ExtraKey: RawRepresentable, CaseIterable, Sendable where RawValue == String {
    /// Whether the column is a time the workload measured itself (alloc's per-call ns, layout's
    /// setup ms): kept by `run`, left out by `sim` (issue 13: a simulated report holds counts only).
    var isTime: Bool { get }
}

extension ExtraKey {
    public var isTime: Bool { false }
}

extension Workload {
    /// The value of the extra `key`, if this workload has it.
    public func extra(_ key: some ExtraKey) -> Double? { extras.first { $0.name == key.rawValue }?.value }
}

/// A variant ready to run at one size: a pass over the working set, and what a pass does.
public struct Workload {
    public let variant: String
    /// Units of work in one pass (elements visited, loads issued, …).
    public let units: Int
    /// Bytes a pass reads or writes, for the GB/s column; nil where bandwidth means nothing.
    public let bytesPerPass: Int?
    /// The checksum every correct pass returns, when it is known in advance.
    public let expectedChecksum: Double?
    /// Figures known before timing (measured while preparing), shown beside the results.
    public var extras: [Extra]
    /// The relative tolerance `locality compare` gives this workload's simulated miss counts,
    /// for a kernel whose misses depend on where the allocator put its memory, which every
    /// earlier allocation of the process moves, and not on its access pattern alone. Nil: the
    /// counts are exact and judged as every `sim` count is.
    public let simulatedMissTolerance: Double?
    /// Passes until every line of the working set has been touched once: 1 when a pass covers
    /// it all, more for a chase whose pass is a fixed number of loads along a longer cycle.
    public var passesPerLap: Int
    /// Bytes of distinct lines one pass touches, for the warm-up's "twice the last-level
    /// cache" bound; nil when unknown (the warm-up is then one lap).
    public var touchedBytesPerPass: Int?
    /// Untimed passes the experiment wants before every sample at least, whatever the rule gives.
    public var minimumWarmUpPasses: Int
    /// One full pass; returns a checksum so the work cannot be optimised away.
    public let pass: () -> Double

    public init(variant: String, units: Int, bytesPerPass: Int?, expectedChecksum: Double?,
                extras: [Extra] = [], simulatedMissTolerance: Double? = nil,
                passesPerLap: Int = 1, touchedBytesPerPass: Int? = nil, minimumWarmUpPasses: Int = 1,
                pass: @escaping () -> Double) {
        self.variant = variant
        self.units = units
        self.bytesPerPass = bytesPerPass
        self.expectedChecksum = expectedChecksum
        self.extras = extras
        self.simulatedMissTolerance = simulatedMissTolerance
        self.passesPerLap = max(passesPerLap, 1)
        self.touchedBytesPerPass = touchedBytesPerPass ?? bytesPerPass
        self.minimumWarmUpPasses = max(minimumWarmUpPasses, 1)
        self.pass = pass
    }

    /// Untimed passes that bring the caches into this workload's own steady state before a
    /// sample, whatever ran before it: one full lap of its working set, or enough passes to
    /// touch twice the last-level cache (`lastLevelBytes`), whichever is fewer; at least
    /// `minimumWarmUpPasses`. Twice the LLC evicts what another variant left even from a
    /// cache that is not strictly LRU.
    public func warmUpPasses(lastLevelBytes: Int?) -> Int {
        var passes = passesPerLap
        if let lastLevelBytes, let touched = touchedBytesPerPass, touched > 0 {
            passes = min(passes, (2 * lastLevelBytes + touched - 1) / touched)
        }
        return max(passes, minimumWarmUpPasses)
    }
}
