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
        #expect(machine.caches[0] == CacheLevel(level: 1, type: .data, sizeBytes: 48 << 10, ways: 12, lineBytes: 64))
        #expect(machine.dataCaches.map(\.sizeBytes) == [48 << 10, 2 << 20, 36 << 20])
    }

    @Test func missingFilesGiveNilNotACrash() {
        let machine = MachineInfo.current(root: "/nonexistent-locality-root")
        #expect(machine.caches.isEmpty)
        #expect(machine.memAvailableBytes == nil)
        #expect(machine.transparentHugePages == nil)
        #expect(machine.cpuModel == "unknown")
    }

    /// The cache type is an enum whose raw values are the names sysfs and reports use: the JSON
    /// is what it was as strings, and a report naming another type is refused where it says so.
    @Test func cacheTypesReadAndWriteTheirSysfsNames() throws {
        let level = CacheLevel(level: 1, type: .instruction, sizeBytes: 32 << 10, ways: 8, lineBytes: 64)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(level), as: UTF8.self)
        #expect(json == #"{"level":1,"line_bytes":64,"name":"L1i","size_bytes":32768,"type":"Instruction","ways":8}"#)
        #expect(try JSONDecoder().decode(CacheLevel.self, from: Data(json.utf8)) == level)
        let tlb = TLBLevel(level: 2, type: .unified, pageBytes: 4096, entries: 1536, ways: 6)
        let tlbJSON = String(decoding: try encoder.encode(tlb), as: UTF8.self)
        #expect(tlbJSON == #"{"entries":1536,"level":2,"page_bytes":4096,"type":"Unified","ways":6}"#)
        #expect(CacheType.allCases.map(\.rawValue) == ["Data", "Instruction", "Unified"])

        let unknown = Data(json.replacingOccurrences(of: "Instruction", with: "Victim").utf8)
        #expect {
            try JSONDecoder().decode(CacheLevel.self, from: unknown)
        } throws: { error in
            guard case let DecodingError.dataCorrupted(context) = error else { return false }
            return context.codingPath.map(\.stringValue) == ["type"]
        }
    }

    @Test func aSysfsCacheOfAnUnknownTypeIsLeftOut() throws {
        let root = try fixture()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try "Victim\n".write(toFile: root + "/sys/devices/system/cpu/cpu0/cache/index1/type", atomically: true, encoding: .utf8)
        #expect(MachineInfo.current(root: root).caches.map(\.name) == ["L1d", "L2", "L3"])
    }
}
