/// One simulated TLB: how many translations it holds and how (ways; nil = fully associative).
public struct TLBShape: Equatable, Codable, Sendable, CustomStringConvertible {
    public let entries: Int
    public let ways: Int?

    public init(entries: Int, ways: Int?) {
        self.entries = entries
        self.ways = ways
    }

    /// `72` (fully associative) or `3072:8`, the form `--tlb` takes.
    public var description: String { ways.map { "\(entries):\($0)" } ?? "\(entries)" }

    /// `72 entries, fully assoc.` / `3072 entries, 8-way`.
    public var prose: String { "\(entries) entries, " + (ways.map { "\($0)-way" } ?? "fully assoc.") }

    /// `72,0` / `3072,8`: locsim's ENTRIES,WAYS (0 ways = fully associative).
    var locsimValue: String { "\(entries),\(ways ?? 0)" }

    /// Nil when the ways are no divisor of the entries (no whole number of sets).
    init?(_ tlb: TLBLevel) {
        guard tlb.entries > 0, tlb.ways.map({ $0 > 0 && tlb.entries % $0 == 0 }) ?? true else { return nil }
        self.init(entries: tlb.entries, ways: tlb.ways == tlb.entries ? nil : tlb.ways)
    }
}

/// The data TLBs locsim simulates: an L1 dTLB and an L2 TLB (a miss there is a page walk), each
/// for 4 KiB pages and, where the CPU has separate entries for them, for 2 MiB pages (without
/// them, 2 MiB translations share the 4 KiB entries).
///
/// Read from cpuid (`TLBInfo`), overridden with `--tlb L1=72,L2=3072:8,L1-2M=72,L2-2M=none`.
public struct TLBGeometry: Equatable, Codable, Sendable, CustomStringConvertible {
    public var l1: TLBShape
    public var l2: TLBShape
    public var l1Huge: TLBShape?
    public var l2Huge: TLBShape?

    enum CodingKeys: String, CodingKey { case l1 = "L1", l2 = "L2", l1Huge = "L1-2M", l2Huge = "L2-2M" }

    public init(l1: TLBShape, l2: TLBShape, l1Huge: TLBShape? = nil, l2Huge: TLBShape? = nil) {
        self.l1 = l1
        self.l2 = l2
        self.l1Huge = l1Huge
        self.l2Huge = l2Huge
    }

    /// The data TLBs cpuid reports, or nil when it reports no L1 and L2 data TLB for 4 KiB pages.
    /// Where a level has several (Intel's load-only and store-only dTLBs), the largest is taken.
    public init?(cpuid levels: [TLBLevel]) {
        func shape(level: Int, pageBytes: Int) -> TLBShape? {
            TLBInfo.dataTLBs(levels, pageBytes: pageBytes).filter { $0.level == level }
                .max { $0.entries < $1.entries }.flatMap(TLBShape.init)
        }
        guard let l1 = shape(level: 1, pageBytes: 4096), let l2 = shape(level: 2, pageBytes: 4096) else { return nil }
        self.init(l1: l1, l2: l2, l1Huge: shape(level: 1, pageBytes: 2 << 20), l2Huge: shape(level: 2, pageBytes: 2 << 20))
    }

    /// The data TLBs as cpuid would describe them (the inverse of `init(cpuid:)`), for the
    /// machine a simulated run presents.
    public var levels: [TLBLevel] {
        let shapes: [(Int, Int, TLBShape?)] = [(1, 4096, l1), (2, 4096, l2), (1, 2 << 20, l1Huge), (2, 2 << 20, l2Huge)]
        return shapes.compactMap { level, pageBytes, shape in
            shape.map { TLBLevel(level: level, type: .data, pageBytes: pageBytes, entries: $0.entries, ways: $0.ways) }
        }
    }

    /// Applies `L1=72,L2=3072:8,L1-2M=72,L2-2M=none` (ENTRIES or ENTRIES:WAYS; `none` only for
    /// the 2 MiB levels, which then share the 4 KiB entries) on top of `base`, or of nothing:
    /// then L1 and L2 must both be given.
    public static func parse(_ text: String, over base: TLBGeometry?) throws(TLBGeometryError) -> TLBGeometry {
        var l1 = base?.l1, l2 = base?.l2, l1Huge = base?.l1Huge, l2Huge = base?.l2Huge
        for part in text.split(separator: ",") {
            let pieces = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard pieces.count == 2 else { throw .malformed(String(part)) }
            let level = pieces[0].uppercased()
            guard ["L1", "L2", "L1-2M", "L2-2M"].contains(level) else { throw .unknownLevel(pieces[0]) }
            if pieces[1].lowercased() == "none" {
                guard level.hasSuffix("-2M") else { throw .required(level) }
                if level == "L1-2M" { l1Huge = nil } else { l2Huge = nil }
                continue
            }
            let fields = pieces[1].split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard fields.count <= 2, let entries = Int(fields[0]), entries > 0 else { throw .malformed(String(part)) }
            var ways: Int?
            if fields.count == 2 {
                guard let w = Int(fields[1]), w > 0, entries % w == 0 else { throw .malformed(String(part)) }
                ways = w == entries ? nil : w
            }
            let shape = TLBShape(entries: entries, ways: ways)
            switch level {
            case "L1": l1 = shape
            case "L2": l2 = shape
            case "L1-2M": l1Huge = shape
            default: l2Huge = shape
            }
        }
        guard let l1 else { throw .required("L1") }
        guard let l2 else { throw .required("L2") }
        return TLBGeometry(l1: l1, l2: l2, l1Huge: l1Huge, l2Huge: l2Huge)
    }

    /// locsim's options.
    public var locsimArguments: [String] {
        ["--dtlb1=\(l1.locsimValue)", "--stlb=\(l2.locsimValue)"]
            + (l1Huge.map { ["--dtlb1-2m=\($0.locsimValue)"] } ?? [])
            + (l2Huge.map { ["--stlb-2m=\($0.locsimValue)"] } ?? [])
    }

    /// `L1=72,L2=3072:8,L1-2M=72,L2-2M=none`: the form `--tlb` takes.
    public var description: String {
        "L1=\(l1),L2=\(l2),L1-2M=\(l1Huge?.description ?? "none"),L2-2M=\(l2Huge?.description ?? "none")"
    }

    /// `L1 dTLB 72 entries, fully assoc. (4K), 72 … (2M); L2 TLB …`, for the notes under a table.
    public var prose: String {
        func level(_ name: String, _ small: TLBShape, _ huge: TLBShape?) -> String {
            "\(name) \(small.prose) (4K pages)" + (huge.map { ", \($0.prose) (2M pages)" } ?? ", 2M pages sharing them")
        }
        return level("L1 dTLB", l1, l1Huge) + "; " + level("L2 TLB", l2, l2Huge)
    }
}

public enum TLBGeometryError: Error, Equatable, CustomStringConvertible {
    case malformed(String)
    case unknownLevel(String)
    case required(String)

    public var description: String {
        switch self {
        case let .malformed(part):
            return "TLB '\(part)' is not LEVEL=ENTRIES or LEVEL=ENTRIES:WAYS with WAYS dividing ENTRIES (e.g. L1=72,L2=3072:8)"
        case let .unknownLevel(level): return "unknown TLB level '\(level)' (use L1, L2, L1-2M or L2-2M)"
        case let .required(level): return "the \(level) TLB must be given (ENTRIES or ENTRIES:WAYS; only the 2M levels can be 'none')"
        }
    }
}
