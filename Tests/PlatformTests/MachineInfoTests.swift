import Foundation
@testable import Platform
import Testing

@Suite struct MachineInfoTests {
    /// A fake /proc and /sys tree.
    func fixture() throws -> String {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("locality-machine-\(UUID())").path
        func write(_ path: String, _ text: String) throws {
            let url = URL(fileURLWithPath: root + path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        try write("/proc/cpuinfo", "processor\t: 0\nmodel name\t: Test CPU 9000\nflags\t\t: fpu sse2 hypervisor avx2\n")
        try write("/proc/meminfo", "MemTotal:       16384000 kB\nMemFree:  1 kB\nMemAvailable:    8192000 kB\n")
        try write("/sys/kernel/mm/transparent_hugepage/enabled", "always [madvise] never\n")
        let caches = [(1, "Data", "48K", 12), (1, "Instruction", "32K", 8), (2, "Unified", "2048K", 16), (3, "Unified", "36864K", 12)]
        for (index, (level, type, size, ways)) in caches.enumerated() {
            let dir = "/sys/devices/system/cpu/cpu0/cache/index\(index)/"
            try write(dir + "level", "\(level)\n")
            try write(dir + "type", "\(type)\n")
            try write(dir + "size", "\(size)\n")
            try write(dir + "ways_of_associativity", "\(ways)\n")
            try write(dir + "coherency_line_size", "64\n")
        }
        return root
    }

    @Test func readsMachineFactsFromProcAndSys() throws {
        let root = try fixture()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let machine = MachineInfo.current(root: root)
        #expect(machine.cpuModel == "Test CPU 9000")
        #expect(machine.hypervisor == "unknown")
        #expect(machine.memTotalBytes == 16_384_000 * 1024)
        #expect(machine.memAvailableBytes == 8_192_000 * 1024)
        #expect(machine.transparentHugePages == "madvise")
        #expect(machine.caches.map(\.name) == ["L1d", "L1i", "L2", "L3"])
        #expect(machine.caches[0] == CacheLevel(level: 1, type: "Data", sizeBytes: 48 << 10, ways: 12, lineBytes: 64))
        #expect(machine.dataCaches.map(\.sizeBytes) == [48 << 10, 2 << 20, 36 << 20])
    }

    @Test func missingFilesGiveNilNotACrash() {
        let machine = MachineInfo.current(root: "/nonexistent-locality-root")
        #expect(machine.caches.isEmpty)
        #expect(machine.memAvailableBytes == nil)
        #expect(machine.transparentHugePages == nil)
        #expect(machine.cpuModel == "unknown")
    }
}
