import Harness
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
