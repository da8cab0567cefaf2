@testable import Experiments
import Harness
import Testing

@Suite struct KneeTests {
    static let sizes: [Double] = [4, 16, 32, 64, 256, 400, 1024, 4096, 16384, 65536, 262_144, 1_048_576].map { $0 * 1024 }

    @Test func findsTheStepsOfAThreeLevelHierarchy() {
        // L1 up to 32K, L2 up to 1M, L3 up to 16M, then memory.
        let ys = Self.sizes.map { (x: Double) -> Double in x <= 32768 ? 1.1 : x <= 1_048_576 ? 3.8 : x <= 16_777_216 ? 14 : 95 }
        let knees = KneeDetector.knees(xs: Self.sizes, ys: ys)
        #expect(knees.map(\.lowerX) == [32768, 1_048_576, 16_777_216])
        #expect(knees.map(\.upperX) == [65536, 4_194_304, 67_108_864])
        #expect(abs(knees[0].ratio - 3.8 / 1.1) < 1e-9)
    }

    @Test func noiseIsNoKnee() {
        let noise = [1.0, 1.08, 0.95, 1.1, 0.97, 1.05, 1.12, 0.93, 1.0, 1.09, 0.96, 1.04]
        #expect(KneeDetector.knees(xs: Self.sizes, ys: noise).isEmpty)
        // A single slow sample that does not last is not a knee either.
        var spike = Array(repeating: 2.0, count: 12)
        spike[5] = 4
        #expect(KneeDetector.knees(xs: Self.sizes, ys: spike).isEmpty)
    }

    @Test func smallAbsoluteRisesAreIgnoredAndOrderDoesNotMatter() {
        // ×1.3 but only 0.03 ns: below what the timer resolves per load.
        #expect(KneeDetector.knees(xs: [1, 2, 3], ys: [0.1, 0.13, 0.13]).isEmpty)
        let knees = KneeDetector.knees(xs: [8, 2, 4, 1], ys: [50, 10, 50, 10])
        #expect(knees == [Knee(lowerX: 2, upperX: 4, lowerY: 10, upperY: 50)])
        // A step at the last point counts: nothing after it to contradict it.
        #expect(KneeDetector.knees(xs: [1, 2, 3], ys: [5, 5, 20]).count == 1)
    }

    @Test func findingsNameTheReportedSizesInsideEachKnee() {
        let xs: [Double] = [16, 32, 64, 128, 256]
        let ys: [Double] = [1, 1, 4, 4, 20]
        let landmarks = [Landmark(label: "L1d 32K", x: 32, source: "sysfs"), Landmark(label: "L2 1M", x: 1024, source: "sysfs")]
        let lines = KneeReport.findings(xs: xs, ys: ys, landmarks: landmarks, describe: { "\(Int($0))K" })
        #expect(lines.count == 2)
        #expect(lines[0] == "knee 4.0× at 32K → 64K: sysfs L1d 32K", "\(lines)")
        #expect(lines[1].contains("at 128K → 256K"))
        #expect(lines[1].contains("next: sysfs L2 1M"))
        #expect(KneeReport.span(["64 pages", "128 pages"]) == "64 → 128 pages")
        // Two neighbouring steps that no reported size explains, below the same next one: one line.
        let climb = KneeReport.findings(xs: [1, 2, 4, 8, 16], ys: [1, 1, 2, 4, 4], landmarks: [Landmark(label: "L2", x: 16, source: "sysfs")],
                                        describe: { "\(Int($0)) pages" })
        #expect(climb == ["knees 2.0×, 2.0× at 2 → 4 → 8 pages: unexplained (next: sysfs L2)"], "\(climb)")
        #expect(KneeReport.findings(xs: xs, ys: [1, 1, 1, 1, 1], landmarks: [], describe: { "\($0)" })
            .first?.hasPrefix("no knee") == true)
    }

    @Test func levelHoldingASizeIsTheSmallestCacheThatFitsIt() {
        var machine = MachineInfo.current(root: "/nonexistent")
        machine.caches = [CacheLevel(level: 1, type: .data, sizeBytes: 32 << 10, ways: 8, lineBytes: 64),
                          CacheLevel(level: 1, type: .instruction, sizeBytes: 32 << 10, ways: 8, lineBytes: 64),
                          CacheLevel(level: 2, type: .unified, sizeBytes: 1 << 20, ways: 8, lineBytes: 64)]
        #expect(Landmark.level(holding: 32 << 10, machine: machine) == "L1d (32K)")
        #expect(Landmark.level(holding: 64 << 10, machine: machine) == "L2 (1M)")
        #expect(Landmark.level(holding: 2 << 20, machine: machine) == "memory")
    }
}

@Suite struct KneeHonestyTests {
    @Test func overlappingSampleRangesAreNoKnee() {
        // Medians step 1.5×, but the slowest sample below is slower than the fastest above.
        let noisy = KneeDetector.knees(xs: [1, 2, 3], ys: [4, 6, 6], ranges: [3...7, 5...7, 5...7])
        #expect(noisy.isEmpty)
        let clean = KneeDetector.knees(xs: [1, 2, 3], ys: [4, 6, 6], ranges: [3.9...4.2, 5.8...6.1, 5.9...6.2])
        #expect(clean.count == 1)
        #expect(clean.first?.confirmed == true)
    }

    @Test func aStepAtTheLastSizeIsMarkedUnconfirmed() {
        let knees = KneeDetector.knees(xs: [1, 2, 3], ys: [5, 5, 20])
        #expect(knees.count == 1)
        #expect(knees.first?.confirmed == false)
        let lines = KneeReport.findings(xs: [1, 2, 3], ys: [5, 5, 20], landmarks: [], describe: { "\(Int($0))" })
        #expect(lines.first?.hasSuffix("(the last size: unconfirmed)") == true)
    }
}
