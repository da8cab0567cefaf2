import CLocalitySupport
// CounterSource (hw, sw, sim) comes with the machine facts: `counters` names each event's.
@_exported import CounterVocabulary
import Foundation

/// What a cache or TLB holds, as sysfs (`cache/indexN/type`) and cpuid name it; the raw value
/// is the name reports write. A report naming another type does not read: `locality compare`
/// refuses it and says where ("impossible value at .machine.caches[0].type"); Linux writes
/// no other type, and a sysfs cache level of another type is left out like an unreadable one.
public enum CacheType: String, Codable, Sendable, CaseIterable {
    case data = "Data"
    case instruction = "Instruction"
    /// Shared by data and instructions.
    case unified = "Unified"
}

/// One cache level as /sys/devices/system/cpu/cpu0/cache/indexN describes it.
public struct CacheLevel: Codable, Equatable, Sendable {
    public let level: Int
    public let type: CacheType
    public let sizeBytes: Int
    public let ways: Int?
    public let lineBytes: Int?

    /// `L1d`, `L1i`, `L2`, `L3`.
    public var name: String {
        switch type {
        case .data: return "L\(level)d"
        case .instruction: return "L\(level)i"
        case .unified: return "L\(level)"
        }
    }

    enum CodingKeys: String, CodingKey {
        case level, type, name
        case sizeBytes = "size_bytes", ways, lineBytes = "line_bytes"
    }

    public init(level: Int, type: CacheType, sizeBytes: Int, ways: Int?, lineBytes: Int?) {
        self.level = level; self.type = type; self.sizeBytes = sizeBytes; self.ways = ways; self.lineBytes = lineBytes
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        level = try c.decode(Int.self, forKey: .level)
        type = try c.decode(CacheType.self, forKey: .type)
        sizeBytes = try c.decode(Int.self, forKey: .sizeBytes)
        ways = try c.decodeIfPresent(Int.self, forKey: .ways)
        lineBytes = try c.decodeIfPresent(Int.self, forKey: .lineBytes)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(level, forKey: .level)
        try c.encode(type, forKey: .type)
        try c.encode(name, forKey: .name)
        try c.encode(sizeBytes, forKey: .sizeBytes)
        try c.encodeIfPresent(ways, forKey: .ways)
        try c.encodeIfPresent(lineBytes, forKey: .lineBytes)
    }
}

/// What the machine is, as far as memory experiments care. Everything is read from /proc,
/// /sys and cpuid; a field is nil where the machine does not say.
public struct MachineInfo: Codable, Equatable, Sendable {
    public var cpuModel: String
    public var logicalCPUs: Int
    public var caches: [CacheLevel]
    /// The TLBs cpuid describes (nil in reports written before they were recorded).
    public var tlbs: [TLBLevel]?
    public var pageSizeBytes: Int
    /// The bracketed mode of /sys/kernel/mm/transparent_hugepage/enabled: always, madvise or never.
    public var transparentHugePages: String?
    /// The hypervisor's vendor (cpuid leaf 0x40000000), nil on bare metal.
    public var hypervisor: String?
    public var memTotalBytes: Int?
    public var memAvailableBytes: Int?
    public var kernel: String
    public var papiVersion: String?
    /// The default events and whether each can be counted here, with the reason when not.
    public var counters: [CounterAvailability]

    enum CodingKeys: String, CodingKey {
        case cpuModel = "cpu_model", logicalCPUs = "logical_cpus", caches, tlbs
        case pageSizeBytes = "page_size_bytes", transparentHugePages = "transparent_hugepages"
        case hypervisor, memTotalBytes = "mem_total_bytes", memAvailableBytes = "mem_available_bytes"
        case kernel, papiVersion = "papi_version", counters
    }

    public init(cpuModel: String, logicalCPUs: Int, caches: [CacheLevel], tlbs: [TLBLevel]?, pageSizeBytes: Int,
                transparentHugePages: String?, hypervisor: String?, memTotalBytes: Int?, memAvailableBytes: Int?,
                kernel: String, papiVersion: String?, counters: [CounterAvailability]) {
        self.cpuModel = cpuModel
        self.logicalCPUs = logicalCPUs
        self.caches = caches
        self.tlbs = tlbs
        self.pageSizeBytes = pageSizeBytes
        self.transparentHugePages = transparentHugePages
        self.hypervisor = hypervisor
        self.memTotalBytes = memTotalBytes
        self.memAvailableBytes = memAvailableBytes
        self.kernel = kernel
        self.papiVersion = papiVersion
        self.counters = counters
    }

    /// The machine a simulator presents: the caches and TLBs given, this machine's page size and
    /// transparent-huge-page mode (its sysfs file is `always [madvise] never` in every mode, one
    /// length), and nothing else read. The process `locality sim` runs under
    /// valgrind describes itself with it: every byte it reads moves the heap whose simulated
    /// counts it reports (a longer CPU model name in /proc/cpuinfo moved 59 of 1330 counts).
    public static func simulated(caches: [CacheLevel], tlbs: [TLBLevel]?) -> MachineInfo {
        MachineInfo(cpuModel: "simulated", logicalCPUs: 1, caches: caches, tlbs: tlbs, pageSizeBytes: Int(sysconf(Int32(_SC_PAGESIZE))),
                    transparentHugePages: SystemFiles(root: "").transparentHugePageMode(), hypervisor: nil,
                    memTotalBytes: nil, memAvailableBytes: nil, kernel: "", papiVersion: nil, counters: [])
    }

