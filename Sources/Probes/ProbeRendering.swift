import Foundation
import Reporting

extension ProbeReport {
    /// The report as `--format` asks: aligned tables, Markdown, CSV (one row per landmark,
    /// probed address or scan run) or JSON.
    public func render(_ format: ReportFormat) throws -> String {
        switch format {
        case .json:
            return try JSONReport.encode(self)
        case .csv:
            return csvTable.renderCSV()
        case .tsv:
            return csvTable.renderTSV()
        case .table, .markdown:
            return renderText(markdown: format == .markdown)
        }
    }

    private func renderText(markdown: Bool) -> String {
        var out = ""
        func section(_ title: String, _ table: TextTable) {
            out += markdown ? "### \(title)\n\n" + table.renderMarkdown() + "\n" : title + "\n" + table.renderText() + "\n"
        }
        if !landmarks.isEmpty { section("Where things live (pid \(pid)), sorted by address", landmarkTable) }
        if !probes.isEmpty { section("Addresses", probeTable) }
        for scan in scans {
            section("Scan \(scan.range.start)..<\(scan.range.end): \(scan.addresses) addresses, "
                    + "\(scan.readableAddresses) readable", scanTable(scan))
        }
        for finding in findings { out += markdown ? "- \(finding)\n" : "→ \(finding)\n" }
        return out
    }

    private var showsOtherRun: Bool { landmarks.contains { $0.otherRunAddress != nil } }

    var landmarkTable: TextTable {
        var headers = ["what", "address", "region", "perms", "gap before"]
        if showsOtherRun { headers.append("second run") }
        headers.append("how it was made")
        var alignments: [TextTable.Alignment] = [.left, .left, .left, .left, .right]
        if showsOtherRun { alignments.append(.left) }
        alignments.append(.left)
        var table = TextTable(headers: headers, alignments: alignments)
        for located in landmarks {
            var row = [located.landmark.name, located.landmark.address.description,
                       located.region?.shortName ?? "unmapped", located.region?.permissions ?? "—",
                       located.gapBefore.map(NumberFormat.iecBytes) ?? "—"]
            if showsOtherRun { row.append(located.otherRunAddress?.description ?? "—") }
            row.append(located.landmark.detail)
            table.append(row)
        }
        return table
    }

    var probeTable: TextTable {
        var table = TextTable(headers: ["address", "readable", "byte", "error", "why"],
                              alignments: [.left, .left, .right, .left, .left])
        for probe in probes {
            table.append([probe.address.description, probe.readable ? "yes" : "no",
                          probe.byte.map { String(format: "0x%02x", $0) } ?? "—", probe.error ?? "—", probe.explanation])
        }
        return table
    }

    func scanTable(_ scan: AddressScan) -> TextTable {
        var table = TextTable(headers: ["from", "to (last)", "addresses", "readable", "error", "why"],
                              alignments: [.left, .left, .right, .left, .left, .left])
        for run in scan.runs {
            table.append([run.start.description, Address(rawValue: run.end.rawValue - 1).description, "\(run.count)",
                          run.readable ? "yes" : "no", run.error ?? "—", run.explanation])
        }
        return table
    }

    /// One table for CSV: a `kind` column tells landmark, address and scan-run rows apart.
    var csvTable: TextTable {
        let headers = ["kind", "name", "start", "end", "addresses", "readable", "error", "region", "permissions",
                       "gap_before_bytes", "other_run_address", "explanation"]
        var table = TextTable(headers: headers, alignments: headers.map { _ in .left })
        for located in landmarks {
            table.append(["landmark", located.landmark.name, located.landmark.address.description, "", "1", "",
                          "", located.region?.name ?? "", located.region?.permissions ?? "",
                          located.gapBefore.map { "\($0)" } ?? "", located.otherRunAddress?.description ?? "",
                          located.landmark.detail])
        }
        for probe in probes {
            table.append(["address", "", probe.address.description, "", "1", probe.readable ? "true" : "false",
                          probe.error ?? "", probe.region?.name ?? "", probe.region?.permissions ?? "", "", "",
                          probe.explanation])
        }
        for scan in scans {
            for run in scan.runs {
                table.append(["scan-run", scan.range.description, run.start.description,
                              Address(rawValue: run.end.rawValue - 1).description, "\(run.count)",
                              run.readable ? "true" : "false", run.error ?? "", "", "", "", "", run.explanation])
            }
        }
        return table
    }
}
