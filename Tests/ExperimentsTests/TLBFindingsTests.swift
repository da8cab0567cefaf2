@testable import Experiments
import Harness
import Testing

/// tlb's findings and the rows a terminal shows of its sweep, on a machine with L1d 32K, L2 1M,
/// an L1 dTLB of 72 entries and an L2 TLB of 3072 (8-way), whatever this one has.
@Suite struct TLBFindingsTests {
    static let machine = MachineInfo.simulated(
        caches: LoopOrderTests.machine.caches,
        tlbs: [TLBLevel(level: 1, type: .data, pageBytes: 4096, entries: 72, ways: nil),
               TLBLevel(level: 2, type: .data, pageBytes: 4096, entries: 3072, ways: 8),
               TLBLevel(level: 1, type: .data, pageBytes: 2 << 20, entries: 72, ways: nil)])

    /// page-stride at 8…32768 pages: flat to 64 pages, a step at 128 (the L1 dTLB), flat to
    /// 2048, a step at 4096 (the L2 TLB), flat to the end; packed flat throughout.
    static var results: [VariantResult] {
        (3...15).flatMap { shift -> [VariantResult] in
            let pages = 1 << shift
            let strided = pages <= 64 ? 1.1 : pages <= 2048 ? 3.0 : 12.0
            return [("page-stride", strided), ("packed", 1.1)].map { variant, ns in
                VariantResult(experiment: "tlb", variant: variant, sizeBytes: pages * 4096, elements: 1000, iterations: 1, samples: 3,
                              nsPerElement: Summary(median: ns, min: ns * 0.99, max: ns * 1.01), gbPerSecond: nil, counters: [:],
                              unavailable: [:], checksum: 0)
            }
        }
    }

    @Test func findingsNameTheTLBsTheKneesAndTheL2() {
        let lines = TLB().findings(from: Self.results, context: .fixed(Self.machine))
        #expect(lines == [
            "cpuid for 4 KiB pages: L1 dTLB 72 entries → 288K, L2 dTLB 3072 (8-way) → 12M",
            "from 16384 pages (64M) the lines fill the L2: not all of it is the TLB",
            "knee 2.7× at 64 → 128 pages: cpuid L1 dTLB 72 entries, 400 KB rule (~98 pages)",
            "knee 4.0× at 2048 → 4096 pages: cpuid L2 dTLB 3072 entries",
        ], "\(lines)")
    }

    /// The terminal's rows: the ends and both sides of each knee; nil where that is every size.
    @Test func keySizesAreTheEndsAndBothSidesOfEachKnee() {
        #expect(TLB().keySizes(from: Self.results)?.sizes == ["32K", "256K", "512K", "8M", "16M", "128M"])
        // Two sizes astride a knee: both are key, so none is left out.
        let astride = Self.results.filter { $0.sizeBytes == 256 << 10 || $0.sizeBytes == 512 << 10 }
        #expect(TLB().keySizes(from: astride) == nil)
    }
}
