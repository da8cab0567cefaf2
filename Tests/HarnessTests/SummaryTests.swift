import Counters
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

@Suite struct DescheduledNoteTests {
    func result(_ variant: String, ns: Double, cpu: Double?) -> VariantResult {
        VariantResult(experiment: "e", variant: variant, sizeBytes: 4096, elements: 1, iterations: 1, samples: 1,
                      nsPerElement: Summary([ns]), gbPerSecond: nil,
                      counters: cpu.map { ["perf::TASK-CLOCK": CounterValue(value: $0, perElement: $0, source: .software)] } ?? [:],
                      unavailable: [:], checksum: 0)
    }

    @Test func resultsThatLostTheCPUAreNamed() {
        let notes = SuiteRun.descheduled([result("a", ns: 10, cpu: 9.8), result("b", ns: 10, cpu: 6), result("c", ns: 10, cpu: nil)])
        #expect(notes.count == 1)
        #expect(notes[0].contains("e/b/4K 60%"))
        #expect(!notes[0].contains("e/a/"))
        #expect(SuiteRun.descheduled([result("a", ns: 10, cpu: 9.5)]).isEmpty)
    }
}
