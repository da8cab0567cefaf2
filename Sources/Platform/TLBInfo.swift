import CLocalitySupport

/// One TLB as cpuid describes it: how many translations of one page size it holds.
public struct TLBLevel: Codable, Equatable, Sendable {
    public let level: Int
    public let type: CacheType
    public let pageBytes: Int
    public let entries: Int
    /// Ways of associativity; nil when fully associative.
    public let ways: Int?

    enum CodingKeys: String, CodingKey { case level, type, pageBytes = "page_bytes", entries, ways }

    public init(level: Int, type: CacheType, pageBytes: Int, entries: Int, ways: Int?) {
        self.level = level; self.type = type; self.pageBytes = pageBytes; self.entries = entries; self.ways = ways
    }

    /// Memory this TLB maps without a page walk: entries × page size.
    public var reachBytes: Int { entries * pageBytes }

    /// `L1 dTLB`, `L2 TLB` (unified), `L1 iTLB`.
    public var name: String {
        switch type {
        case .data: return "L\(level) dTLB"
        case .instruction: return "L\(level) iTLB"
        case .unified: return "L\(level) TLB"
        }
    }

    public var holdsData: Bool { type != .instruction }
}

/// The TLBs cpuid reports: leaves 0x80000005/0x80000006 on AMD (and Hygon), leaf 0x18 or
/// else the descriptors of leaf 0x2 on Intel. A hypervisor may report other figures than the
/// silicon has; these are what the guest is told.
public enum TLBInfo {
    /// This CPU's TLBs, empty where cpuid does not say.
    public static func current() -> [TLBLevel] {
        var regs: [UInt32] = [0, 0, 0, 0]
        guard locality_cpuid(0, 0, &regs) != 0 else { return [] }
        let maxLeaf = regs[0]
        let vendor = vendorString(ebx: regs[1], edx: regs[3], ecx: regs[2])
        switch vendor {
        case "AuthenticAMD", "HygonGenuine":
            guard locality_cpuid(0x8000_0000, 0, &regs) != 0, regs[0] >= 0x8000_0006 else { return [] }
            var l1: [UInt32] = [0, 0, 0, 0], l2: [UInt32] = [0, 0, 0, 0]
            _ = locality_cpuid(0x8000_0005, 0, &l1)
            _ = locality_cpuid(0x8000_0006, 0, &l2)
            return amd(leaf80000005: l1, leaf80000006: l2)
        case "GenuineIntel":
            if maxLeaf >= 0x18 {
                _ = locality_cpuid(0x18, 0, &regs)
                var subleaves = [regs]
                let lastSubleaf = min(regs[0], 64)
                if lastSubleaf >= 1 {
                    for subleaf in 1...lastSubleaf {
                        var sub: [UInt32] = [0, 0, 0, 0]
                        _ = locality_cpuid(0x18, subleaf, &sub)
                        subleaves.append(sub)
                    }
                }
                let levels = intelLeaf18(subleaves)
                if !levels.isEmpty { return levels }
            }
            guard maxLeaf >= 2 else { return [] }
            _ = locality_cpuid(2, 0, &regs)
            return intelLeaf2(regs)
        default:
            return []
        }
    }

    /// The data (or unified) TLBs for `pageBytes`, smallest level first.
    public static func dataTLBs(_ levels: [TLBLevel], pageBytes: Int = 4096) -> [TLBLevel] {
        levels.filter { $0.holdsData && $0.pageBytes == pageBytes }.sorted { ($0.level, $0.entries) < ($1.level, $1.entries) }
    }

    static func vendorString(ebx: UInt32, edx: UInt32, ecx: UInt32) -> String {
        var bytes: [UInt8] = []
        for reg in [ebx, edx, ecx] {
            for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8((reg >> UInt32(shift)) & 0xff)) }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    // MARK: AMD

    /// Leaf 0x80000005: EAX describes the L1 TLBs for 2M/4M pages, EBX for 4K pages; in each,
    /// bits 31:24 data associativity (0xFF = full), 23:16 data entries, 15:8 and 7:0 the same
    /// for instructions. Leaf 0x80000006: EAX (2M/4M) and EBX (4K) for L2, bits 31:28 data
    /// associativity (encoded), 27:16 data entries, 15:12 and 11:0 for instructions.
    public static func amd(leaf80000005 l1: [UInt32], leaf80000006 l2: [UInt32]) -> [TLBLevel] {
        var levels: [TLBLevel] = []
        for (register, pageBytes) in [(l1[1], 4096), (l1[0], 2 << 20)] {
            for (type, shift) in [(CacheType.data, UInt32(16)), (.instruction, UInt32(0))] {
                let entries = Int((register >> shift) & 0xff)
                let assoc = Int((register >> (shift + 8)) & 0xff)
                guard entries > 0, assoc > 0 else { continue }
                levels.append(TLBLevel(level: 1, type: type, pageBytes: pageBytes, entries: entries, ways: assoc == 0xff ? nil : assoc))
            }
        }
        for (register, pageBytes) in [(l2[1], 4096), (l2[0], 2 << 20)] {
            for (type, shift) in [(CacheType.data, UInt32(16)), (.instruction, UInt32(0))] {
                let entries = Int((register >> shift) & 0xfff)
                let code = Int((register >> (shift + 12)) & 0xf)
                guard entries > 0, code > 0 else { continue }
                levels.append(TLBLevel(level: 2, type: type, pageBytes: pageBytes, entries: entries, ways: amdL2Ways(code)))
            }
        }
        return levels
    }

