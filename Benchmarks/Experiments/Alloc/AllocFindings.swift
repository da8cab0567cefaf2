import Counters
import Foundation
import Harness
import Plotting

extension Alloc {
    /// The timer (from the context: calibrated once by the run) and what it could not resolve,
    /// the heap-served sizes' batched range, the slowest single call, each size glibc mmaps,
    /// the trace's repeats and the strategies: one line each, most within 80 columns.
    public func findings(from results: [VariantResult], context: ExperimentContext) -> [String] {
        let batched = results.filter { $0.isVariant(VariantName.batched) }
        let perCall = results.filter { $0.isVariant(VariantName.perCall) }
        var lines: [String] = []

        let timer = context.timer
        let unresolved = perCall.filter { $0.extra(Column.p50) == nil }
        let heapServed = Self.heapServed(batched)
        if !perCall.isEmpty {
            var line = "per-call timer \(timer.source) (\(NumberFormat.compact(timer.ticksPerNanosecond)) ticks/ns): "
                + "\(Self.ns(timer.costNanoseconds)) bracket subtracted, \(Self.ns(timer.quantumNanoseconds)) quantum; "
            let bound = "under 3 quanta (`unresolved <ns` \(NumberFormat.compact(timer.resolutionLimitNanoseconds)))"
            if unresolved.isEmpty {
                line += "a figure \(bound) is left empty"
            } else {
                let sizes = unresolved.map(\.sizeBytes)
                line += "p50 \(bound) at \(unresolved.count) of \(perCall.count) sizes (\(Self.sizeSpan(sizes)))"
                // Where they are the heap-served sizes, the next finding gives the batched range.
                let batchedThere = batched.filter { sizes.contains($0.sizeBytes) }.map(\.nsPerElement.median)
                if Set(sizes) != Set(heapServed.map(\.sizeBytes)) || heapServed.count < 2,
                   let low = batchedThere.min(), let high = batchedThere.max() {
                    line += "; batched there \(Self.nsSpan(low, high))"
                }
            }
            lines.append(line)
        }
        if let low = heapServed.map(\.nsPerElement.median).min(), let high = heapServed.map(\.nsPerElement.median).max(),
           heapServed.count > 1 {
            lines.append("under the mmap threshold (\(Self.sizeSpan(heapServed.map(\.sizeBytes)))): "
                + "\(Self.nsSpan(low, high)) per batched call, any size")
        }
        if let worst = Self.slowestCall(perCall), let worstMax = worst.extra(Column.maximum) {
            let p99 = worst.extra(Column.p99).map(Self.ns) ?? "< \(Self.ns(timer.resolutionLimitNanoseconds))"
            lines.append("slowest call \(Self.ns(worstMax)) at \(Self.size(worst.sizeBytes)) (p99 \(p99)): rare, "
                + "like the notebook's 3970 ns")
        }
        for m in batched where m.extra(Column.mmapped) == 1 {
            var line = "\(Self.size(m.sizeBytes)): mmap'd every request, \(Self.ns(m.nsPerElement.median)) per malloc+free"
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

    /// The batched results glibc served from its heap: their requests were not mmap'd
    /// (`mmap'd` = 0; a result without the column is not counted as either). The findings'
    /// range and the key sizes' fastest and slowest both read it.
    static func heapServed(_ batched: [VariantResult]) -> [VariantResult] {
        batched.filter { $0.extra(Column.mmapped) == 0 }
    }

    /// The per-call result with the longest single call, where one was resolved.
    static func slowestCall(_ perCall: [VariantResult]) -> VariantResult? {
        perCall.filter { $0.extra(Column.maximum) != nil }.max { $0.extra(Column.maximum)! < $1.extra(Column.maximum)! }
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

    /// Of a long sweep (the trace's 23 sizes, whose heap-served times barely differ), the sizes
    /// where something changes: the smallest and largest request, the fastest and slowest
    /// batched size (the ends of the range the findings quote), each size glibc mmap'd (first
    /// or every request), and the slowest single call's.
    public func keySizes(from results: [VariantResult]) -> KeySizes? {
        let batched = results.filter { $0.isVariant(VariantName.batched) }.sorted { $0.sizeBytes < $1.sizeBytes }
        guard batched.count > 12, let smallest = batched.first, let largest = batched.last else { return nil }
        var sizes: Set<Int> = [smallest.sizeBytes, largest.sizeBytes]
        let heapServed = Self.heapServed(batched)
        for pick in [heapServed.min { $0.nsPerElement.median < $1.nsPerElement.median },
                     heapServed.max { $0.nsPerElement.median < $1.nsPerElement.median }] {
            if let pick { sizes.insert(pick.sizeBytes) }
        }
        for m in batched where m.extra(Column.mmapped) == 1 || m.extra(Column.mmappedFirst) == 1 { sizes.insert(m.sizeBytes) }
        if let worst = Self.slowestCall(results.filter { $0.isVariant(VariantName.perCall) }) { sizes.insert(worst.sizeBytes) }
        guard sizes.count < batched.count else { return nil }
        return KeySizes(sizes: sizes.sorted().map { ByteSize(rawValue: $0) },
                        why: "ends, batched min/max, mmap'd, slowest call")
    }

    public func plots(from results: [VariantResult], machine: MachineInfo) -> [Plot] {
        let perCall = results.filter { $0.isVariant(VariantName.perCall) }
        guard !perCall.isEmpty else { return [] }
        // Unresolved figures are drawn at the resolution bound they lie under, which the result
        // records (`unresolved <ns`) beside its resolved figures.
        let bound = perCall.lazy.compactMap { $0.extra(Column.unresolvedBound) }.first ?? 0
        func point(_ m: VariantResult) -> SVGChart.Point {
            let bound = m.extra(Column.unresolvedBound) ?? bound
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
