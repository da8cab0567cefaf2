import Counters
import Foundation
import Harness

/// What virtual memory does for you, measured: first touch costs a fault per page (one per
/// 2 MiB with huge pages), reading untouched memory costs no memory (the shared zero page),
/// and reserving far more than the machine has costs nothing until it is touched.
///
/// A pass maps fresh memory, touches it and unmaps it, since a page faults only once: the time
/// per page therefore includes mmap, the fault, zeroing the frame and freeing it at munmap.
/// The mapping's resident size and AnonHugePages are read while preparing, in one probe pass per variant, and shown
/// beside the timings.
public struct PageFaults: Experiment {
    static let overcommitTouches = 16
    static let pageBytes = AnonymousMapping.pageBytes

    public let name = "page-faults"
    public let summary = "first touch (4 KiB, huge pages), the shared zero page, overcommit"
    public let sizeMeaning = "the fresh mapping each pass touches (the overcommit demo reserves 4 × MemTotal whatever the size)"
    public let unit = "page"
    public let baselineVariant = VariantName.firstTouch4K.rawValue
    enum VariantName: String, VariantKey, CaseIterable {
        case firstTouch4K = "first-touch-4k", firstTouchHuge = "first-touch-huge", readZeroPage = "read-zero-page", overcommit
    }
    public let variants = [
        Variant(VariantName.firstTouch4K, "map, write one byte per 4 KiB page (MADV_NOHUGEPAGE), unmap"),
        Variant(VariantName.firstTouchHuge, "the same with MADV_HUGEPAGE: one fault per 2 MiB page"),
        Variant(VariantName.readZeroPage, "map, read one byte per 4 KiB page, unmap: every page maps the shared zero page"),
        Variant(VariantName.overcommit, "map 4 × MemTotal with MAP_NORESERVE, write \(overcommitTouches) pages spread over it, unmap"),
    ]
    public init() {}

    // 256 MiB: a 4 KiB first-touch pass over it takes ~0.1–0.5 s here (65536 faults), and the
    // runner needs about seven passes per variant; `--sizes 1G` shows 262144 faults against 512.
    public var defaultSizes: [ByteSize] { [.mib(256)] }
    /// None: first touch of a mapping large enough to mean something is slow under valgrind.
    public var simulationSizes: [ByteSize] { [] }
    public var quickSizes: [ByteSize] { [.mib(64)] }

    /// One page, the unit of a fault (a smaller size would be measured as one whole page).
    public let minimumSize = ByteSize(rawValue: pageBytes)

    static func pages(_ size: ByteSize) -> Int { max(size.rawValue / pageBytes, 1) }

    /// One mapping at a time, touched whole.
    public func footprint(of size: ByteSize) -> Int { Self.pages(size) * Self.pageBytes }

    /// The mapping and, for huge pages, the slack mapped to align it to 2 MiB. The overcommit
    /// demo's reservation is left out: where it cannot be mapped the demo is skipped and the
    /// findings say why.
    public func addressSpace(of size: ByteSize) -> Int { footprint(of: size) + AnonymousMapping.hugePageBytes }

    /// The overcommit demo's reservation: 4 × MemTotal (64 GiB when MemTotal is unknown).
    static func overcommitReservation(on machine: MachineInfo) -> Int { 4 * (machine.memTotalBytes ?? (16 << 30)) }

    public func prepare(size: ByteSize, context: ExperimentContext) throws -> [Workload] {
        let pages = Self.pages(size)
        let bytes = pages * Self.pageBytes
        let mib = { (b: Int) in Extra(Column.rssGrowthMiB, Double(b) / 1_048_576) }

        func firstTouch(_ variant: VariantName, _ advice: PageAdvice) throws -> Workload {
            let probe = try VirtualMemoryDemo.firstTouch(bytes: bytes, advice: advice)
            var extras = [mib(probe.rssGrowth)]
            if advice == .hugePages { extras.append(Extra(Column.anonHugePagesMiB, Double(probe.anonHugePages) / 1_048_576)) }
            return Workload(variant: variant.rawValue, units: pages, bytesPerPass: nil, expectedChecksum: Double(pages), extras: extras) {
                guard let mapping = try? AnonymousMapping(bytes: bytes, advice: advice) else { return -1 }
                return Double(mapping.touchEveryPage())
            }
        }

        let zero = try VirtualMemoryDemo.zeroPage(bytes: bytes)
        let readZero = Workload(variant: VariantName.readZeroPage.rawValue, units: pages, bytesPerPass: nil, expectedChecksum: Double(pages),
                                extras: [mib(zero.readGrowth), Extra(Column.rssGrowthAfterWriteMiB, Double(zero.writeGrowth) / 1_048_576)]) {
            guard let mapping = try? AnonymousMapping(bytes: bytes, advice: .noHugePages) else { return -1 }
            return Double(pages + mapping.readEveryPage())
        }

        var workloads = [try firstTouch(.firstTouch4K, .noHugePages)]
        // Without transparent huge pages there is nothing to compare; the findings say why.
        if TransparentHugePages.unavailability(thpMode: context.machine.transparentHugePages) == nil {
            workloads.append(try firstTouch(.firstTouchHuge, .hugePages))
        }
        workloads.append(readZero)
        // Where the run's limits already refuse the reservation (vm.overcommit_memory = 2, a
        // smaller RLIMIT_AS) the demo is left out without trying; where the mmap fails anyway,
        // too. The findings say why.
        let reserve = Self.overcommitReservation(on: context.machine)
        if Self.overcommitRefusal(reserve: reserve, limits: context.limits) == nil,
           let demo = try? VirtualMemoryDemo.overcommit(reserve: reserve, touchPages: Self.overcommitTouches) {
            let touches = demo.touchedPages
            workloads.append(Workload(variant: VariantName.overcommit.rawValue, units: touches, bytesPerPass: nil, expectedChecksum: Double(touches),
                                      extras: [mib(demo.rssGrowth), Extra(Column.reservedGiB, Double(demo.reserved) / Double(1 << 30))]) {
                guard let mapping = try? AnonymousMapping(bytes: reserve, reserve: false) else { return -1 }
                return Double(VirtualMemoryDemo.touchSpread(mapping, pages: touches))
            })
        }
        return workloads
    }

