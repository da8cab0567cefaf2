import Counters
import Harness

/// Lays a report out as one table per experiment and size: the variants side by side, with
/// time per unit, bandwidth, the ratio to the baseline and each counter per unit with its source.
struct ResultTables {
    struct Section {
        var experiment: String
        var title: String
        var table: TextTable
        /// The line under the table explaining its noisy marks; nil when no row is noisy.
        var legend: String?
    }

    let report: RunReport

    var sections: [Section] {
        var sections: [Section] = []
        for experiment in report.experiments {
            let results = report.results.filter { $0.experiment == experiment.name }
            var sizes: [Int] = []
            for result in results where !sizes.contains(result.sizeBytes) { sizes.append(result.sizeBytes) }
            for size in sizes {
                let rows = results.filter { $0.sizeBytes == size }
                sections.append(Section(experiment: experiment.name, title: title(experiment, size: size, rows: rows),
                                        table: table(experiment, rows: rows),
                                        legend: rows.contains(where: \.isNoisy) ? Noise.legend : nil))
            }
        }
        return sections
    }

    private func title(_ experiment: RunReport.ExperimentInfo, size: Int, rows: [VariantResult]) -> String {
        let elements = rows.first?.elements ?? 0
        let plural = experiment.unit.hasSuffix("s") ? experiment.unit + "es" : experiment.unit + "s"
        return "\(experiment.name) · \(ByteSize(rawValue: size)) · \(elements) \(plural)"
    }

    private func unitAbbreviation(_ unit: String) -> String { unit == "element" ? "elem" : unit }

    private func table(_ experiment: RunReport.ExperimentInfo, rows: [VariantResult]) -> TextTable {
        let unit = unitAbbreviation(experiment.unit)
        let counterNames = report.counterNames.filter { name in rows.contains { $0.counters[name] != nil } }
        // Under simulation, times are valgrind's and mean nothing; the ratio is of D1 read misses.
        let simulated = report.mode == "sim"
        let showBandwidth = !simulated && rows.contains { $0.gbPerSecond != nil }
        var headers = ["variant"]
        if !simulated { headers += ["ns/\(unit)", "min–max"] }
        if showBandwidth { headers.append("GB/s") }
        // Each row's ratio is against its partner (the same work done another way); the header
        // names it when all rows share one, else each cell does.
        let partners = Set(rows.compactMap(\.baseline))
        let onePartner = partners.count <= 1 ? partners.first ?? experiment.baseline : nil
        headers.append((simulated ? "D1mr " : "") + (onePartner.map { "×\($0)" } ?? "×partner"))
        var extraNames: [String] = []
        for m in rows { for extra in m.extras where !extraNames.contains(extra.name) { extraNames.append(extra.name) } }
        headers += extraNames
        for name in counterNames {
            let source = rows.compactMap { $0.counters[name]?.source.rawValue }.first ?? "?"
            headers.append("\(Self.shortName(name))/\(unit) (\(source))")
        }
        var table = TextTable(headers: headers, alignments: [.left] + Array(repeating: .right, count: headers.count - 1))
        for m in rows {
            var cells = [m.variant + (m.isNoisy ? " " + Noise.marker : "")]
            if !simulated {
                cells += [NumberFormat.significant(m.nsPerElement.median),
                          NumberFormat.significant(m.nsPerElement.min) + "–" + NumberFormat.significant(m.nsPerElement.max)]
            }
            if showBandwidth { cells.append(m.gbPerSecond.map { NumberFormat.significant($0) } ?? "—") }
            let ratio = (simulated ? missRatio(m, rows: rows, baseline: m.baseline ?? experiment.baseline) : m.ratioToBaseline)
                .map(NumberFormat.ratio) ?? "—"
            cells.append(onePartner == nil && ratio != "—" ? "\(ratio) \(m.baseline ?? "")" : ratio)
            for name in extraNames { cells.append(m.extra(name).map { NumberFormat.significant($0) } ?? "—") }
            for name in counterNames {
                cells.append(m.counters[name].map { NumberFormat.significant($0.perElement) } ?? "—")
            }
            table.append(cells)
        }
        return table
    }

    /// D1 read misses per element of `m` over the baseline variant's at the same size (per
    /// element, as the time ratio of `run` is: variants may do different amounts of work).
    private func missRatio(_ m: VariantResult, rows: [VariantResult], baseline: String) -> Double? {
        guard let misses = m.counters["D1mr"]?.perElement,
              let base = rows.first(where: { $0.variant == baseline })?.counters["D1mr"]?.perElement, base > 0
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
        return report.counterNames.compactMap { name in seen[name].map { (name, $0) } }
    }
}
