import Foundation

/// One bound on the memory this process may still take, and how much of it is left.
public struct MemoryLimit: Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        /// MemAvailable in /proc/meminfo: what the kernel can hand out without swapping.
        case memAvailable
        /// RLIMIT_AS (`ulimit -v`), of which the process's mappings (VmSize) already use `inUse`.
        case addressSpace(limit: Int, inUse: Int)
        /// A cgroup's memory limit (`file`: memory.max in v2, memory.limit_in_bytes in v1), of
        /// which the cgroup's members already use `inUse` (reclaimable inactive file cache left
        /// out).
        case cgroup(file: String, limit: Int, inUse: Int)
        /// With vm.overcommit_memory = 2 the kernel refuses to commit more than CommitLimit, of
        /// which Committed_AS is committed already (/proc/meminfo).
        case commitLimit(limit: Int, committed: Int)
    }

    public let kind: Kind
    /// Bytes this process may still take before the limit refuses it.
    public let remainingBytes: Int

    public init(_ kind: Kind, remainingBytes: Int) {
        self.kind = kind
        self.remainingBytes = max(remainingBytes, 0)
    }

    /// RLIMIT_AS and the commit limit count every mapping, touched or not; MemAvailable and
    /// cgroups count memory in use (pages touched).
    public var countsAddressSpace: Bool {
        switch kind {
        case .addressSpace, .commitLimit: return true
        case .memAvailable, .cgroup: return false
        }
    }

    /// The limit named for a message: `MemAvailable in /proc/meminfo`, `the address-space limit
    /// (ulimit -v 1.4G, VmSize 80M)`, `the cgroup's memory.max (1G in /sys/fs/cgroup/job/memory.max, 700M in use)`.
    public var source: String {
        switch kind {
        case .memAvailable:
            return "MemAvailable in /proc/meminfo"
        case let .addressSpace(limit, inUse):
            return "the address-space limit (ulimit -v \(NumberFormat.preciseBytes(limit)), of which the process's VmSize uses \(NumberFormat.preciseBytes(inUse)))"
        case let .cgroup(file, limit, inUse):
            let name = file.split(separator: "/").last.map(String.init) ?? file
            return "the cgroup's \(name) (\(NumberFormat.preciseBytes(limit)) in \(file), \(NumberFormat.preciseBytes(inUse)) in use)"
        case let .commitLimit(limit, committed):
            return "the kernel's commit limit (vm.overcommit_memory = 2: CommitLimit \(NumberFormat.preciseBytes(limit)), Committed_AS \(NumberFormat.preciseBytes(committed)))"
        }
    }
}

/// Every limit on the memory this process may still take: MemAvailable, RLIMIT_AS less the
/// process's VmSize, and its cgroup's memory limit less the cgroup's usage (v2 or v1, the
/// tightest of the cgroup and its ancestors). The memory check refuses a working set that
/// exceeds any of them, before anything is allocated.
public struct MemoryLimits: Equatable, Sendable {
    public var limits: [MemoryLimit]
    /// /proc/sys/vm/overcommit_memory as read with the limits: 0 heuristic, 1 always, 2 never
    /// (MAP_NORESERVE is then ignored and only CommitLimit counts); nil where unreadable.
    public var overcommitPolicy: Int?

    public init(_ limits: [MemoryLimit], overcommitPolicy: Int? = nil) {
        self.limits = limits
        self.overcommitPolicy = overcommitPolicy
    }

    /// This process's limits now. `memAvailable` is the machine's (read with `MachineInfo`);
    /// `root` prefixes every /proc and /sys path and `addressSpaceLimit` replaces getrlimit,
    /// so tests read fixtures.
    public static func current(memAvailable: Int?, root: String = "",
                               addressSpaceLimit: Int?? = nil) -> MemoryLimits {
        let files = SystemFiles(root: root)
        var limits: [MemoryLimit] = []
        if let memAvailable { limits.append(MemoryLimit(.memAvailable, remainingBytes: memAvailable)) }
        let vmSize = files.read("/proc/self/status").flatMap { ProcessMemory.kilobyteField("VmSize", in: $0) }
        if let limit = addressSpace(limit: addressSpaceLimit ?? currentAddressSpaceLimit(), vmSize: vmSize) {
            limits.append(limit)
        }
        if let limit = cgroup(files) { limits.append(limit) }
        let policy = overcommitPolicy(files.read("/proc/sys/vm/overcommit_memory"))
        if let limit = commitLimit(overcommitPolicy: policy, meminfo: files.read("/proc/meminfo")) {
            limits.append(limit)
        }
        return MemoryLimits(limits, overcommitPolicy: policy)
    }

