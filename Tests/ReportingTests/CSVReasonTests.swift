import Foundation
@testable import Reporting
import Testing

/// An unavailable counter's reason reaches CSV as it reaches JSON and the tables.
@Suite struct CSVReasonTests {
    /// RFC 4180 records: quoted fields may hold commas, doubled quotes and line breaks.
    static func parse(_ text: String) -> [[String]] {
        var records: [[String]] = [], record: [String] = [], field = ""
        var quoted = false, scalars = Array(text.unicodeScalars)[...]
        while let c = scalars.popFirst() {
            if quoted {
                if c == "\"" {
                    if scalars.first == "\"" { field.unicodeScalars.append(scalars.removeFirst()) } else { quoted = false }
                } else {
                    field.unicodeScalars.append(c)
                }
            } else if c == "\"" {
                quoted = true
            } else if c == "," {
                record.append(field); field = ""
            } else if c == "\n" {
                record.append(field); field = ""
                records.append(record); record = []
            } else {
                field.unicodeScalars.append(c)
            }
        }
        return records
    }

    @Test func theReasonHasItsOwnColumnBesideTheSource() throws {
        let rows = Self.parse(try ReportFormat.csv.render(sampleReport()))
        #expect(rows.count == 3)
        let header = rows[0]
        let reason = try #require(header.firstIndex(of: "papi_l1_dcm_reason"))
        #expect(header[reason - 1] == "papi_l1_dcm_source")
        // A counter every row counted gets no reason column.
        #expect(!header.contains("perf_page_faults_reason"))
        for row in rows.dropFirst() {
            #expect(row.count == header.count)
            #expect(row[reason - 1] == "unavailable")
        }
        // Said once where it starts, not repeated in every row.
        #expect(rows[1][reason] == "Event does not exist (PAPI -7) — no hardware PMU")
        #expect(rows[2][reason] == "")
    }

    /// A reason that changes is written again where it changes; a row that counted the event
    /// between two that could not does not make it repeat. Filled forward, every unavailable
    /// row has its own reason back, and the file stays a rectangle (no comment lines).
    @Test func aReasonIsWrittenWhereItStartsAndAgainWhereItChanges() throws {
        var report = sampleReport()
        let base = report.results[0]
        report.results = (0..<5).map { index in
            var m = base
            m.unavailable = [0: ["PAPI_L1_DCM": "no PMU"], 1: ["PAPI_L1_DCM": "no PMU"], 2: [:],
                             3: ["PAPI_L1_DCM": "no PMU"], 4: ["PAPI_L1_DCM": "paranoid 4"]][index]!
            return m
        }
        let rows = Self.parse(try ReportFormat.csv.render(report))
        #expect(rows.count == 6)
        #expect(rows.allSatisfy { $0.count == rows[0].count })
        let column = try #require(rows[0].firstIndex(of: "papi_l1_dcm_reason"))
        #expect(rows.dropFirst().map { $0[column] } == ["no PMU", "", "", "", "paranoid 4"])
        var last = ""
        let filled = rows.dropFirst().map { row -> String in
            if !row[column].isEmpty { last = row[column] }
            return row[column - 1] == "unavailable" ? last : ""
        }
        #expect(filled == ["no PMU", "no PMU", "", "no PMU", "paranoid 4"])
        #expect(!rows.contains { $0.first?.hasPrefix("#") ?? false })
    }

    @Test func aReasonWithCommasQuotesAndLineBreaksStaysOneField() throws {
        var report = sampleReport()
        let reason = "Permission level does not permit operation, \"paranoid\" is 4\r\nsee perf_event_paranoid"
        report.results[0].unavailable["PAPI_L1_DCM"] = reason
        report.results[1].unavailable = [:]
        let rows = Self.parse(try ReportFormat.csv.render(report))
        #expect(rows.count == 3)
        let column = try #require(rows[0].firstIndex(of: "papi_l1_dcm_reason"))
        #expect(rows.allSatisfy { $0.count == rows[0].count })
        #expect(rows[1][column] == reason)
        // The row that counted nothing unavailable leaves the reason and source empty.
        #expect(rows[2][column] == "")
        #expect(rows[2][column - 1] == "")
    }
}
