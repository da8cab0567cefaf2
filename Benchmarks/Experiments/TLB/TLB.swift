import Counters
import Foundation
import Harness
import Plotting

/// Translation reach: a chase that touches one line per 4 KiB page, pages in random order.
///
/// Every load needs the translation of a different page. While the pages fit the L1 dTLB the
/// translation is free; beyond it, each load waits for the L2 TLB, and beyond the L2 TLB for a
/// page walk (two-dimensional under a hypervisor). The `packed` control chases the same number
/// of lines packed into consecutive lines (64 per page): the same cache footprint, 64 times
/// fewer pages, so the ratio between the two is the cost of translation.
public struct TLB: Experiment {
    static let pageBytes = ChaseLayout.pageBytes

    public init() {}

    public let name = "tlb"
    public let summary = "one line per 4 KiB page, chased in random page order, by pages touched"
    public let sizeMeaning = "pages touched × 4 KiB (8 pages = 32K … 32768 pages = 128M)"
    public let unit = "load"
    public let baselineVariant = VariantName.packed.rawValue
    enum VariantName: String, VariantKey, CaseIterable {
        case pageStride = "page-stride", packed
    }
    public let variants = [
        // Its buffer is not packed's, so the ratio follows the physical pages each process
        // gets (how the lines share the physically indexed L2's sets): ten processes measured
        // 5.02–8.07× at 8192 pages (×1.61 between them, each tight within its run). A change
        // beyond 80% is more than placement; a doubling still fails.
        Variant(VariantName.pageStride, "one line per 4 KiB page (a random line of it), pages in random order", ratioTolerance: 0.8),
        Variant(VariantName.packed, "the same number of lines back to back (64 per page), in random order: same cache footprint, 1/64 of the pages"),
    ]
    public let defaultSizes: [ByteSize] = (3...15).map { ByteSize(rawValue: (1 << $0) * pageBytes) }
    /// 8 … 8192 pages: past an L2 TLB of a few thousand entries (3072 here), so the page walks'
    /// knee shows too. A pass is a fixed number of loads, so larger sizes cost only their setup.
    public let simulationSizes: [ByteSize] = (3...13).map { ByteSize(rawValue: (1 << $0) * pageBytes) }

    /// One page: a smaller size would be measured as a whole page while the findings, counting
    /// pages as size ÷ 4K, said 0.
    public let minimumSize = ByteSize(rawValue: pageBytes)

    static func pages(_ size: ByteSize) -> Int { max(size.rawValue / pageBytes, 1) }

    public func footprint(of size: ByteSize) -> Int {
        let pages = Self.pages(size)
        return pages * Self.pageBytes + (pages * ChaseLayout.lineBytes + Self.pageBytes - 1) / Self.pageBytes * Self.pageBytes
            + pages * MemoryLayout<UInt32>.stride  // the cycle's successor indices
    }

    public func prepare(size: ByteSize, context: ExperimentContext) throws -> [Workload] {
        let pages = Self.pages(size)
        let successors = ChaseCycle.successors(count: pages, seed: context.options.seed)
        let loads = ChaseBuffer.defaultLoadsPerPass
        // 4 KiB pages even where THP is `always`: a 2 MiB page would hide what is measured.
        let strided = try ChaseBuffer(layout: .pages(pages, seed: context.options.seed), successors: successors,
                                      advice: .noHugePages, loadsPerPass: loads)
        let packed = try ChaseBuffer(layout: .lines(pages), successors: successors, advice: .noHugePages, loadsPerPass: loads)
        let packedPages = (pages * ChaseLayout.lineBytes + Self.pageBytes - 1) / Self.pageBytes
        return [
            strided.workload(VariantName.pageStride, extras: [Extra(Column.pages, Double(pages))], kernel: chaseLoads),
            packed.workload(VariantName.packed, extras: [Extra(Column.pages, Double(packedPages))], kernel: chaseLoads),
        ]
    }

