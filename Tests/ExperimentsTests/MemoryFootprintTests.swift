import Foundation
@testable import Experiments
import Harness
import Testing

/// What the experiments declare to the memory check (footprint, address space, smallest size)
/// against what they allocate, and allocations that fail with an error instead of a trap.
@Suite struct MemoryFootprintTests {
    // MARK: smallest sizes

    @Test func everyExperimentStatesItsSmallestSizeAndItsDefaultsRespectIt() {
        let minimums = Dictionary(uniqueKeysWithValues: Suite.all.map { ($0.name, $0.minimumSize.rawValue) })
        #expect(minimums == ["loop-order": 32, "layout": 16, "working-set": 64, "tlb": 4096, "huge-pages": 2 << 20,
                             "page-faults": 4096, "alloc": 1])
        for experiment in Suite.all {
            for size in experiment.defaultSizes + experiment.simulationSizes {
                #expect(size >= experiment.minimumSize, "\(experiment.name) \(size)")
            }
        }
        // At its smallest, loop-order's matrix has two rows and two columns, and it fits.
        #expect(Matrix.squareSide(fitting: LoopOrder().minimumSize.rawValue) == 2)
        #expect(LoopOrder().footprint(of: LoopOrder().minimumSize) <= LoopOrder().minimumSize.rawValue)
        #expect(LayoutData.count(fitting: Layout().minimumSize.rawValue) * LayoutData.payloadBytes <= Layout().minimumSize.rawValue)
        #expect(TLB.pages(TLB().minimumSize) * 4096 == TLB().minimumSize.rawValue)
    }

    // MARK: footprints against what is allocated

    @Test func allocOccupiesItsBuffersButMapsTheWholeBlock() {
        let alloc = Alloc()
        // The block is never touched: a 1G request occupies a few pages, yet maps 1G.
        #expect(alloc.footprint(of: .gib(1)) < 1 << 20)
        #expect(alloc.addressSpace(of: .gib(1)) > 1 << 30)
        // The per-call ticks (20 000 × 8 bytes) are part of it; so are, at 16 B, the strategies'
        // buffers and the 1024 class instances of a pass.
        #expect(alloc.footprint(of: ByteSize(rawValue: 100)) >= Alloc.perCallCount(bytes: 100) * 8 + Alloc.callsPerPass * 8)
        #expect(Alloc.bufferBytes(16) - Alloc.bufferBytes(24) >= Alloc.objects * (40 + 48))
    }

    @Test func layoutsBoundCoversWhatItsStructuresOccupy() throws {
        let count = 4096
        let structures = LayoutStructures(count: count, seed: 5, pageSize: 4096)
        // Bytes per element measured in glibc's heap (malloc_usable_size + the size word).
        let measured = structures.flat.shape.bytesPerElement + structures.indexList.shape.bytesPerElement
            + structures.nested.shape.bytesPerElement
            + structures.boxes.inOrderShape.bytesPerElement + Double(MemoryLayout<Int>.stride)   // + the shuffled references
            + structures.listInOrder.shape.bytesPerElement + structures.listShuffled.shape.bytesPerElement
            + Double(MemoryLayout<Int>.stride)                                                  // the permutation
            + 2 * Double(MemoryLayout<Int>.stride)                                              // build temporaries
        #expect(measured > 200)
        #expect(measured <= Double(Layout.bytesPerElementBound))
        #expect(Layout().footprint(of: ByteSize(rawValue: count * 16)) == count * Layout.bytesPerElementBound)
    }

    @Test func pageFaultsMapsTheHugePageAlignmentSlackBesideItsMapping() {
        let experiment = PageFaults()
        #expect(experiment.footprint(of: .mib(8)) == 8 << 20)
        #expect(experiment.addressSpace(of: .mib(8)) == (8 << 20) + AnonymousMapping.hugePageBytes)
    }

    // MARK: a refused allocation is an error, not a trap

    @Test func loopOrdersMatrixFailsWithAnError() throws {
        // A 2^22 × 2^22 matrix: 128 TiB, more than any machine gives; malloc refuses it at once.
        let error = #expect(throws: AllocationFailure.self) {
            _ = try LoopOrder().prepare(size: ByteSize(rawValue: 1 << 47), options: RunOptions())
        }
        #expect(error?.description.hasPrefix("loop-order's 4194304 × 4194304 matrix: posix_memalign of 128T") == true)
        #expect(error?.description.hasSuffix("failed: Cannot allocate memory") == true)
    }

    @Test func layoutProbesItsWholeBoundBeforeBuilding() throws {
        // 2^40 elements: the bound is 256 TiB of address space, which no mmap gets.
        let error = #expect(throws: AllocationFailure.self) {
            _ = try Layout().prepare(size: ByteSize(rawValue: 1 << 44), options: RunOptions())
        }
        #expect(error?.call == "mmap")
        #expect(error?.description.hasPrefix("layout at 16T (all its structures together): mmap of 256T") == true)
    }

    @Test func allocSaysMallocFailedRatherThanBlamingItsChecksum() throws {
        // 200 TiB is beyond the user address space: malloc fails whatever the overcommit policy.
        let error = #expect(throws: AllocationFailure.self) {
            _ = try Alloc().prepare(size: ByteSize(rawValue: 200 << 40), options: RunOptions())
        }
        #expect(error?.description == "alloc at 200T: malloc of 200T (219902325555200 bytes) failed: Cannot allocate memory")
    }
}
