import Counters
import Foundation
import Harness
@testable import Reporting
import Testing

/// A sweep: `sizes` × (chase, packed), chase twice as slow as packed from the third size on,
/// page faults 0 everywhere, a task clock that tracks the time.
func sweepReport(sizes: [Int] = [4096, 8192, 16384, 32768, 65536, 131072], mode: RunMode = .run) -> RunReport {
    var results: [VariantResult] = []
    for (index, size) in sizes.enumerated() {
        for variant in ["chase", "packed"] {
            let ns = variant == "packed" ? 1.0 : (index >= 2 ? 2.0 : 1.0)
            results.append(VariantResult(
                experiment: "tlb", variant: variant, sizeBytes: size, elements: 100, iterations: 1, samples: 3,
                nsPerElement: Summary([ns, ns * 1.01, ns * 0.99]), gbPerSecond: nil,
                counters: ["perf::PAGE-FAULTS": CounterValue(value: 0, perElement: 0, source: .software),
                           "perf::TASK-CLOCK": CounterValue(value: ns * 100, perElement: ns, source: .software),
                           "D1mr": CounterValue(value: 10, perElement: variant == "packed" ? 0.1 : 0.4, source: .simulated)],
                unavailable: ["PAPI_TLB_DM": "Event does not exist (PAPI -7)"], checksum: 1))
        }
    }
    results.computeRatios(baselines: ["tlb": "packed"])
    return RunReport(
        mode: mode, machine: MachineInfo.current(root: "/nonexistent-locality-root"),
        configuration: .init(repetitions: 3, minimumSampleNanoseconds: 1000,
                             events: ["PAPI_TLB_DM", "perf::PAGE-FAULTS", "perf::TASK-CLOCK", "D1mr"], counterGroups: 1),
        results: results, notes: [],
        experiments: [.init(name: "tlb", summary: "pages", unit: "load", baseline: "packed")])
}

