@testable import Experiments
import Harness
import Testing

/// RSS is the mapping's own (smaps), so tests running in parallel do not move it.
@Suite(.serialized) struct PageFaultsTests {
    static let mib = 1 << 20

    @Test func readingFreshMemoryMapsTheZeroPageWritingItCostsFullSize() throws {
        let demo = try VirtualMemoryDemo.zeroPage(bytes: 128 * Self.mib)
        #expect(demo.sumRead == 0)
        #expect(demo.readGrowth < 24 * Self.mib, "read grew RSS by \(demo.readGrowth)")
        #expect(demo.writeGrowth > 100 * Self.mib, "write grew RSS by \(demo.writeGrowth)")
    }

    @Test func reservingFourTimesTheMachineCostsOnlyTheTouchedPages() throws {
        let total = try #require(MachineInfo.current().memTotalBytes)
        if VirtualMemoryDemo.overcommitPolicy() == 2 {
            #expect(throws: MappingError.self) { try VirtualMemoryDemo.overcommit(reserve: 4 * total, touchPages: 16) }
            return
        }
        let demo = try VirtualMemoryDemo.overcommit(reserve: 4 * total, touchPages: 16)
        #expect(demo.reserved >= 4 * total)
        #expect(demo.touchedPages == 16)
        #expect(demo.rssGrowth < 16 * Self.mib, "RSS grew by \(demo.rssGrowth)")
    }

    @Test func firstTouchGrowsRSSAndHugeAdviceGetsHugePages() throws {
        let small = try VirtualMemoryDemo.firstTouch(bytes: 64 * Self.mib, advice: .noHugePages)
        #expect(small.rssGrowth > 48 * Self.mib)
        #expect(small.anonHugePages == 0)
        guard TransparentHugePages.unavailability(thpMode: MachineInfo.current().transparentHugePages) == nil else { return }
        let huge = try VirtualMemoryDemo.firstTouch(bytes: 64 * Self.mib, advice: .hugePages)
        #expect(huge.anonHugePages > 0, "MADV_HUGEPAGE got no huge page")
        #expect(huge.anonHugePages % (2 * Self.mib) == 0)
    }

    @Test func pageFaultVariantsReturnTheirChecksums() throws {
        let workloads = try PageFaults().prepare(size: .mib(8), options: RunOptions())
        #expect(workloads.map(\.variant).prefix(3) == ["first-touch-4k", "first-touch-huge", "read-zero-page"])
        for workload in workloads {
            #expect(workload.pass() == workload.expectedChecksum, "\(workload.variant)")
        }
        #expect(workloads[0].units == 2048)
        let zero = try #require(workloads.first { $0.variant == "read-zero-page" })
        #expect((zero.extra(PageFaults.Column.rssGrowthAfterWriteMiB) ?? 0) > 4)
    }

    @Test func hugePagesAreSkippedWhenTHPIsOff() {
        #expect(TransparentHugePages.unavailability(thpMode: "never") != nil)
        #expect(TransparentHugePages.unavailability(thpMode: nil) != nil)
        #expect(TransparentHugePages.unavailability(thpMode: "madvise") == nil)
        var machine = MachineInfo.current(root: "/nonexistent")
        machine.transparentHugePages = "never"
        let findings = HugePages().findings(from: [], machine: machine)
        #expect(findings == ["skipped: transparent huge pages are 'never' (/sys/kernel/mm/transparent_hugepage/enabled); nothing was measured"])
    }

    @Test func hugePagesAlternateTheTwoBuffersOverThreeRounds() {
        #expect(HugePages().variants.map(\.name)
            == ["4k-pages", "huge-pages", "4k-pages-2", "huge-pages-2", "4k-pages-3", "huge-pages-3"])
    }

    @Test func hugePagesWorkloadsFollowTheSameCycleAndFindingsQuoteEachRound() throws {
        let experiment = HugePages()
        let machine = MachineInfo.current()
        guard TransparentHugePages.unavailability(thpMode: machine.transparentHugePages) == nil else {
            #expect(try experiment.prepare(size: .mib(4), options: RunOptions()).isEmpty)
            return
        }
        let workloads = try experiment.prepare(size: .mib(4), options: RunOptions())
        #expect(workloads.count == 6)
        for workload in workloads { #expect(workload.pass() == workload.expectedChecksum, "\(workload.variant)") }
        #expect(workloads[0].extra(HugePages.Column.hugeShare) == 0)
        #expect((workloads[1].extra(HugePages.Column.hugeShare) ?? 0) > 0)

        let results = workloads.enumerated().map { index, workload in
            VariantResult(experiment: "huge-pages", variant: workload.variant, sizeBytes: 4 << 20, elements: workload.units,
                          iterations: 1, samples: 1, nsPerElement: Summary([index % 2 == 0 ? 300 : 200]), gbPerSecond: nil,
                          counters: [:], unavailable: [:], checksum: 0,
                          extras: [Extra(HugePages.Column.anonHugePagesMiB, index % 2 == 0 ? 0 : 4),
                                   Extra(HugePages.Column.hugeShare, index % 2 == 0 ? 0 : 100)])
        }
        let findings = experiment.findings(from: results, machine: machine)
        #expect(findings.first?.hasPrefix("4M: huge pages make a dependent random load 1.50× as fast (median of 3 alternated rounds") == true)
        #expect(findings.first?.contains("huge-pages 4 of 4 MiB, 4k-pages 0") == true)
        // A 3M request gets a 4 MiB buffer: the share is of that buffer, and so is the figure beside it.
        let threeMiB = results.map { r in
            VariantResult(experiment: r.experiment, variant: r.variant, sizeBytes: 3 << 20, elements: r.elements, iterations: 1,
                          samples: 1, nsPerElement: r.nsPerElement, gbPerSecond: nil, counters: [:], unavailable: [:],
                          checksum: 0, extras: r.extras)
        }
        #expect(experiment.findings(from: threeMiB, machine: machine).first?.contains("huge-pages 4 of 4 MiB,") == true)
        // One noisy round: the rounds are quoted, no speed-up is concluded.
        var noisy = results
        noisy[3].noisy = Noise(reasons: [NoiseReason(kind: .descheduled, value: 0.5, limit: 0.9)])
        let unconcluded = experiment.findings(from: noisy, machine: machine).first ?? ""
        #expect(unconcluded.hasPrefix("4M: no conclusion — a round is noisy (!) (3 alternated rounds: 1.50×"), "\(unconcluded)")
    }

    @Test func hugePagesBuffersAreRoundedToWholeHugePages() {
        #expect(HugePages.lines(.mib(3)) * 64 == 4 << 20)
        // Two 1 GiB buffers and 4 bytes of successor index per 64-byte line.
        #expect(HugePages().footprint(of: .gib(1)) == 2 << 30 + (1 << 30) / 64 * 4)
    }
}
