import Counters
import Foundation
@testable import Harness
import Testing

@Suite struct SummaryTests {
    @Test func medianOfOddAndEvenCounts() {
        #expect(Summary([5, 1, 3]) == Summary(median: 3, min: 1, max: 5))
        #expect(Summary([4, 1, 3, 2]) == Summary(median: 2.5, min: 1, max: 4))
        #expect(Summary([7]).spread == 0)
        #expect(Summary([1, 2, 3]).spread == 1)
    }

    @Test func ratiosAreTakenAgainstTheBaselineAtTheSameSize() {
        func m(_ variant: String, _ size: Int, _ ns: Double) -> VariantResult {
            VariantResult(experiment: "e", variant: variant, sizeBytes: size, elements: 1, iterations: 1, samples: 1,
                        nsPerElement: Summary([ns]), gbPerSecond: nil, counters: [:], unavailable: [:], checksum: 0)
        }
        var results = [m("base", 1, 2), m("slow", 1, 8), m("base", 2, 4), m("slow", 2, 6)]
        results.computeRatios(baselines: ["e": "base"])
        #expect(results.map(\.ratioToBaseline) == [1, 4, 1, 1.5])
        #expect(results.allSatisfy { $0.baseline == "base" })
    }
}

@Suite struct NoiseTests {
    func result(_ variant: String, ns: [Double], cpu: Double?) -> VariantResult {
        let time = Summary(ns)
        let counters = cpu.map { ["perf::TASK-CLOCK": CounterValue(value: $0, perElement: $0, source: .software)] } ?? [:]
        return VariantResult(experiment: "e", variant: variant, sizeBytes: 4096, elements: 1, iterations: 1, samples: ns.count,
                             nsPerElement: time, gbPerSecond: nil, counters: counters, unavailable: [:], checksum: 0,
                             noisy: Noise.assess(time: time, cpuTime: cpu))
    }

    @Test func aResultIsNoisyWhenItLostTheCPUOrItsSamplesDisagree() {
        #expect(result("quiet", ns: [10, 10.5, 11], cpu: 9.8).noisy == nil)
        #expect(result("off-cpu", ns: [10, 10, 10], cpu: 6).noisy?.reasons.map(\.kind) == [.descheduled])
        #expect(result("spread", ns: [10, 10, 14], cpu: nil).noisy?.reasons.map(\.kind) == [.wideSpread])
        #expect(result("both", ns: [4, 4.3, 1.08], cpu: 1.11).noisy?.reasons.map(\.kind) == [.descheduled, .wideSpread])
    }

    @Test func theNoteNamesEveryNoisyResultUnshortened() {
        let results = (0..<9).map { result("v\($0)", ns: [10, 10, 10], cpu: 5) } + [result("fine", ns: [10, 10, 10], cpu: 10)]
        let notes = SuiteRun.noisyNote(results)
        #expect(notes.count == 1)
        for index in 0..<9 { #expect(notes[0].contains("e/v\(index)/4K (CPU 50% of wall time")) }
        #expect(!notes[0].contains("fine") && !notes[0].contains("…"))
        #expect(SuiteRun.noisyNote([result("a", ns: [10], cpu: 9.5)]).isEmpty)
    }

    @Test func theNoisyFlagRoundTripsThroughJSON() throws {
        let noisy = result("off-cpu", ns: [10, 10, 10], cpu: 6)
        let data = try JSONEncoder().encode(noisy)
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let reasons = try #require((json["noisy"] as? [String: Any])?["reasons"] as? [[String: Any]])
        #expect(reasons.first?["kind"] as? String == "descheduled")
        #expect(try JSONDecoder().decode(VariantResult.self, from: data) == noisy)
        let quiet = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(result("q", ns: [1], cpu: 1))) as? [String: Any])
        #expect(quiet["noisy"] == nil)
    }
}

/// What the runner does before each sample.
@Suite struct WarmUpTests {
    func workload(lap: Int, touched: Int?, minimum: Int = 1) -> Workload {
        Workload(variant: "v", units: 1, bytesPerPass: nil, expectedChecksum: nil, passesPerLap: lap,
                 touchedBytesPerPass: touched, minimumWarmUpPasses: minimum) { 0 }
    }

    @Test func aWarmUpIsOneLapOrTwiceTheLastLevelCacheWhicheverIsFewer() {
        // A 16M chase, 4M of lines per pass: a lap is 4 passes, twice a 32M LLC 16.
        #expect(workload(lap: 4, touched: 4 << 20).warmUpPasses(lastLevelBytes: 32 << 20) == 4)
        // A 1G chase: a lap is 256 passes, twice the LLC 16.
        #expect(workload(lap: 256, touched: 4 << 20).warmUpPasses(lastLevelBytes: 32 << 20) == 16)
        #expect(workload(lap: 256, touched: 4 << 20).warmUpPasses(lastLevelBytes: nil) == 256)
        // A stream over its whole buffer: one pass, whatever its size.
        #expect(workload(lap: 1, touched: 1 << 30).warmUpPasses(lastLevelBytes: 32 << 20) == 1)
        #expect(workload(lap: 1, touched: nil, minimum: 3).warmUpPasses(lastLevelBytes: 32 << 20) == 3)
    }

