import Counters
import Foundation
import Harness

/// How a text report is drawn: the width to fit, whether every column is wanted, colour.
public struct TextStyle: Sendable {
    /// Columns of the terminal (nil: no limit, as in a file).
    public var width: Int?
    /// Every column, in the long form (`--wide`).
    public var wide: Bool
    /// ANSI colour for what matters (ratios beyond 1.5×, noisy rows).
    public var colour: Bool
    public var markdown: Bool

    public init(width: Int? = nil, wide: Bool = false, colour: Bool = false, markdown: Bool = false) {
        self.width = width
        self.wide = wide
        self.colour = colour
        self.markdown = markdown
    }

    public static let plain = TextStyle()
}

/// One experiment's results as one table: a row per size and variant (the long form) or, for a
/// sweep over many sizes with few variants, a row per size with the variants side by side.
/// Columns that hold one value in every row become a line under the table; columns that do not
/// fit the width are left out, least important first, and named in a note.
struct ExperimentTable {
    struct Column {
        var header: String
        /// 0: never dropped nor folded (keys, time, ratio); higher is dropped first.
        var priority: Int
        var alignment: TextTable.Alignment = .right
        var cells: [String]
        /// ANSI colour per row (SGR code), where a cell deserves attention.
        var colours: [Int: String] = [:]
    }

    var title: String
    var columns: [Column]
    var notes: [String] = []
    /// Which rows of a longer sweep the table shows, and why (said first on the line under it).
    var rowsShown: String?
    /// Columns that vary in the rows left out: never "the same in every row" (a sweep's key
    /// sizes may all hold one value where the others do not).
    var varyElsewhere: Set<String> = []
    /// The variants side by side (a row per size), whose columns are headed `variant what`.
    var variants: [String] = []

    /// A column is constant when every row holds the same text (not just "—").
    static func constantValue(_ column: Column) -> String? {
        guard column.priority > 0, column.cells.count > 1, let first = column.cells.first,
              column.cells.allSatisfy({ $0 == first }) else { return nil }
        return first
    }

    /// The text (or Markdown) table, folded and fitted to `style`.
    func render(_ style: TextStyle) -> String {
        var kept = columns
        var folded: [String] = []
        var blank: [String] = []
        kept.removeAll { column in
            guard !varyElsewhere.contains(column.header), let value = Self.constantValue(column) else { return false }
            if value == "—" { blank.append(column.header) } else { folded.append("\(column.header) \(value)") }
            return true
        }
        var dropped: [String] = []
        if let width = style.width, !style.markdown, !style.wide {
            while Self.width(of: kept) > width,
                  let victim = kept.indices.filter({ kept[$0].priority > 0 })
                      .max(by: { (kept[$0].priority, $0) < (kept[$1].priority, $1) }) {
                dropped.append(kept.remove(at: victim).header)
            }
        }
        var table = TextTable(headers: kept.map(\.header), alignments: kept.map(\.alignment))
        for row in 0..<(kept.first?.cells.count ?? 0) {
            table.append(kept.map { $0.cells[row] })
            if style.colour {
                for (index, column) in kept.enumerated() {
                    if let code = column.colours[row] { table.colours[row, default: [:]][index] = code }
                }
            }
        }
        var out = style.markdown ? "### \(title)\n\n" + table.renderMarkdown() + "\n"
            : title + "\n" + table.renderText(boldHeader: style.colour)
        // What the table leaves out, on one line: a reader sees it all at a glance.
        var left = (rowsShown.map { [$0] } ?? []) + notes
        if !folded.isEmpty { left.append("same in every row: " + folded.joined(separator: " · ")) }
        if !blank.isEmpty { left.append("nothing measured: " + blank.joined(separator: ", ")) }
        if !dropped.isEmpty { left.append(droppedNote(grouped(dropped.reversed()), count: dropped.count, after: left, style)) }
        let under = left.isEmpty ? [] : [left.joined(separator: "; ")]
        for line in under { out += style.markdown ? "- \(line)\n" : TextReport.wrap("  " + line, style.width, indent: 4) }
        return out
    }

