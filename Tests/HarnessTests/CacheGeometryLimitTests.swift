import Foundation
import Harness
import Testing

/// valgrind 3.19's limits on a simulated cache, checked before valgrind starts: every geometry
/// it would refuse is refused by `--cache`'s parsing, and sysfs's geometry is made to fit or refused.
@Suite struct CacheGeometryLimitTests {
    private func problem(_ spec: String, minimumLineBytes: Int) -> GeometryError? {
        do {
            _ = try CacheGeometry.fallback.overridden(by: spec, minimumLineBytes: minimumLineBytes)
            return nil
        } catch {
            return error
        }
    }

    @Test func linesNarrowerThanSixteenBytesOrTheWidestRegisterAreRefused() {
        // cg_arch.c's MIN_LINE_SIZE is 16 everywhere; callgrind wants 32 where the CPU has AVX.
        #expect(problem("L1=32K:8:8", minimumLineBytes: 16)
            == .unsimulatable("L1=32K:8:8", reason: "valgrind needs lines of at least 16 bytes here"))
        #expect(problem("L1=32K:8:8", minimumLineBytes: 0) != nil)
        #expect(problem("LL=32M:16:16", minimumLineBytes: 16) == nil)
        guard case let .unsimulatable(part, reason)? = problem("LL=32M:16:16", minimumLineBytes: 32) else {
            Issue.record("LL=32M:16:16 accepted with a 32-byte minimum")
            return
        }
        #expect(part == "LL=32M:16:16")
        #expect(reason.contains("at least 32 bytes") && reason.contains("AVX"))
        #expect(problem("D1=64:1:32", minimumLineBytes: 32) == nil)
        #expect(problem("D1=1G:2:536870912", minimumLineBytes: 32) == nil, "valgrind has no largest line")
    }

    @Test func sizesBeyondACIntAreRefused() {
        for spec in ["LL=1T:16:64", "LL=2G:16:64", "D1=2G:1:1073741824"] {
            #expect(problem(spec, minimumLineBytes: 32)
                == .unsimulatable(spec, reason: "valgrind takes at most 2147483647 bytes (2G - 1)"))
        }
        #expect(problem("LL=1G:16:64", minimumLineBytes: 32) == nil)
        #expect(problem("LL=1536M:3:64", minimumLineBytes: 32) == nil)
        #expect(CacheShape.valgrindLargestSize == 2_147_483_647)
    }

    @Test func setsThatAreNotAPowerOfTwoAreRefusedWithSizesThatWork() {
        #expect(problem("L1=36K:12:64", minimumLineBytes: 32) == .unsimulatable(
            "L1=36K:12:64", reason: "it has 48 sets (SIZE ÷ (WAYS × LINE)) and valgrind needs a power of two, e.g. 24K:12:64 or 48K:12:64"))
        #expect(problem("L1=48K:12:64", minimumLineBytes: 32) == nil)
        // The power of two above would pass valgrind's largest size: only the one below is offered.
        #expect(problem("LL=1536M:16:64", minimumLineBytes: 32) == .unsimulatable(
            "LL=1536M:16:64", reason: "it has 1572864 sets (SIZE ÷ (WAYS × LINE)) and valgrind needs a power of two, e.g. 1G:16:64"))
        #expect(problem("D1=192:1:64", minimumLineBytes: 32) != nil)
        #expect(problem("D1=32K:512:64", minimumLineBytes: 32) == nil, "one set is 2⁰")
    }

    @Test func impossibleShapesStayImpossible() {
        #expect(problem("D1=32K:1:32768", minimumLineBytes: 32) == .impossible("D1=32K:1:32768"))
        #expect(problem("D1=32K:8:48", minimumLineBytes: 32) == .impossible("D1=32K:8:48"))
        #expect(problem("D1=32K:8:65536", minimumLineBytes: 32) == .impossible("D1=32K:8:65536"))
        #expect(problem("L3=32K:8:8", minimumLineBytes: 32) == .unknownLevel("L3"), "the level is checked first")
        #expect(GeometryError.unsimulatable("L1=32K:8:8", reason: "why").description
            == "cache 'L1=32K:8:8' cannot be simulated: why")
    }

    private func machine(_ caches: [CacheLevel]) -> MachineInfo {
        var machine = MachineInfo.current(root: "/nonexistent-locality-root")
        machine.caches = caches
        return machine
    }

    @Test func sysfsCachesLargerThanValgrindTakesAreShrunk() throws {
        let geometry = CacheGeometry(machine: machine([
            CacheLevel(level: 1, type: .data, sizeBytes: 48 << 10, ways: 12, lineBytes: 64),
            CacheLevel(level: 1, type: .instruction, sizeBytes: 32 << 10, ways: 8, lineBytes: 64),
            CacheLevel(level: 3, type: .unified, sizeBytes: 4 << 30, ways: 16, lineBytes: 64),
            ])).simulatable
        // 4G 16-way: 4M sets, halved until the size fits a C int: 1M sets = 1G.
        #expect(geometry.ll == CacheShape(sizeBytes: 1 << 30, ways: 16, lineBytes: 64))
        #expect(try geometry.checkedForValgrind(minimumLineBytes: 32) == geometry)
        // 3G 24-way: 2M sets → 1M sets of 24 × 64 = 1.5G, which fits.
        let odd = CacheGeometry(machine: machine([
            CacheLevel(level: 3, type: .unified, sizeBytes: 3 << 30, ways: 24, lineBytes: 64),
            ])).simulatable
        #expect(odd.ll == CacheShape(sizeBytes: 1536 << 20, ways: 24, lineBytes: 64))
    }

    @Test func sysfsCachesValgrindCannotSimulateAreRefused() {
        let narrow = CacheGeometry(machine: machine([
            CacheLevel(level: 1, type: .data, sizeBytes: 32 << 10, ways: 8, lineBytes: 16),
            ])).simulatable
        #expect(throws: GeometryError.unsimulatable("D1=32K:8:16", reason: "valgrind needs lines of at least 32 bytes here "
                                                    + "(callgrind's lines must hold the widest register, AVX's 32 bytes)")) {
            try narrow.checkedForValgrind(minimumLineBytes: 32)
        }
        #expect(throws: Never.self) { try narrow.checkedForValgrind(minimumLineBytes: 16) }
        let odd = CacheGeometry(machine: machine([
            CacheLevel(level: 1, type: .instruction, sizeBytes: 48 << 10, ways: 8, lineBytes: 96),
            ])).simulatable
        #expect(throws: GeometryError.impossible("I1=48K:8:96")) { try odd.checkedForValgrind(minimumLineBytes: 32) }
    }

    static let valgrind = ["/usr/bin/valgrind", "/usr/local/bin/valgrind"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// The parser and valgrind itself agree, on this machine, about which D1 caches work.
    @Test(.enabled(if: valgrind != nil), arguments: [
        "32K:8:8", "32K:8:16", "32K:8:32", "32K:8:64", "36K:12:64", "48K:12:64", "32K:1:32768", "64K:1:32768",
        "1T:16:64", "2G:16:64", "1G:16:64", "1536M:3:64", "32K:512:64", "64:1:32",
    ])
    func valgrindAgrees(spec: String) throws {
        let parsed = problem("D1=\(spec)", minimumLineBytes: CacheShape.valgrindMinimumLineBytes)
        let fields = spec.split(separator: ":").map(String.init)
        let size = try ByteSize(parsing: fields[0]).rawValue
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.valgrind!)
        process.arguments = ["--tool=callgrind", "--cache-sim=yes", "-q", "--callgrind-out-file=/dev/null",
                             "--I1=32768,8,64", "--D1=\(size),\(fields[1]),\(fields[2])", "--LL=33554432,16,64",
                             "/bin/true"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect((process.terminationStatus == 0) == (parsed == nil), "D1=\(spec): valgrind \(process.terminationStatus), parser \(String(describing: parsed))")
    }
}