    @Test func theRunnerWarmsUpBeforeEverySample() throws {
        final class Counter: @unchecked Sendable { var passes = 0 }
        let counter = Counter()
        let workload = Workload(variant: "v", units: 1, bytesPerPass: nil, expectedChecksum: nil, passesPerLap: 3,
                                touchedBytesPerPass: 64) { counter.passes += 1; return 0 }
        let runner = Runner(configuration: RunConfiguration(repetitions: 4, minimumSampleNanoseconds: 0, lastLevelCacheBytes: 1 << 20),
                            plan: CounterPlan(requested: [], groups: [], unavailable: [:]), library: nil)
        let result = try runner.measure(workload, experiment: "e", size: .kib(4))
        // The checksum pass, calibration (1 pass) and its sample, then per sample 3 warm-up passes and the timed ones.
        #expect(counter.passes == 1 + 1 + 1 + 4 * (3 + result.iterations))
    }
}

@Suite struct VariantFilterTests {
    struct Toy: Experiment {
        let name = "toy"
        let summary = ""
        let sizeMeaning = ""
        let unit = "element"
        let baselineVariant = "base"
        let variants = [Variant("base", ""), Variant("base-c", "", ratioPartner: "base"),
                        Variant("other", "", ratioPartner: "other"), Variant("other-c", "", ratioPartner: "other"),
                        Variant("other-fast", "", ratioPartner: "other-c")]
        let defaultSizes: [ByteSize] = [.kib(4)]
        func footprint(of size: ByteSize) -> Int { 0 }
        func prepare(size: ByteSize, context: ExperimentContext) throws -> [Workload] { [] }
    }

    @Test func globsSelectAndKeepEachVariantsRatioPartner() throws {
        #expect(try VariantFilter(parsing: "base").selected(in: Toy()) == ["base"])
        #expect(try VariantFilter(parsing: "*-c").selected(in: Toy()) == ["base", "base-c", "other", "other-c"])
        #expect(try VariantFilter(parsing: "other-c").selected(in: Toy()) == ["other", "other-c"])
        #expect(try VariantFilter(parsing: "base-c,!base").selected(in: Toy()) == ["base-c"])
        #expect(try VariantFilter(parsing: "!other*").selected(in: Toy()) == ["base", "base-c"])
        #expect(try VariantFilter(parsing: "nothing").selected(in: Toy()).isEmpty)
        // A partner's partner is kept too, so the partner's own ratio has its divisor.
        #expect(try VariantFilter(parsing: "other-fast").selected(in: Toy()) == ["other", "other-c", "other-fast"])
    }

    @Test func theReportSaysWhatTheFilterKeptOrExcluded() throws {
        #expect(try VariantFilter(parsing: "other-c").remarks(for: Toy()) == ["toy: --variants kept other for the ratios"])
        #expect(try VariantFilter(parsing: "base-c,!base").remarks(for: Toy())
            == ["toy: --variants excluded base, so the rows measured against it have no ratio"])
        #expect(try VariantFilter(parsing: "base").remarks(for: Toy()).isEmpty)
    }

    @Test func patternsMatchingNothingAreNamed() throws {
        #expect(try VariantFilter(parsing: "b*,zzz,!yyy").unmatched(in: [Toy()]) == ["zzz", "yyy"])
        #expect(throws: VariantFilterError.self) { try VariantFilter(parsing: "base,,other") }
        #expect(throws: VariantFilterError.self) { try VariantFilter(parsing: "!") }
    }

    @Test func ratiosAreTakenAgainstEachVariantsPartner() {
        func m(_ variant: String, _ ns: Double) -> VariantResult {
            VariantResult(experiment: "toy", variant: variant, sizeBytes: 1, elements: 1, iterations: 1, samples: 1,
                          nsPerElement: Summary([ns]), gbPerSecond: nil, counters: [:], unavailable: [:], checksum: 0)
        }
        var results = [m("base", 10), m("base-c", 11), m("other", 1), m("other-c", 0.5)]
        results.computeRatios { _, variant in Toy().ratioPartner(of: variant) }
        #expect(results.map(\.baseline) == ["base", "base", "other", "other"])
        #expect(results.map(\.ratioToBaseline) == [1, 1.1, 1, 0.5])
    }
}