    /// "--wide adds 5 columns: GB/s, …": as many of the names as fit in the lines the note
    /// takes anyway (they are the least important columns; `--wide` shows them all).
    func droppedNote(_ names: [String], count: Int, after left: [String], _ style: TextStyle) -> String {
        let short = "--wide adds \(count) column\(count == 1 ? "" : "s")"
        func lines(_ note: String) -> Int {
            TextReport.wrap("  " + (left + [note]).joined(separator: "; "), style.width, indent: 4).split(separator: "\n").count
        }
        let budget = lines(short)
        for shown in stride(from: names.count, through: 1, by: -1) {
            let note = short + ": " + names.prefix(shown).joined(separator: ", ") + (shown < names.count ? ", …" : "")
            if lines(note) <= budget { return note }
        }
        return short
    }

    /// Headers, those of one figure for every variant said once: "GB/s, TASK-CLOCK/elem (sw) of
    /// each variant" rather than the figure three times over.
    func grouped(_ headers: [String]) -> [String] {
        var whats: [String] = []
        var of: [String: [String]] = [:]
        for header in headers {
            guard let variant = variants.first(where: { header.hasPrefix($0 + " ") }) else { continue }
            let what = String(header.dropFirst(variant.count + 1))
            if of[what] == nil { whats.append(what) }
            of[what, default: []].append(header)
        }
        let everyVariant = whats.filter { of[$0]?.count == variants.count && variants.count > 1 }
        let alone = headers.filter { header in !everyVariant.contains { of[$0]?.contains(header) ?? false } }
        var parts = alone
        if !everyVariant.isEmpty { parts.append(everyVariant.joined(separator: ", ") + " of each variant") }
        return parts
    }

    static func width(of columns: [Column]) -> Int {
        let widths = columns.map { column in ([column.header] + column.cells).map(\.count).max() ?? 0 }
        return widths.reduce(0, +) + 2 * max(0, widths.count - 1)
    }
}

/// Lays a report out as one table per experiment.
struct ResultTables {
    let report: RunReport

    /// A sweep of this many sizes or more shows its key sizes only on a terminal: a shorter
    /// one (`--quick`, most `--sizes`) is read whole.
    static let longSweep = 10

    static let slowColour = "33"  // yellow: a ratio of 1.5× or more
    static let fastColour = "32"  // green: 1/1.5 or less
    static let noisyColour = "2"  // dim: a noisy result

