import Counters
import Foundation
import Harness
@testable import Reporting
import Testing

func sampleReport() -> RunReport {
    let machine = MachineInfo.current(root: "/nonexistent-locality-root")
    func m(_ variant: String, _ ns: Double, ratio: Double) -> VariantResult {
        VariantResult(experiment: "loop-order", variant: variant, sizeBytes: 4096, elements: 484, iterations: 10, samples: 3,
                    nsPerElement: Summary([ns, ns * 1.1, ns * 0.9]), gbPerSecond: 8 / ns,
                    counters: ["perf::PAGE-FAULTS": CounterValue(value: 4, perElement: 4.0 / 4840, source: .software)],
                    unavailable: ["PAPI_L1_DCM": "Event does not exist (PAPI -7) — no hardware PMU"],
                    ratioToBaseline: ratio, baseline: "row-major", checksum: 12345)
    }
    return RunReport(
        mode: .run, machine: machine,
        configuration: .init(repetitions: 3, minimumSampleNanoseconds: 1000, events: ["PAPI_L1_DCM", "perf::PAGE-FAULTS"], counterGroups: 1),
        results: [m("row-major", 0.5, ratio: 1), m("column-major", 2.0, ratio: 4)], notes: ["a note, with a comma"],
        experiments: [.init(name: "loop-order", summary: "rows against columns", unit: "element", baseline: "row-major")])
}

@Suite struct ReportFormatTests {
    @Test func jsonHoldsTheContractFields() throws {
        let json = try ReportFormat.json.render(sampleReport())
        let root = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(root["schema"] as? String == "locality/1")
        #expect(root["machine"] is [String: Any])
        let results = try #require(root["results"] as? [[String: Any]])
        #expect(results.count == 2)
        let first = results[0]
        for key in ["experiment", "variant", "size_bytes", "elements", "ns_per_element", "counters", "unavailable"] {
            #expect(first[key] != nil, "missing \(key)")
        }
        let ns = try #require(first["ns_per_element"] as? [String: Double])
        #expect(Set(ns.keys) == ["median", "min", "max"])
        let counters = try #require(first["counters"] as? [String: [String: Any]])
        let faults = try #require(counters["perf::PAGE-FAULTS"])
        #expect(faults["source"] as? String == "sw")
        #expect(faults["value"] as? Double == 4)
        #expect(faults["per_element"] != nil)
        // The reason is written once, at the top, and each result refers to it.
        let unavailable = try #require(first["unavailable"] as? [String: String])
        let reasons = try #require(root["unavailable_reasons"] as? [String: String])
        let id = try #require(unavailable["PAPI_L1_DCM"])
        #expect(reasons[id]?.contains("Event does not exist") == true)
        #expect(json.components(separatedBy: "Event does not exist").count == 2)
        // And it reads back.
        #expect(try RunReport.decode(Data(json.utf8)) == sampleReport())
    }

    @Test func decodingRejectsAnotherSchema() throws {
        var report = sampleReport()
        report.schema = "other/9"
        let data = try JSONEncoder().encode(report)
        #expect(throws: ReportError.wrongSchema(found: "other/9")) { try RunReport.decode(data) }
    }

    @Test func tableShowsVariantsSideBySideWithSources() throws {
        let text = try ReportFormat.table.render(sampleReport())
        #expect(text.contains("loop-order · 4K · 484 elements"))
        #expect(text.contains("PAGE-FAULTS/elem (sw)"))
        #expect(text.contains("×row-major"))
        #expect(text.contains("4.00×"))
        #expect(text.contains("PAPI_L1_DCM: Event does not exist (PAPI -7) — no hardware PMU"))
        let lines = text.split(separator: "\n")
        let row = try #require(lines.first { $0.hasPrefix("column-major") })
        #expect(row.contains("2.00"))
    }

    @Test func simTablesCompareMissesPerElementNotPerPass() throws {
        // A chase of 1000 loads with 100 misses against a stream of 4000 words with 200:
        // 0.1 and 0.05 misses per unit, so 0.50×, although the stream's pass missed twice as often.
        func m(_ variant: String, units: Int, misses: Double) -> VariantResult {
            VariantResult(experiment: "working-set", variant: variant, sizeBytes: 65536, elements: units, iterations: 1,
                          samples: 1, nsPerElement: Summary([1]), gbPerSecond: nil,
                          counters: ["D1mr": CounterValue(value: misses, perElement: misses / Double(units), source: .simulated)],
                          unavailable: [:], ratioToBaseline: 1, baseline: "chase", checksum: 1)
        }
        let report = RunReport(
            mode: .sim, machine: MachineInfo.current(root: "/nonexistent-locality-root"),
            configuration: .init(repetitions: 1, minimumSampleNanoseconds: 0, events: ["D1mr"], counterGroups: 0),
            results: [m("chase", units: 1000, misses: 100), m("sequential", units: 4000, misses: 200)], notes: [],
            experiments: [.init(name: "working-set", summary: "latency", unit: "load", baseline: "chase")])
        let text = try ReportFormat.table.render(report)
        let row = try #require(text.split(separator: "\n").first { $0.hasPrefix("sequential") })
        #expect(row.contains("0.50×"), "\(row)")
    }

    @Test func markdownIsATable() throws {
        let text = try ReportFormat.markdown.render(sampleReport())
        #expect(text.contains("| variant | ns/elem |"))
        #expect(text.contains("| :-- |"))
        #expect(text.contains("`PAPI_L1_DCM`"))
    }

    @Test func csvHasOneRowPerMeasurementAndQuotes() throws {
        let text = try ReportFormat.csv.render(sampleReport())
        let lines = text.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[0].contains("perf_page_faults_per_element,perf_page_faults_source"))
        #expect(lines[1].hasPrefix("loop-order,row-major,4096,484,10,3,0.5,"))
        #expect(lines[1].hasSuffix(",sw"))
        #expect(lines[1].contains(",,unavailable,"))
        #expect(CSVReport.field("a,\"b\"") == "\"a,\"\"b\"\"\"")
    }

    @Test func formatsAreInferredFromExtensions() throws {
        #expect(try ReportFormat.inferred(fromPath: "out/x.json") == .json)
        #expect(try ReportFormat.inferred(fromPath: "x.CSV") == .csv)
        #expect(try ReportFormat.inferred(fromPath: "x.md") == .markdown)
        #expect(throws: ReportError.cannotInferFormat(path: "x.bin")) { try ReportFormat.inferred(fromPath: "x.bin") }
    }

    @Test func numbersKeepThreeSignificantDigits() {
        #expect(NumberFormat.significant(0.28731) == "0.287")
        #expect(NumberFormat.significant(2.3912) == "2.39")
        #expect(NumberFormat.significant(27.94) == "27.9")
        #expect(NumberFormat.significant(1234.6) == "1235")
        #expect(NumberFormat.significant(0) == "0")
        #expect(NumberFormat.significant(0.0000123) == "1.23e-05")
    }
}

@Suite struct AtomicFileTests {
    @Test func writesTheWholeFileAndLeavesNoTemporary() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("locality-atomic-\(UUID())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/report.json"
        try AtomicFile.write(Data("old".utf8), to: path)
        try AtomicFile.write(Data("new contents".utf8), to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "new contents")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["report.json"])
    }

    @Test func aMissingDirectoryIsAnErrorAndWritesNothing() {
        #expect(throws: AtomicFileError.self) {
            try AtomicFile.write(Data("x".utf8), to: "/nonexistent-locality-dir/report.json")
        }
    }
}