    /// AMD's 4-bit associativity code for L2/L3 caches and TLBs (nil = fully associative).
    static func amdL2Ways(_ code: Int) -> Int? {
        let ways: [Int: Int] = [1: 1, 2: 2, 3: 3, 4: 4, 5: 6, 6: 8, 8: 16, 0xA: 32, 0xB: 48, 0xC: 64, 0xD: 96, 0xE: 128]
        return ways[code]
    }

    // MARK: Intel

    /// Leaf 0x18, one register set per subleaf: EDX 4:0 type (1 data, 2 instruction, 3
    /// unified, 4 load-only, 5 store-only), 7:5 level, bit 8 fully associative; EBX bits 0–3
    /// page sizes 4K/2M/4M/1G, 31:16 ways; ECX sets. Entries = ways × sets.
    public static func intelLeaf18(_ subleaves: [[UInt32]]) -> [TLBLevel] {
        var levels: [TLBLevel] = []
        for regs in subleaves {
            let (ebx, ecx, edx) = (regs[1], regs[2], regs[3])
            let typeCode = edx & 0x1f
            guard typeCode != 0 else { continue }
            let type: CacheType
            switch typeCode {
            case 1, 4, 5: type = .data
            case 2: type = .instruction
            default: type = .unified
            }
            let level = Int((edx >> 5) & 0x7)
            let ways = Int(ebx >> 16)
            let entries = ways * Int(ecx)
            guard entries > 0 else { continue }
            let fully = edx & (1 << 8) != 0
            for (bit, pageBytes) in [(0, 4096), (1, 2 << 20), (2, 4 << 20), (3, 1 << 30)] where ebx & (1 << UInt32(bit)) != 0 {
                levels.append(TLBLevel(level: level, type: type, pageBytes: pageBytes, entries: entries, ways: fully ? nil : ways))
            }
        }
        return levels
    }

    /// The leaf 0x2 descriptors that describe 4 KiB-page data or shared TLBs (Intel SDM vol. 2,
    /// table 3-12); others (caches, instruction and large-page TLBs) are ignored.
    static let leaf2Descriptors: [UInt8: TLBLevel] = [
        0x03: TLBLevel(level: 1, type: .data, pageBytes: 4096, entries: 64, ways: 4),
        0x57: TLBLevel(level: 1, type: .data, pageBytes: 4096, entries: 16, ways: 4),
        0x59: TLBLevel(level: 1, type: .data, pageBytes: 4096, entries: 16, ways: nil),
        0x5B: TLBLevel(level: 1, type: .data, pageBytes: 4096, entries: 64, ways: nil),
        0x5C: TLBLevel(level: 1, type: .data, pageBytes: 4096, entries: 128, ways: nil),
        0x5D: TLBLevel(level: 1, type: .data, pageBytes: 4096, entries: 256, ways: nil),
        0x64: TLBLevel(level: 1, type: .data, pageBytes: 4096, entries: 512, ways: 4),
        0xA0: TLBLevel(level: 1, type: .data, pageBytes: 4096, entries: 32, ways: nil),
        0xB3: TLBLevel(level: 1, type: .data, pageBytes: 4096, entries: 128, ways: 4),
        0xB4: TLBLevel(level: 2, type: .data, pageBytes: 4096, entries: 256, ways: 4),
        0xBA: TLBLevel(level: 2, type: .data, pageBytes: 4096, entries: 64, ways: 4),
        0xC0: TLBLevel(level: 1, type: .data, pageBytes: 4096, entries: 8, ways: 4),
        0xC1: TLBLevel(level: 2, type: .unified, pageBytes: 4096, entries: 1024, ways: 8),
        0xC2: TLBLevel(level: 1, type: .data, pageBytes: 4096, entries: 16, ways: 4),
        0xC3: TLBLevel(level: 2, type: .unified, pageBytes: 4096, entries: 1536, ways: 6),
        0xCA: TLBLevel(level: 2, type: .unified, pageBytes: 4096, entries: 512, ways: 4),
    ]

    /// Leaf 0x2: AL is the call count, the other bytes of EAX–EDX are descriptors; a register
    /// with bit 31 set holds none.
    public static func intelLeaf2(_ regs: [UInt32]) -> [TLBLevel] {
        var levels: [TLBLevel] = []
        for (index, reg) in regs.enumerated() where reg & 0x8000_0000 == 0 {
            for byte in (index == 0 ? 1 : 0)..<4 {
                let descriptor = UInt8((reg >> UInt32(byte * 8)) & 0xff)
                if let level = leaf2Descriptors[descriptor], !levels.contains(level) { levels.append(level) }
            }
        }
        return levels
    }
}