    /// `keySizesOnly`: of a long sweep, the rows of the sizes the experiment names as key ones
    /// (a terminal's default; `--wide` and Markdown show every size).
    func tables(for experiment: RunReport.ExperimentInfo, wide: Bool, keySizesOnly: Bool = false) -> [ExperimentTable] {
        let results = report.results.filter { $0.experiment == experiment.name }
        guard !results.isEmpty else { return [] }
        var sizes: [Int] = []
        for result in results where !sizes.contains(result.sizeBytes) { sizes.append(result.sizeBytes) }
        // Variants measured at every size sweep with it; those measured at one size only (alloc's
        // strategies at 16 B) get a table of their own.
        var variants: [String] = []
        for result in results where !variants.contains(result.variant) { variants.append(result.variant) }
        let sweeping = variants.filter { v in results.filter { $0.variant == v }.count == sizes.count || sizes.count == 1 }
        let apart = variants.filter { !sweeping.contains($0) }
        let simulated = report.mode == .sim
        var tables: [ExperimentTable] = []
        let main = results.filter { sweeping.contains($0.variant) }
        if !wide && !simulated && sizes.count >= 3 && sweeping.count <= 4 {
            let names = Dictionary(sizes.map { (ByteSize(rawValue: $0).description, $0) }) { first, _ in first }
            if keySizesOnly, sizes.count >= Self.longSweep, let key = experiment.keySizes,
               case let named = key.sizes.compactMap({ names[$0] }), !named.isEmpty, named.count < sizes.count {
                // The headline's size is a row too, where the key sizes leave it out and the
                // headline is about a variant of this table (alloc's is of the strategies').
                let headline = Headline.main(baseline: experiment.baseline, results: results)
                    .flatMap { sweeping.contains($0.variant) ? $0.sizeBytes : nil }
                let added = headline.flatMap { named.contains($0) ? nil : $0 }
                let shown = sizes.filter { named.contains($0) || $0 == added }.sorted()
                var table = pivot(experiment, main, sizes: shown, variants: sweeping, of: sizes.count)
                table.rowsShown = "rows: \(key.why)\(added == nil ? "" : ", the headline's") (--wide: all \(sizes.count))"
                table.varyElsewhere = Set(pivot(experiment, main, sizes: sizes, variants: sweeping).columns
                    .filter { ExperimentTable.constantValue($0) == nil }.map(\.header))
                tables.append(table)
            } else {
                tables.append(pivot(experiment, main, sizes: sizes, variants: sweeping))
            }
        } else if !wide && !simulated && sizes.count >= 2 && sizes.count <= 4 && sweeping.count >= 6 {
            tables.append(byVariant(experiment, main, sizes: sizes, variants: sweeping))
        } else {
            tables.append(long(experiment, main, title: title(experiment, main, sizes: sizes)))
        }
        if !apart.isEmpty {
            let rest = results.filter { apart.contains($0.variant) }
            let restSizes = rest.measuredSizes
            // At each size the baseline measured beside them first, so their ratios have their
            // reference in the table and the rows of one size stay together.
            let rows = restSizes.flatMap { size in
                results.filter { $0.sizeBytes == size && $0.variant == experiment.baseline } + rest.filter { $0.sizeBytes == size }
            }
            tables.append(long(experiment, rows, title: title(experiment, rows, sizes: restSizes)))
        }
        return tables
    }

    private func plural(_ unit: String) -> String { unit.hasSuffix("s") ? unit + "es" : unit + "s" }

    private func title(_ experiment: RunReport.ExperimentInfo, _ rows: [VariantResult], sizes: [Int]) -> String {
        let names = sizes.map { ByteSize(rawValue: $0).description }
        let range = names.count > 2 ? "\(names.first!)…\(names.last!) (\(names.count) sizes)" : names.joined(separator: ", ")
        let elements = Set(rows.map(\.elements))
        let work = elements.count == 1 ? " · \(elements.first!) \(plural(experiment.unit)) per pass" : ""
        return "\(experiment.name) · \(range)\(work)"
    }

    private func unitAbbreviation(_ unit: String) -> String { unit == "element" ? "elem" : unit }

    private func sizeCells(_ experiment: RunReport.ExperimentInfo, _ rows: [VariantResult], repeatEach: Bool) -> [ExperimentTable.Column] {
        var sizeCells: [String] = [], labelCells: [String] = []
        var previous: Int?
        for m in rows {
            let show = repeatEach || m.sizeBytes != previous
            let name = ByteSize(rawValue: m.sizeBytes).description
            sizeCells.append(show ? name : "")
            labelCells.append(show ? experiment.sizeLabels?[name] ?? "" : "")
            previous = m.sizeBytes
        }
        var columns = [ExperimentTable.Column(header: "size", priority: 0, cells: sizeCells)]
        if experiment.sizeLabels != nil {
            columns.append(.init(header: "holds", priority: 1, alignment: .left, cells: labelCells))
        }
        return columns
    }

    private func ratioColour(_ ratio: Double?) -> String? {
        guard let ratio else { return nil }
        return ratio >= 1.5 ? Self.slowColour : ratio <= 1 / 1.5 ? Self.fastColour : nil
    }

