import Counters
import Foundation
import Harness
import Plotting

extension Alloc {
    public func findings(from results: [VariantResult], machine: MachineInfo) -> [String] {
        let batched = results.filter { $0.isVariant(VariantName.batched) }
        let perCall = results.filter { $0.isVariant(VariantName.perCall) }
        var lines: [String] = []

        let timer = CycleTimer.shared
        if !perCall.isEmpty {
            lines.append("per-call timer: \(timer.source), \(NumberFormat.compact(timer.ticksPerNanosecond)) ticks/ns, a bracket costs "
                + "\(Self.ns(timer.costNanoseconds)) (subtracted), quantum \(Self.ns(timer.quantumNanoseconds)); a figure under "
                + "3 quanta (`unresolved <ns`) is left empty")
        }
        let unresolved = perCall.filter { $0.extra(Column.p50) == nil }
        let heapServed = batched.filter { $0.extra(Column.mmapped) == 0 }
        if !unresolved.isEmpty {
            let sizes = unresolved.map(\.sizeBytes)
            let batchedThere = batched.filter { sizes.contains($0.sizeBytes) }.map(\.nsPerElement.median)
            var line = "per-call p50 unresolved at \(unresolved.count) of \(perCall.count) sizes "
                + "(\(Self.sizeSpan(sizes))): below the timer's resolution"
            // Where they are the heap-served sizes, the next finding gives the batched range.
            if Set(sizes) != Set(heapServed.map(\.sizeBytes)) || heapServed.count < 2,
               let low = batchedThere.min(), let high = batchedThere.max() {
                line += "; batched there: \(Self.nsSpan(low, high)) per call"
            }
            lines.append(line)
        }
        if let low = heapServed.map(\.nsPerElement.median).min(), let high = heapServed.map(\.nsPerElement.median).max(),
           heapServed.count > 1 {
            lines.append("under the mmap threshold (\(Self.sizeSpan(heapServed.map(\.sizeBytes)))): "
                + "\(Self.nsSpan(low, high)) per batched call, whatever the size")
        }
        if let worst = perCall.max(by: { ($0.extra(Column.maximum) ?? 0) < ($1.extra(Column.maximum) ?? 0) }),
           let worstMax = worst.extra(Column.maximum) {
            let p99 = worst.extra(Column.p99).map(Self.ns) ?? "under \(Self.ns(timer.resolutionLimitNanoseconds))"
            lines.append("the slowest call, \(Self.ns(worstMax)) at \(Self.size(worst.sizeBytes)) (p99 \(p99)), is a rare event "
                + "(heap growth, page fault, preemption) as the notebook's 3970 ns at 184 B")
        }
        for m in batched where m.extra(Column.mmapped) == 1 {
            var line = "\(Self.size(m.sizeBytes)): glibc mmaps every request; malloc+free take \(Self.ns(m.nsPerElement.median))"
            if let small = heapServed.map(\.nsPerElement.median).min(), small > 0 {
                line += " (\(Self.times(m.nsPerElement.median / small)) the fastest heap size)"
            }
            if let faults = m.counter(WellKnownEvent.pageFaults) {
                line += "; page faults per call: \(NumberFormat.compact(faults.perElement)) (\(faults.source.rawValue))"
            }
            lines.append(line)
        }
        for m in batched where m.extra(Column.mmappedFirst) == 1 && m.extra(Column.mmapped) == 0 {
            lines.append("\(Self.size(m.sizeBytes)): the first request was mmap'd, then freeing it raised glibc's "
                + "dynamic mmap threshold, so the timed requests come from the heap (mmap'd = 0)")
        }
        if batched.contains(where: { ($0.extra(Column.inTrace) ?? 0) > 1 }) {
            let repeats = batched.filter { ($0.extra(Column.inTrace) ?? 0) > 1 }.map { "\($0.sizeBytes)" }
            lines.append("trace: \(Self.trace.count) requests, \(Set(Self.trace).count) sizes; "
                + "\(repeats.joined(separator: ", ")) B came twice (trace×)")
        }
        if let strategy = strategyFinding(results) { lines.append(strategy) }
        return lines
    }

    /// ns per object of each strategy and its ratio to malloc/free per object.
    func strategyFinding(_ results: [VariantResult]) -> String? {
        guard let malloc = results.first(where: { $0.isVariant(VariantName.mallocEach) }), malloc.nsPerElement.median > 0 else { return nil }
        let base = malloc.nsPerElement.median
        var parts = ["\(VariantName.mallocEach.rawValue) \(Self.ns(base))"]
        for name in [VariantName.classInstances, .slots, .arena] {
            guard let m = results.first(where: { $0.isVariant(name) }) else { continue }
            let ratio = m.nsPerElement.median / base
            parts.append("\(name.rawValue) \(Self.ns(m.nsPerElement.median)) (" + (ratio < 1 ? "\(Self.times(1 / ratio)) faster" : Self.times(ratio)) + ")")
        }
        return "per object of \(Self.objectBytes) B (\(Self.objects) alive): " + parts.joined(separator: ", ")
    }

