import CReference
import Foundation
import Harness
import Plotting

/// The latency and bandwidth curve: how the time of one load grows with the working set.
///
/// The chase follows a random single cycle through every 64-byte line of the buffer; each
/// load's address is the previous load's value, so nothing overlaps and the time per load is
/// the latency of the level that holds the buffer (L1d, L2, L3, memory), plus a page walk
/// once the buffer outgrows the TLB's reach. The sequential read streams the same buffer.
///
/// A chase pass is a fixed number of loads (`ChaseBuffer.defaultLoadsPerPass`) whatever the size, going on where
/// the previous pass stopped: successive passes lap the whole cycle, yet a sample over 1 GiB
/// lasts milliseconds rather than the ~2 s one lap of 16 Mi lines would take.
public struct WorkingSet: Experiment {
    public let name = "working-set"
    public let summary = "dependent-load latency and sequential bandwidth by working-set size"
    public let sizeMeaning = "the buffer: one 64-byte line per chase step; the sequential read streams all of it"
    public let unit = "load"
    public let baselineVariant = VariantName.chase.rawValue
    enum VariantName: String, VariantKey, CaseIterable {
        case chase, chaseC = "chase-c", sequential, sequentialC = "sequential-c"
    }
    public let variants = [
        Variant(VariantName.chase, "dependent loads along a random cycle through every line (latency)"),
        Variant(VariantName.chaseC, "the same chase over the same cycle in C, the reference for the Swift kernel",
                ratioPartner: .chase),
        // A bandwidth kernel is compared with its C twin, never with the latency kernel.
        Variant(VariantName.sequential, "sum of every 8-byte word in address order (bandwidth)", ratioPartner: .sequential),
        Variant(VariantName.sequentialC, "the same sum in C", ratioPartner: .sequential),
    ]
    public init() {}

    /// The run leaves out those that do not fit in half of the tightest memory limit, and says so.
    public let defaultSizes: [ByteSize] = [
        .kib(4), .kib(16), .kib(32), .kib(64), .kib(256), .kib(400), .mib(1), .mib(4), .mib(16), .mib(64), .mib(256), .gib(1),
    ]
    /// One size per level of a common hierarchy; 64M for memory (1G takes seconds to build).
    public var quickSizes: [ByteSize] { [.kib(16), .kib(256), .mib(4), .mib(64)] }

    /// One line: a smaller size would be measured as a whole line.
    public let minimumSize = ByteSize(rawValue: ChaseLayout.lineBytes)
    static func lines(_ size: ByteSize) -> Int { max(size.rawValue / ChaseLayout.lineBytes, 1) }
    /// The buffer, and the cycle's successor indices (4 bytes per line) while it is built.
    static func footprint(_ size: ByteSize) -> Int { lines(size) * (ChaseLayout.lineBytes + MemoryLayout<UInt32>.stride) }

    public func footprint(of size: ByteSize) -> Int { Self.footprint(size) }

    public func prepare(size: ByteSize, context: ExperimentContext) throws -> [Workload] {
        let lines = Self.lines(size)
        let layout = ChaseLayout.lines(lines)
        // 4 KiB pages whatever the THP mode, so the curve is the same on every machine; the
        // huge-pages experiment shows what 2 MiB pages change.
        let buffer = try ChaseBuffer(layout: layout, successors: ChaseCycle.successors(count: lines, seed: context.options.seed),
                                     advice: .noHugePages, loadsPerPass: ChaseBuffer.defaultLoadsPerPass)
        let words = UnsafePointer<UInt64>(buffer.mapping.base.assumingMemoryBound(to: UInt64.self))
        let wordCount = lines * ChaseLayout.lineBytes / 8
        // Word 0 of each line holds the address of a line, every line once; the rest is zero.
        let base = UInt64(UInt(bitPattern: buffer.mapping.base))
        let n = UInt64(lines)
        let linkSum = n &* base &+ UInt64(ChaseLayout.lineBytes) &* (n &* (n &- 1) / 2)
        let mapping = buffer.mapping
        func sequential(_ variant: VariantName, _ kernel: @escaping (UnsafePointer<UInt64>, Int) -> UInt64) -> Workload {
            Workload(variant: variant.rawValue, units: wordCount, bytesPerPass: wordCount * 8,
                     expectedChecksum: Self.checksum(linkSum)) {
                withExtendedLifetime(mapping) { Self.checksum(kernel(words, wordCount)) }
            }
        }
        return [
            buffer.workload(VariantName.chase, kernel: chaseLoads),
            buffer.workload(VariantName.chaseC, kernel: chaseLoadsC),
            sequential(.sequential, sumWords),
            sequential(.sequentialC) { locality_c_sum_words($0, $1) },
        ]
    }