    /// A row per size and variant, every figure a column.
    private func long(_ experiment: RunReport.ExperimentInfo, _ rows: [VariantResult], title: String) -> ExperimentTable {
        let unit = unitAbbreviation(experiment.unit)
        let counterNames = report.counterNames.filter { name in rows.contains { $0.counters[name] != nil } }
        let simulated = report.mode == .sim
        var columns: [ExperimentTable.Column] = []
        if Set(rows.map(\.sizeBytes)).count > 1 { columns += sizeCells(experiment, rows, repeatEach: false) }
        var variant = ExperimentTable.Column(header: "variant", priority: 0, alignment: .left, cells: rows.map(\.variant))
        for (row, m) in rows.enumerated() where m.isNoisy && !simulated {
            variant.cells[row] += " " + Noise.marker
            variant.colours[row] = Self.noisyColour
        }
        columns.append(variant)
        if !simulated {
            columns.append(.init(header: "ns/\(unit)", priority: 0, cells: rows.map { NumberFormat.significant($0.nsPerElement.median) }))
            columns.append(.init(header: "min–max", priority: 4, cells: rows.map {
                NumberFormat.significant($0.nsPerElement.min) + "–" + NumberFormat.significant($0.nsPerElement.max)
            }))
            if rows.contains(where: { $0.gbPerSecond != nil }) {
                columns.append(.init(header: "GB/s", priority: 3, cells: rows.map { $0.gbPerSecond.map { NumberFormat.significant($0) } ?? "—" }))
            }
        }
        let ratios = rows.map { simulated ? missRatio($0, rows: rows, baseline: $0.baseline ?? experiment.baseline) : $0.ratioToBaseline }
        // Each row's ratio is against its partner (the same work done another way); the header
        // names it when all rows share one, else each cell does.
        let partners = Set(rows.compactMap(\.baseline))
        let onePartner = partners.count <= 1 ? partners.first ?? experiment.baseline : nil
        var ratio = ExperimentTable.Column(header: (simulated ? SimulatedEvent.l1DataReadMisses.rawValue + " " : "") + (onePartner.map { "×\($0)" } ?? "×partner"), priority: 0,
                                           cells: zip(rows, ratios).map { m, value in
                                               guard let value else { return "—" }
                                               return onePartner == nil ? "\(NumberFormat.ratio(value)) \(m.baseline ?? "")" : NumberFormat.ratio(value)
                                           })
        for (row, value) in ratios.enumerated() { if let code = ratioColour(value) { ratio.colours[row] = code } }
        columns.append(ratio)
        let extraNames = rows.extraNames
        for (index, name) in extraNames.enumerated() {
            columns.append(.init(header: name, priority: index < 2 ? 2 : 3, cells: rows.map { $0.extra(named: name).map { NumberFormat.significant($0) } ?? "—" }))
        }
        for name in counterNames {
            let source = rows.compactMap { $0.counters[name]?.source }.first
            columns.append(.init(header: "\(Self.shortName(name))/\(unit) (\(source?.rawValue ?? "?"))", priority: Self.priority(name, source),
                                 cells: rows.map { $0.counters[name].map { NumberFormat.significant($0.perElement) } ?? "—" }))
        }
        return ExperimentTable(title: title, columns: columns)
    }

    /// hw and sim counts explain results: kept longest; sw next; the task clock (which tracks
    /// the time column) first to go.
    static func priority(_ name: String, _ source: CounterSource?) -> Int {
        if WellKnownEvent.isTaskClock(name) { return 5 }
        return source == .software ? 3 : 1
    }