    public func findings(from results: [VariantResult], context: ExperimentContext) -> [String] {
        let tlbs = context.machine.tlbs ?? []
        var lines: [String] = []
        // The entries for the 4 KiB pages this experiment touches, each data TLB once (its 2 MiB
        // entries are `locality machine`'s): "L1 dTLB 72 entries → 288K, L2 dTLB 3072 (8-way) → 12M".
        var named: [TLBLevel] = []
        for tlb in TLBInfo.dataTLBs(tlbs, pageBytes: Self.pageBytes) where !named.contains(where: { $0.name == tlb.name }) { named.append(tlb) }
        lines.append(named.isEmpty ? "cpuid reports no data TLB for 4 KiB pages on this CPU"
            : "cpuid for 4 KiB pages: " + named.enumerated().map { index, tlb in
                "\(tlb.name) \(tlb.entries)\(index == 0 ? " entries" : "")\(tlb.ways.map { " (\($0)-way)" } ?? "")"
                    + " → \(ByteSize(rawValue: tlb.reachBytes).approximate)"
            }.joined(separator: ", "))
        let strided = results.filter { $0.isVariant(VariantName.pageStride) }.sorted { $0.sizeBytes < $1.sizeBytes }
        // Once the touched lines (one per page) fill the L2, page-stride's lines also conflict
        // in cache sets where packed's contiguous lines do not: the rise is not all the TLB's.
        if let l2Lines = context.machine.dataCaches.first(where: { $0.level == 2 }).map({ $0.sizeBytes / ChaseLayout.lineBytes }),
           let first = strided.first(where: { $0.sizeBytes / Self.pageBytes >= l2Lines }) {
            lines.append("from \(first.sizeBytes / Self.pageBytes) pages (\(ByteSize(rawValue: first.sizeBytes).approximate)) the lines "
                + "fill the L2: not all of it is the TLB")
        }
        lines += KneeReport.findings(xs: strided.map { Double($0.sizeBytes / Self.pageBytes) }, ys: strided.map(\.nsPerElement.median),
                                     ranges: strided.map { $0.nsPerElement.min...$0.nsPerElement.max },
                                     noisy: strided.map(\.isNoisy),
                                     landmarks: Self.landmarks(machine: context.machine, tlbs: tlbs),
                                     describe: { "\(Int($0)) pages" })
        let tlbMisses = WellKnownEvent.tlbDataMisses
        let measured = strided.compactMap { r in r.counter(tlbMisses).map { (r, $0) } }
        if !measured.isEmpty {
            let perSize = measured.map { "\($0.0.sizeBytes / Self.pageBytes) pages \(String(format: "%.3f", $0.1.perElement))" }
            lines.append("\(tlbMisses.rawValue) (\(measured[0].1.source.rawValue)) misses per load: " + perSize.joined(separator: ", "))
        }
        // Unavailable, it is named with its reason once, where the report lists every counter
        // that could not be counted.
        return lines
    }

    public func keySizes(from results: [VariantResult]) -> KeySizes? {
        KneeReport.keySizes(results.filter { $0.isVariant(VariantName.pageStride) })
    }