    /// Reads this machine. `root` prefixes every /proc and /sys path (tests point it at a fixture).
    public static func current(root: String = "") -> MachineInfo {
        let files = SystemFiles(root: root)
        var name = utsname()
        uname(&name)
        let release = withUnsafeBytes(of: name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return MachineInfo(
            cpuModel: files.cpuModel() ?? "unknown",
            logicalCPUs: ProcessInfo.processInfo.activeProcessorCount,
            caches: files.caches(),
            tlbs: root.isEmpty ? TLBInfo.current() : [],
            pageSizeBytes: Int(sysconf(Int32(_SC_PAGESIZE))),
            transparentHugePages: files.transparentHugePageMode(),
            hypervisor: root.isEmpty ? cpuidHypervisor() ?? files.cpuinfoHypervisorFlag() : files.cpuinfoHypervisorFlag(),
            memTotalBytes: files.meminfo("MemTotal"),
            memAvailableBytes: files.meminfo("MemAvailable"),
            kernel: release,
            papiVersion: nil,
            counters: [])
    }

    /// The cache levels that hold data (L1d, L2, L3…), smallest first.
    public var dataCaches: [CacheLevel] { caches.filter { $0.type != .instruction }.sorted { $0.level < $1.level } }

    /// cpuid leaf 1 ECX bit 31 says a hypervisor is present; leaf 0x40000000 names it.
    static func cpuidHypervisor() -> String? {
        var regs: [UInt32] = [0, 0, 0, 0]
        guard locality_cpuid(1, 0, &regs) != 0, regs[2] & (1 << 31) != 0 else { return nil }
        guard locality_cpuid(0x4000_0000, 0, &regs) != 0 else { return "unknown" }
        var bytes: [UInt8] = []
        for reg in [regs[1], regs[2], regs[3]] {
            for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8((reg >> UInt32(shift)) & 0xff)) }
        }
        let vendor = String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        switch vendor {
        case "KVMKVMKVM": return "KVM"
        case "Microsoft Hv": return "Hyper-V"
        case "VMwareVMware": return "VMware"
        case "XenVMMXenVMM": return "Xen"
        case "TCGTCGTCGTCG": return "QEMU (TCG)"
        case "": return "unknown"
        default: return vendor
        }
    }
}

/// Whether one event can be counted on this machine.
public struct CounterAvailability: Codable, Equatable, Sendable {
    public let name: String
    /// Who counts it: the PMU (`hw`) or the kernel (`sw`).
    public let source: CounterSource
    public let available: Bool
    public let reason: String?

    public init(name: String, source: CounterSource, available: Bool, reason: String?) {
        self.name = name
        self.source = source
        self.available = available
        self.reason = reason
    }
}

/// Reads /proc and /sys below a root (empty for the real ones).
package struct SystemFiles {
    let root: String

    package init(root: String) { self.root = root }

    func read(_ path: String) -> String? {
        try? ProcFile.read(root + path)
    }

    func cpuModel() -> String? {
        guard let text = read("/proc/cpuinfo") else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("model name") {
            if let colon = line.firstIndex(of: ":") { return String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespacesAndNewlines) }
        }
        return nil
    }

    func cpuinfoHypervisorFlag() -> String? {
        cpuinfoHasFlag("hypervisor") == true ? "unknown" : nil
    }

    /// Whether the first `flags` line of /proc/cpuinfo lists `flag`; nil when there is none.
    package func cpuinfoHasFlag(_ flag: String) -> Bool? {
        guard let text = read("/proc/cpuinfo"),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return nil }
        return line.split(separator: " ").contains { $0 == flag }
    }

    /// Value of a /proc/meminfo field in bytes (the file gives kB).
    func meminfo(_ field: String) -> Int? {
        read("/proc/meminfo").flatMap { ProcessMemory.kilobyteField(field, in: $0) }
    }

    func transparentHugePageMode() -> String? {
        guard let text = read("/sys/kernel/mm/transparent_hugepage/enabled"),
              let open = text.firstIndex(of: "["), let close = text.firstIndex(of: "]"), open < close
        else { return nil }
        return String(text[text.index(after: open)..<close])
    }

    func caches() -> [CacheLevel] {
        var levels: [CacheLevel] = []
        for index in 0..<16 {
            let dir = "/sys/devices/system/cpu/cpu0/cache/index\(index)/"
            guard let level = read(dir + "level").flatMap({ Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }),
                  let type = read(dir + "type").flatMap({ CacheType(rawValue: $0.trimmingCharacters(in: .whitespacesAndNewlines)) }),
                  let sizeText = read(dir + "size")?.trimmingCharacters(in: .whitespacesAndNewlines),
                  let size = try? ByteSize(parsing: sizeText)
            else { continue }
            levels.append(CacheLevel(
                level: level, type: type, sizeBytes: size.rawValue,
                ways: read(dir + "ways_of_associativity").flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) },
                lineBytes: read(dir + "coherency_line_size").flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }))
        }
        return levels
    }
}
