import Foundation
/// One simulated cache: size, associativity and line size, as valgrind's `--D1=size,assoc,line`.
public struct CacheShape: Equatable, Codable, Sendable, CustomStringConvertible {
    public let sizeBytes: Int
    public let ways: Int
    public let lineBytes: Int

    enum CodingKeys: String, CodingKey { case sizeBytes = "size_bytes", ways, lineBytes = "line_bytes" }

    public init(sizeBytes: Int, ways: Int, lineBytes: Int) {
        self.sizeBytes = sizeBytes
        self.ways = ways
        self.lineBytes = lineBytes
    }

    /// `32K:8:64`.
    public var description: String { "\(ByteSize(rawValue: sizeBytes)):\(ways):\(lineBytes)" }

    /// `32768,8,64`, the form valgrind's options take.
    var valgrindValue: String { "\(sizeBytes),\(ways),\(lineBytes)" }

    var sets: Int { sizeBytes / (ways * lineBytes) }

    /// Callgrind needs a power-of-two number of sets and line size; a cache such as 36M 12-way
    /// has 49152 sets, so it is simulated with the largest size below that has a power of two,
    /// and no larger than valgrind takes (`valgrindLargestSize`).
    func simulatable() -> CacheShape {
        var sets = 1
        while sets * 2 <= self.sets { sets *= 2 }
        while sets > 1 && sets * ways * lineBytes > Self.valgrindLargestSize { sets /= 2 }
        return CacheShape(sizeBytes: sets * ways * lineBytes, ways: ways, lineBytes: lineBytes)
    }

    // valgrind 3.19's limits. cachegrind/cg_arch.c (shared with callgrind) parses `--D1=S,A,L`
    // into C ints and refuses a value that overflows one; its check_cache wants a power-of-two
    // line of at least MIN_LINE_SIZE (16), a size larger than a line and a power-of-two number
    // of sets (size ÷ (assoc × line), exactly). Callgrind then exits if the smallest line of the
    // three caches is narrower than the widest guest register: 32 bytes with AVX, else 16.

    /// The largest size, associativity or line valgrind parses: a C `int`.
    public static let valgrindLargestSize = Int(Int32.max)

    /// Cachegrind's MIN_LINE_SIZE.
    public static let valgrindSmallestLine = 16

    /// The smallest line valgrind simulates on this machine: its widest register, 32 bytes
    /// where the CPU has AVX (/proc/cpuinfo's `avx` flag: valgrind's own test also asks the OS
    /// to save the AVX state, as Linux does before it shows the flag), else 16.
    public static let valgrindMinimumLineBytes: Int = {
        #if arch(x86_64) || arch(i386)
        return SystemFiles(root: "").cpuinfoHasFlag("avx") == true ? 32 : valgrindSmallestLine
        #else
        return valgrindSmallestLine
        #endif
    }()

    /// Why valgrind 3.19 would refuse this cache, or nil if it simulates it.
    func valgrindProblem(minimumLineBytes: Int) -> GeometryProblem? {
        guard ways > 0, lineBytes > 0, lineBytes & (lineBytes - 1) == 0 else { return .impossible }
        let (waysTimesLine, overflow) = ways.multipliedReportingOverflow(by: lineBytes)
        guard !overflow, sizeBytes > lineBytes, sizeBytes % waysTimesLine == 0 else { return .impossible }
        if sizeBytes > Self.valgrindLargestSize {
            return .unsimulatable("valgrind takes at most \(Self.valgrindLargestSize) bytes (2G - 1)")
        }
        let floor = max(minimumLineBytes, Self.valgrindSmallestLine)
        if lineBytes < floor {
            return .unsimulatable("valgrind needs lines of at least \(floor) bytes here"
                + (floor > Self.valgrindSmallestLine ? " (callgrind's lines must hold the widest register, AVX's 32 bytes)" : ""))
        }
        if sets & (sets - 1) != 0 {
            var lower = 1
            while lower * 2 < sets { lower *= 2 }
            let below = ByteSize(rawValue: lower * waysTimesLine), above = ByteSize(rawValue: 2 * lower * waysTimesLine)
            // Only sizes valgrind takes: above may pass its largest.
            let examples = [below, above].filter { $0.rawValue <= Self.valgrindLargestSize }
                .map { "\($0):\(ways):\(lineBytes)" }.joined(separator: " or ")
            return .unsimulatable("it has \(sets) sets (SIZE ÷ (WAYS × LINE)) and valgrind needs a power of two, e.g. \(examples)")
        }
        return nil
    }