    /// A row per size, the variants' times side by side, then bandwidths, ratios and counters.
    /// `of`: how many sizes were measured, where the table shows fewer.
    private func pivot(_ experiment: RunReport.ExperimentInfo, _ results: [VariantResult], sizes: [Int], variants: [String],
                       of measured: Int? = nil) -> ExperimentTable {
        let unit = unitAbbreviation(experiment.unit)
        func at(_ size: Int, _ variant: String) -> VariantResult? { results.result(size: size, variant: variant) }
        let keys = sizes.compactMap { size in results.first { $0.sizeBytes == size } }
        var columns = sizeCells(experiment, keys, repeatEach: true)
        for variant in variants {
            columns.append(timeColumn(header: variant, priority: CTwin.isTwin(variant) ? 1 : 0,
                                      results: sizes.map { at($0, variant) }))
        }
        for variant in variants {
            let values = sizes.map { at($0, variant)?.ratioToBaseline }
            // Against its partner; none for a variant that is its own (the baseline).
            guard let partner = results.first(where: { $0.variant == variant })?.baseline, partner != variant else { continue }
            var column = ExperimentTable.Column(header: "\(variant) ×\(partner)", priority: CTwin.isTwin(variant) ? 3 : 0,
                                                cells: values.map { $0.map(NumberFormat.ratio) ?? "—" })
            for (row, value) in values.enumerated() { if let code = ratioColour(value) { column.colours[row] = code } }
            columns.append(column)
        }
        for variant in variants where results.contains(where: { $0.variant == variant && $0.gbPerSecond != nil }) {
            columns.append(.init(header: "\(variant) GB/s", priority: CTwin.isTwin(variant) ? 3 : 2,
                                 cells: sizes.map { at($0, variant)?.gbPerSecond.map { NumberFormat.significant($0) } ?? "—" }))
        }
        let extraNames = results.extraNames
        for name in extraNames {
            for variant in variants where results.contains(where: { $0.variant == variant && $0.extra(named: name) != nil }) {
                columns.append(.init(header: "\(variant) \(name)", priority: 3,
                                     cells: sizes.map { at($0, variant)?.extra(named: name).map { NumberFormat.significant($0) } ?? "—" }))
            }
        }
        for name in report.counterNames where results.contains(where: { $0.counters[name] != nil }) {
            let source = results.compactMap { $0.counters[name]?.source }.first
            let header = "\(Self.shortName(name))/\(unit) (\(source?.rawValue ?? "?"))"
            let values = Set(results.map { $0.counters[name].map { NumberFormat.significant($0.perElement) } ?? "—" })
            if values.count == 1, let value = values.first {
                // The same in every variant and size (page faults of 0): one column, folded below.
                columns.append(.init(header: header, priority: 3, cells: sizes.map { _ in value }))
                continue
            }
            for variant in variants {
                columns.append(.init(header: "\(variant) \(Self.shortName(name))/\(unit) (\(source?.rawValue ?? "?"))",
                                     priority: Self.priority(name, source) + 1,
                                     cells: sizes.map { at($0, variant)?.counters[name].map { NumberFormat.significant($0.perElement) } ?? "—" }))
            }
        }
        let count = measured.map { "\(sizes.count) of \($0) sizes" } ?? "\(sizes.count) sizes"
        return ExperimentTable(title: "\(experiment.name) · ns/\(unit) (median) by size · \(count)", columns: columns,
                               variants: variants)
    }

    /// Median times, one cell per result (— where none), a noisy one marked and dimmed (the
    /// experiment's finding under the table counts them, the legend closing the report says why).
    private func timeColumn(header: String, priority: Int, results: [VariantResult?]) -> ExperimentTable.Column {
        var column = ExperimentTable.Column(header: header, priority: priority, cells: [])
        for (row, m) in results.enumerated() {
            guard let m else { column.cells.append("—"); continue }
            let cell = NumberFormat.significant(m.nsPerElement.median)
            if m.isNoisy { column.colours[row] = Self.noisyColour }
            column.cells.append(cell + (m.isNoisy ? Noise.marker : " "))
        }
        return column
    }

