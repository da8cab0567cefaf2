import CLocalitySupport
import Foundation
import Harness

/// TLB relief: the working-set chase over one large buffer backed by 2 MiB pages
/// (madvise(MADV_HUGEPAGE)) against the same cycle over 4 KiB pages (MADV_NOHUGEPAGE), both
/// measured in one run. A 2 MiB page needs one TLB entry where 4 KiB pages need 512, so the
/// TLB's reach grows 512-fold and most page walks disappear. /proc/self/smaps (AnonHugePages)
/// says whether the kernel really used huge pages; the results never assume it.
public struct HugePages: Experiment {
    public let name = "huge-pages"
    public let summary = "a random line chase on 2 MiB (MADV_HUGEPAGE) against 4 KiB pages"
    public let sizeMeaning = "each of the two buffers (one per variant), chased one 64-byte line per load"
    public let unit = "load"
    public let baselineVariant = VariantName(.small).rawValue
    /// The two buffers are measured alternately, three rounds (4k, huge, 4k-2, huge-2, 4k-3,
    /// huge-3): memory latency on a shared host drifts by tens of percent within seconds, and
    /// the ratio within each round is what the findings report.
    static let rounds = 3
    /// A variant: one of the two buffers in one round (`4k-pages`, `huge-pages-2`).
    struct VariantName: VariantKey {
        enum Pages: String, CaseIterable { case small = "4k-pages", huge = "huge-pages" }
        let pages: Pages
        let round: Int
        init(_ pages: Pages, round: Int = 1) { self.pages = pages; self.round = round }
        init?(rawValue: String) {
            guard let name = HugePages.variantNames.first(where: { $0.rawValue == rawValue }) else { return nil }
            self = name
        }
        var rawValue: String { pages.rawValue + (round == 1 ? "" : "-\(round)") }
    }
    /// Both buffers, round after round.
    static let variantNames = (1...rounds).flatMap { round in VariantName.Pages.allCases.map { VariantName($0, round: round) } }
    public let variants = HugePages.variantNames.map { name in
        let again = name.round == 1 ? "" : " (round \(name.round))"
        switch name.pages {
        case .small: return Variant(name, "madvise(MADV_NOHUGEPAGE): 4 KiB pages" + again)
        case .huge: return Variant(name, "madvise(MADV_HUGEPAGE): 2 MiB transparent huge pages, where the kernel grants them" + again)
        }
    }
    public init() {}

    public var defaultSizes: [ByteSize] { [.gib(1)] }
    /// None by default: whether the kernel grants huge pages differs between machines, and the
    /// default simulation (`make check`) must count the same everywhere. `locality sim
    /// huge-pages --sizes 32M` shows them: 8192 pages of 4 KiB, past an L2 TLB of a few thousand
    /// entries, against 16 pages of 2 MiB (a pass is a fixed number of loads; only the setup grows).
    public var simulationSizes: [ByteSize] { [] }
    /// 32M: past the L2 dTLB reach of 4 KiB pages here (12M). From 64M on, the warm-up before
    /// every sample (twice the LLC: 16 passes of ~30 ms) makes this experiment alone take
    /// ~10 s; at 32M it takes ~3 s, at the price of a smaller difference (the buffer is L3-sized).
    public var quickSizes: [ByteSize] { [.mib(32)] }

    /// One huge page: a smaller size would be measured as a whole one.
    public let minimumSize = ByteSize(rawValue: AnonymousMapping.hugePageBytes)

    /// Huge pages need 2 MiB-aligned 2 MiB extents: sizes are rounded up to whole huge pages.
    static func lines(_ size: ByteSize) -> Int {
        let huge = AnonymousMapping.hugePageBytes
        return (size.rawValue + huge - 1) / huge * huge / ChaseLayout.lineBytes
    }

    /// Both buffers, and the cycle's successor indices (4 bytes per line) they are built from.
    static func footprint(_ size: ByteSize) -> Int { lines(size) * (2 * ChaseLayout.lineBytes + MemoryLayout<UInt32>.stride) }
    public func footprint(of size: ByteSize) -> Int { Self.footprint(size) }

    public func prepare(size: ByteSize, context: ExperimentContext) throws -> [Workload] {
        if TransparentHugePages.unavailability(thpMode: context.machine.transparentHugePages) != nil { return [] }
        let lines = Self.lines(size)
        let successors = ChaseCycle.successors(count: lines, seed: context.options.seed)
        // The huge buffer first, while free memory is least fragmented.
        let huge = try ChaseBuffer(layout: .lines(lines), successors: successors, advice: .hugePages,
                                   loadsPerPass: ChaseBuffer.defaultLoadsPerPass)
        let small = try ChaseBuffer(layout: .lines(lines), successors: successors, advice: .noHugePages,
                                    loadsPerPass: ChaseBuffer.defaultLoadsPerPass)
        func extras(_ buffer: ChaseBuffer) -> [Extra] {
            let bytes = ProcessMemory.anonHugePagesBytes(of: buffer.mapping) ?? 0
            return [Extra(Column.anonHugePagesMiB, Double(bytes) / 1_048_576),
                    Extra(Column.hugeShare, 100 * Double(bytes) / Double(buffer.mapping.byteCount))]
        }
        let smallExtras = extras(small), hugeExtras = extras(huge)
        // Under locsim the huge buffer's translations use the simulated 2 MiB TLB entries only
        // if AnonHugePages shows the kernel backed all of it so (smaps gives a total, not where).
        if ProcessMemory.anonHugePagesBytes(of: huge.mapping) == huge.mapping.byteCount {
            locality_sim_declare_huge_pages(huge.mapping.base, huge.mapping.byteCount)
        }
        return Self.variantNames.map { name in
            switch name.pages {
            case .small: return small.workload(name, extras: smallExtras, kernel: chaseLoads)
            case .huge: return huge.workload(name, extras: hugeExtras, kernel: chaseLoads)
            }
        }
    }

