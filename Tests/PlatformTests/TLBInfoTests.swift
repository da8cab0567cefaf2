@testable import Platform
import Testing

@Suite struct TLBInfoTests {
    /// cpuid 0x80000005 and 0x80000006 as this AMD EPYC (Zen 4) KVM guest reports them.
    @Test func decodesAMDLeaves() {
        let levels = TLBInfo.amd(leaf80000005: [0xff48_ff40, 0xff48_ff40, 0x2008_0140, 0x2008_0140],
                                 leaf80000006: [0x5c00_2200, 0x6c00_4200, 0x0400_6140, 0x0a00_9140])
        let data4K = TLBInfo.dataTLBs(levels)
        #expect(data4K == [
            TLBLevel(level: 1, type: .data, pageBytes: 4096, entries: 72, ways: nil),
            TLBLevel(level: 2, type: .data, pageBytes: 4096, entries: 3072, ways: 8),
        ])
        #expect(data4K.map(\.reachBytes) == [288 << 10, 12 << 20])
        #expect(data4K.map(\.name) == ["L1 dTLB", "L2 dTLB"])
        #expect(levels.contains(TLBLevel(level: 1, type: .instruction, pageBytes: 4096, entries: 64, ways: nil)))
        #expect(levels.contains(TLBLevel(level: 2, type: .data, pageBytes: 2 << 20, entries: 3072, ways: 6)))
        #expect(levels.contains(TLBLevel(level: 2, type: .instruction, pageBytes: 4096, entries: 512, ways: 4)))
    }

    @Test func skipsAbsentAMDTLBs() {
        #expect(TLBInfo.amd(leaf80000005: [0, 0, 0, 0], leaf80000006: [0, 0, 0, 0]).isEmpty)
    }

    @Test func decodesIntelLeaf18() {
        let subleaves: [[UInt32]] = [
            [2, 0, 0, 0],                                      // subleaf 0: max subleaf 2, no TLB
            [0, (4 << 16) | 0b0001, 16, 1 | (1 << 5)],         // L1 data, 4K, 4 ways × 16 sets
            [0, (8 << 16) | 0b0011, 256, 3 | (2 << 5)],        // L2 unified, 4K + 2M, 8 × 256
            [0, (8 << 16) | 0b1000, 1, 4 | (1 << 5) | (1 << 8)], // L1 load-only, 1G, fully assoc.
        ]
        let levels = TLBInfo.intelLeaf18(subleaves)
        #expect(TLBInfo.dataTLBs(levels) == [
            TLBLevel(level: 1, type: .data, pageBytes: 4096, entries: 64, ways: 4),
            TLBLevel(level: 2, type: .unified, pageBytes: 4096, entries: 2048, ways: 8),
        ])
        #expect(levels.count == 4)
        #expect(levels.last == TLBLevel(level: 1, type: .data, pageBytes: 1 << 30, entries: 8, ways: nil))
        #expect(TLBInfo.dataTLBs(levels).last?.name == "L2 TLB")
    }

    @Test func decodesIntelLeaf2Descriptors() {
        // AL = 1; descriptors 0x5B, 0x03 in EAX, EBX invalid (bit 31), 0xCA in EDX.
        let levels = TLBInfo.intelLeaf2([0x005A_035B << 8 | 0x01, 0x8000_00CA, 0, 0x0000_CA00])
        #expect(levels.map(\.entries) == [64, 64, 512])
        #expect(TLBInfo.dataTLBs(levels).map(\.level) == [1, 1, 2])
    }

    @Test func vendorStringComesFromEBXEDXECX() {
        #expect(TLBInfo.vendorString(ebx: 0x6874_7541, edx: 0x6974_6e65, ecx: 0x444d_4163) == "AuthenticAMD")
    }
}