    /// Of a long sweep (the trace's 23 sizes), the sizes where something changes: the smallest
    /// request of each chunk size glibc hands out (`usable B`: one bin serves the rest alike),
    /// any whose first request was mmap'd, and the slowest single call's.
    public func keySizes(from results: [VariantResult]) -> KeySizes? {
        let batched = results.filter { $0.isVariant(VariantName.batched) }.sorted { $0.sizeBytes < $1.sizeBytes }
        guard batched.count > 12 else { return nil }
        var sizes: [Int] = []
        var usable: Set<Double> = []
        for m in batched {
            let chunk = m.extra(Column.usableBytes) ?? Double(m.sizeBytes)
            if usable.insert(chunk).inserted || m.extra(Column.mmapped) == 1 || m.extra(Column.mmappedFirst) == 1 { sizes.append(m.sizeBytes) }
        }
        let perCall = results.filter { $0.isVariant(VariantName.perCall) }
        if let worst = perCall.max(by: { ($0.extra(Column.maximum) ?? 0) < ($1.extra(Column.maximum) ?? 0) }), worst.extra(Column.maximum) != nil,
           !sizes.contains(worst.sizeBytes) {
            sizes.append(worst.sizeBytes)
        }
        guard sizes.count < batched.count else { return nil }
        return KeySizes(sizes: sizes.sorted().map { ByteSize(rawValue: $0) },
                        why: "one per chunk size, the slowest call's")
    }

    public func plots(from results: [VariantResult], machine: MachineInfo) -> [Plot] {
        let perCall = results.filter { $0.isVariant(VariantName.perCall) }
        guard !perCall.isEmpty else { return [] }
        // Unresolved figures are drawn at the resolution bound they lie under.
        let bound = CycleTimer.shared.resolutionLimitNanoseconds
        func point(_ m: VariantResult) -> SVGChart.Point {
            let p50 = m.extra(Column.p50) ?? bound, p99 = m.extra(Column.p99) ?? bound
            return p99 > p50 ? SVGChart.Point(x: Double(m.sizeBytes), y: p50, low: p50, high: p99)
                             : SVGChart.Point(x: Double(m.sizeBytes), y: p50)
        }
        var series = [
            SVGChart.Series(name: "per call: p50, p99 whisker",
                            points: perCall.filter { $0.extra(Column.p50) != nil }.map(point), connected: false),
            SVGChart.Series(name: "per call: p50 < \(Self.ns(bound)), unresolved",
                            points: perCall.filter { $0.extra(Column.p50) == nil }.map(point), connected: false),
            SVGChart.Series(name: "batched: ns per call",
                            points: results.filter { $0.isVariant(VariantName.batched) }.map {
                                SVGChart.Point(x: Double($0.sizeBytes), y: max($0.nsPerElement.median, 1))
                            }, connected: false),
        ]
        let measured = Set(perCall.map(\.sizeBytes))
        if Self.trace.contains(where: measured.contains) {
            series.append(SVGChart.Series(name: "notebook: 1 call, its CPU",
                                          points: zip(Self.trace, Self.traceNotebookNanoseconds).map {
                                              SVGChart.Point(x: Double($0), y: Double($1))
                                          }, connected: false))
        }
        let chart = SVGChart(
            title: "malloc + free: request size against time (\(machine.cpuModel))",
            xLabel: "request size (bytes, log scale)", yLabel: "ns per malloc + free (log scale, timer cost subtracted)",
            xScale: .log2, yScale: .log10, series: series.filter { !$0.points.isEmpty }, xTickFormat: NumberFormat.bytes)
        return [Plot(fileName: "alloc-per-call.svg", svg: chart.render())]
    }

    static func ns(_ value: Double) -> String {
        if value >= 1e6 { return "\(NumberFormat.compact(value / 1e6)) ms" }
        return value >= 1000 ? "\(NumberFormat.compact(value / 1000)) µs" : "\(NumberFormat.compact(value)) ns"
    }

    /// `8.1–17 ns`: one unit for both ends where they share it.
    static func nsSpan(_ low: Double, _ high: Double) -> String {
        let (a, b) = (ns(low), ns(high))
        guard let unit = a.split(separator: " ").last, b.hasSuffix(" " + unit) else { return "\(a)–\(b)" }
        return "\(a.dropLast(unit.count + 1))–\(b)"
    }

    static func times(_ value: Double) -> String { value >= 10 ? "\(Int(value.rounded()))×" : String(format: "%.1f×", value) }

    static func sizeSpan(_ sizes: [Int]) -> String {
        guard let low = sizes.min(), let high = sizes.max() else { return "" }
        return low == high ? size(low) : "\(size(low))–\(size(high))"
    }

    /// `16 B`, `4K`, `64M`.
    static func size(_ bytes: Int) -> String { bytes < 1024 ? "\(bytes) B" : ByteSize(rawValue: bytes).description }
}