    /// The knees of the simulated counts: where L1 dTLB misses and page walks per load of
    /// page-stride go from under half to over half, against the simulated TLBs' entries, and
    /// the seed's 400 KB rule judged against them.
    public func simulatedFindings(from results: [VariantResult], tlbs: TLBGeometry?) -> [String] {
        guard let tlbs else { return [] }
        let strided = results.filter { $0.isVariant(VariantName.pageStride) }.sorted { $0.sizeBytes < $1.sizeBytes }
        let packed = results.filter { $0.isVariant(VariantName.packed) }
        func perLoad(_ row: VariantResult?, _ event: SimulatedEvent) -> Double? { row?.counter(event)?.perElement }
        func format(_ value: Double?) -> String { value.map { String(format: "%.2f", $0) } ?? "—" }
        var lines: [String] = []
        for row in strided {
            let other = packed.first { $0.sizeBytes == row.sizeBytes }
            lines.append("\(String(row.sizeBytes / Self.pageBytes).leftPadded(to: 6)) pages: page-stride "
                + "\(format(perLoad(row, .l1DataTLBMisses))) L1 dTLB misses and \(format(perLoad(row, .pageWalks))) page walks per load; "
                + "packed \(format(perLoad(other, .l1DataTLBMisses))) and \(format(perLoad(other, .pageWalks)))")
        }
        let pages = strided.map { $0.sizeBytes / Self.pageBytes }
        func knee(_ event: SimulatedEvent) -> (lower: Int, upper: Int, from: Double, to: Double)? {
            let values = strided.map { perLoad($0, event) ?? 0 }
            guard let index = values.indices.dropLast().first(where: { values[$0] < 0.5 && values[$0 + 1] >= 0.5 }) else { return nil }
            return (pages[index], pages[index + 1], values[index], values[index + 1])
        }
        var knees: [SimulatedEvent: (lower: Int, upper: Int, from: Double, to: Double)] = [:]
        for (event, what, tlb, name) in [(SimulatedEvent.l1DataTLBMisses, "L1 dTLB misses", tlbs.l1, "the simulated L1 dTLB"),
                                         (.pageWalks, "page walks", tlbs.l2, "the simulated L2 TLB")] {
            guard let found = knee(event) else {
                lines.append("\(what) stay under 0.5 per load up to \(pages.last ?? 0) pages (\(name) holds \(tlb.entries) entries)")
                continue
            }
            knees[event] = found
            let agrees = found.lower < tlb.entries && tlb.entries <= found.upper
            lines.append("\(what) go from \(format(found.from)) to \(format(found.to)) per load between \(found.lower) and "
                + "\(found.upper) pages: \(tlb.entries) entries" + (agrees ? "" : " — not where \(name)'s \(tlb.entries) entries put it"))
        }
        // The rule: keep hot data within 4 KB × 100 (400 KB, ≈98 pages).
        let rulePages = Double(Landmark.ruleOfThumbBytes) / Double(Self.pageBytes)
        let l1Reach = ByteSize(rawValue: tlbs.l1.entries * Self.pageBytes).approximate
        let l2Reach = ByteSize(rawValue: tlbs.l2.entries * Self.pageBytes).approximate
        let l1Verdict = Double(tlbs.l1.entries) >= rulePages
            ? "fits the L1 dTLB (\(tlbs.l1.entries) entries = \(l1Reach))"
            : "is past the L1 dTLB (\(tlbs.l1.entries) entries = \(l1Reach)): one line per page over 400 KB misses it on every load"
                + (knees[.l1DataTLBMisses].map { " (\(format($0.to)) per load at \($0.upper) pages)" } ?? "")
        let l2Verdict = Double(tlbs.l2.entries) >= rulePages
            ? "well inside the L2 TLB (\(tlbs.l2.entries) entries = \(l2Reach), \(String(format: "%.0f", Double(tlbs.l2.entries) / rulePages))× the rule): no page walks"
                + (knees[.pageWalks].map { " until \($0.upper) pages" } ?? "")
            : "past the L2 TLB too (\(tlbs.l2.entries) entries = \(l2Reach)): page walks"
        let l1Holds = Double(tlbs.l1.entries) >= rulePages, l2Holds = Double(tlbs.l2.entries) >= rulePages
        let verdict = l1Holds ? "the rule keeps both TLBs' misses away"
            : l2Holds ? "so the rule bounds page walks with room to spare, not L1 dTLB misses" : "the rule is too loose for these TLBs"
        lines.append("the 400 KB rule (≈\(Int(rulePages.rounded())) pages of 4 KiB) \(l1Verdict); it is \(l2Verdict) — \(verdict)")
        return lines
    }

    /// In pages: each data TLB's entries (cpuid), the rule of thumb (400 KB / 4 KiB), and where
    /// the touched lines (one per page) overflow each sysfs data cache.
    static func landmarks(machine: MachineInfo, tlbs: [TLBLevel]) -> [Landmark] {
        TLBInfo.dataTLBs(tlbs).map { Landmark(label: "\($0.name) \($0.entries) entries", x: Double($0.entries), source: "cpuid") }
            + [Landmark(label: "400 KB rule (~98 pages)", x: Double(Landmark.ruleOfThumbBytes) / Double(pageBytes), source: "rule")]
            + machine.dataCaches.map {
                Landmark(label: "\($0.name) full (\($0.sizeBytes / ChaseLayout.lineBytes) lines)",
                         x: Double($0.sizeBytes / ChaseLayout.lineBytes), source: "sysfs")
            }
    }

    public func sizeLabel(_ size: ByteSize, machine: MachineInfo) -> String? {
        "\(size.rawValue / Self.pageBytes) pages"
    }

    public func plots(from results: [VariantResult], machine: MachineInfo) -> [Plot] {
        guard results.contains(where: { $0.isVariant(VariantName.pageStride) }) else { return [] }
        let x = { (r: VariantResult) in Double(r.sizeBytes / Self.pageBytes) }
        let chart = SVGChart(
            title: "TLB reach: one line per 4 KiB page against the same lines packed",
            xLabel: "pages touched (log scale)", yLabel: "ns per load (median, min–max)", xScale: .log2, yScale: .log10,
            series: [.init(name: "page-stride", points: KneeReport.points(results, variant: VariantName.pageStride, x: x)),
                     .init(name: "packed (same lines)", points: KneeReport.points(results, variant: VariantName.packed, x: x))],
            markers: KneeReport.markers(Self.landmarks(machine: machine, tlbs: machine.tlbs ?? []), within: results.map(x)),
            xTickFormat: { String(Int($0)) })
        return [Plot(fileName: "tlb.svg", svg: chart.render())]
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