    /// Throws the error for `valgrindProblem`, naming the cache as `part` (`D1=32K:8:16`).
    func checkForValgrind(as part: String, minimumLineBytes: Int) throws(GeometryError) {
        switch valgrindProblem(minimumLineBytes: minimumLineBytes) {
        case .impossible?: throw .impossible(part)
        case let .unsimulatable(reason)?: throw .unsimulatable(part, reason: reason)
        case nil: break
        }
    }
}

enum GeometryProblem {
    case impossible
    case unsimulatable(String)
}

/// The caches simulated: I1, D1, the last level (LL) and, where the machine has three levels,
/// the L2 between them (locsim simulates it; callgrind has no L2 and ignores it).
///
/// Taken from sysfs and given to valgrind explicitly: valgrind's own detection picks a wrong,
/// direct-mapped LL on this machine. `--cache L1=32K:8:64,L2=1M:8:64,LL=32M:16:64` overrides (L1
/// sets both I1 and D1; `L2=none` simulates D1 and LL alone, as callgrind does).
public struct CacheGeometry: Equatable, Codable, Sendable, CustomStringConvertible {
    public var i1: CacheShape
    public var d1: CacheShape
    public var l2: CacheShape?
    public var ll: CacheShape

    public init(i1: CacheShape, d1: CacheShape, l2: CacheShape? = nil, ll: CacheShape) {
        self.i1 = i1
        self.d1 = d1
        self.l2 = l2
        self.ll = ll
    }

    enum CodingKeys: String, CodingKey { case i1 = "I1", d1 = "D1", l2 = "L2", ll = "LL" }

    public static let fallback = CacheGeometry(
        i1: CacheShape(sizeBytes: 32 << 10, ways: 8, lineBytes: 64),
        d1: CacheShape(sizeBytes: 32 << 10, ways: 8, lineBytes: 64),
        ll: CacheShape(sizeBytes: 32 << 20, ways: 16, lineBytes: 64))

    /// I1 and D1 from the level-1 caches, LL from the highest level and L2 from level 2 when it
    /// is not the highest, as sysfs describes them.
    public init(machine: MachineInfo) {
        func shape(_ cache: CacheLevel?) -> CacheShape? {
            guard let cache, let ways = cache.ways, ways > 0, let line = cache.lineBytes, line > 0 else { return nil }
            return CacheShape(sizeBytes: cache.sizeBytes, ways: ways, lineBytes: line)
        }
        let data = machine.caches.filter { $0.type != .instruction }
        let last = data.max { $0.level < $1.level }
        self.init(i1: shape(machine.caches.first { $0.level == 1 && $0.type == .instruction }) ?? Self.fallback.i1,
                  d1: shape(data.first { $0.level == 1 }) ?? Self.fallback.d1,
                  l2: (last?.level ?? 0) > 2 ? shape(data.first { $0.level == 2 }) : nil,
                  ll: shape(last) ?? Self.fallback.ll)
    }

    /// The levels as sysfs would describe them (the inverse of `init(machine:)`), for the
    /// machine a simulated run presents: L1d, L1i, L2 when simulated, LL as level 3.
    public var levels: [CacheLevel] {
        func level(_ number: Int, _ type: CacheType, _ shape: CacheShape) -> CacheLevel {
            CacheLevel(level: number, type: type, sizeBytes: shape.sizeBytes, ways: shape.ways, lineBytes: shape.lineBytes)
        }
        return [level(1, .data, d1), level(1, .instruction, i1)] + (l2.map { [level(2, .unified, $0)] } ?? [])
            + [level(3, .unified, ll)]
    }

