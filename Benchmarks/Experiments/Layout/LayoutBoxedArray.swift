import Foundation
import Harness

/// `count` class instances allocated one after another, and two buffers of references to
/// them: one in allocation order, one in a shuffled visit order. The walks borrow the
/// references as `Unmanaged`, so no retain or release happens while they run.
final class BoxedArray: @unchecked Sendable {
    /// Header (two words) and the two stored properties.
    static let instanceBytes = Heap.objectHeaderBytes + 2 * MemoryLayout<UInt64>.size

    let count: Int
    /// Owns the boxes (+1 each), in allocation order.
    let inOrder: UnsafeMutablePointer<Unmanaged<LayoutBox>>
    /// The same boxes in the visit order of a random cycle, not owned.
    let shuffled: UnsafeMutablePointer<Unmanaged<LayoutBox>>
    private(set) var inOrderShape: LayoutShape
    private(set) var shuffledShape: LayoutShape

    /// Builds the boxes and both reference buffers; `order` lists every index once. The
    /// buffers come from malloc and fail with an error; the allocations keep their order
    /// (buffer, boxes, buffer), so the heap, and the simulated misses, stay as they were.
    init(visitOrder order: [Int], pageSize: Int) throws(AllocationFailure) {
        let count = order.count
        self.count = count
        let (inOrder, inOrderMilliseconds) = try measureMilliseconds { () throws(AllocationFailure) in
            let references = try HeapAllocation.allocate(Unmanaged<LayoutBox>.self, count: count,
                                                         for: "layout's \(count) references to boxes")
            for i in 0..<count {
                (references + i).initialize(to: .passRetained(LayoutBox(id: UInt64(i), value: LayoutData.value(of: i))))
            }
            return references
        }
        let (shuffled, shuffleMilliseconds) = try measureMilliseconds { () throws(AllocationFailure) in
            let references: UnsafeMutablePointer<Unmanaged<LayoutBox>>
            do throws(AllocationFailure) {
                references = try HeapAllocation.allocate(Unmanaged<LayoutBox>.self, count: count,
                                                         for: "layout's \(count) shuffled references to boxes")
            } catch {
                for i in 0..<count { inOrder[i].release() }
                free(inOrder)
                throw error
            }
            for (k, i) in order.enumerated() { (references + k).initialize(to: inOrder[i]) }
            return references
        }
        self.inOrder = inOrder
        self.shuffled = shuffled

        var boxBytes = 0
        var boxPages = PageSet(pageSize: pageSize)
        for i in 0..<count {
            let box = inOrder[i].takeUnretainedValue()
            boxBytes += Heap.occupiedBytes(of: box)
            boxPages.insert(Heap.address(of: box), byteCount: Self.instanceBytes)
        }
        func shape(_ references: UnsafeMutablePointer<Unmanaged<LayoutBox>>, milliseconds: Double) -> LayoutShape {
            var pages = PageSet(pageSize: pageSize)
            pages.insert(UInt(bitPattern: references), byteCount: count * MemoryLayout<Unmanaged<LayoutBox>>.stride)
            pages.formUnion(boxPages)
            let visits = UnsafeBufferPointer(start: references, count: count).lazy.map { UInt(bitPattern: $0.toOpaque()) }
            let bytes = boxBytes + Heap.occupiedBytes(ofBlockAt: references)
            return LayoutShape(bytesPerElement: Double(bytes) / Double(count), pages: pages.count,
                               pageSwitchesPerElement: Double(PageSet.switches(visiting: visits, pageSize: pageSize)) / Double(count),
                               setupMilliseconds: milliseconds)
        }
        inOrderShape = shape(inOrder, milliseconds: inOrderMilliseconds)
        shuffledShape = shape(shuffled, milliseconds: inOrderMilliseconds + shuffleMilliseconds)
    }

    deinit {
        for i in 0..<count { inOrder[i].release() }
        free(inOrder)
        free(shuffled)
    }
}
