import Counters
import Harness
@testable import Regression
import Foundation
import Testing

/// A small sim-like report: two variants, one counter each, plus times.
func report(mode: RunMode = .sim, rowMisses: Double = 32768, columnMisses: Double = 262_144, columnRatio: Double = 8,
            columnTime: Double = 2.5, include column: Bool = true) -> RunReport {
    let elements = 262_144.0
    func result(_ variant: String, misses: Double, ns: Double, ratio: Double) -> VariantResult {
        VariantResult(experiment: "loop-order", variant: variant, sizeBytes: 2 << 20, elements: Int(elements), iterations: 1,
                      samples: 1, nsPerElement: Summary([ns]), gbPerSecond: nil,
                      counters: ["D1mr": CounterValue(value: misses, perElement: misses / elements,
                                                      source: mode == .sim ? .simulated : .software)],
                      unavailable: [:], ratioToBaseline: ratio, baseline: "row-major", checksum: 1)
    }
    // The row walk's time follows from the column walk's and their ratio: compare derives the
    // ratio it judges from the two times.
    var results = [result("row-major", misses: rowMisses, ns: columnTime / columnRatio, ratio: 1)]
    if column { results.append(result("column-major", misses: columnMisses, ns: columnTime, ratio: columnRatio)) }
    return RunReport(mode: mode, machine: MachineInfo.current(root: "/nonexistent-locality-root"),
                     configuration: .init(repetitions: 1, minimumSampleNanoseconds: 0, events: ["D1mr"], counterGroups: 0),
                     results: results, notes: [], experiments: [])
}

@Suite struct ComparisonTests {
    @Test func identicalReportsPass() throws {
        let comparison = try Comparison(baseline: report(), current: report())
        #expect(comparison.passed)
        #expect(comparison.lines.filter { $0.verdict == .ok }.count == 2)
        // Absolute times are shown, never judged.
        #expect(comparison.lines.filter { $0.kind == .time }.allSatisfy { $0.verdict == .info })
    }

    @Test func moreSimulatedMissesRegressAndTheMetricIsNamed() throws {
        let comparison = try Comparison(baseline: report(), current: report(columnMisses: 262_144 * 1.05))
        #expect(!comparison.passed)
        let regression = try #require(comparison.regressions.first)
        #expect(regression.key == "loop-order/column-major/2M D1mr/elem")
        #expect(abs((regression.change ?? 0) - 0.05) < 1e-9)
        let text = comparison.render(markdown: false)
        #expect(text.contains("regressed: loop-order/column-major/2M D1mr/elem +5.00% beyond ±1%"))
        #expect(text.contains("FAIL: "))
    }

    @Test func aDifferenceOfAFewEventsIsNoRegression() throws {
        // One or two lines landing in another set change a count by ±1–2: not a regression …
        #expect(try Comparison(baseline: report(rowMisses: 10), current: report(rowMisses: 12)).passed)
        // … nor, for simulated counts, a shift of under 0.01 events per element (262144
        // elements here), where conflict misses follow placement …
        #expect(try Comparison(baseline: report(), current: report(rowMisses: 32768 + 2000)).passed)
        #expect(try Comparison(baseline: report(rowMisses: 60), current: report(rowMisses: 720)).passed)
        // … but more than that is, however small the count …
        #expect(try !Comparison(baseline: report(), current: report(rowMisses: 32768 + 3000)).passed)
        #expect(try !Comparison(baseline: report(rowMisses: 60), current: report(rowMisses: 3000)).passed)
        // … and measured counts have only the two-event floor: ±10% of a small count is judged.
        #expect(try !Comparison(baseline: report(mode: .run, rowMisses: 60), current: report(mode: .run, rowMisses: 720)).passed)
    }

    @Test func softwareCountsAreJudgedWithinTenPercent() throws {
        #expect(try Comparison(baseline: report(mode: .run, rowMisses: 1000), current: report(mode: .run, rowMisses: 1090)).passed)
        let worse = try Comparison(baseline: report(mode: .run, rowMisses: 1000), current: report(mode: .run, rowMisses: 1200))
        #expect(worse.regressions.map(\.key) == ["loop-order/row-major/2M D1mr/elem"])
    }