    /// Applies `L1=32K:8:64,D1=…,I1=…,LL=32M:16:64` on top of this geometry, refusing every cache
    /// valgrind 3.19 would refuse (see `CacheShape.valgrindProblem`). `minimumLineBytes` defaults
    /// to this machine's (read from /proc/cpuinfo once); the child under valgrind passes
    /// `CacheShape.valgrindSmallestLine` so that it reads nothing more before it measures.
    public func overridden(by text: String, minimumLineBytes: Int? = nil) throws(GeometryError) -> CacheGeometry {
        var result = self
        guard !text.isEmpty else { return self }  // nothing overridden
        var given: Set<String> = []  // I1, D1, LL: each at most once (L1 is both I1 and D1)
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let pieces = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard pieces.count == 2 else { throw .malformed(String(part)) }
            let level = pieces[0].uppercased()
            switch level {
            case "L1", "I1", "D1", "L2", "LL": break
            default: throw .unknownLevel(pieces[0])
            }
            if level == "L2" && pieces[1].lowercased() == "none" {
                result.l2 = nil
                continue
            }
            let fields = pieces[1].split(separator: ":").map(String.init)
            guard fields.count == 3, let size = try? ByteSize(parsing: fields[0]),
                  let ways = Int(fields[1]), ways > 0, let line = Int(fields[2]), line > 0
            else { throw .malformed(String(part)) }
            for covered in level == "L1" ? ["I1", "D1"] : [level] where !given.insert(covered).inserted {
                throw .repeatedLevel(covered)
            }
            let shape = CacheShape(sizeBytes: size.rawValue, ways: ways, lineBytes: line)
            try shape.checkForValgrind(as: String(part), minimumLineBytes: minimumLineBytes ?? CacheShape.valgrindMinimumLineBytes)
            switch level {
            case "L1": result.i1 = shape; result.d1 = shape
            case "I1": result.i1 = shape
            case "D1": result.d1 = shape
            case "L2": result.l2 = shape
            default: result.ll = shape
            }
        }
        // An LL given smaller than L1 is a slip (valgrind would simulate it); L1 alone may be set
        // beyond the default LL to probe valgrind's limits.
        if given.contains("LL"), result.ll.sizeBytes < max(result.i1.sizeBytes, result.d1.sizeBytes) {
            throw .lastLevelSmallerThanL1(ll: result.ll.description, l1: max(result.i1.sizeBytes, result.d1.sizeBytes))
        }
        return result
    }

    /// This geometry, if valgrind 3.19 simulates each of its caches; else the first refused,
    /// in the form `--cache` takes (`D1=32K:8:16`).
    public func checkedForValgrind(minimumLineBytes: Int = CacheShape.valgrindMinimumLineBytes)
    throws(GeometryError) -> CacheGeometry {
        for (level, shape) in [("I1", i1), ("D1", d1)] + (l2.map { [("L2", $0)] } ?? []) + [("LL", ll)] {
            try shape.checkForValgrind(as: "\(level)=\(shape)", minimumLineBytes: minimumLineBytes)
        }
        return self
    }

    /// The geometry callgrind will really simulate (power-of-two sets, sizes valgrind parses).
    public var simulatable: CacheGeometry {
        CacheGeometry(i1: i1.simulatable(), d1: d1.simulatable(), l2: l2?.simulatable(), ll: ll.simulatable())
    }

    /// Callgrind's options: I1, D1 and LL (it has no L2).
    public var valgrindArguments: [String] {
        ["--I1=\(i1.valgrindValue)", "--D1=\(d1.valgrindValue)", "--LL=\(ll.valgrindValue)"]
    }

    /// locsim's options: the data caches, L2 where there is one.
    public var locsimArguments: [String] {
        ["--D1=\(d1.valgrindValue)"] + (l2.map { ["--L2=\($0.valgrindValue)"] } ?? []) + ["--LL=\(ll.valgrindValue)"]
    }

    /// `I1=32K:8:64,D1=32K:8:64,L2=1M:8:64,LL=32M:16:64`: the form `--cache` takes.
    public var description: String { "I1=\(i1),D1=\(d1),L2=\(l2?.description ?? "none"),LL=\(ll)" }
}

public enum GeometryError: Error, Equatable, CustomStringConvertible {
    case malformed(String)
    case impossible(String)
    case unknownLevel(String)
    case unsimulatable(String, reason: String)
    case repeatedLevel(String)
    case lastLevelSmallerThanL1(ll: String, l1: Int)

    public var description: String {
        switch self {
        case let .malformed(part): return "cache '\(part)' is not LEVEL=SIZE:WAYS:LINE (e.g. L1=32K:8:64,LL=32M:16:64)"
        case let .impossible(part): return "cache '\(part)' is impossible: the line must be a power of two, SIZE larger than a line and a multiple of WAYS × LINE"
        case let .unknownLevel(level): return "unknown cache level '\(level)' (use L1, I1, D1, L2 or LL)"
        case let .unsimulatable(part, reason): return "cache '\(part)' cannot be simulated: \(reason)"
        case let .repeatedLevel(level): return "cache level \(level) given twice (L1 sets both I1 and D1)"
        case let .lastLevelSmallerThanL1(ll, l1):
            return "the last-level cache LL=\(ll) is smaller than L1 (\(ByteSize(rawValue: l1))): LL holds at least what L1 does"
        }
    }
}
