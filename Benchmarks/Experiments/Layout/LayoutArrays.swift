import CLocalitySupport
import CReference
import Foundation
import Harness

/// Milliseconds `body` takes, and what it returns.
func measureMilliseconds<T, Failure: Error>(_ body: () throws(Failure) -> T) throws(Failure) -> (T, Double) {
    let start = locality_monotonic_ns()
    let value = try body()
    return (value, Double(locality_monotonic_ns() &- start) / 1e6)
}

/// `count` elements in one contiguous allocation: the `flat` layout.
final class FlatArray: @unchecked Sendable {
    let count: Int
    let elements: UnsafeMutablePointer<LayoutElement>
    private(set) var shape: LayoutShape

    init(count: Int, pageSize: Int) throws(AllocationFailure) {
        self.count = count
        let (elements, milliseconds) = try measureMilliseconds { () throws(AllocationFailure) in
            let elements = try HeapAllocation.allocate(LayoutElement.self, count: count, for: "layout's flat array of \(count) elements")
            for i in 0..<count { (elements + i).initialize(to: LayoutElement(id: UInt64(i), value: LayoutData.value(of: i))) }
            return elements
        }
        self.elements = elements
        shape = .ofBlock(at: elements, count: count, stride: MemoryLayout<LayoutElement>.stride, visiting: 0..<count,
                         pageSize: pageSize, milliseconds: milliseconds)
    }

    deinit { free(elements) }

    var cElements: UnsafePointer<locality_layout_element> {
        UnsafeRawPointer(elements).assumingMemoryBound(to: locality_layout_element.self)
    }
}

/// The shuffled chain as indices in one flat array: node i sits at slot i (allocation order)
/// and `next` names its successor on the cycle. The pointer-free linked list.
final class IndexList: @unchecked Sendable {
    let count: Int
    let nodes: UnsafeMutablePointer<IndexNode>
    /// Where the chase starts: the visit order's first element.
    let start: UInt32
    private(set) var shape: LayoutShape

    /// Links the nodes into the cycle that visits `order` (every index once) and returns to
    /// its start.
    init(visitOrder order: [Int], pageSize: Int) throws(AllocationFailure) {
        precondition(!order.isEmpty && order.count <= Int(UInt32.max) + 1, "indices are 32-bit")
        count = order.count
        start = UInt32(order[0])
        let count = count
        let (nodes, milliseconds) = try measureMilliseconds { () throws(AllocationFailure) in
            let nodes = try HeapAllocation.allocate(IndexNode.self, count: count, for: "layout's index list of \(count) nodes")
            for i in 0..<count {
                (nodes + i).initialize(to: IndexNode(id: UInt32(i), next: 0, value: LayoutData.value(of: i)))
            }
            for k in 0..<count { nodes[order[k]].next = UInt32(order[k + 1 == count ? 0 : k + 1]) }
            return nodes
        }
        self.nodes = nodes
        shape = .ofBlock(at: nodes, count: count, stride: MemoryLayout<IndexNode>.stride, visiting: order,
                         pageSize: pageSize, milliseconds: milliseconds)
    }

    deinit { free(nodes) }

    var cNodes: UnsafePointer<locality_index_node> {
        UnsafeRawPointer(nodes).assumingMemoryBound(to: locality_index_node.self)
    }
}

/// `[[LayoutElement]]`: the elements in rows of `rowLength`, each row its own heap block with
/// a 32-byte array header, reached through the outer array's buffer of references.
final class NestedArrays: @unchecked Sendable {
    /// Short rows, as in a list of small groups: the per-row header and hop are then visible.
    /// Long rows (thousands of elements) would walk almost like one flat array.
    static let rowLength = 16

    let count: Int
    let rows: [[LayoutElement]]
    private(set) var shape: LayoutShape

    init(count: Int, pageSize: Int) {
        self.count = count
        let rowLength = Self.rowLength
        let rowCount = (count + rowLength - 1) / rowLength
        let (rows, milliseconds) = measureMilliseconds {
            (0..<rowCount).map { r in
                (r * rowLength..<min((r + 1) * rowLength, count)).map { i in
                    LayoutElement(id: UInt64(i), value: LayoutData.value(of: i))
                }
            }
        }
        self.rows = rows
        var occupied = Heap.occupiedBytes(ofBlockAt: Heap.block(of: rows))
        var pages = PageSet(pageSize: pageSize), rowPages = PageSet(pageSize: pageSize)
        var addresses: [UInt] = []
        addresses.reserveCapacity(count)
        let outer = UInt(bitPattern: Heap.block(of: rows))
        pages.insert(outer, byteCount: Heap.arrayHeaderBytes + rowCount * MemoryLayout<[LayoutElement]>.stride)
        for row in rows {
            let block = Heap.block(of: row)
            occupied += Heap.occupiedBytes(ofBlockAt: block)
            rowPages.insert(UInt(bitPattern: block), byteCount: Heap.arrayHeaderBytes + row.count * MemoryLayout<LayoutElement>.stride)
            for i in 0..<row.count {
                addresses.append(UInt(bitPattern: block) + UInt(Heap.arrayHeaderBytes + i * MemoryLayout<LayoutElement>.stride))
            }
        }
        pages.formUnion(rowPages)
        shape = LayoutShape(bytesPerElement: Double(occupied) / Double(count), pages: pages.count,
                            pageSwitchesPerElement: Double(PageSet.switches(visiting: addresses, pageSize: pageSize)) / Double(count),
                            setupMilliseconds: milliseconds)
    }
}
