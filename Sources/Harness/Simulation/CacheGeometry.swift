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
    /// has 49152 sets, so it is simulated with the largest size below that has a power of two.
    func simulatable() -> CacheShape {
        var sets = 1
        while sets * 2 <= self.sets { sets *= 2 }
        return CacheShape(sizeBytes: sets * ways * lineBytes, ways: ways, lineBytes: lineBytes)
    }
}

/// The caches callgrind simulates: I1, D1 and the last level (LL).
///
/// Taken from sysfs and given to valgrind explicitly: valgrind's own detection picks a wrong,
/// direct-mapped LL on this machine. `--cache L1=32K:8:64,LL=32M:16:64` overrides (L1 sets
/// both I1 and D1).
public struct CacheGeometry: Equatable, Codable, Sendable, CustomStringConvertible {
    public var i1: CacheShape
    public var d1: CacheShape
    public var ll: CacheShape

    public init(i1: CacheShape, d1: CacheShape, ll: CacheShape) {
        self.i1 = i1
        self.d1 = d1
        self.ll = ll
    }

    enum CodingKeys: String, CodingKey { case i1 = "I1", d1 = "D1", ll = "LL" }

    public static let fallback = CacheGeometry(
        i1: CacheShape(sizeBytes: 32 << 10, ways: 8, lineBytes: 64),
        d1: CacheShape(sizeBytes: 32 << 10, ways: 8, lineBytes: 64),
        ll: CacheShape(sizeBytes: 32 << 20, ways: 16, lineBytes: 64))

    /// I1 and D1 from the level-1 caches, LL from the highest level, as sysfs describes them.
    public init(machine: MachineInfo) {
        func shape(_ cache: CacheLevel?, _ fallback: CacheShape) -> CacheShape {
            guard let cache, let ways = cache.ways, ways > 0, let line = cache.lineBytes, line > 0 else { return fallback }
            return CacheShape(sizeBytes: cache.sizeBytes, ways: ways, lineBytes: line)
        }
        let data = machine.caches.filter { $0.type != "Instruction" }
        self.init(i1: shape(machine.caches.first { $0.level == 1 && $0.type == "Instruction" }, Self.fallback.i1),
                  d1: shape(data.first { $0.level == 1 }, Self.fallback.d1),
                  ll: shape(data.max { $0.level < $1.level }, Self.fallback.ll))
    }

    /// Applies `L1=32K:8:64,D1=…,I1=…,LL=32M:16:64` on top of this geometry.
    public func overridden(by text: String) throws(GeometryError) -> CacheGeometry {
        var result = self
        for part in text.split(separator: ",") {
            let pieces = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard pieces.count == 2 else { throw .malformed(String(part)) }
            let fields = pieces[1].split(separator: ":").map(String.init)
            guard fields.count == 3, let size = try? ByteSize(parsing: fields[0]),
                  let ways = Int(fields[1]), ways > 0, let line = Int(fields[2]), line > 0
            else { throw .malformed(String(part)) }
            let (waysTimesLine, overflow) = ways.multipliedReportingOverflow(by: line)
            guard !overflow, line & (line - 1) == 0, size.rawValue > line, size.rawValue % waysTimesLine == 0
            else { throw .impossible(String(part)) }
            let shape = CacheShape(sizeBytes: size.rawValue, ways: ways, lineBytes: line)
            switch pieces[0].uppercased() {
            case "L1": result.i1 = shape; result.d1 = shape
            case "I1": result.i1 = shape
            case "D1": result.d1 = shape
            case "LL": result.ll = shape
            default: throw .unknownLevel(pieces[0])
            }
        }
        return result
    }

    /// The geometry callgrind will really simulate (power-of-two sets).
    public var simulatable: CacheGeometry { CacheGeometry(i1: i1.simulatable(), d1: d1.simulatable(), ll: ll.simulatable()) }

    public var valgrindArguments: [String] {
        ["--I1=\(i1.valgrindValue)", "--D1=\(d1.valgrindValue)", "--LL=\(ll.valgrindValue)"]
    }

    /// `I1=32K:8:64,D1=32K:8:64,LL=32M:16:64`: the form `--cache` takes.
    public var description: String { "I1=\(i1),D1=\(d1),LL=\(ll)" }
}

public enum GeometryError: Error, Equatable, CustomStringConvertible {
    case malformed(String)
    case impossible(String)
    case unknownLevel(String)

    public var description: String {
        switch self {
        case let .malformed(part): return "cache '\(part)' is not LEVEL=SIZE:WAYS:LINE (e.g. L1=32K:8:64,LL=32M:16:64)"
        case let .impossible(part): return "cache '\(part)' is impossible: the line must be a power of two, SIZE larger than a line and a multiple of WAYS × LINE"
        case let .unknownLevel(level): return "unknown cache level '\(level)' (use L1, I1, D1 or LL)"
        }
    }
}
