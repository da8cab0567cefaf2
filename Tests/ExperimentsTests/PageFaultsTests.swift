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
        if MemoryLimits.current(memAvailable: nil).overcommitPolicy == 2 {
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

    /// The limits come from the context: given strict overcommit or a small RLIMIT_AS, the demo
    /// is left out without trying and the findings say which, whatever /proc says here.
    @Test func overcommitDemoIsLeftOutWithItsReasonWhenTheContextsLimitsRefuseIt() throws {
        var context = ExperimentContext.current()
        context.machine.memTotalBytes = 1 << 30
        let reserve = PageFaults.overcommitReservation(on: context.machine)
        func addressSpace(_ limit: Int, inUse: Int) -> MemoryLimits {
            MemoryLimits([MemoryLimit(.addressSpace(limit: limit, inUse: inUse), remainingBytes: limit - inUse)], overcommitPolicy: 0)
        }
        let strict = MemoryLimits([], overcommitPolicy: 2)
        let small = addressSpace(1 << 30, inUse: 0)
        // Above the reserve, but not once the process's own mappings are counted. Before, the
        // VmSize was left out, the mmap was tried and failed, and the findings blamed the policy.
        let tight = addressSpace(reserve + (64 << 20), inUse: 256 << 20)
        let allowing = MemoryLimits([MemoryLimit(.addressSpace(limit: 2 * reserve, inUse: 0), remainingBytes: 2 * reserve)], overcommitPolicy: 1)
        // Strict overcommit with CommitLimit read: that limit decides.
        let committing = MemoryLimits([MemoryLimit(.commitLimit(limit: 2 * reserve, committed: 0), remainingBytes: 2 * reserve)],
                                      overcommitPolicy: 2)
        #expect(PageFaults.overcommitRefusal(reserve: reserve, limits: strict) == "vm.overcommit_memory = 2 ignores MAP_NORESERVE")
        #expect(PageFaults.overcommitRefusal(reserve: reserve, limits: small)
            == "more than the 1G left under the address-space limit (ulimit -v 1G, of which the process's VmSize uses 0B)")
        #expect(PageFaults.overcommitRefusal(reserve: reserve, limits: tight)?
            .hasPrefix("more than the 3.81G left under the address-space limit (ulimit -v 4.06G") == true)
        #expect(PageFaults.overcommitRefusal(reserve: reserve, limits: allowing) == nil)
        #expect(PageFaults.overcommitRefusal(reserve: reserve, limits: committing) == nil)
        #expect(PageFaults.overcommitRefusal(reserve: reserve, limits: nil) == nil)

        context.limits = strict
        let workloads = try PageFaults().prepare(size: .mib(4), context: context)
        #expect(!workloads.contains { $0.variant == "overcommit" })
        let results = workloads.map { workload in
            VariantResult(experiment: "page-faults", variant: workload.variant, sizeBytes: 4 << 20, elements: workload.units,
                          iterations: 1, samples: 1, nsPerElement: Summary([100]), gbPerSecond: nil, counters: [:],
                          unavailable: [:], checksum: 0, extras: workload.extras)
        }
        #expect(PageFaults().findings(from: results, context: context).last
            == "overcommit: mmap of 4G with MAP_NORESERVE refused (vm.overcommit_memory = 2 ignores MAP_NORESERVE); demo skipped")
        context.limits = small
        #expect(PageFaults().findings(from: results, context: context).last?
            .contains("(more than the 1G left under the address-space limit (ulimit -v 1G,") == true)
        context.limits = tight
        #expect(try !PageFaults().prepare(size: .mib(4), context: context).contains { $0.variant == "overcommit" })
        #expect(PageFaults().findings(from: results, context: context).last?
            .contains("refused (more than the 3.81G left under the address-space limit") == true)
        // Limits that allow it but an mmap refused anyway: the policy read is named.
        context.limits = allowing
        #expect(PageFaults().findings(from: results, context: context).last?.contains("(vm.overcommit_memory = 1)") == true)
    }

    /// Each demo's finding, with its counts' source, in at most two 80-column lines.
    @Test func findingsQuoteFaultsWithTheirSourceInTwoLinesEach() {
        func result(_ variant: PageFaults.VariantName, _ ns: Double, faults: Double, _ extras: [Extra]) -> VariantResult {
            let pages = variant == .overcommit ? 16 : 65536
            return VariantResult(experiment: "page-faults", variant: variant.rawValue, sizeBytes: 256 << 20, elements: pages,
                                 iterations: 1, samples: 1, nsPerElement: Summary([ns]), gbPerSecond: nil,
                                 counters: ["perf::PAGE-FAULTS": CounterValue(value: faults * Double(pages), perElement: faults, source: .software)],
                                 unavailable: [:], checksum: 0, extras: extras)
        }
        let results = [
            result(.firstTouch4K, 2129, faults: 1, [Extra(PageFaults.Column.rssGrowthMiB, 256)]),
            result(.firstTouchHuge, 354, faults: 128.0 / 65536, [Extra(PageFaults.Column.rssGrowthMiB, 256), Extra(PageFaults.Column.anonHugePagesMiB, 256)]),
            result(.readZeroPage, 770, faults: 1, [Extra(PageFaults.Column.rssGrowthMiB, 0), Extra(PageFaults.Column.rssGrowthAfterWriteMiB, 256)]),
            result(.overcommit, 8909, faults: 1, [Extra(PageFaults.Column.rssGrowthMiB, 0.0625), Extra(PageFaults.Column.reservedGiB, 94.2)]),
        ]
        var machine = MachineInfo.current(root: "/nonexistent")
        machine.transparentHugePages = "madvise"
        let context = ExperimentContext.fixed(machine)
        let findings = PageFaults().findings(from: results, context: context)
        #expect(findings == [
            "first touch of 256M: 4 KiB pages 65536 faults (1.00/page, sw), huge pages 128 (0.00195/page, sw), "
                + "AnonHugePages 256 MiB: 6.0× as fast",
            "shared zero page: reading the 65536 pages of a fresh 256M mapping, 65536 faults (1.00/page, sw), "
                + "grew its RSS by 0.0 MiB; writing them, by 256.0 MiB",
            "overcommit: wrote 16 pages of 94.2 GiB reserved (4 × MemTotal): RSS +0.1 MiB",
        ])
        #expect(findings.allSatisfy { $0.count + 2 <= 2 * 78 })
        // A noisy result: no speed-up concluded, the line no longer.
        var noisy = results
        noisy[1].noisy = Noise(reasons: [NoiseReason(kind: .descheduled, value: 0.5, limit: 0.9)])
        let first = PageFaults().findings(from: noisy, context: context)[0]
        #expect(first.hasSuffix("AnonHugePages 256 MiB: noisy (!), no speed concluded") && first.count + 2 <= 2 * 78, "\(first)")
    }

    @Test func hugePagesAreSkippedWhenTHPIsOff() {
        #expect(TransparentHugePages.unavailability(thpMode: "never") != nil)
        #expect(TransparentHugePages.unavailability(thpMode: nil) != nil)
        #expect(TransparentHugePages.unavailability(thpMode: "madvise") == nil)
        var machine = MachineInfo.current(root: "/nonexistent")
        machine.transparentHugePages = "never"
        let findings = HugePages().findings(from: [], context: .fixed(machine))
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
        let findings = experiment.findings(from: results, context: .fixed(machine))
        #expect(findings.first?.hasPrefix("4M: huge pages make a dependent random load 1.50× as fast (median of 3 alternated rounds") == true)
        #expect(findings.first?.contains("huge-pages 4 of 4 MiB, 4k-pages 0 MiB") == true)
        // A 3M request gets a 4 MiB buffer: the share is of that buffer, and so is the figure beside it.
        let threeMiB = results.map { r in
            VariantResult(experiment: r.experiment, variant: r.variant, sizeBytes: 3 << 20, elements: r.elements, iterations: 1,
                          samples: 1, nsPerElement: r.nsPerElement, gbPerSecond: nil, counters: [:], unavailable: [:],
                          checksum: 0, extras: r.extras)
        }
        #expect(experiment.findings(from: threeMiB, context: .fixed(machine)).first?.contains("huge-pages 4 of 4 MiB,") == true)
        // One noisy round: the rounds are quoted, no speed-up is concluded.
        var noisy = results
        noisy[3].noisy = Noise(reasons: [NoiseReason(kind: .descheduled, value: 0.5, limit: 0.9)])
        let unconcluded = experiment.findings(from: noisy, context: .fixed(machine)).first ?? ""
        #expect(unconcluded.hasPrefix("4M: no conclusion — a round is noisy (!) (3 alternated rounds: 1.50×"), "\(unconcluded)")
    }

    @Test func hugePagesBuffersAreRoundedToWholeHugePages() {
        #expect(HugePages.lines(.mib(3)) * 64 == 4 << 20)
        // Two 1 GiB buffers and 4 bytes of successor index per 64-byte line.
        #expect(HugePages().footprint(of: .gib(1)) == 2 << 30 + (1 << 30) / 64 * 4)
    }
}