    /// /proc/sys/vm/overcommit_memory's number (`2\n`), nil where unread or not a number: read
    /// once, for both the commit limit and `overcommitPolicy`, so the two never disagree.
    static func overcommitPolicy(_ text: String?) -> Int? {
        text.flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// Under strict overcommit (policy 2), what CommitLimit leaves beside Committed_AS.
    static func commitLimit(overcommitPolicy: Int?, meminfo: String?) -> MemoryLimit? {
        guard overcommitPolicy == 2, let meminfo,
              let limit = ProcessMemory.kilobyteField("CommitLimit", in: meminfo),
              let committed = ProcessMemory.kilobyteField("Committed_AS", in: meminfo) else { return nil }
        return MemoryLimit(.commitLimit(limit: limit, committed: committed), remainingBytes: limit - committed)
    }

    /// The tightest limit that refuses a working set occupying `footprint` bytes of memory and
    /// mapping `addressSpace` bytes, with the figure it refuses; nil when every limit allows it.
    /// `share`: the fraction of what a limit leaves the working set may take.
    public func refusing(footprint: Int, addressSpace: Int, share: Double = 1) -> (limit: MemoryLimit, needed: Int)? {
        limits.map { ($0, $0.countsAddressSpace ? addressSpace : footprint) }
            .filter { Double($0.1) > Double($0.0.remainingBytes) * share }
            .min { $0.0.remainingBytes < $1.0.remainingBytes }
            .map { (limit: $0.0, needed: $0.1) }
    }

    /// The tightest limit, whatever it counts.
    public var tightest: MemoryLimit? { limits.min { $0.remainingBytes < $1.remainingBytes } }

    // MARK: RLIMIT_AS

    /// The soft RLIMIT_AS in bytes, nil when unlimited.
    public static func currentAddressSpaceLimit() -> Int? {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_AS.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max else { return nil }
        return Int(clamping: limit.rlim_cur)
    }

    /// What RLIMIT_AS leaves once the mappings the process already has are counted.
    static func addressSpace(limit: Int?, vmSize: Int?) -> MemoryLimit? {
        guard let limit else { return nil }
        let inUse = vmSize ?? 0
        return MemoryLimit(.addressSpace(limit: limit, inUse: inUse), remainingBytes: limit - inUse)
    }

    // MARK: cgroups

    /// Limits at or above this mean none: cgroup v1 writes PAGE_COUNTER_MAX (~2^63) for "unlimited".
    static let unlimitedThreshold = 1 << 60

    /// The tightest memory limit of this process's cgroup and its ancestors, v2 and v1.
    static func cgroup(_ files: SystemFiles) -> MemoryLimit? {
        guard let membership = files.read("/proc/self/cgroup") else { return nil }
        let paths = cgroupPaths(membership)
        let mounts = files.read("/proc/self/mountinfo").map(cgroupMounts) ?? []
        var found: [MemoryLimit] = []
        if let path = paths.v2 {
            let mountPoints = mounts.filter { $0.version == 2 }
            for mount in mountPoints.isEmpty ? [CgroupMount(version: 2, root: "/", mountPoint: "/sys/fs/cgroup")] : mountPoints {
                found += levels(of: path, in: mount).compactMap {
                    limit(files, directory: $0, limitFile: "memory.max", usageFile: "memory.current", inactiveFields: ["inactive_file"])
                }
            }
        }
        if let path = paths.v1Memory {
            let mountPoints = mounts.filter { $0.version == 1 }
            for mount in mountPoints.isEmpty ? [CgroupMount(version: 1, root: "/", mountPoint: "/sys/fs/cgroup/memory")] : mountPoints {
                found += levels(of: path, in: mount).compactMap {
                    limit(files, directory: $0, limitFile: "memory.limit_in_bytes", usageFile: "memory.usage_in_bytes",
                          inactiveFields: ["total_inactive_file", "inactive_file"])
                }
            }
        }
        return found.min { $0.remainingBytes < $1.remainingBytes }
    }

    /// The v2 path (`0::/PATH`) and the v1 memory controller's path (`N:memory,…:/PATH`) of a
    /// /proc/self/cgroup text.
    static func cgroupPaths(_ text: String) -> (v2: String?, v1Memory: String?) {
        var v2: String?, v1: String?
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3 else { continue }
            if parts[0] == "0" && parts[1].isEmpty {
                v2 = String(parts[2])
            } else if parts[1].split(separator: ",").contains("memory") {
                v1 = String(parts[2])
            }
        }
        return (v2, v1)
    }

