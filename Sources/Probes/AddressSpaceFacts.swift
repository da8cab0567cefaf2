import CLocalitySupport
import Foundation

/// The kernel settings that decide where a process's memory may and does go.
public struct AddressSpaceFacts: Equatable, Sendable, Codable {
    public var pageSize: UInt64
    /// vm.mmap_min_addr: no page may be mapped below it, so NULL dereferences fault.
    public var mmapMinAddr: UInt64?
    /// kernel.randomize_va_space: 0 off, 1 stack/mmap/vdso/shared libraries/PIE, 2 also the heap.
    public var randomizeVASpace: Int?
    /// This process runs with ADDR_NO_RANDOMIZE (setarch -R, gdb's default).
    public var randomizationDisabledForProcess: Bool

    enum CodingKeys: String, CodingKey {
        case pageSize = "page_size", mmapMinAddr = "mmap_min_addr", randomizeVASpace = "randomize_va_space"
        case randomizationDisabledForProcess = "randomization_disabled_for_process"
    }

    public init(pageSize: UInt64, mmapMinAddr: UInt64?, randomizeVASpace: Int?, randomizationDisabledForProcess: Bool) {
        self.pageSize = pageSize
        self.mmapMinAddr = mmapMinAddr
        self.randomizeVASpace = randomizeVASpace
        self.randomizationDisabledForProcess = randomizationDisabledForProcess
    }

    /// This machine's; `root` prefixes /proc paths (tests point it at a fixture).
    public static func current(root: String = "") -> AddressSpaceFacts {
        func number(_ path: String) -> UInt64? {
            (try? MemoryMap.readWhole(root + path))
                .flatMap { UInt64($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
        return AddressSpaceFacts(
            pageSize: UInt64(sysconf(Int32(_SC_PAGESIZE))),
            mmapMinAddr: number("/proc/sys/vm/mmap_min_addr"),
            randomizeVASpace: number("/proc/sys/kernel/randomize_va_space").map { Int($0) },
            randomizationDisabledForProcess: root.isEmpty && locality_aslr_disabled_by_personality() != 0)
    }

    /// Whether addresses change from run to run, in words.
    public var aslrDescription: String {
        let setting: String
        switch randomizeVASpace {
        case 0: setting = "ASLR off (kernel.randomize_va_space = 0): every run gets the same addresses"
        case 1: setting = "ASLR partial (kernel.randomize_va_space = 1): stack, mmap area, shared libraries, vdso and the executable (PIE) move each run; the heap (brk) follows the executable"
        case 2: setting = "ASLR on (kernel.randomize_va_space = 2): stack, mmap area, shared libraries, vdso, the executable (PIE) and the heap (brk) move each run"
        case let value?: setting = "kernel.randomize_va_space = \(value) (unknown setting)"
        case nil: setting = "ASLR state unknown (/proc/sys/kernel/randomize_va_space unreadable)"
        }
        return randomizationDisabledForProcess
            ? setting + "; but this process runs with ADDR_NO_RANDOMIZE (setarch -R or a debugger), so its addresses do not move"
            : setting
    }

    /// Lowest address that can never be user space on x86-64 with 4-level page tables.
    static let userSpaceEnd: UInt64 = 1 << 47

    /// Why `address` can or cannot be read, given the map it was probed against.
    public func explain(_ address: Address, readable: Bool, failure: ReadFailure?, in map: MemoryMap) -> String {
        let region = map.region(containing: address)
        if readable {
            guard let region else { return "readable (mapped after the map was read)" }
            return "mapped: \(region.name) \(region.permissions) (\(region.role))"
        }
        if let region {
            if !region.isReadable {
                return "mapped \(region.permissions) without read permission: \(region.name) (\(region.role))"
            }
            return "mapped \(region.name) \(region.permissions), yet the kernel refused to copy it (\(failure?.name ?? "?"))"
        }
        if let minimum = mmapMinAddr, address.rawValue < minimum {
            return "below vm.mmap_min_addr (\(minimum) = \(Address(rawValue: minimum))): the kernel maps nothing there, "
                + "so a NULL pointer (or a small offset from one) always faults instead of reading data someone placed at 0"
        }
        if address.rawValue >= Self.userSpaceEnd {
            return "not user space: x86-64 user addresses end at \(Address(rawValue: Self.userSpaceEnd - 1)); the upper half is the kernel's"
        }
        let (below, above) = map.neighbours(of: address)
        switch (below, above) {
        case let (nil, above?):
            return "not mapped: nothing lies below the lowest mapping (\(above.shortName) at \(above.start)); "
                + "the executable and mmap areas are placed far above 0"
        case let (below?, above?):
            return "not mapped: in the gap between \(below.shortName) (ends \(below.end)) and \(above.shortName) (starts \(above.start))"
        case let (below?, nil):
            return "not mapped: above the highest mapping (\(below.shortName), ends \(below.end))"
        case (nil, nil):
            return "not mapped"
        }
    }
}