    /// Many variants at a few sizes: a row per variant, its time and its ratio at each size side
    /// by side, then the extras measured at the largest size.
    private func byVariant(_ experiment: RunReport.ExperimentInfo, _ results: [VariantResult], sizes: [Int], variants: [String]) -> ExperimentTable {
        let unit = unitAbbreviation(experiment.unit)
        func at(_ size: Int, _ variant: String) -> VariantResult? { results.result(size: size, variant: variant) }
        var columns = [ExperimentTable.Column(header: "variant", priority: 0, alignment: .left, cells: variants)]
        for size in sizes {
            columns.append(timeColumn(header: "\(ByteSize(rawValue: size)) ns", priority: size == sizes.last ? 0 : 2,
                                      results: variants.map { at(size, $0) }))
        }
        // Ratios are against the baseline, except for variants with a partner of their own; C
        // twins (always against their Swift kernel) are said once.
        var exceptions: [String] = []
        var twins = false
        for variant in variants {
            guard let partner = results.first(where: { $0.variant == variant })?.baseline else { continue }
            if CTwin.isTwin(variant, of: partner) {
                twins = true
            } else if partner != experiment.baseline {
                exceptions.append("\(variant)'s to \(partner)")
            }
        }
        if twins { exceptions.append("a C twin's (-c) to its Swift kernel") }
        for size in sizes {
            let values = variants.map { at(size, $0)?.ratioToBaseline }
            var column = ExperimentTable.Column(header: "\(ByteSize(rawValue: size)) ×\(experiment.baseline)", priority: size == sizes.last ? 0 : 1,
                                                cells: values.map { $0.map(NumberFormat.ratio) ?? "—" })
            for (row, value) in values.enumerated() { if let code = ratioColour(value) { column.colours[row] = code } }
            columns.append(column)
        }
        let extraNames = results.extraNames
        let largest = sizes.max() ?? 0
        for (index, name) in extraNames.enumerated() {
            columns.append(.init(header: name, priority: index < 2 ? 2 : 3,
                                 cells: variants.map { at(largest, $0)?.extra(named: name).map { NumberFormat.significant($0) } ?? "—" }))
        }
        for name in report.counterNames where results.contains(where: { $0.counters[name] != nil }) {
            let source = results.compactMap { $0.counters[name]?.source }.first
            columns.append(.init(header: "\(Self.shortName(name))/\(unit) (\(source?.rawValue ?? "?"))", priority: Self.priority(name, source),
                                 cells: variants.map { at(largest, $0)?.counters[name].map { NumberFormat.significant($0.perElement) } ?? "—" }))
        }
        let names = sizes.map { ByteSize(rawValue: $0).description }.joined(separator: ", ")
        var table = ExperimentTable(title: "\(experiment.name) · ns/\(unit) (median) and ratio at \(names); other columns at \(ByteSize(rawValue: largest))",
                                    columns: columns)
        if !exceptions.isEmpty { table.notes.append("ratios to \(experiment.baseline); " + exceptions.joined(separator: ", ")) }
        return table
    }

    /// D1 read misses per element of `m` over the baseline variant's at the same size (per
    /// element, as the time ratio of `run` is: variants may do different amounts of work).
    private func missRatio(_ m: VariantResult, rows: [VariantResult], baseline: String) -> Double? {
        let event = SimulatedEvent.l1DataReadMisses
        guard let misses = m.counter(event)?.perElement,
              let base = rows.first(where: { $0.variant == baseline && $0.sizeBytes == m.sizeBytes })?.counter(event)?.perElement, base > 0
        else { return nil }
        return misses / base
    }

    /// `perf::PAGE-FAULTS` → `PAGE-FAULTS`; presets keep their name.
    static func shortName(_ name: String) -> String {
        for prefix in Event.perfPrefixes where name.hasPrefix(prefix) { return String(name.dropFirst(prefix.count)) }
        return name
    }

    /// Every event that could not be counted, once, with its reason.
    var unavailable: [(name: String, reason: String)] {
        var seen: [String: String] = [:]
        for result in report.results { seen.merge(result.unavailable) { first, _ in first } }
        // Requested events in their order, then those no one requested that the simulator
        // cannot count (callgrind's missing TLB).
        let names = report.counterNames + seen.keys.filter { !report.counterNames.contains($0) }.sorted()
        return names.compactMap { name in seen[name].map { (name, $0) } }
    }
}

extension [VariantResult] {
    /// The names of the extras any result carries, in the order they first appear: one column each.
    var extraNames: [String] {
        var names: [String] = []
        for result in self { for extra in result.extras where !names.contains(extra.name) { names.append(extra.name) } }
        return names
    }

    /// The result of `variant` at `size`, if it was measured.
    func result(size: Int, variant: String) -> VariantResult? { first { $0.sizeBytes == size && $0.variant == variant } }
}