    struct CgroupMount: Equatable {
        let version: Int
        /// The cgroup mounted there (not "/" inside a container without a cgroup namespace).
        let root: String
        let mountPoint: String
    }

    /// The cgroup2 mounts and the v1 mounts carrying the memory controller in a
    /// /proc/self/mountinfo text (`ID PARENT DEV ROOT MOUNTPOINT OPTIONS… - TYPE SOURCE SUPEROPTIONS`).
    static func cgroupMounts(_ text: String) -> [CgroupMount] {
        text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            guard let dash = fields.firstIndex(of: "-"), dash >= 5, fields.count > dash + 1 else { return nil }
            let type = fields[dash + 1]
            let root = unescape(fields[3]), mountPoint = unescape(fields[4])
            if type == "cgroup2" { return CgroupMount(version: 2, root: root, mountPoint: mountPoint) }
            if type == "cgroup", fields.count > dash + 3, fields[dash + 3].split(separator: ",").contains("memory") {
                return CgroupMount(version: 1, root: root, mountPoint: mountPoint)
            }
            return nil
        }
    }

    /// mountinfo writes a space as \040 (and tab, newline, backslash likewise, in octal).
    static func unescape(_ field: Substring) -> String {
        guard field.contains("\\") else { return String(field) }
        var bytes: [UInt8] = []
        var utf8 = Array(field.utf8)[...]
        while let byte = utf8.first {
            if byte == UInt8(ascii: "\\"), utf8.count >= 4,
               let code = UInt8(String(decoding: utf8.dropFirst().prefix(3), as: UTF8.self), radix: 8) {
                bytes.append(code)
                utf8 = utf8.dropFirst(4)
            } else {
                bytes.append(byte)
                utf8 = utf8.dropFirst()
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The directories of the cgroup at `path` and of its ancestors under `mount`, the cgroup's
    /// own first. A path outside the mounted subtree (a container that sees only its own
    /// cgroup, mounted at the mount point) has the mount point alone.
    static func levels(of path: String, in mount: CgroupMount) -> [String] {
        let root = mount.root == "/" ? "" : mount.root
        guard root.isEmpty || path == root || path.hasPrefix(root + "/") else { return [mount.mountPoint] }
        var components = path.dropFirst(root.count).split(separator: "/").map(String.init)
        var directories: [String] = []
        while true {
            directories.append(([mount.mountPoint] + components).joined(separator: "/"))
            if components.isEmpty { break }
            components.removeLast()
        }
        return directories
    }

    /// The limit of one cgroup directory: `limitFile` less `usageFile` less the reclaimable
    /// inactive file cache of memory.stat; nil when it has none (`max`, missing, or v1's huge
    /// "unlimited").
    static func limit(_ files: SystemFiles, directory: String, limitFile: String, usageFile: String,
                      inactiveFields: [String]) -> MemoryLimit? {
        func number(_ name: String) -> Int? {
            files.read(directory + "/" + name).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
        guard let limit = number(limitFile), limit < unlimitedThreshold else { return nil }
        let usage = number(usageFile) ?? 0
        var stat: [Substring: Int] = [:]
        for line in (files.read(directory + "/memory.stat") ?? "").split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 2, let value = Int(parts[1]) { stat[parts[0]] = value }
        }
        let inactive = inactiveFields.lazy.compactMap { stat[Substring($0)] }.first ?? 0
        let inUse = max(usage - inactive, 0)
        return MemoryLimit(.cgroup(file: directory + "/" + limitFile, limit: limit, inUse: inUse), remainingBytes: limit - inUse)
    }
}
