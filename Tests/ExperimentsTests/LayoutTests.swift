import CReference
@testable import Experiments
import Harness
import Testing

@Suite struct LayoutTests {
    static let pageSize = 4096

    @Test(arguments: [16, 1000, 4096, 409_600, 1 << 20])
    func everyVariantReturnsTheSameExactSum(bytes: Int) throws {
        let layout = Layout()
        let workloads = try layout.prepare(size: ByteSize(rawValue: bytes), options: RunOptions())
        #expect(workloads.map(\.variant) == layout.variants.map(\.name))
        let count = LayoutData.count(fitting: bytes)
        var naive: UInt64 = 0
        for id in 0..<count { naive &+= SeededGenerator.mix(UInt64(id)) }
        for workload in workloads {
            #expect(workload.units == count)
            #expect(workload.expectedChecksum == LayoutData.checksum(naive))
            #expect(workload.pass() == LayoutData.checksum(naive), "\(workload.variant) at \(bytes) bytes")
            #expect(workload.extras.map(\.name) == Layout.Column.allCases.map(\.rawValue))
        }
    }

    @Test func aWalkThatMissesOrRepeatsAnElementGetsAnotherChecksum() {
        let elements = (0..<100).map { LayoutElement(id: UInt64($0), value: LayoutData.value(of: $0)) }
        var repeated = elements
        repeated[7] = repeated[8]
        elements.withUnsafeBufferPointer { all in
            repeated.withUnsafeBufferPointer { wrong in
                #expect(sumFlat(all.baseAddress!, count: 100) == LayoutData.expectedSum(count: 100))
                #expect(sumFlat(wrong.baseAddress!, count: 100) != LayoutData.expectedSum(count: 100))
                #expect(sumFlat(all.baseAddress!, count: 99) != LayoutData.expectedSum(count: 100))
            }
        }
        // The checksum keeps the sum's low 53 bits exactly: a difference of 1 survives.
        #expect(LayoutData.checksum(1 << 60 + 1) != LayoutData.checksum(1 << 60))
        #expect(LayoutData.checksum(.max) == Double(1 << 53 - 1))
    }

    @Test func sizeIsTheFlatFootprint() {
        #expect(LayoutData.count(fitting: 4096) == 256)
        #expect(LayoutData.count(fitting: 64 << 20) == 4 << 20)
        #expect(LayoutData.count(fitting: 8) == 1)
        #expect(Layout().footprint(of: .mib(64)) == (4 << 20) * Layout.bytesPerElementBound)
        #expect(Layout().footprint(of: ByteSize(rawValue: 1 << 40)) > 1 << 40)
        #expect(Layout().footprint(of: ByteSize(rawValue: .max)) == .max)
        #expect(Suite.experiment(named: "layout")?.baselineVariant == "flat")
    }

    @Test func swiftAndCAgreeOnTheLayoutOfElementsAndNodes() {
        #expect(MemoryLayout<LayoutElement>.size == 16)
        #expect(MemoryLayout<LayoutElement>.size == MemoryLayout<locality_layout_element>.size)
        #expect(MemoryLayout<LayoutElement>.offset(of: \.value) == MemoryLayout<locality_layout_element>.offset(of: \.value))
        #expect(MemoryLayout<IndexNode>.size == 16)
        #expect(MemoryLayout<IndexNode>.size == MemoryLayout<locality_index_node>.size)
        #expect(MemoryLayout<IndexNode>.offset(of: \.next) == MemoryLayout<locality_index_node>.offset(of: \.next))
        #expect(MemoryLayout<IndexNode>.offset(of: \.value) == MemoryLayout<locality_index_node>.offset(of: \.value))
    }

    @Test(arguments: [1, 2, 3, 1000])
    func everyShuffledChainIsOneCycleThroughEveryElement(count: Int) {
        let structures = LayoutStructures(count: count, seed: 42, pageSize: Self.pageSize)
        let order = structures.order
        #expect(order.sorted() == Array(0..<count))

        // The index list: `count` hops from the start visit every node once and come back.
        let index = structures.indexList
        var visited: [Int] = []
        var i = Int(index.start)
        for _ in 0..<count {
            visited.append(i)
            i = Int(index.nodes[i].next)
        }
        #expect(i == Int(index.start))
        #expect(visited == order)
        #expect(Set(visited).count == count)

        // The shuffled list and the shuffled references follow the same order, once each.
        #expect(structures.listShuffled.ids().map(Int.init) == order)
        let boxed = (0..<count).map { Int(structures.boxes.shuffled[$0].takeUnretainedValue().id) }
        #expect(boxed == order)
        // The in-order structures follow allocation order.
        #expect(structures.listInOrder.ids().map(Int.init) == Array(0..<count))
        #expect((0..<count).map { Int(structures.boxes.inOrder[$0].takeUnretainedValue().id) } == Array(0..<count))
    }

