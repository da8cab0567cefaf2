/// Rows of cells rendered with aligned columns (for terminals), as a Markdown table or as CSV.
public struct TextTable: Sendable {
    public enum Alignment: Sendable { case left, right }

    public var headers: [String]
    public var alignments: [Alignment]
    public var rows: [[String]] = []
    /// Row → column → ANSI SGR code ("33" yellow): drawn around the padded cell by `renderText`.
    public var colours: [Int: [Int: String]] = [:]

    public init(headers: [String], alignments: [Alignment]) {
        precondition(headers.count == alignments.count)
        self.headers = headers
        self.alignments = alignments
    }

    public mutating func append(_ row: [String]) {
        precondition(row.count == headers.count, "row has \(row.count) cells, table \(headers.count) columns")
        rows.append(row)
    }

    /// Columns padded to their widest cell, separated by two spaces. No rule under the header
    /// (as `perf stat`, `ps`, `df`): the header is the first line; `bold` draws it so.
    public func renderText(boldHeader bold: Bool = false) -> String {
        let widths = headers.indices.map { column in
            ([headers[column]] + rows.map { $0[column] }).map(\.count).max() ?? 0
        }
        func line(_ cells: [String], colours: [Int: String] = [:]) -> String {
            cells.indices.map { i in
                let pad = String(repeating: " ", count: widths[i] - cells[i].count)
                let cell = colours[i].map { "\u{1B}[\($0)m\(cells[i])\u{1B}[0m" } ?? cells[i]
                return alignments[i] == .left ? cell + pad : pad + cell
            }.joined(separator: "  ").trailingSpacesRemoved
        }
        let header = line(headers)
        var out = [bold ? "\u{1B}[1m\(header)\u{1B}[0m" : header]
        out += rows.indices.map { line(rows[$0], colours: colours[$0] ?? [:]) }
        return out.joined(separator: "\n") + "\n"
    }

    /// A GitHub-flavoured Markdown table.
    public func renderMarkdown() -> String {
        func line(_ cells: [String]) -> String {
            "| " + cells.map { $0.replacingPipes }.joined(separator: " | ") + " |"
        }
        let rule = "|" + alignments.map { $0 == .left ? " :-- |" : " --: |" }.joined()
        return ([line(headers), rule] + rows.map(line)).joined(separator: "\n") + "\n"
    }

    /// The header and rows as CSV (RFC 4180 quoting).
    public func renderCSV() -> String {
        ([headers] + rows).map { $0.map(CSVReport.field).joined(separator: ",") }.joined(separator: "\n") + "\n"
    }

    /// The header and rows as TSV (tabs and line breaks in a cell become spaces).
    public func renderTSV() -> String {
        ([headers] + rows).map { $0.map(CSVReport.tsvField).joined(separator: "\t") }.joined(separator: "\n") + "\n"
    }
}

extension String {
    var trailingSpacesRemoved: String {
        var s = Substring(self)
        while s.last == " " { s.removeLast() }
        return String(s)
    }

    var replacingPipes: String {
        split(separator: "|", omittingEmptySubsequences: false).joined(separator: "\\|")
    }
}
