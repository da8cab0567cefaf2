import Harness
import Testing

@Suite struct TLBGeometryTests {
    /// This lab machine's cpuid (AMD leaves 0x80000005/6, as `TLBInfo` decodes them).
    static let cpuid = [
        TLBLevel(level: 1, type: .data, pageBytes: 4096, entries: 72, ways: nil),
        TLBLevel(level: 1, type: .instruction, pageBytes: 4096, entries: 64, ways: nil),
        TLBLevel(level: 1, type: .data, pageBytes: 2 << 20, entries: 72, ways: nil),
        TLBLevel(level: 2, type: .data, pageBytes: 4096, entries: 3072, ways: 8),
        TLBLevel(level: 2, type: .instruction, pageBytes: 4096, entries: 512, ways: 4),
        TLBLevel(level: 2, type: .data, pageBytes: 2 << 20, entries: 3072, ways: 6),
    ]

    @Test func takesTheDataTLBsFromCpuid() throws {
        let geometry = try #require(TLBGeometry(cpuid: Self.cpuid))
        #expect(geometry.description == "L1=72,L2=3072:8,L1-2M=72,L2-2M=3072:6")
        #expect(geometry.locsimArguments == ["--dtlb1=72,0", "--stlb=3072,8", "--dtlb1-2m=72,0", "--stlb-2m=3072,6"])
        // Intel's load-only and store-only L1 dTLBs: the larger one; a unified STLB counts as L2.
        let intel = [TLBLevel(level: 1, type: .data, pageBytes: 4096, entries: 64, ways: 4),
                     TLBLevel(level: 1, type: .data, pageBytes: 4096, entries: 16, ways: nil),
                     TLBLevel(level: 2, type: .unified, pageBytes: 4096, entries: 1536, ways: 6)]
        #expect(TLBGeometry(cpuid: intel)?.description == "L1=64:4,L2=1536:6,L1-2M=none,L2-2M=none")
        #expect(TLBGeometry(cpuid: [intel[0]]) == nil, "no L2 TLB: nothing to simulate a page walk with")
        #expect(TLBGeometry(cpuid: []) == nil)
    }

    @Test func specsOverrideAndParseBack() throws {
        let machine = try #require(TLBGeometry(cpuid: Self.cpuid))
        let overridden = try TLBGeometry.parse("L1=64:4,L2-2M=none", over: machine)
        #expect(overridden.description == "L1=64:4,L2=3072:8,L1-2M=72,L2-2M=none")
        #expect(try TLBGeometry.parse(overridden.description, over: nil) == overridden)
        #expect(try TLBGeometry.parse("", over: machine) == machine)
        #expect(try TLBGeometry.parse("L1=16:16,L2=512", over: nil).description == "L1=16,L2=512,L1-2M=none,L2-2M=none",
                "as many ways as entries is fully associative")
        #expect(throws: TLBGeometryError.required("L2")) { try TLBGeometry.parse("L1=64", over: nil) }
        #expect(throws: TLBGeometryError.required("L1")) { try TLBGeometry.parse("L1=none", over: machine) }
        #expect(throws: TLBGeometryError.malformed("L1=72:5")) { try TLBGeometry.parse("L1=72:5", over: machine) }
        #expect(throws: TLBGeometryError.malformed("L1=0")) { try TLBGeometry.parse("L1=0", over: machine) }
        #expect(throws: TLBGeometryError.malformed("L1")) { try TLBGeometry.parse("L1", over: machine) }
        #expect(throws: TLBGeometryError.unknownLevel("L3")) { try TLBGeometry.parse("L3=8", over: machine) }
    }
}
