/// A singly linked list of `count` class nodes that owns them through its links. The nodes
/// are allocated in index order; the links follow that order or a shuffled visit order.
final class LinkedList: @unchecked Sendable {
    /// Header (two words), the two values and the `next` reference.
    static let instanceBytes = Heap.objectHeaderBytes + 2 * MemoryLayout<UInt64>.size + MemoryLayout<ListNode?>.size

    let count: Int
    let head: ListNode
    private(set) var shape: LayoutShape

    /// Allocates nodes 0..<count in that order and links them in `order` (allocation order
    /// when nil): node order[k] points to node order[k + 1]; the last points to nothing.
    init(count: Int, visitOrder order: [Int]? = nil, pageSize: Int) {
        precondition(count >= 1 && (order == nil || order!.count == count))
        self.count = count
        let (nodes, milliseconds) = measureMilliseconds {
            let nodes = (0..<count).map { ListNode(id: UInt64($0), value: LayoutData.value(of: $0)) }
            if let order {
                for k in 0..<count - 1 { nodes[order[k]].next = nodes[order[k + 1]] }
            } else {
                for i in 0..<count - 1 { nodes[i].next = nodes[i + 1] }
            }
            return nodes
        }
        head = nodes[order?.first ?? 0]

        var bytes = 0
        var pages = PageSet(pageSize: pageSize)
        for node in nodes {
            bytes += Heap.occupiedBytes(of: node)
            pages.insert(Heap.address(of: node), byteCount: Self.instanceBytes)
        }
        let visits = (order ?? Array(0..<count)).lazy.map { Heap.address(of: nodes[$0]) }
        shape = LayoutShape(bytesPerElement: Double(bytes) / Double(count), pages: pages.count,
                            pageSwitchesPerElement: Double(PageSet.switches(visiting: visits, pageSize: pageSize)) / Double(count),
                            setupMilliseconds: milliseconds)
    }

    /// Unlinks node by node. Left to the runtime, releasing the head releases its successor
    /// from inside its deinit, and so on: one stack frame per node, a crash for deep lists.
    /// (Swift 6 compilers emit such a loop themselves for a class whose only self-typed
    /// property is `next`, but not once a node has a second one, e.g. `prev`: this keeps the
    /// guarantee independent of that optimisation.)
    deinit {
        var cursor = head.next
        head.next = nil
        while let node = cursor {
            cursor = node.next
            node.next = nil
        }
    }

    /// The ids in link order, for tests.
    func ids() -> [UInt64] {
        var ids: [UInt64] = []
        var cursor: ListNode? = head
        while let node = cursor {
            ids.append(node.id)
            cursor = node.next
        }
        return ids
    }
}