    @Test func improvementsAreReportedNotFailed() throws {
        let comparison = try Comparison(baseline: report(), current: report(columnMisses: 100_000))
        #expect(comparison.passed)
        #expect(comparison.lines.contains { $0.verdict == .improved })
    }

    @Test func timeRatiosAreJudgedWidelyAndAbsoluteTimesNotAtAll() throws {
        let wide = try Comparison(baseline: report(mode: .run), current: report(mode: .run, columnRatio: 9.5, columnTime: 9))
        #expect(wide.passed)  // +19% ratio, 3.6× absolute times: within ±25%, and times are not judged
        let worse = try Comparison(baseline: report(mode: .run), current: report(mode: .run, columnRatio: 11))
        #expect(worse.regressions.map(\.key) == ["loop-order/column-major/2M time ×row-major"])
    }

    /// A C twin's ratio to its Swift kernel falls when the Swift kernel gets slower: that is the
    /// regression, though every other ratio regresses by rising.
    @Test func aSwiftKernelSlowerThanItsCTwinRegresses() throws {
        func twins(swift: Double) -> RunReport {
            func result(_ variant: String, ns: Double) -> VariantResult {
                VariantResult(experiment: "loop-order", variant: variant, sizeBytes: 2 << 20, elements: 1000, iterations: 1,
                              samples: 3, nsPerElement: Summary([ns, ns, ns]), gbPerSecond: nil, counters: [:], unavailable: [:],
                              ratioToBaseline: ns / swift, baseline: "row-major", checksum: 1)
            }
            return RunReport(mode: .run, machine: MachineInfo.current(root: "/nonexistent-locality-root"),
                             configuration: .init(repetitions: 3, minimumSampleNanoseconds: 0, events: [], counterGroups: 0),
                             results: [result("row-major", ns: swift), result("row-major-c", ns: 1)], notes: [], experiments: [])
        }
        let slower = try Comparison(baseline: twins(swift: 1), current: twins(swift: 2))
        #expect(slower.regressions.map(\.key) == ["loop-order/row-major-c/2M time ×row-major"])
        let faster = try Comparison(baseline: twins(swift: 2), current: twins(swift: 1))
        #expect(faster.passed && faster.lines.contains { $0.verdict == .improved })
    }

    @Test func aBaselineMayCarryItsOwnTolerance() throws {
        var baseline = report()
        baseline.results[1].counters["D1mr"]?.tolerance = 0.10
        #expect(try Comparison(baseline: baseline, current: report(columnMisses: 262_144 * 1.05)).passed)
    }