    /// The low 52 bits, which a Double holds exactly.
    static func checksum(_ sum: UInt64) -> Double { Double(sum & ((1 << 52) - 1)) }

    /// The knees of the Swift chase against the sizes the machine reports. Which level holds
    /// each size is the table's `holds` column.
    public func findings(from results: [VariantResult], context: ExperimentContext) -> [String] {
        let machine = context.machine
        let chase = results.filter { $0.isVariant(VariantName.chase) }.sorted { $0.sizeBytes < $1.sizeBytes }
        let landmarks = Landmark.caches(machine) + Landmark.tlbReach(machine.tlbs ?? []) + [Landmark.ruleOfThumb]
        return KneeReport.findings(xs: chase.map { Double($0.sizeBytes) }, ys: chase.map(\.nsPerElement.median),
                                   ranges: chase.map { $0.nsPerElement.min...$0.nsPerElement.max },
                                   noisy: chase.map(\.isNoisy), landmarks: landmarks, describe: { ByteSize(rawValue: Int($0)).approximate })
    }

    public func keySizes(from results: [VariantResult]) -> KeySizes? {
        KneeReport.keySizes(results.filter { $0.isVariant(VariantName.chase) })
    }

    public func sizeLabel(_ size: ByteSize, machine: MachineInfo) -> String? {
        Landmark.level(holding: size.rawValue, machine: machine)
    }

    public func plots(from results: [VariantResult], machine: MachineInfo) -> [Plot] {
        guard results.contains(where: { $0.isVariant(VariantName.chase) }) else { return [] }
        let landmarks = Landmark.caches(machine) + Landmark.tlbReach(machine.tlbs ?? [])
        let x = { (r: VariantResult) in Double(r.sizeBytes) }
        let xs = results.map(x)
        let latency = SVGChart(
            title: "Dependent random load latency against working set (4 KiB pages)",
            xLabel: "working set (bytes, log scale)", yLabel: "ns per load (median, min–max)",
            xScale: .log2, yScale: .log10,
            series: [.init(name: "chase (Swift)", points: KneeReport.points(results, variant: VariantName.chase, x: x)),
                     .init(name: "chase (C)", points: KneeReport.points(results, variant: VariantName.chaseC, x: x))],
            markers: KneeReport.markers(landmarks, within: xs), xTickFormat: NumberFormat.bytes)
        var plots = [Plot(fileName: "working-set-latency.svg", svg: latency.render())]
        let bandwidth = results.filter { $0.isVariant(VariantName.sequential) || $0.isVariant(VariantName.sequentialC) }
        if !bandwidth.isEmpty {
            func series(_ variant: VariantName, _ name: String) -> SVGChart.Series {
                .init(name: name, points: bandwidth.filter { $0.isVariant(variant) }.map {
                    SVGChart.Point(x: Double($0.sizeBytes), y: $0.gbPerSecond ?? 0)
                })
            }
            let chart = SVGChart(
                title: "Sequential read bandwidth against working set", xLabel: "working set (bytes, log scale)",
                yLabel: "GB/s (median)", xScale: .log2,
                series: [series(.sequential, "sequential (Swift)"), series(.sequentialC, "sequential (C)")],
                markers: KneeReport.markers(Landmark.caches(machine), within: xs), xTickFormat: NumberFormat.bytes)
            plots.append(Plot(fileName: "working-set-bandwidth.svg", svg: chart.render()))
        }
        return plots
    }
}
