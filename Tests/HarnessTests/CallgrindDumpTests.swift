import Foundation
import Harness
import Testing

@Suite struct CallgrindDumpTests {
    static let dump = """
        # callgrind format
        version: 1
        creator: callgrind-3.19.0
        desc: D1 cache: 32768 B, 64 B, 8-way associative
        desc: Trigger: Client Request: loop-order/row-major/2M

        positions: line
        events: Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw
        summary: 655374 262145 7 2 32769 1 2


        ob=(1) /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
        fn=(0) 0x000000000001ab70
        0 655374 262145 7 2 32769 1 2
        totals: 655364 262145 1 1 32769 0 1
        """

    @Test func readsTheSummaryAndFillsOmittedTrailingZeros() throws {
        let parsed = try CallgrindDump(parsing: Self.dump)
        #expect(parsed.trigger == "loop-order/row-major/2M")
        #expect(parsed.totals["Ir"] == 655_374)
        #expect(parsed.totals["D1mr"] == 32769)
        #expect(parsed.totals["ILmr"] == 2)
        // Callgrind leaves out trailing zero fields: DLmr and DLmw are 0, not missing.
        #expect(parsed.totals["DLmr"] == 0)
        #expect(parsed.totals["DLmw"] == 0)
        #expect(parsed.totals.count == 9)
    }

    @Test func rejectsDumpsWithoutTheLinesItNeeds() {
        #expect(throws: CallgrindDumpError.missing("events:")) { try CallgrindDump(parsing: "summary: 1 2\n") }
        #expect(throws: CallgrindDumpError.missing("summary:")) { try CallgrindDump(parsing: "events: Ir Dr\n") }
        #expect(throws: CallgrindDumpError.badNumber("x")) { try CallgrindDump(parsing: "events: Ir\nsummary: x\n") }
        #expect(throws: CallgrindDumpError.tooManyFields(3, 2)) { try CallgrindDump(parsing: "events: Ir Dr\nsummary: 1 2 3\n") }
    }

    @Test func anEventTheDumpDidNotCountIsAnErrorNotAZero() throws {
        // Without --cache-sim=yes callgrind counts instructions only.
        let parsed = try CallgrindDump(parsing: "events: Ir\nsummary: 12\n")
        #expect(try parsed.total("Ir") == 12)
        #expect(throws: CallgrindDumpError.eventNotCounted("D1mr")) { try parsed.total("D1mr") }
    }

    @Test func theSessionReadsDumpsInOrderAndOnlyForTheLabelAsked() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("locality-dumps-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        func write(_ n: Int, label: String) throws {
            let text = Self.dump.replacingOccurrences(of: "loop-order/row-major/2M", with: label)
            try text.write(toFile: "\(directory)/callgrind.out.\(n)", atomically: true, encoding: .utf8)
        }
        // Numbered 2 and 10: ordered by number, not by name.
        try write(10, label: "b")
        try write(2, label: "a")
        let session = CallgrindSession(outputBase: "\(directory)/callgrind.out")
        #expect(try session.nextDump(label: "a").trigger == "a")
        #expect(throws: CallgrindDumpError.unexpectedTrigger(expected: "c", found: "b")) { try session.nextDump(label: "c") }
        #expect(throws: CallgrindDumpError.missing("dump file \(directory)/callgrind.out.N")) { try session.nextDump(label: "b") }
    }
}

@Suite struct CacheGeometryTests {
    @Test func takesL1AndTheLastLevelFromSysfs() {
        var machine = MachineInfo.current(root: "/nonexistent-locality-root")
        machine.caches = [
            CacheLevel(level: 1, type: .data, sizeBytes: 48 << 10, ways: 12, lineBytes: 64),
            CacheLevel(level: 1, type: .instruction, sizeBytes: 32 << 10, ways: 8, lineBytes: 64),
            CacheLevel(level: 2, type: .unified, sizeBytes: 2 << 20, ways: 16, lineBytes: 64),
            CacheLevel(level: 3, type: .unified, sizeBytes: 36 << 20, ways: 12, lineBytes: 64),
        ]
        let geometry = CacheGeometry(machine: machine)
        #expect(geometry.description == "I1=32K:8:64,D1=48K:12:64,L2=2M:16:64,LL=36M:12:64")
        // 36M 12-way has 49152 sets; callgrind needs a power of two: 32768 sets = 24M.
        #expect(geometry.simulatable.ll == CacheShape(sizeBytes: 24 << 20, ways: 12, lineBytes: 64))
        #expect(geometry.simulatable.d1 == CacheShape(sizeBytes: 48 << 10, ways: 12, lineBytes: 64))
        #expect(geometry.simulatable.valgrindArguments == ["--I1=32768,8,64", "--D1=49152,12,64", "--LL=25165824,12,64"])
        // locsim simulates the L2 between them; callgrind has none.
        #expect(geometry.simulatable.locsimArguments == ["--D1=49152,12,64", "--L2=2097152,16,64", "--LL=25165824,12,64"])
        // Two levels: the second is the last level, and there is no L2 apart from it.
        machine.caches.removeLast()
        #expect(CacheGeometry(machine: machine).description == "I1=32K:8:64,D1=48K:12:64,L2=none,LL=2M:16:64")
    }

    @Test func overridesParseAndBadSpecsAreRefused() throws {
        let geometry = try CacheGeometry.fallback.overridden(by: "L1=64K:4:64,LL=8M:16:128")
        #expect(geometry.description == "I1=64K:4:64,D1=64K:4:64,L2=none,LL=8M:16:128")
        let withL2 = try geometry.overridden(by: "L2=1M:8:64")
        #expect(withL2.l2 == CacheShape(sizeBytes: 1 << 20, ways: 8, lineBytes: 64))
        #expect(try withL2.overridden(by: "L2=none") == geometry)
        #expect(try CacheGeometry.fallback.overridden(by: withL2.description) == withL2, "the description parses back")
        #expect(try CacheGeometry.fallback.overridden(by: "") == CacheGeometry.fallback)
        #expect(throws: GeometryError.malformed("L1=32K:8")) { try CacheGeometry.fallback.overridden(by: "L1=32K:8") }
        #expect(throws: GeometryError.unknownLevel("L3")) { try CacheGeometry.fallback.overridden(by: "L3=1M:8:64") }
        #expect(throws: GeometryError.impossible("D1=32K:8:48")) { try CacheGeometry.fallback.overridden(by: "D1=32K:8:48") }
    }
}
