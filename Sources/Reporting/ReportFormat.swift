import Foundation
import Harness

/// The forms a report can take.
public enum ReportFormat: String, CaseIterable, Sendable {
    case table, json, csv, markdown

    /// The format a file's extension implies: .json, .csv, .md/.markdown, .txt/.table.
    public static func inferred(fromPath path: String) throws -> ReportFormat {
        switch URL(fileURLWithPath: path).pathExtension.lowercased() {
        case "json": return .json
        case "csv": return .csv
        case "md", "markdown": return .markdown
        case "txt", "table": return .table
        default: throw ReportError.cannotInferFormat(path: path)
        }
    }

    public func render(_ report: RunReport) throws -> String {
        switch self {
        case .json: return try JSONReport.encode(report)
        case .csv: return CSVReport.render(report)
        case .table: return TextReport.render(report, markdown: false)
        case .markdown: return TextReport.render(report, markdown: true)
        }
    }
}

/// JSON as Locality writes it everywhere: pretty, keys sorted (stable diffs), slashes as is.
public enum JSONReport {
    public static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
    }
}

/// The table and Markdown forms: one table per experiment and size, then the unavailable
/// counters with their reasons, then the notes.
enum TextReport {
    static func render(_ report: RunReport, markdown: Bool) -> String {
        let layout = ResultTables(report: report)
        var out = ""
        for experiment in report.experiments {
            out += markdown ? "## \(experiment.name)\n\n\(experiment.summary)\n\n" : "\(experiment.name): \(experiment.summary)\n\n"
            for section in layout.sections where section.experiment == experiment.name {
                out += markdown ? "### \(section.title)\n\n" + section.table.renderMarkdown() : section.title + "\n" + section.table.renderText()
                if let legend = section.legend { out += markdown ? "\n\(legend)\n" : "\(legend)\n" }
                out += "\n"
            }
            for finding in experiment.findings { out += markdown ? "- \(finding)\n" : "→ \(finding)\n" }
            if !experiment.findings.isEmpty { out += "\n" }
        }
        let unavailable = layout.unavailable
        if !unavailable.isEmpty {
            out += markdown ? "**Counters unavailable here**\n\n" : "Counters unavailable here:\n"
            // Events that fail for the same reason share one line.
            var reasons: [String] = []
            for entry in unavailable where !reasons.contains(entry.reason) { reasons.append(entry.reason) }
            for reason in reasons {
                let names = unavailable.filter { $0.reason == reason }.map(\.name)
                out += markdown ? "- " + names.map { "`\($0)`" }.joined(separator: ", ") + ": \(reason)\n"
                                : "  " + names.joined(separator: ", ") + ": \(reason)\n"
            }
            out += "\n"
        }
        for note in report.notes { out += markdown ? "> \(note)\n" : "Note: \(note)\n" }
        return out
    }
}

/// One row per measurement; for each event a per-element column and a source column
/// (`hw`, `sw`, `sim`, or `unavailable`), and for an event some row could not count, a reason
/// column saying why.
enum CSVReport {
    static func render(_ report: RunReport) -> String {
        let names = report.counterNames
        let unavailableNames = Set(report.results.flatMap(\.unavailable.keys))
        var extraNames: [String] = []
        for m in report.results { for e in m.extras where !extraNames.contains(e.name) { extraNames.append(e.name) } }
        var header = ["experiment", "variant", "size_bytes", "elements", "iterations", "samples",
                      "ns_per_element_median", "ns_per_element_min", "ns_per_element_max", "gb_per_s",
                      "ratio_to_baseline", "baseline", "checksum", "noisy"]
        header += extraNames
        for name in names {
            header += ["\(name) per_element", "\(name) source"]
            if unavailableNames.contains(name) { header.append("\(name) reason") }
        }
        var lines = [header.map(field).joined(separator: ",")]
        for m in report.results {
            var row = [m.experiment, m.variant, "\(m.sizeBytes)", "\(m.elements)", "\(m.iterations)", "\(m.samples)",
                       "\(m.nsPerElement.median)", "\(m.nsPerElement.min)", "\(m.nsPerElement.max)",
                       m.gbPerSecond.map { "\($0)" } ?? "", m.ratioToBaseline.map { "\($0)" } ?? "",
                       m.baseline ?? "", "\(m.checksum)", m.noisy?.description ?? ""]
            row += extraNames.map { name in m.extra(name).map { "\($0)" } ?? "" }
            for name in names {
                if let value = m.counters[name] {
                    row += ["\(value.perElement)", value.source.rawValue]
                } else {
                    row += ["", m.unavailable[name] != nil ? "unavailable" : ""]
                }
                if unavailableNames.contains(name) { row.append(m.unavailable[name] ?? "") }
            }
            lines.append(row.map(field).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// RFC 4180 quoting (a reason may hold commas, quotes or line breaks).
    static func field(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
