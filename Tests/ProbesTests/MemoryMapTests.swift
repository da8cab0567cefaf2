import Probes
import Testing

@Suite struct MemoryMapTests {
    let map: MemoryMap

    init() throws { map = try MemoryMap(parsing: MapsFixture.text) }

    @Test func parsesEveryFieldOfEveryLine() throws {
        #expect(map.regions.count == 13)
        let text = map.regions[1]
        #expect(text.start == Address(rawValue: 0x55d0_c4a3_1000))
        #expect(text.end == Address(rawValue: 0x55d0_c4c2_1000))
        #expect(text.permissions == "r-xp")
        #expect(text.offset == 0x31000)
        #expect(text.device == "fe:00")
        #expect(text.inode == 5_327_295)
        #expect(text.path == "/work/bin/locality")
        #expect(text.shortName == "locality")
        #expect(text.isExecutable && text.isReadable && !text.isWritable)
        #expect(text.role == "code")
    }

    @Test func keepsPathsWithSpacesAndMarksAnonymousRegions() throws {
        let shared = try #require(map.regions.first { $0.permissions == "rw-s" })
        #expect(shared.path == "/dev/shm/my shared file (deleted)")
        #expect(shared.shortName == "my shared file (deleted)")
        let anonymous = map.regions[4]
        #expect(anonymous.path == nil)
        #expect(anonymous.name == "anonymous")
        #expect(map.regions[5].role == "guard (no access)")
        #expect(map.regions.last?.path == "[vsyscall]")
        #expect(map.regions.last?.end == Address(rawValue: 0xffff_ffff_ff60_1000))
    }

    @Test func rejectsMalformedLinesWithTheLineNumber() {
        #expect(throws: MemoryMapError.malformedLine(number: 2, line: "zz-10 r--p 0 00:00 0")) {
            try MemoryMap(parsing: "1000-2000 r--p 00000000 00:00 0\nzz-10 r--p 0 00:00 0\n")
        }
        #expect(throws: MemoryMapError.self) { try MemoryMap(parsing: "2000-1000 r--p 00000000 00:00 0\n") }
        #expect(throws: MemoryMapError.self) { try MemoryMap(parsing: "1000-2000 r--p\n") }
    }

    @Test func findsTheRegionHoldingAnAddress() {
        #expect(map.region(containing: Address(rawValue: 0x55d0_c4a3_1000))?.permissions == "r-xp")   // first byte
        #expect(map.region(containing: Address(rawValue: 0x55d0_c4c2_0fff))?.permissions == "r-xp")   // last byte
        #expect(map.region(containing: Address(rawValue: 0x55d0_c4c2_1000))?.permissions == "rw-p")   // end is exclusive
        #expect(map.region(containing: Address(rawValue: 0x55d0_c5e9_0000))?.path == "[heap]")
        #expect(map.region(containing: Address(rawValue: 0x7ffd_1c2a_b123))?.path == "[stack]")
        #expect(map.region(containing: Address(rawValue: 0x7f2c_5c02_2000))?.permissions == "---p")
        #expect(map.region(containing: Address(rawValue: 0)) == nil)                                   // below everything
        #expect(map.region(containing: Address(rawValue: 0x55d0_c4c3_c000)) == nil)                   // gap after the binary
        #expect(map.region(containing: Address(rawValue: 0xffff_ffff_ff70_0000)) == nil)               // above everything
    }

    @Test func namesTheNeighboursOfAGap() {
        let (below, above) = map.neighbours(of: Address(rawValue: 0x6000_0000_0000))
        #expect(below?.path == "[heap]")
        #expect(above?.start == Address(rawValue: 0x7f2c_5c00_0000))
        let (none, first) = map.neighbours(of: Address(rawValue: 0x1000))
        #expect(none == nil)
        #expect(first?.shortName == "locality")
    }

    @Test func readsThisProcessesWholeMap() throws {
        // /proc/self/maps is longer than the 4 KiB Foundation reads in one go.
        let current = try MemoryMap.current()
        #expect(current.regions.count > 20)
        #expect(current.regions.contains { $0.path == "[stack]" })
        var local = 7
        let address = withUnsafeMutablePointer(to: &local) { Address(UInt(bitPattern: $0)) }
        #expect(current.region(containing: address)?.isWritable == true)
        #expect(current.regions.last?.path == "[vsyscall]" || current.regions.last?.path == "[vdso]")
    }
}
