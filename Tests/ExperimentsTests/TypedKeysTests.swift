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

/// Each experiment names its variants once (a `VariantKey`): the declaration, `prepare` and the
/// findings use the same cases, so a rename cannot leave one of them behind.
@Suite struct VariantNamesTests {
    @Test func declaredVariantsAreTheKeysNamesInOrder() {
        #expect(LoopOrder().variants.map(\.name) == LoopOrder.VariantName.allCases.map(\.rawValue))
        #expect(Layout().variants.map(\.name) == Layout.VariantName.allCases.map(\.rawValue))
        #expect(WorkingSet().variants.map(\.name) == WorkingSet.VariantName.allCases.map(\.rawValue))
        #expect(TLB().variants.map(\.name) == TLB.VariantName.allCases.map(\.rawValue))
        #expect(PageFaults().variants.map(\.name) == PageFaults.VariantName.allCases.map(\.rawValue))
        #expect(Alloc().variants.map(\.name) == Alloc.VariantName.allCases.map(\.rawValue))
        #expect(HugePages().variants.map(\.name) == HugePages.variantNames.map(\.rawValue))
        // The rounds' names read back as the same keys, and no other name does.
        #expect(HugePages.variantNames.allSatisfy { HugePages.VariantName(rawValue: $0.rawValue) == $0 })
        #expect(HugePages.VariantName(rawValue: "huge-pages-4") == nil)
        #expect(HugePages.VariantName(.huge, round: 2).rawValue == "huge-pages-2")
    }

    /// Baselines and ratio partners name declared variants (a typo would leave ratios empty).
    @Test func baselinesAndPartnersAreDeclaredVariants() {
        for experiment in Suite.all {
            let names = Set(experiment.variants.map(\.name))
            #expect(names.contains(experiment.baselineVariant), "\(experiment.name)")
            for variant in experiment.variants {
                #expect(names.contains(experiment.ratioPartner(of: variant.name)), "\(experiment.name)/\(variant.name)")
            }
        }
    }

    /// A result answers `isVariant` for its own key only.
    @Test func resultsArePickedByKey() {
        let result = VariantResult(experiment: "loop-order", variant: "column-major", sizeBytes: 64, elements: 1, iterations: 1,
                                   samples: 1, nsPerElement: Summary([1]), gbPerSecond: nil, counters: [:], unavailable: [:], checksum: 0)
        #expect(result.isVariant(LoopOrder.VariantName.columnMajor))
        #expect(!result.isVariant(LoopOrder.VariantName.rowMajor))
    }
}