    @Test func shufflesAreSeeded() {
        let a = LayoutStructures(count: 500, seed: 1, pageSize: Self.pageSize).order
        #expect(a == LayoutStructures(count: 500, seed: 1, pageSize: Self.pageSize).order)
        #expect(a != LayoutStructures(count: 500, seed: 2, pageSize: Self.pageSize).order)
        #expect(a != Array(0..<500))
    }

    @Test func occupiedBytesAreMeasuredAndAtLeastThePayload() {
        // 100 000 elements: whether malloc serves the flat array from the heap or, above its
        // (moving) mmap threshold, from whole pages, the rounding stays under 0.1 B per element.
        let structures = LayoutStructures(count: 100_000, seed: 7, pageSize: Self.pageSize)
        let flat = structures.flat.shape.bytesPerElement
        #expect(flat >= 16 && flat < 16.1, "\(flat)")
        #expect(structures.indexList.shape.bytesPerElement >= 16)
        // A row: 32-byte array header and 16 elements of 16 bytes, rounded by malloc.
        #expect(structures.nested.shape.bytesPerElement >= 16 + 32.0 / 16)
        // A box: 16-byte object header and 16 bytes of payload, plus an 8-byte reference.
        #expect(structures.boxes.inOrderShape.bytesPerElement >= 32 + 8)
        // The same boxes: the two shapes differ only by what malloc made of the two reference
        // buffers, which tests running beside this one can send to mmap (whole pages) or to the
        // heap by moving glibc's dynamic mmap threshold between the two allocations.
        let boxes = structures.boxes
        let referenceBlocks = Heap.occupiedBytes(ofBlockAt: boxes.shuffled) - Heap.occupiedBytes(ofBlockAt: boxes.inOrder)
        let shapes = (boxes.shuffledShape.bytesPerElement - boxes.inOrderShape.bytesPerElement) * Double(boxes.count)
        #expect(abs(shapes - Double(referenceBlocks)) < 1e-3, "\(shapes) against \(referenceBlocks)")
        // A list node: header, payload and the `next` reference.
        #expect(structures.listInOrder.shape.bytesPerElement >= 40)
        #expect(structures.listShuffled.shape.bytesPerElement >= 40)
    }

    @Test func theBlockHeaderIsTheDistanceBetweenConsecutiveBlocks() {
        // glibc places blocks allocated one after another back to back: the distance between
        // them is what one occupies, which must equal usable size + the 8-byte size word.
        let boxes = (0..<1000).map { LayoutBox(id: UInt64($0), value: 0) }
        var strides: [Int: Int] = [:]
        for (a, b) in zip(boxes, boxes.dropFirst()) {
            strides[Int(bitPattern: Heap.address(of: b) &- Heap.address(of: a)), default: 0] += 1
        }
        let typical = strides.max { $0.value < $1.value }!.key
        #expect(typical == Heap.occupiedBytes(of: boxes[0]))
        #expect(typical >= BoxedArray.instanceBytes)
    }

    @Test func anArraysBlockStartsWithItsHeader() {
        let row = (0..<16).map { LayoutElement(id: UInt64($0), value: 0) }
        let block = Heap.block(of: row)
        row.withUnsafeBufferPointer { elements in
            #expect(UnsafeRawPointer(elements.baseAddress!) - block == Heap.arrayHeaderBytes)
        }
        #expect(Heap.occupiedBytes(ofBlockAt: block) >= Heap.arrayHeaderBytes + 16 * 16)
    }

    @Test func pageSetCountsDistinctPagesAndSwitches() {
        var pages = PageSet(pageSize: 4096)
        pages.insert(0, byteCount: 4096)          // page 0
        pages.insert(4095, byteCount: 2)          // pages 0 and 1
        pages.insert(100_000)                     // page 24
        pages.insert(10)                          // page 0 again, not consecutive
        #expect(pages.count == 3)
        var other = PageSet(pageSize: 4096)
        other.insert(8192, byteCount: 8192)       // pages 2, 3
        pages.formUnion(other)
        #expect(pages.count == 5)
        #expect(PageSet.switches(visiting: [0, 8, 4096, 4100, 0, 8192] as [UInt], pageSize: 4096) == 4)
        #expect(PageSet.switches(visiting: [] as [UInt], pageSize: 4096) == 0)
    }

    @Test func pagesAndSwitchesFollowTheLayouts() {
        let structures = LayoutStructures(count: 1 << 16, seed: 3, pageSize: Self.pageSize)
        let flat = structures.flat.shape
        // 1 MiB of elements: 256 pages, or 257 when the block does not start on a page.
        #expect((256...257).contains(flat.pages))
        #expect(flat.pageSwitchesPerElement <= 257.0 / 65536)
        // The index list holds as many 16-byte entries: as many pages, but its own alignment.
        #expect((256...257).contains(structures.indexList.shape.pages))
        #expect(structures.indexList.shape.pageSwitchesPerElement > 0.9)
        #expect(structures.listShuffled.shape.pageSwitchesPerElement > 0.9)
        #expect(structures.listInOrder.shape.pageSwitchesPerElement < 0.05)
        #expect(structures.boxes.shuffledShape.pageSwitchesPerElement > 0.9)
        // The same boxes; the two reference arrays are equal in size, but each may straddle one
        // more page than the other, and each may or may not share its first or last page with
        // the boxes, depending on where malloc put it (heap or mmap, which tests running beside
        // this one move): at most two pages apart.
        #expect(abs(structures.boxes.inOrderShape.pages - structures.boxes.shuffledShape.pages) <= 2)
        // Objects three times the size of an element spread over about three times the pages.
        #expect(structures.listInOrder.shape.pages > 2 * flat.pages)
    }

