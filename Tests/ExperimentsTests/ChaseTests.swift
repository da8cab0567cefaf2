import CReference
import Counters
@testable import Experiments
import Harness
import Testing

@Suite struct ChaseTests {
    @Test func splitMix64MatchesItsReferenceOutputs() {
        var generator = SeededGenerator(seed: 0)
        #expect(generator.next() == 0xE220_A839_7B1D_CDAF)
        #expect(generator.next() == 0x6E78_9E6A_A1B9_65F4)
        var a = SeededGenerator(seed: 42), b = SeededGenerator(seed: 42)
        #expect((0..<4).map { _ in a.next() } == (0..<4).map { _ in b.next() })
    }

    @Test(arguments: [1, 2, 3, 64, 1000, 65536])
    func permutationIsOneCycleThroughEverySlot(count: Int) {
        let next = ChaseCycle.successors(count: count, seed: RunOptions.defaultSeed)
        #expect(next.count == count)
        #expect(ChaseCycle.isSingleCycle(next))
        #expect(Set(next).count == count)
    }

    @Test func sameSeedSamePermutationOtherSeedAnother() {
        #expect(ChaseCycle.successors(count: 4096, seed: 7) == ChaseCycle.successors(count: 4096, seed: 7))
        #expect(ChaseCycle.successors(count: 4096, seed: 7) != ChaseCycle.successors(count: 4096, seed: 8))
    }

    @Test func cycleCheckRejectsSeveralCyclesAndFixedPoints() {
        #expect(!ChaseCycle.isSingleCycle([1, 0, 3, 2]))
        #expect(!ChaseCycle.isSingleCycle([0, 2, 1]))
        #expect(!ChaseCycle.isSingleCycle([1, 1, 0]))
        #expect(ChaseCycle.isSingleCycle([1, 2, 0]))
        #expect(ChaseCycle.slot(after: 2, successors: [1, 2, 0]) == 2)
        #expect(ChaseCycle.slot(after: 4, successors: [1, 2, 0]) == 1)
    }

    /// Walks the links in memory: every slot once, back to the start, each where its layout says.
    func walk(_ buffer: ChaseBuffer) -> [Int] {
        var offsets: [Int] = []
        var p = buffer.start
        for _ in 0..<buffer.layout.slots {
            offsets.append(p - UnsafeRawPointer(buffer.mapping.base))
            p = p.load(as: UnsafeRawPointer.self)
        }
        #expect(p == buffer.start)
        return offsets
    }

    @Test func linesLayoutLinksEveryLineOnce() throws {
        let layout = ChaseLayout.lines(1000)
        let buffer = try ChaseBuffer(layout: layout, successors: ChaseCycle.successors(count: 1000, seed: 3),
                                     advice: .noHugePages, loadsPerPass: 100)
        let offsets = walk(buffer)
        #expect(Set(offsets) == Set((0..<1000).map { $0 * 64 }))
    }

    @Test func pagesLayoutTouchesOneLinePerPageSpreadOverLines() throws {
        let layout = ChaseLayout.pages(512, seed: 1)
        let buffer = try ChaseBuffer(layout: layout, successors: ChaseCycle.successors(count: 512, seed: 1),
                                     advice: .noHugePages, loadsPerPass: 100)
        let offsets = walk(buffer)
        #expect(Set(offsets.map { $0 / 4096 }) == Set(0..<512))
        #expect(offsets.allSatisfy { $0 % 64 == 0 })
        // Lines spread over the page, so over the cache sets: most of the 64 are used.
        #expect(Set(offsets.map { ($0 % 4096) / 64 }).count > 48)
    }

    @Test func swiftAndCChasesStopAtTheSameSlotPassAfterPass() throws {
        let buffer = try ChaseBuffer(layout: .lines(777), successors: ChaseCycle.successors(count: 777, seed: 5),
                                     advice: .none, loadsPerPass: 1000)
        let swift = buffer.workload(WorkingSet.VariantName.chase, kernel: chaseLoads), c = buffer.workload(WorkingSet.VariantName.chaseC, kernel: chaseLoadsC)
        let first = swift.pass()
        #expect(first == swift.expectedChecksum)
        #expect(c.pass() == first)
        // Passes go on where the last stopped.
        for _ in 0..<5 { #expect(swift.pass() == c.pass()) }
        #expect(swift.pass() != first || 777 % 1000 == 0)
    }

    @Test(arguments: [0, 1, 7, 8, 9, 1001])
    func sumsAgreeWithANaiveLoop(count: Int) {
        let words = (0..<count).map { UInt64($0) &* 0x9E37_79B9_7F4A_7C15 }
        let naive = words.reduce(0, &+)
        words.withUnsafeBufferPointer { buffer in
            let base = buffer.baseAddress ?? UnsafePointer(bitPattern: 8)!
            #expect(sumWords(base, count) == naive)
            #expect(locality_c_sum_words(base, count) == naive)
        }
    }

    @Test(arguments: [64, 1000, 4096, 409_600, 1 << 20])
    func workingSetVariantsReturnTheirChecksums(bytes: Int) throws {
        let workloads = try WorkingSet().prepare(size: ByteSize(rawValue: bytes), options: RunOptions())
        #expect(workloads.map(\.variant) == WorkingSet().variants.map(\.name))
        for workload in workloads {
            #expect(workload.pass() == workload.expectedChecksum, "\(workload.variant) at \(bytes)")
        }
        #expect(workloads[0].units == ChaseBuffer.defaultLoadsPerPass)
        #expect(workloads[2].bytesPerPass == bytes / 64 * 64)
    }

    @Test func defaultSizesAreCappedByAvailableMemory() {
        #expect(WorkingSet().defaultSizes.count == 12)
        var run = SuiteRun(experiments: [WorkingSet()], sizes: nil,
                           runner: Runner(configuration: RunConfiguration(), plan: CounterPlan(requested: [], groups: [], unavailable: [:]),
                                          library: nil),
                           machine: MachineInfo.current(root: "/nonexistent"))
        let limits = MemoryLimits([MemoryLimit(.memAvailable, remainingBytes: 600 << 20)])
        run.sizing.memoryLimits = limits
        let (planned, leftOut) = run.sizing.plannedSizes(limits: limits)
        #expect(planned["working-set"]?.last == .mib(256))
        #expect(leftOut.map(\.size) == [.gib(1)])
    }

    @Test func tlbVariantsShareTheCycleAndCountPages() throws {
        let workloads = try TLB().prepare(size: .kib(512), options: RunOptions())
        #expect(workloads.map(\.variant) == ["page-stride", "packed"])
        #expect(workloads.map { $0.extra(TLB.Column.pages) } == [128, 2])
        for workload in workloads { #expect(workload.pass() == workload.expectedChecksum) }
        #expect(TLB().defaultSizes.first == .kib(32))
        #expect(TLB().defaultSizes.last == .mib(128))
    }

    @Test func suiteKnowsTheFourExperiments() {
        for name in ["working-set", "tlb", "huge-pages", "page-faults"] {
            #expect(Suite.experiment(named: name)?.name == name)
        }
    }
}