    @Test func impossibleValuesAreBadInputNotRegressions() throws {
        #expect(throws: ComparisonError.invalid("baseline: loop-order/row-major/2M D1mr/elem is a count of -5.0; counts, times and ratios are never negative")) {
            try Comparison(baseline: report(rowMisses: -5), current: report())
        }
        var negativeTolerance = report()
        negativeTolerance.results[1].counters["D1mr"]?.tolerance = -0.5
        #expect(throws: ComparisonError.self) { try Comparison(baseline: negativeTolerance, current: report()) }
        #expect(throws: ComparisonError.self) { try Comparison(baseline: report(mode: .run), current: report(mode: .run, columnRatio: -1)) }
    }

    @Test func aMissingVariantFailsAndANewOneDoesNot() throws {
        let missing = try Comparison(baseline: report(), current: report(include: false))
        #expect(missing.regressions.map(\.verdict).contains(.missing))
        let added = try Comparison(baseline: report(include: false), current: report())
        #expect(added.passed)
        #expect(added.lines.contains { $0.verdict == .new })
    }

    @Test func aBaselineRatioToleranceOverridesTheKinds() throws {
        var baseline = report(mode: .run)
        baseline.results[1].ratioTolerance = 0.5
        // +37.5% on the column/row time ratio: beyond the default ±25%, within the baseline's ±50%.
        #expect(try !Comparison(baseline: report(mode: .run), current: report(mode: .run, columnRatio: 11)).passed)
        #expect(try Comparison(baseline: baseline, current: report(mode: .run, columnRatio: 11)).passed)
    }

    /// Under each of their names (`--events` may give PERF_COUNT_SW_TASK_CLOCK, which holds no
    /// "TASK-CLOCK").
    @Test(arguments: ["perf::TASK-CLOCK", "perf::PERF_COUNT_SW_TASK_CLOCK", "perf_event::CPU-CLOCK:u", "PERF_COUNT_SW_CPU_CLOCK"])
    func clockCountersAreReportedLikeTimesNeverJudged(name: String) throws {
        func clockReport(_ value: Double) -> RunReport {
            var r = report(mode: .run)
            for index in r.results.indices {
                r.results[index].counters = [name: CounterValue(value: value, perElement: value / 262_144, source: .software)]
            }
            r.configuration.events = [name]
            return r
        }
        let comparison = try Comparison(baseline: clockReport(1e6), current: clockReport(5e6))
        #expect(comparison.passed)
        let line = try #require(comparison.lines.first { $0.key == "loop-order/row-major/2M \(name)/elem" })
        #expect(line.kind == .time && line.verdict == .info)
    }

    @Test func reportsOfOtherSimulatedCachesCannotBeCompared() throws {
        var baseline = report(), current = report()
        baseline.configuration.simulatedCaches = try CacheGeometry.fallback.overridden(by: "D1=32K:8:64")
        current.configuration.simulatedCaches = try CacheGeometry.fallback.overridden(by: "D1=64K:8:64")
        #expect(throws: ComparisonError.self) { try Comparison(baseline: baseline, current: current) }
    }

    @Test func mismatchedReportsCannotBeCompared() {
        #expect(throws: ComparisonError.self) { try Comparison(baseline: report(mode: .sim), current: report(mode: .run)) }
        var other = report()
        other.results = other.results.map { r in
            VariantResult(experiment: "other", variant: r.variant, sizeBytes: r.sizeBytes, elements: r.elements, iterations: 1,
                          samples: 1, nsPerElement: r.nsPerElement, gbPerSecond: nil, counters: r.counters, unavailable: [:], checksum: 1)
        }
        #expect(throws: ComparisonError.mismatched("the reports share no experiment, variant and size")) {
            try Comparison(baseline: report(), current: other)
        }
    }
}

@Suite struct NarrowedComparisonTests {
    @Test func experimentsLeftOutOfTheCurrentRunAreNotRunNotMissing() throws {
        var other = report()
        other.results = other.results.map { r in
            VariantResult(experiment: "layout", variant: r.variant, sizeBytes: r.sizeBytes, elements: r.elements, iterations: 1,
                          samples: 1, nsPerElement: r.nsPerElement, gbPerSecond: nil, counters: r.counters, unavailable: [:], checksum: 1)
        }
        var baseline = report()
        baseline.results += other.results
        let narrowed = try Comparison(baseline: baseline, current: report())
        #expect(narrowed.passed)
        // Two variants × D1mr: a simulated report's times are valgrind's, never compared.
        #expect(narrowed.lines.filter { $0.verdict == .notRun }.count == 2)
        #expect(narrowed.summary.hasSuffix("2 not run"))
    }
}

/// Time ratios judged against the samples' spread; noisy results reported, not judged.
@Suite struct NoiseAwareComparisonTests {
    /// A run report whose column-major result has samples `column` (ns) against row-major's `row`.
    func timed(column: [Double], row: [Double] = [0.30, 0.31, 0.32], noisy: Bool = false) -> RunReport {
        var r = report(mode: .run)
        let rowTime = Summary(row), columnTime = Summary(column)
        r.results[0] = VariantResult(experiment: "loop-order", variant: "row-major", sizeBytes: 2 << 20, elements: 1, iterations: 1,
                                     samples: row.count, nsPerElement: rowTime, gbPerSecond: nil, counters: [:], unavailable: [:],
                                     ratioToBaseline: 1, baseline: "row-major", checksum: 1)
        r.results[1] = VariantResult(experiment: "loop-order", variant: "column-major", sizeBytes: 2 << 20, elements: 1, iterations: 1,
                                     samples: column.count, nsPerElement: columnTime, gbPerSecond: nil, counters: [:], unavailable: [:],
                                     ratioToBaseline: columnTime.median / rowTime.median, baseline: "row-major", checksum: 1,
                                     noisy: noisy ? Noise(reasons: [NoiseReason(kind: .descheduled, value: 0.5, limit: 0.9)]) : nil)
        r.configuration.events = []
        return r
    }

