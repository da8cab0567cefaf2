@testable import Experiments
import Harness
import Testing

/// RSS is the whole process's: other tests run in parallel, so the margins are wide.
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
        guard HugePages.unavailability(thpMode: MachineInfo.current().transparentHugePages) == nil else { return }
        let huge = try VirtualMemoryDemo.firstTouch(bytes: 64 * Self.mib, advice: .hugePages)
        #expect(huge.anonHugePages > 0, "MADV_HUGEPAGE got no huge page")
        #expect(huge.anonHugePages % (2 * Self.mib) == 0)
    }

    @Test func pageFaultVariantsReturnTheirChecksums() throws {
        let workloads = try PageFaults(machine: .current()).prepare(size: .mib(8), options: RunOptions())
        #expect(workloads.map(\.variant).prefix(3) == ["first-touch-4k", "first-touch-huge", "read-zero-page"])
        for workload in workloads {
            #expect(workload.pass() == workload.expectedChecksum, "\(workload.variant)")
        }
        #expect(workloads[0].units == 2048)
        let zero = try #require(workloads.first { $0.variant == "read-zero-page" })
        #expect((zero.extras.first { $0.name == "RSS +MiB after write" }?.value ?? 0) > 4)
    }

    @Test func hugePagesAreSkippedWhenTHPIsOff() {
        #expect(HugePages.unavailability(thpMode: "never") != nil)
        #expect(HugePages.unavailability(thpMode: nil) != nil)
        #expect(HugePages.unavailability(thpMode: "madvise") == nil)
        var machine = MachineInfo.current(root: "/nonexistent")
        machine.transparentHugePages = "never"
        let findings = HugePages(memAvailable: nil).findings(from: [], machine: machine)
        #expect(findings == ["skipped: transparent huge pages are 'never' (/sys/kernel/mm/transparent_hugepage/enabled); nothing was measured"])
    }

    @Test func hugePagesAlternateTheTwoBuffersOverThreeRounds() {
        #expect(HugePages(memAvailable: nil).variants.map(\.name)
            == ["4k-pages", "huge-pages", "4k-pages-2", "huge-pages-2", "4k-pages-3", "huge-pages-3"])
    }

    @Test func hugePagesBuffersAreRoundedToWholeHugePages() {
        #expect(HugePages.lines(.mib(3)) * 64 == 4 << 20)
        #expect(HugePages(memAvailable: nil).footprint(of: .gib(1)) == 2 << 30)
        #expect(HugePages(memAvailable: 1 << 30).defaultSizes.isEmpty)
    }
}
