import Foundation
import Harness

/// The forms a report can take.
public enum ReportFormat: String, CaseIterable, Sendable {
    case table, json, csv, tsv, markdown

    /// The format a file's extension implies: .json, .csv, .tsv, .md/.markdown, .txt/.table.
    public static func inferred(fromPath path: String) throws -> ReportFormat {
        switch URL(fileURLWithPath: path).pathExtension.lowercased() {
        case "json": return .json
        case "csv": return .csv
        case "tsv", "tab": return .tsv
        case "md", "markdown": return .markdown
        case "txt", "table": return .table
        default: throw ReportError.cannotInferFormat(path: path)
        }
    }

    /// Formats whose report can be printed experiment by experiment while the run goes on.
    public var streams: Bool { self == .table || self == .markdown }

    public func render(_ report: RunReport, style: TextStyle = .plain) throws -> String {
        switch self {
        case .json: return try JSONReport.encode(report)
        case .csv: return CSVReport.render(report)
        case .tsv: return CSVReport.render(report, separator: "\t")
        case .table, .markdown:
            var style = style
            style.markdown = self == .markdown
            return TextReport.render(report, style: style)
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

/// The table and Markdown forms: per experiment its summary, one table (two where some variants
/// ran at one size only), its findings; at the end the headline, the unavailable counters with
/// their reasons, and the notes. The parts are apart so a run can print each as it comes.
public enum TextReport {
    public static func render(_ report: RunReport, style: TextStyle) -> String {
        report.experiments.map { experiment(report, $0, style: style) }.joined() + closing(report, style: style)
    }

    /// One experiment's part of the report.
    public static func experiment(_ report: RunReport, _ experiment: RunReport.ExperimentInfo, style: TextStyle) -> String {
        let markdown = style.markdown
        var out = markdown ? "## \(experiment.name)\n\n\(experiment.summary)\n\n"
            : wrap(style.colour ? "\u{1B}[1m\(experiment.name)\u{1B}[0m: \(experiment.summary)" : "\(experiment.name): \(experiment.summary)",
                   style.width.map { $0 + (style.colour ? 8 : 0) })
        for table in ResultTables(report: report).tables(for: experiment, wide: style.wide, keySizesOnly: !style.wide && !markdown) {
            out += table.render(style)
        }
        let terse = !markdown && !style.wide
        let noisyFinding = terse ? SuiteRun.noisyFinding(report.results.filter { $0.experiment == experiment.name }) : nil
        for finding in experiment.findings {
            let text = finding == noisyFinding ? shortNoisyFinding(report.results.filter { $0.experiment == experiment.name }) : finding
            out += markdown ? "- \(text)\n" : wrap("→ \(text)", style.width, maximumLines: style.wide ? nil : 3)
        }
        return out + "\n"
    }

    /// The noisy finding without its list: the rows are marked in the table above it.
    static func shortNoisyFinding(_ own: [VariantResult]) -> String {
        "not concluded: \(own.filter(\.isNoisy).count) of \(own.count) results are noisy (\(Noise.marker)): rerun on a quieter machine"
    }

    /// The noisy legend and note in one: how many results and why, in ranges; `--wide` (and
    /// the JSON's `noisy`) name each with its reasons.
    static func noisySummary(_ results: [VariantResult]) -> String? {
        let noisy = results.filter(\.isNoisy)
        guard !noisy.isEmpty else { return nil }
        let reasons = noisy.flatMap { $0.noisy?.reasons ?? [] }
        func percent(_ x: Double) -> String { "\(Int((x * 100).rounded()))%" }
        func range(_ kind: NoiseReason.Kind) -> (count: Int, span: String)? {
            let values = reasons.filter { $0.kind == kind }.map(\.value)
            guard let low = values.min().map(percent), let high = values.max().map(percent) else { return nil }
            return (values.count, low == high ? low : "\(low)–\(high)")
        }
        var why: [String] = []
        if let cpu = range(.descheduled) {
            why.append("\(cpu.count) lost the CPU (task clock \(cpu.span) of wall < \(percent(Noise.minimumCPUShare)))")
        }
        if let spread = range(.wideSpread) {
            why.append("\(spread.count) spread \(spread.span) of the median (> \(percent(Noise.maximumSpread)))")
        }
        return "\(Noise.marker) noisy: \(noisy.count) result\(noisy.count == 1 ? "" : "s"): " + why.joined(separator: ", ")
            + "; another process ran: rerun on a quieter machine (--wide names each)"
    }

    /// The headline (each experiment's main result), the counters that could not be counted, the notes.
    public static func closing(_ report: RunReport, style: TextStyle) -> String {
        let markdown = style.markdown
        var out = ""
        let lines = headline(report)
        if !lines.isEmpty {
            out += markdown ? "## Headline\n\n" : (style.colour ? "\u{1B}[1mHeadline\u{1B}[0m\n" : "Headline\n")
            let width = report.experiments.map(\.name.count).max() ?? 0
            for (name, text) in lines {
                out += markdown ? "- **\(name)**: \(text)\n"
                    : wrap("  \(name.padding(toLength: width, withPad: " ", startingAt: 0))  \(text)", style.width, indent: width + 4)
            }
            out += "\n"
        }
        let unavailable = ResultTables(report: report).unavailable
        if !unavailable.isEmpty {
            // Events that fail for the same reason share one line; one reason for all shares
            // the heading's line too.
            var reasons: [String] = []
            for entry in unavailable where !reasons.contains(entry.reason) { reasons.append(entry.reason) }
            let grouped = reasons.map { reason in (names: unavailable.filter { $0.reason == reason }.map(\.name), reason: reason) }
            // Whole: a reason is never cut (each is said once, here).
            if markdown {
                out += "**Counters unavailable here**\n\n"
                for (names, reason) in grouped { out += "- " + names.map { "`\($0)`" }.joined(separator: ", ") + ": \(reason)\n" }
            } else if let (names, reason) = grouped.first, grouped.count == 1 {
                out += wrap("Counters unavailable here: " + names.joined(separator: ", ") + ": \(reason)", style.width)
            } else {
                out += "Counters unavailable here:\n"
                for (names, reason) in grouped { out += wrap("  " + names.joined(separator: ", ") + ": \(reason)", style.width, indent: 4) }
            }
            out += "\n"
        }
        let timed = report.mode != .sim
        // On a terminal the legend and the noisy note are one summary; the rows are marked.
        let terse = !markdown && !style.wide && timed
        let noisyNote = terse ? SuiteRun.noisyNote(report.results).first : nil
        if terse, let summary = noisySummary(report.results) {
            out += wrap(summary, style.width)
        } else if !markdown && report.results.contains(where: \.isNoisy) && timed {
            out += wrap(Noise.legend, style.width)
        }
        // Notes are never cut; the noisy note, in full, names every result not to trust.
        for note in report.notes where note != noisyNote { out += markdown ? "> \(note)\n" : wrap("Note: \(note)", style.width) }
        return out
    }

    /// `text` broken at spaces into lines of at most `width` columns, the later ones indented;
    /// past `maximumLines` cut with a pointer to where it is whole (long lists of results).
    static func wrap(_ text: String, _ width: Int?, indent: Int = 2, maximumLines: Int? = nil) -> String {
        guard let width, width > indent + 20, text.count > width else { return text + "\n" }
        var lines: [String] = []
        let leading = String(text.prefix { $0 == " " })
        var line = leading
        for word in text.dropFirst(leading.count).split(separator: " ", omittingEmptySubsequences: false) {
            if line.count == leading.count && lines.isEmpty || line.count == indent && !lines.isEmpty && line.allSatisfy({ $0 == " " }) {
                line += word
            } else if line.count + 1 + word.count <= width {
                line += " " + word
            } else {
                lines.append(line)
                line = String(repeating: " ", count: indent) + word
            }
        }
        lines.append(line)
        if let maximumLines, lines.count > maximumLines {
            lines = Array(lines.prefix(maximumLines))
            lines.append(String(repeating: " ", count: indent) + "… (cut here: --wide or --format json gives it whole)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Each experiment's headline lines, in run order (a simulated run's ratios are of misses).
    static func headline(_ report: RunReport) -> [(String, String)] {
        guard report.mode != .sim else { return [] }
        var lines: [(String, String)] = []
        for experiment in report.experiments {
            let results = report.results.filter { $0.experiment == experiment.name }
            let text = Headline.generic(experiment: experiment.name, baseline: experiment.baseline, unit: experiment.unit, results: results)
            for (index, line) in text.enumerated() { lines.append((index == 0 ? experiment.name : "", line)) }
        }
        return lines
    }
}

/// One row per measurement; for each event a per-element column and a source column
/// (`hw`, `sw`, `sim`, or `unavailable`), and for an event some row could not count, a reason
/// column saying why. Headers are snake_case (pandas and R read them as they are); a simulated
/// report has no time columns (the times are valgrind's). With `separator` "\t", TSV: fields
/// hold no tab or line break (each becomes a space), nothing is quoted.
///
/// A reason is written where it starts: in the first row the event is unavailable for it, and
/// again in a row whose reason differs from the last one written for that event; the rows in
/// between leave the cell empty (their source says `unavailable`). One PAPI reason is ~270
/// characters and holds for every row of a run: repeated, it was most of the file. Every
/// reader still parses a plain rectangle (no `#` comment lines, which pandas, R's read.csv and
/// csvkit take for data unless told), and the reason of every row comes back with a forward
/// fill: `df.x_reason.ffill().where(df.x_source == "unavailable")` in pandas.
enum CSVReport {
    static func render(_ report: RunReport, separator: Character = ",") -> String {
        let names = report.counterNames
        let unavailableNames = Set(report.results.flatMap(\.unavailable.keys))
        let timed = report.mode != .sim
        let extraNames = report.results.extraNames
        var header = ["experiment", "variant", "size_bytes", "elements", "iterations", "samples"]
        if timed { header += ["ns_per_element_median", "ns_per_element_min", "ns_per_element_max", "gb_per_s", "ratio_to_baseline"] }
        header += ["baseline", "checksum"]
        if timed { header.append("noisy") }
        header += extraNames.map(snakeCase)
        for name in names {
            let column = snakeCase(name)
            header += ["\(column)_per_element", "\(column)_source"]
            if unavailableNames.contains(name) { header.append("\(column)_reason") }
        }
        let quote = separator == "\t" ? tsvField : field
        var lines = [header.map(quote).joined(separator: String(separator))]
        // The reason last written per event: a row repeating it leaves its cell empty.
        var written: [String: String] = [:]
        for m in report.results {
            var row = [m.experiment, m.variant, "\(m.sizeBytes)", "\(m.elements)", "\(m.iterations)", "\(m.samples)"]
            if timed {
                row += ["\(m.nsPerElement.median)", "\(m.nsPerElement.min)", "\(m.nsPerElement.max)",
                        m.gbPerSecond.map { "\($0)" } ?? "", m.ratioToBaseline.map { "\($0)" } ?? ""]
            }
            row += [m.baseline ?? "", "\(m.checksum)"]
            if timed { row.append(m.noisy?.description ?? "") }
            row += extraNames.map { name in m.extra(named: name).map { "\($0)" } ?? "" }
            for name in names {
                if let value = m.counters[name] {
                    row += ["\(value.perElement)", value.source.rawValue]
                } else {
                    row += ["", m.unavailable[name] != nil ? "unavailable" : ""]
                }
                if unavailableNames.contains(name) {
                    let reason = m.unavailable[name]
                    if let reason, written[name] != reason { written[name] = reason; row.append(reason) } else { row.append("") }
                }
            }
            lines.append(row.map(quote).joined(separator: String(separator)))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A column name R and pandas take as it is: `perf::PAGE-FAULTS` → `perf_page_faults`,
    /// `AnonHugePages MiB` → `anon_huge_pages_mib`, `page switch/elem` → `page_switch_per_elem`,
    /// `unresolved <ns` → `unresolved_lt_ns`, `trace×` → `trace_x`.
    static func snakeCase(_ name: String) -> String {
        // Binary units are one word, not two (MiB, not Mi B).
        let name = ["KiB", "MiB", "GiB", "TiB"].reduce(name) { $0.replacingOccurrences(of: $1, with: $1.lowercased()) }
        var words: [String] = []
        var word = ""
        var previous: Character?
        func flush() { if !word.isEmpty { words.append(word); word = "" } }
        for character in name {
            switch character {
            case "/": flush(); words.append("per")
            case "<": flush(); words.append("lt")
            case ">": flush(); words.append("gt")
            case "×": flush(); words.append("x")
            case "%": flush(); words.append("pct")
            case "'": break
            default:
                guard character.isASCII, character.isLetter || character.isNumber else { flush(); break }
                // A capital after a small letter starts a word (AnonHugePages).
                if character.isUppercase, let previous, previous.isLowercase { flush() }
                word.append(contentsOf: character.lowercased())
            }
            previous = character
        }
        flush()
        return words.joined(separator: "_")
    }

    /// RFC 4180 quoting (a reason may hold commas, quotes or line breaks).
    static func field(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// A TSV field: tabs and line breaks become spaces (the format has no quoting).
    static func tsvField(_ text: String) -> String {
        String(text.unicodeScalars.map { $0 == "\t" || $0 == "\n" || $0 == "\r" ? " " : Character($0) })
    }
}