    let ratioKey = "loop-order/column-major/2M time ×row-major"

    @Test func aRatioWhoseIntervalsOverlapIsNoRegressionHoweverFarItsMedianMoved() throws {
        // Medians 2.5 → 3.3 ns (+32%), but the samples overlap (2.4–3.4 against 2.5–3.4).
        let comparison = try Comparison(baseline: timed(column: [2.4, 2.5, 3.4]), current: timed(column: [2.5, 3.3, 3.4]))
        let line = try #require(comparison.lines.first { $0.key == ratioKey })
        #expect(line.verdict == .ok)
        #expect((line.change ?? 0) > 0.25)
        #expect(comparison.passed)
    }

    @Test func aDoubledTimeWithSeparateIntervalsRegresses() throws {
        let comparison = try Comparison(baseline: timed(column: [2.4, 2.5, 2.6]), current: timed(column: [4.8, 5.0, 5.2]))
        #expect(comparison.regressions.map(\.key) == [ratioKey])
        let line = try #require(comparison.lines.first { $0.key == ratioKey })
        #expect(try #require(line.baselineRange).upperBound < (try #require(line.currentRange)).lowerBound)
    }

    /// A time doubled in a copy of a report, its stored ratio left as it was: the ratio compare
    /// judges is derived from the two times, so the change shows.
    @Test func aDoubledTimeRegressesWhateverRatioTheReportStores() throws {
        var current = timed(column: [2.4, 2.5, 2.6])
        current.results[1] = VariantResult(experiment: "loop-order", variant: "column-major", sizeBytes: 2 << 20, elements: 1, iterations: 1,
                                           samples: 3, nsPerElement: Summary([4.8, 5.0, 5.2]), gbPerSecond: nil, counters: [:],
                                           unavailable: [:], ratioToBaseline: current.results[1].ratioToBaseline, baseline: "row-major",
                                           checksum: 1)
        let comparison = try Comparison(baseline: timed(column: [2.4, 2.5, 2.6]), current: current)
        #expect(comparison.regressions.map(\.key) == [ratioKey])
        let line = try #require(comparison.lines.first { $0.key == ratioKey })
        #expect(abs(try #require(line.change) - 1) < 0.01)
    }

    @Test func aNoisyResultInEitherRunIsReportedNotJudged() throws {
        for (baseline, current) in [(true, false), (false, true)] {
            let comparison = try Comparison(baseline: timed(column: [2.4, 2.5, 2.6], noisy: baseline),
                                            current: timed(column: [4.8, 5.0, 5.2], noisy: current))
            #expect(comparison.passed)
            #expect(comparison.lines.first { $0.key == ratioKey }?.verdict == .noisy)
            #expect(comparison.summary.contains("2 noisy (reported, not judged)"))  // its time and its ratio
        }
    }

    @Test func theJSONFormCarriesEveryVerdict() throws {
        let comparison = try Comparison(baseline: timed(column: [2.4, 2.5, 2.6]), current: timed(column: [4.8, 5.0, 5.2]))
        let data = try JSONEncoder().encode(ComparisonDocument(comparison))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(json["passed"] as? Bool == false)
        let metrics = try #require(json["metrics"] as? [[String: Any]])
        let ratio = try #require(metrics.first { $0["key"] as? String == ratioKey })
        #expect(ratio["verdict"] as? String == "regressed")
        #expect(ratio["kind"] as? String == "ratio")
        #expect((ratio["current_range"] as? [Double])?.count == 2)
    }
}