/// `text` with its wrapped lines joined again: a line break and the indent after it are one space.
func unwrapped(_ text: String) -> String {
    text.replacingOccurrences(of: #"\n +"#, with: " ", options: .regularExpression)
}

@Suite struct ReadableReportTests {
    @Test func aSweepIsOneTableWithTheSizeAsRowKey() throws {
        let text = TextReport.render(sweepReport(), style: .plain)
        let titles = text.split(separator: "\n").filter { $0.hasPrefix("tlb · ") }
        #expect(titles.count == 1, "\(text)")
        // One row per size, each starting with the size.
        for size in ["4K", "8K", "16K", "32K", "64K", "128K"] {
            #expect(text.split(separator: "\n").contains { $0.trimmingCharacters(in: .whitespaces).hasPrefix(size + " ") }, "\(size)")
        }
        #expect(text.contains("chase ×packed"))
        #expect(text.contains("2.00×"))
    }

    @Test func aColumnWithOneValueInEveryRowBecomesALineUnderTheTable() throws {
        let text = TextReport.render(sweepReport(), style: TextStyle(wide: true))
        #expect(text.contains("same in every row: PAGE-FAULTS/load (sw) 0"), "\(text)")
        let header = try #require(text.split(separator: "\n").first { $0.hasPrefix("size") })
        #expect(!header.contains("PAGE-FAULTS"))
        #expect(header.contains("TASK-CLOCK/load (sw)"))
    }

    @Test func tablesFitTheWidthAndSayWhatTheyLeftOut() throws {
        let report = sampleReport()
        let narrow = TextReport.render(report, style: TextStyle(width: 50))
        let tableLines = narrow.split(separator: "\n").filter { $0.hasPrefix("row-major") || $0.hasPrefix("column-major") || $0.hasPrefix("variant") }
        #expect(!tableLines.isEmpty)
        for line in tableLines { #expect(line.count <= 50, "\(line)") }
        #expect(unwrapped(narrow).contains("--wide adds 1 column: min–max"), "\(narrow)")
        // Prose wraps too.
        for line in narrow.split(separator: "\n") { #expect(line.count <= 50 || !line.contains(" "), "\(line)") }
        let wide = TextReport.render(report, style: TextStyle(width: 50, wide: true))
        #expect(wide.contains("min–max"))
        #expect(!wide.contains("--wide adds"))
    }

    @Test func colourOnlyWhenAsked() throws {
        let report = sampleReport()  // column-major 4× row-major: worth a colour
        #expect(TextReport.render(report, style: TextStyle(colour: true)).contains("\u{1B}[33m4.00×\u{1B}[0m"))
        #expect(!TextReport.render(report, style: .plain).contains("\u{1B}"))
    }

    @Test func theHeadlineGivesTheMainRatioWithItsSizesAndTheCountersThatExplainIt() throws {
        let text = TextReport.render(sampleReport(), style: .plain)
        let headline = try #require(text.components(separatedBy: "Headline\n").last)
        #expect(headline.contains("loop-order  column-major 4.00× row-major at 4K"), "\(headline)")
        let sweep = TextReport.render(sweepReport(), style: .plain)
        // Twofold from 16K on, 1× at 4K; D1mr 0.1 → 0.4 per load explains it.
        #expect(sweep.contains("tlb  chase 2.00× packed at 128K (1.00× at 4K); D1mr 0.10 → 0.40/load (sim)"), "\(sweep)")
        // One line where there is a ratio; a sweep without one tells how the baseline's time grows.
        #expect(!sweep.contains("packed 1.0 ns/load at 4K"), "\(sweep)")
        var alone = sweepReport()
        alone.results.removeAll { $0.variant == "chase" }
        let growth = TextReport.render(alone, style: .plain)
        #expect(growth.contains("tlb  packed 1.0 ns/load at 4K → 1.0 at 128K (1.00×)"), "\(growth)")
    }

    /// A variant doing other work than its partner (fewer units: a demo of another effect) is
    /// never the headline, however large its ratio.
    @Test func theHeadlineComparesTheSameWorkDoneAnotherWay() throws {
        var report = sweepReport()
        let demo = try #require(report.results.first { $0.variant == "chase" && $0.sizeBytes == 131072 })
        report.results.append(VariantResult(experiment: "tlb", variant: "demo", sizeBytes: 131072, elements: 16, iterations: 1,
                                            samples: 3, nsPerElement: Summary([50, 50, 50]), gbPerSecond: nil, counters: [:],
                                            unavailable: demo.unavailable, ratioToBaseline: 50, baseline: "packed", checksum: 1))
        let text = TextReport.render(report, style: .plain)
        #expect(text.contains("tlb  chase 2.00× packed at 128K"), "\(text)")
        #expect(!text.contains("demo 50"), "\(text)")
    }

    @Test func theHeadlineIsDrawnFromQuietResultsWhereThereAreAny() throws {
        var report = sweepReport()
        // A noisy outlier at the largest size: 9× against the quiet 2× everywhere else.
        let index = try #require(report.results.firstIndex { $0.variant == "chase" && $0.sizeBytes == 131072 })
        report.results[index].ratioToBaseline = 9
        report.results[index].noisy = Noise(reasons: [NoiseReason(kind: .descheduled, value: 0.5, limit: 0.9)])
        let text = TextReport.render(report, style: .plain)
        #expect(text.contains("tlb  chase 2.00× packed at 64K"), "\(text)")
        #expect(!text.contains("9.00× packed"), "\(text)")
        // A ratio is as noisy as its partner's time: a noisy baseline at 64K moves it to 32K.
        let partner = try #require(report.results.firstIndex { $0.variant == "packed" && $0.sizeBytes == 65536 })
        report.results[partner].noisy = Noise(reasons: [NoiseReason(kind: .wideSpread, value: 0.5, limit: 0.3)])
        #expect(TextReport.render(report, style: .plain).contains("tlb  chase 2.00× packed at 32K"))
        // The largest effect wins over the largest size: a quiet 3× at 16K against 2× at 32K.
        var smaller = report
        let at16K = try #require(smaller.results.firstIndex { $0.variant == "chase" && $0.sizeBytes == 16384 })
        smaller.results[at16K].ratioToBaseline = 3
        #expect(TextReport.render(smaller, style: .plain).contains("tlb  chase 3.00× packed at 16K"))
        // Every ratio noisy: the largest is the headline, marked.
        for index in report.results.indices { report.results[index].noisy = report.results[partner].noisy }
        #expect(TextReport.render(report, style: .plain).contains("tlb  chase 9.00× packed at 128K (1.00× at 4K, noisy) [noisy !]"))
        // Where the headline is at the smallest size, it is held against the largest.
        var first = sweepReport()
        let at4K = try #require(first.results.firstIndex { $0.variant == "chase" && $0.sizeBytes == 4096 })
        first.results[at4K].ratioToBaseline = 5
        #expect(TextReport.render(first, style: .plain).contains("tlb  chase 5.00× packed at 4K (2.00× at 128K)"))
    }

    @Test func csvHeadersAreSnakeCase() {
        #expect(CSVReport.snakeCase("perf::PAGE-FAULTS") == "perf_page_faults")
        #expect(CSVReport.snakeCase("PAPI_L1_DCM") == "papi_l1_dcm")
        #expect(CSVReport.snakeCase("AnonHugePages MiB") == "anon_huge_pages_mib")
        #expect(CSVReport.snakeCase("page switch/elem") == "page_switch_per_elem")
        #expect(CSVReport.snakeCase("unresolved <ns") == "unresolved_lt_ns")
        #expect(CSVReport.snakeCase("trace×") == "trace_x")
        #expect(CSVReport.snakeCase("mmap'd 1st") == "mmapd_1st")
        #expect(CSVReport.snakeCase("huge %") == "huge_pct")
    }

    @Test func tsvIsTabSeparatedWithoutQuoting() throws {
        var report = sampleReport()
        report.results[0].unavailable["PAPI_L1_DCM"] = "a reason,\twith \"quotes\"\nand a line break"
        let text = try ReportFormat.tsv.render(report)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.count == 3)
        let columns = lines[0].split(separator: "\t", omittingEmptySubsequences: false).count
        for line in lines { #expect(line.split(separator: "\t", omittingEmptySubsequences: false).count == columns) }
        #expect(text.contains("a reason, with \"quotes\" and a line break"))
        #expect(try ReportFormat.inferred(fromPath: "r.tsv") == .tsv)
    }

    @Test func aSimulatedReportHoldsCountsNotTimes() throws {
        let json = try ReportFormat.json.render(sweepReport(mode: .sim))
        #expect(!json.contains("ns_per_element"))
        #expect(!json.contains("gb_per_s"))
        #expect(!json.contains("ratio_to_baseline"))
        #expect(json.contains("\"D1mr\""))
        let back = try RunReport.decode(Data(json.utf8))
        #expect(back.results.map(\.counters) == sweepReport(mode: .sim).results.map(\.counters))
        let csv = try ReportFormat.csv.render(sweepReport(mode: .sim))
        #expect(!csv.contains("ns_per_element"))
        #expect(!csv.contains("gb_per_s"))
    }

    @Test func reportsWithTheReasonInEveryResultStillRead() throws {
        // As written before the reasons were gathered in one map (the committed baselines).
        let report = sampleReport()
        let data = try JSONEncoder().encode(report)
        var root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        root.removeValue(forKey: "unavailable_reasons")
        var results = try #require(root["results"] as? [[String: Any]])
        for index in results.indices { results[index]["unavailable"] = ["PAPI_L1_DCM": "Event does not exist (PAPI -7) — no hardware PMU"] }
        root["results"] = results
        let old = try JSONSerialization.data(withJSONObject: root)
        #expect(try RunReport.decode(old).results[0].unavailable["PAPI_L1_DCM"] == "Event does not exist (PAPI -7) — no hardware PMU")
    }

    /// `variants` of a layout-like experiment at 4K and 64K, each time its index + 1 ns, each
    /// ratio against `partner(variant)`.
    func rowPerVariantReport(_ variants: [String], notes: [String] = [], partner: (String) -> String = { _ in "a" }) -> RunReport {
        var results: [VariantResult] = []
        for size in [4096, 65536] {
            for (index, variant) in variants.enumerated() {
                results.append(VariantResult(experiment: "layout", variant: variant, sizeBytes: size, elements: 10, iterations: 1, samples: 3,
                                             nsPerElement: Summary([Double(index + 1)]), gbPerSecond: nil, counters: [:], unavailable: [:], checksum: 1))
            }
        }
        results.computeRatios { _, variant in partner(variant) }
        return RunReport(mode: .run, machine: MachineInfo.current(root: "/nonexistent-locality-root"),
                         configuration: .init(repetitions: 3, minimumSampleNanoseconds: 1000, events: [], counterGroups: 1),
                         results: results, notes: notes,
                         experiments: [.init(name: "layout", summary: "flat", unit: "element", baseline: "a")])
    }

    @Test func manyVariantsAtFewSizesAreARowPerVariant() throws {
        let variants = ["a", "b", "c", "d", "e", "f"]
        let report = rowPerVariantReport(variants, notes: [String(repeating: "a long note ", count: 100)])
        let text = TextReport.render(report, style: TextStyle(width: 80))
        let rows = text.split(separator: "\n").filter { line in variants.contains { line.hasPrefix($0 + " ") } }
        #expect(rows.count == 6, "\(text)")
        #expect(text.contains("4K ×a") && text.contains("64K ×a"))
        #expect(rows.last?.contains("6.00×") == true)
        // A note is wrapped to the width but never cut: the noisy note names every result not
        // to trust.
        #expect(!text.contains("… (cut here"))
        #expect(text.components(separatedBy: "long").count - 1 == 100, "\(text)")
        #expect(text.split(separator: "\n").allSatisfy { $0.count <= 80 })
    }

    /// Each reason once, with the events it holds for; a single reason on the heading's line.
    @Test func unavailableCountersAreListedOncePerReason() throws {
        var report = sweepReport()
        #expect(TextReport.render(report, style: .plain).contains("\nCounters unavailable here: PAPI_TLB_DM: Event does not exist (PAPI -7)\n"))
        report.results[0].unavailable["PAPI_L1_DCM"] = "Permission denied (PAPI -15)"
        let two = TextReport.render(report, style: .plain)
        #expect(two.contains("\nCounters unavailable here:\n  PAPI_TLB_DM: Event does not exist (PAPI -7)\n  PAPI_L1_DCM: Permission denied (PAPI -15)\n"),
                "\(two)")
    }

    /// Ratios to a partner other than the baseline are named under the table; C twins once.
    @Test func aRowPerVariantNamesThePartnersOtherThanTheBaseline() throws {
        let report = rowPerVariantReport(["a", "a-c", "b", "c", "d", "d-c"]) { variant in
            variant.hasSuffix("-c") ? String(variant.dropLast(2)) : variant == "c" ? "b" : "a"
        }
        let text = unwrapped(TextReport.render(report, style: TextStyle(width: 80)))
        #expect(text.contains("ratios to a; c's to b, a C twin's (-c) to its Swift kernel"), "\(text)")
    }

    /// A long sweep whose experiment names key sizes shows those rows on a terminal, says how
    /// many it left out and how to see them; `--wide` and Markdown show every size.
    @Test func aLongSweepShowsItsKeySizesOnATerminalAndEverySizeWhenWide() throws {
        let sizes = (0..<15).map { 4096 << $0 }
        var report = sweepReport(sizes: sizes)
        report.experiments[0].keySizes = KeySizes(sizes: [ByteSize(rawValue: 4096), ByteSize(rawValue: 4096 << 7)], why: "where it steps")
        let names = Set(sizes.map { ByteSize(rawValue: $0).description })
        // The sizes that start a row of a table.
        func rows(_ text: String) -> [String] {
            text.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) }.filter(names.contains)
        }
        let terse = TextReport.render(report, style: TextStyle(width: 80))
        // The key sizes, and the headline's (chase 2× from 16K on: the largest size).
        #expect(rows(terse) == ["4K", "512K", "64M"], "\(terse)")
        // The task clock of packed is 1.00 in every row shown and every row measured: folded.
        // chase D1mr is 0.400 in both rows shown but 0.9 at 8K, left out: not "the same in every row".
        #expect(unwrapped(terse).contains("packed TASK-CLOCK/load (sw) 1.00"), "\(terse)")
        var varying = report
        let hidden = try #require(varying.results.firstIndex { $0.variant == "chase" && $0.sizeBytes == 8192 })
        varying.results[hidden].counters["D1mr"] = CounterValue(value: 10, perElement: 0.9, source: .simulated)
        let shown = TextReport.render(varying, style: TextStyle(width: 80, wide: false))
        #expect(unwrapped(terse).contains("chase D1mr/load (sim) 0.400"), "\(terse)")
        #expect(!unwrapped(shown).contains("chase D1mr/load (sim) 0.400"), "\(shown)")
        #expect(terse.contains("by size · 3 of 15 sizes\n"), "\(terse)")
        #expect(unwrapped(terse).contains(" rows: where it steps, the headline's (--wide: all 15); same in every row"), "\(terse)")
        // Rows ascend whatever order the sizes were measured in.
        var shuffled = report
        shuffled.results.reverse()
        #expect(rows(TextReport.render(shuffled, style: TextStyle(width: 80))) == ["4K", "512K", "64M"])
        // The headline's size is added only where the headline is about a variant of the table:
        // a variant measured at one size only has a table of its own.
        var apart = report
        apart.results.append(VariantResult(experiment: "tlb", variant: "other", sizeBytes: 8192, elements: 100, iterations: 1, samples: 3,
                                           nsPerElement: Summary([50]), gbPerSecond: nil, counters: [:], unavailable: [:],
                                           ratioToBaseline: 50, baseline: "packed", checksum: 1))
        let apartText = TextReport.render(apart, style: TextStyle(width: 80))
        #expect(apartText.contains("tlb  other 50× packed at 8K"), "\(apartText)")
        #expect(rows(apartText.components(separatedBy: "tlb · 8K").first ?? "") == ["4K", "512K"], "\(apartText)")
        // A short sweep is shown whole, key sizes or not.
        var short = sweepReport()
        short.experiments[0].keySizes = report.experiments[0].keySizes
        #expect(rows(TextReport.render(short, style: TextStyle(width: 80))) == ["4K", "8K", "16K", "32K", "64K", "128K"])
        let wide = TextReport.render(report, style: TextStyle(width: 80, wide: true))
        #expect(Set(rows(wide)) == names, "\(wide)")
        let markdown = try ReportFormat.markdown.render(report)
        #expect(sizes.allSatisfy { markdown.contains("| \(ByteSize(rawValue: $0)) |") }, "\(markdown)")
        // The JSON keeps them, so a saved report renders the same.
        let back = try RunReport.decode(Data(try ReportFormat.json.render(report).utf8))
        #expect(back.experiments[0].keySizes?.sizes == ["4K", "512K"])
    }

    /// On a terminal the noisy results are counted, not listed, after the table that marks them
    /// and at the end; `--wide` and the JSON name each with its reason.
    @Test func noisyResultsAreCountedOnATerminalAndNamedWhenWide() throws {
        var report = sweepReport()
        for index in report.results.indices where report.results[index].sizeBytes >= 65536 {
            report.results[index].noisy = Noise(reasons: [NoiseReason(kind: .descheduled, value: 0.5, limit: 0.9),
                                                          NoiseReason(kind: .wideSpread, value: 0.4 + Double(index) / 100, limit: 0.3)])
        }
        report.experiments[0].findings = [SuiteRun.noisyFinding(report.results)!]
        report.notes = SuiteRun.noisyNote(report.results)
        let terse = TextReport.render(report, style: TextStyle(width: 80))
        #expect(terse.contains("→ not concluded: 4 of 12 results are noisy (!): rerun on a quieter machine"), "\(terse)")
        #expect(unwrapped(terse).contains("! noisy: 4 results: 4 lost the CPU (task clock 50% of wall < 90%), 4 spread 48%–51% of the median (> 30%)"),
                "\(terse)")
        #expect(!terse.contains("chase/64K"), "\(terse)")
        let wide = TextReport.render(report, style: TextStyle(width: 80, wide: true))
        #expect(wide.contains("chase/64K"))
        #expect(wide.contains("tlb/packed/128K (CPU 50% of wall time (under 90%)"), "\(wide)")
    }

    /// Names of dropped columns that would take a line of their own are counted, not listed.
    @Test func theLeftOutColumnsTakeNoLineOfTheirOwn() throws {
        var report = sweepReport()
        for index in report.results.indices {
            report.results[index].counters["perf::TASK-CLOCK"] = CounterValue(value: 1, perElement: Double(index), source: .software)
        }
        let text = TextReport.render(report, style: TextStyle(width: 40))
        let note = try #require(text.components(separatedBy: "  same in every row").last?.components(separatedBy: "\n\n").first)
        #expect(unwrapped(note).hasSuffix("--wide adds 2 columns"), "\(text)")
        for line in text.split(separator: "\n") { #expect(line.count <= 40 || !line.contains(" "), "\(line)") }
    }

    /// A figure dropped for every variant side by side is named once, not once per variant.
    @Test func columnsDroppedForEveryVariantAreNamedOnce() throws {
        var report = sweepReport()
        // Task clocks that differ from row to row (a constant one is folded, not dropped).
        for index in report.results.indices {
            report.results[index].counters["perf::TASK-CLOCK"] = CounterValue(value: 1, perElement: Double(index), source: .software)
        }
        let text = TextReport.render(report, style: TextStyle(width: 60))
        #expect(unwrapped(text).contains("--wide adds 2 columns"), "\(text)")
        let table = ExperimentTable(title: "", columns: [], variants: ["chase", "packed"])
        #expect(table.grouped(["packed TASK-CLOCK/load (sw)", "min–max", "chase TASK-CLOCK/load (sw)"])
            == ["min–max", "TASK-CLOCK/load (sw) of each variant"])
        #expect(!text.contains("chase TASK-CLOCK"), "\(text)")
    }
}