    /// Page walks and L1 dTLB misses per load of each buffer, and whether the huge one was
    /// simulated on 2 MiB pages (declared to locsim after AnonHugePages showed it all backed).
    public func simulatedFindings(from results: [VariantResult], tlbs: TLBGeometry?) -> [String] {
        guard let tlbs else { return [] }
        var lines: [String] = []
        for size in results.measuredSizes {
            guard let small = results.result(VariantName(.small), size: size),
                  let huge = results.result(VariantName(.huge), size: size) else { continue }
            func perLoad(_ row: VariantResult, _ event: SimulatedEvent) -> String {
                row.counter(event).map { String(format: "%.2f", $0.perElement) } ?? "—"
            }
            let share = huge.extra(Column.hugeShare) ?? 0
            let label = ByteSize(rawValue: size).description
            guard share >= 100 else {
                lines.append("\(label): the kernel backed \(String(format: "%.0f", share))% of the huge-pages buffer with 2 MiB pages "
                    + "under valgrind (AnonHugePages), not all of it: both buffers were simulated on 4 KiB pages")
                continue
            }
            lines.append("\(label): page walks per load \(perLoad(small, .pageWalks)) on 4 KiB pages against \(perLoad(huge, .pageWalks)) on "
                + "2 MiB pages, L1 dTLB misses \(perLoad(small, .l1DataTLBMisses)) against \(perLoad(huge, .l1DataTLBMisses)): the L1 dTLB's "
                + "\((tlbs.l1Huge ?? tlbs.l1).entries) entries for 2 MiB pages reach \(ByteSize(rawValue: (tlbs.l1Huge ?? tlbs.l1).entries << 21).approximate), "
                + "its \(tlbs.l1.entries) for 4 KiB pages \(ByteSize(rawValue: tlbs.l1.entries << 12).approximate)")
        }
        return lines
    }

    public func findings(from results: [VariantResult], context: ExperimentContext) -> [String] {
        if let reason = TransparentHugePages.unavailability(thpMode: context.machine.transparentHugePages) {
            return ["skipped: \(reason); nothing was measured"]
        }
        var lines: [String] = []
        for size in results.measuredSizes {
            guard let small = results.result(VariantName(.small), size: size),
                  let huge = results.result(VariantName(.huge), size: size) else { continue }
            let hugeMiB = huge.extra(Column.anonHugePagesMiB) ?? 0, smallMiB = small.extra(Column.anonHugePagesMiB) ?? 0
            let share = huge.extra(Column.hugeShare) ?? 0
            let label = ByteSize(rawValue: size).description
            // The buffer is the size rounded up to whole huge pages.
            let bufferMiB = (Self.lines(ByteSize(rawValue: size)) * ChaseLayout.lineBytes) >> 20
            let smaps = "smaps AnonHugePages: huge-pages \(Int(hugeMiB)) of \(bufferMiB) MiB, 4k-pages \(Int(smallMiB)) MiB"
            if share < 50 {
                lines.append("\(label): the kernel granted few huge pages — \(smaps); the comparison shows little (memory fragmented, or THP defrag off)")
                continue
            }
            // One ratio per round, each between neighbouring measurements; their median is the figure.
            var noisy = false
            let pairs = (1...Self.rounds).compactMap { round -> (Double, Double)? in
                guard let a = results.result(VariantName(.small, round: round), size: size),
                      let b = results.result(VariantName(.huge, round: round), size: size) else { return nil }
                noisy = noisy || a.isNoisy || b.isNoisy
                return (a.nsPerElement.median, b.nsPerElement.median)
            }
            let ratios = pairs.map { $0.0 / $0.1 }
            // Each round's times are rows of the table; its ratios are said here.
            let detail = "\(ratios.count) alternated rounds: \(ratios.map { String(format: "%.2f×", $0) }.joined(separator: ", ")); \(smaps))"
            // A speed-up is claimed only when every round shows one, from quiet samples;
            // otherwise it is noise.
            if noisy {
                lines.append("\(label): no conclusion — a round is noisy (\(Noise.marker)) (" + detail)
            } else if ratios.allSatisfy({ $0 > 1.05 }) {
                lines.append("\(label): huge pages make a dependent random load \(String(format: "%.2f", Summary(ratios).median))× as fast "
                    + "(median of " + detail)
            } else {
                lines.append("\(label): no clear difference between huge and 4 KiB pages (" + detail)
            }
        }
        return lines
    }
}