    @Test func aDeepListIsFreedWithoutOverflowingTheStack() {
        // Released recursively, 8M nodes would need millions of stack frames; the test
        // thread's stack is far smaller than that.
        var list: LinkedList? = LinkedList(count: 8 << 20, pageSize: Self.pageSize)
        #expect(list?.count == 8 << 20)
        list = nil
        #expect(list == nil)
    }

    @Test func seededGeneratorIsDeterministicAndCyclesAreSingle() {
        var a = SeededGenerator(seed: 9), b = SeededGenerator(seed: 9), c = SeededGenerator(seed: 10)
        let first = (0..<4).map { _ in a.next() }
        #expect(first == (0..<4).map { _ in b.next() })
        #expect(first != (0..<4).map { _ in c.next() })
        // SplitMix64's published first output for seed 0.
        var zero = SeededGenerator(seed: 0)
        #expect(zero.next() == 0xE220_A839_7B1D_CDAF)

        for count in [1, 2, 5, 4096] {
            var generator = SeededGenerator(seed: UInt64(count))
            let order = randomOrder(count: count, using: &generator)
            #expect(order.sorted() == Array(0..<count), "count \(count)")
            // Linking each element of the order to the next (the last back to the first), as the
            // shuffled lists do, makes one cycle through every element.
            var successor = [UInt32](repeating: 0, count: count)
            for k in 0..<count { successor[order[k]] = UInt32(order[(k + 1) % count]) }
            #expect(ChaseCycle.isSingleCycle(successor))
        }
    }

    @Test func findingsQuoteRatiosArcCostAndCParity() {
        func result(_ variant: String, _ size: Int, _ ns: Double, switches: Double = 0) -> VariantResult {
            VariantResult(experiment: "layout", variant: variant, sizeBytes: size, elements: 1, iterations: 1, samples: 1,
                          nsPerElement: Summary(median: ns, min: ns, max: ns), gbPerSecond: nil, counters: [:],
                          unavailable: [:], checksum: 0, extras: [Extra(Layout.Column.pageSwitchesPerElement, switches)])
        }
        let results = [
            result("flat", 4096, 0.2), result("list-in-order", 4096, 1.5), result("list-in-order-arc", 4096, 5.5),
            result("flat-c", 4096, 0.2), result("flat", 1 << 26, 0.5, switches: 0.004),
            result("list-shuffled", 1 << 26, 100, switches: 1), result("flat-c", 1 << 26, 0.5),
            result("index-list-shuffled", 1 << 26, 80), result("index-list-shuffled-c", 1 << 26, 80),
        ]
        let lines = Layout().findings(from: results, context: .fixed())
        #expect(lines.contains("at 64M list-shuffled changes page on 100% of steps, flat on 0.4%: 200× flat"), "\(lines)")
        #expect(lines.contains("list-in-order-arc's retain/release: +4.00 ns per hop at 4K (3.7× the walk without)"))
        #expect(lines.contains("Swift/C twin: flat 1.00× over 4K–64M, index-list-shuffled 1.00× at 64M"), "\(lines)")
        // Where every twin is quiet at the same sizes, the span is said once.
        let sameSpan = results.filter { $0.sizeBytes == 1 << 26 }
        #expect(Layout().findings(from: sameSpan, context: .fixed())
            .contains("Swift/C twin at 64M: flat 1.00×, index-list-shuffled 1.00×"))
        #expect(Layout().findings(from: [], context: .fixed()).isEmpty)
    }
}

@Suite struct LayoutPlotTests {
    @Test func plotsEverySwiftVariantAgainstSize() {
        let results = ["flat", "flat-c", "list-shuffled"].flatMap { variant in
            [4096, 1 << 26].map { size in
                VariantResult(experiment: "layout", variant: variant, sizeBytes: size, elements: 1, iterations: 1, samples: 1,
                              nsPerElement: Summary([1, 2, 3]), gbPerSecond: nil, counters: [:], unavailable: [:], checksum: 0)
            }
        }
        let plots = Layout().plots(from: results, machine: MachineInfo.current())
        #expect(plots.map(\.fileName) == ["layout.svg"])
        let svg = plots[0].svg
        #expect(svg.contains(">flat<") && svg.contains(">list-shuffled<"))
        #expect(!svg.contains("flat-c"))
        #expect(Layout().plots(from: [], machine: MachineInfo.current()).isEmpty)
    }
}