    /// Why the run's limits refuse a MAP_NORESERVE mapping of `reserve` bytes whose
    /// `overcommitTouches` pages are written: RLIMIT_AS counts every mapping the process has
    /// (VmSize) besides it, and under vm.overcommit_memory = 2 MAP_NORESERVE is ignored and
    /// CommitLimit counts it (said from the policy alone where /proc/meminfo was not read).
    /// Nil where they allow it, or were not read (under valgrind).
    static func overcommitRefusal(reserve: Int, limits: MemoryLimits?) -> String? {
        guard let limits else { return nil }
        if let (limit, _) = limits.refusing(footprint: overcommitTouches * pageBytes, addressSpace: reserve) {
            return "more than the \(NumberFormat.preciseBytes(limit.remainingBytes)) left under \(limit.source)"
        }
        let commitLimitRead = limits.limits.contains { if case .commitLimit = $0.kind { true } else { false } }
        if limits.overcommitPolicy == 2 && !commitLimitRead { return "vm.overcommit_memory = 2 ignores MAP_NORESERVE" }
        return nil
    }

    /// The first-touch, zero-page and overcommit demos, each in one or two 80-column lines, from
    /// the results and the limits the run read (the context).
    public func findings(from results: [VariantResult], context: ExperimentContext) -> [String] {
        let machine = context.machine
        var lines: [String] = []
        for size in results.measuredSizes {
            let at = results.filter { $0.sizeBytes == size }
            func row(_ variant: VariantName) -> VariantResult? { at.first { $0.isVariant(variant) } }
            let label = ByteSize(rawValue: size).description
            let pages = size / Self.pageBytes
            if let small = row(.firstTouch4K), let huge = row(.firstTouchHuge) {
                let hugeMiB = huge.extra(Column.anonHugePagesMiB) ?? 0
                // The times per page are the table's; the faults explain them.
                lines.append("first touch of \(label): 4 KiB pages \(faults(small, pages: pages)), "
                    + "huge pages \(faults(huge, pages: pages, named: false)), AnonHugePages \(Int(hugeMiB)) MiB: "
                    + (small.isNoisy || huge.isNoisy ? "noisy (\(Noise.marker)), no speed concluded"
                        : "\(String(format: "%.1f", small.nsPerElement.median / huge.nsPerElement.median))× as fast")
                    + (hugeMiB < Double(size >> 20) ? ", fewer huge pages than asked for" : ""))
            }
            if row(.firstTouch4K) != nil, row(.firstTouchHuge) == nil,
               let reason = TransparentHugePages.unavailability(thpMode: machine.transparentHugePages) {
                lines.append("first touch with huge pages: skipped — \(reason)")
            }
            if let zero = row(.readZeroPage) {
                lines.append("shared zero page: reading the \(pages) pages of a fresh \(label) mapping, "
                    + "\(faults(zero, pages: pages)), grew its RSS by \(mib(zero.extra(Column.rssGrowthMiB))) MiB; "
                    + "writing them, by \(mib(zero.extra(Column.rssGrowthAfterWriteMiB))) MiB")
            }
        }
        let reserve = Self.overcommitReservation(on: machine)
        if let over = results.first(where: { $0.isVariant(VariantName.overcommit) }) {
            lines.append("overcommit: wrote \(over.elements) pages of \(String(format: "%.1f", over.extra(Column.reservedGiB) ?? 0)) GiB "
                + "reserved (4 × MemTotal): RSS +\(mib(over.extra(Column.rssGrowthMiB))) MiB")
        } else if !results.isEmpty {
            let reason = Self.overcommitRefusal(reserve: reserve, limits: context.limits)
                ?? context.limits?.overcommitPolicy.map { "vm.overcommit_memory = \($0)" } ?? "overcommit policy unknown"
            lines.append("overcommit: mmap of \(ByteSize(rawValue: reserve).approximate) with MAP_NORESERVE refused (\(reason)); demo skipped")
        }
        return lines
    }

    /// Faults per pass and per page from the software counter (`65536 faults (1.00/page, sw)`,
    /// without the word where the sentence named it already), or why they are missing.
    private func faults(_ result: VariantResult, pages: Int, named: Bool = true) -> String {
        let event = WellKnownEvent.pageFaults
        guard let counter = result.counter(event) else { return "faults not counted (\(event.rawValue) not requested or unavailable)" }
        let perPass = counter.perElement * Double(pages)
        return String(format: named ? "%.0f faults (" : "%.0f (", perPass)
            + String(format: counter.perElement >= 0.1 ? "%.2f/page" : "%.3g/page", counter.perElement) + ", \(counter.source.rawValue))"
    }

    private func mib(_ value: Double?) -> String { value.map { String(format: "%.1f", $0) } ?? "?" }
}
