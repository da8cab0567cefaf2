import Foundation
@testable import Experiments
import Harness
import Testing

/// Each experiment's extra columns are declared once (an `ExtraKey` enum): `prepare` writes them
/// and the findings read them by the same case. These tests hold the labels reports show to
/// what they were as strings, and every label a workload writes to its experiment's declaration.
@Suite struct ExtraColumnsTests {
    /// The labels are in JSON, CSV headers and baselines: renaming one is a change of the report.
    @Test func labelsAreTheColumnNamesReportsShow() {
        #expect(Alloc.Column.allCases.map(\.rawValue)
            == ["usable B", "mmap'd", "mmap'd 1st", "trace×", "p50 ns", "p99 ns", "max ns", "unresolved <ns"])
        #expect(TLB.Column.allCases.map(\.rawValue) == ["pages"])
        #expect(HugePages.Column.allCases.map(\.rawValue) == ["AnonHugePages MiB", "huge %"])
        #expect(PageFaults.Column.allCases.map(\.rawValue)
            == ["RSS +MiB", "RSS +MiB after write", "AnonHugePages MiB", "reserved GiB"])
        #expect(Layout.Column.allCases.map(\.rawValue) == ["B/elem", "pages", "page switch/elem", "setup ms"])
    }

    /// What `prepare` writes is what the experiment declares, so a finding reading a declared
    /// key reads what was measured.
    @Test func workloadsWriteOnlyDeclaredColumns() throws {
        func labels(_ workloads: [Workload]) -> Set<String> { Set(workloads.flatMap { $0.extras.map(\.name) }) }
        func declared<Key: ExtraKey>(_: Key.Type) -> Set<String> { Set(Key.allCases.map(\.rawValue)) }
        let alloc = labels(try Alloc().prepare(size: ByteSize(rawValue: 190), options: RunOptions()))
        #expect(!alloc.isEmpty && alloc.isSubset(of: declared(Alloc.Column.self)), "\(alloc)")
        let tlb = labels(try TLB().prepare(size: .kib(64), options: RunOptions()))
        #expect(tlb == declared(TLB.Column.self))
        let layout = labels(try Layout().prepare(size: .kib(16), options: RunOptions()))
        #expect(layout == declared(Layout.Column.self))
        let faults = labels(try PageFaults().prepare(size: .mib(2), options: RunOptions()))
        #expect(faults.isSuperset(of: [PageFaults.Column.rssGrowthMiB.rawValue, PageFaults.Column.rssGrowthAfterWriteMiB.rawValue])
                && faults.isSubset(of: declared(PageFaults.Column.self)), "\(faults)")
        let huge = labels(try HugePages().prepare(size: .mib(2), options: RunOptions()))
        #expect(huge.isEmpty || huge == declared(HugePages.Column.self), "\(huge)")
    }

    /// A result read back from JSON answers by key: the key's raw value is the label written.
    @Test func aColumnReadsBackByItsKeyAfterJSON() throws {
        let result = VariantResult(experiment: "alloc", variant: "batched", sizeBytes: 64, elements: 1, iterations: 1, samples: 1,
                                   nsPerElement: Summary([1]), gbPerSecond: nil, counters: [:], unavailable: [:], checksum: 0,
                                   extras: [Extra(Alloc.Column.mmapped, 1), Extra(Alloc.Column.p50, 20)])
        let decoded = try JSONDecoder().decode(VariantResult.self, from: JSONEncoder().encode(result))
        #expect(decoded.extras.map(\.name) == ["mmap'd", "p50 ns"])
        #expect(decoded.extra(Alloc.Column.mmapped) == 1)
        #expect(decoded.extra(Alloc.Column.p99) == nil)
    }
}
