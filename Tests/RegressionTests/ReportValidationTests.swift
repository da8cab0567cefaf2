import Foundation
import Harness
@testable import Regression
import Testing

/// What compare refuses as bad input before judging, and where it says the problem is.
@Suite struct ReportValidationTests {
    private func edited(_ change: (inout VariantResult) -> Void, at index: Int = 0) -> RunReport {
        var edited = report()
        var result = edited.results[index]
        change(&result)
        edited.results[index] = result
        return edited
    }

    private func problem(_ report: RunReport) -> ReportProblem? {
        do { try report.checkedForComparison(); return nil } catch { return error }
    }

    @Test func aWellFormedReportPasses() {
        #expect(problem(report()) == nil)
    }

    @Test func aDuplicateResultIsRefusedWithBothPlaces() {
        var doubled = report()
        doubled.results.append(doubled.results[0])
        #expect(problem(doubled) == ReportProblem(place: ".results[2]",
                                                  reason: "duplicate result loop-order/row-major/2M (also at .results[0])"))
    }

    @Test func impossibleSizesElementsAndSamplesAreRefusedAtTheirPlace() {
        func copy(_ r: VariantResult, size: Int? = nil, elements: Int? = nil, samples: Int? = nil) -> VariantResult {
            VariantResult(experiment: r.experiment, variant: r.variant, sizeBytes: size ?? r.sizeBytes,
                          elements: elements ?? r.elements, iterations: r.iterations, samples: samples ?? r.samples,
                          nsPerElement: r.nsPerElement, gbPerSecond: r.gbPerSecond, counters: r.counters,
                          unavailable: r.unavailable, checksum: r.checksum)
        }
        #expect(problem(edited({ $0 = copy($0, size: -4096) }, at: 1))?.place == ".results[1].size_bytes")
        #expect(problem(edited { $0 = copy($0, elements: 0) })?.place == ".results[0].elements")
        #expect(problem(edited { $0 = copy($0, samples: 0) })?.place == ".results[0].samples")
    }

    @Test func aNumberItsFieldCannotHoldIsFoundWithItsPlace() {
        let fraction = Data(#"{"results": [{"variant": "a", "size_bytes": 4096}, {"size_bytes": 1.5}]}"#.utf8)
        #expect(JSONNumberCheck.firstMisfit(in: fraction) == ReportProblem(place: ".results[1].size_bytes",
                                                                          reason: "1.5 is not a whole number"))
        let huge = Data(#"{"configuration": {"repetitions": 1e30}}"#.utf8)
        #expect(JSONNumberCheck.firstMisfit(in: huge)?.place == ".configuration.repetitions")
        // Fractions where fractions belong are fine; text that is not JSON has no misfit.
        #expect(JSONNumberCheck.firstMisfit(in: Data(#"{"results": [{"checksum": 1.5}]}"#.utf8)) == nil)
        #expect(JSONNumberCheck.firstMisfit(in: Data("{".utf8)) == nil)
    }

    @Test func counterNamesKeepTheirOrderAndComeOnce() {
        var many = report()
        many.configuration.events = ["D1mr", "Ir"]
        many.results[0].counters["Dw"] = many.results[0].counters["D1mr"]
        many.results[1].counters["Ar"] = many.results[0].counters["D1mr"]
        many.results[1].counters["Dw"] = many.results[0].counters["D1mr"]
        #expect(many.counterNames == ["D1mr", "Ir", "Dw", "Ar"])
    }
}
