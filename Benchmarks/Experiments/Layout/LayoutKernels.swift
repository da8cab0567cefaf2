// The walks the layout variants time. Each visits every element once and sums its value with
// wrapping adds. None calls swift_retain/swift_release except `sumListRetaining`, whose point
// that is. To check after a change: `swift build -c release`, then
//   objdump -d --no-show-raw-insn .build/release/locality |
//     awk '/^[0-9a-f]+ <.*>:$/ {f = ($2 ~ /Experiments.*(sum|chase)[A-Z]/) ? $2 : ""}
//          f != "" && /call.*swift_(retain|release|beginAccess)/ {print f, $NF}' | sort | uniq -c
// lists only sumListRetaining (and no swift_beginAccess either).

/// The flat array in address order: the hardware prefetcher streams it, one 64-byte line
/// serves four elements, and the loop vectorises.
@inline(never)
func sumFlat(_ elements: UnsafePointer<LayoutElement>, count: Int) -> UInt64 {
    var sum: UInt64 = 0
    for i in 0..<count { sum &+= elements[i].value }
    return sum
}

/// `[[T]]` row by row: one extra load (the row's buffer) and a short loop per row. The rows
/// are borrowed from the outer buffer, so no retain happens.
@inline(never)
func sumNestedRows(_ rows: UnsafeBufferPointer<[LayoutElement]>) -> UInt64 {
    var sum: UInt64 = 0
    for r in 0..<rows.count {
        rows[r].withUnsafeBufferPointer { row in
            for i in 0..<row.count { sum &+= row[i].value }
        }
    }
    return sum
}

/// An array of object references, each dereferenced: the loads are independent, so the CPU
/// can have many cache misses in flight even when the objects are scattered.
/// `_withUnsafeGuaranteedRef` borrows the object without retaining it.
@inline(never)
func sumBoxes(_ references: UnsafePointer<Unmanaged<LayoutBox>>, count: Int) -> UInt64 {
    var sum: UInt64 = 0
    for i in 0..<count { sum &+= references[i]._withUnsafeGuaranteedRef { $0.value } }
    return sum
}

/// Follows `next` from `head` for `count` nodes. Each load's address comes from the load
/// before: one cache miss at a time. `unowned(unsafe)` and the counted loop keep ARC out:
/// the list owns its nodes while this runs.
@inline(never)
func sumList(_ head: ListNode, count: Int) -> UInt64 {
    var sum: UInt64 = 0
    unowned(unsafe) var node = head
    for _ in 1..<count {
        sum &+= node.value
        node = node.next.unsafelyUnwrapped
    }
    return sum &+ node.value
}

/// The same list walked the idiomatic way: `while let` holds a strong reference to each node,
/// so every hop retains the next node and releases the previous one (two atomic
/// read-modify-writes on the nodes' headers).
@inline(never)
func sumListRetaining(_ head: ListNode?) -> UInt64 {
    var sum: UInt64 = 0
    var cursor = head
    while let node = cursor {
        sum &+= node.value
        cursor = node.next
    }
    return sum
}

/// A linked list without pointers: `next` is an index into one flat array. The loads still
/// depend on each other, but the nodes are 16 bytes, packed, and never need ARC.
@inline(never)
func chaseIndexList(_ nodes: UnsafePointer<IndexNode>, count: Int, start: UInt32) -> UInt64 {
    var sum: UInt64 = 0
    var i = Int(start)
    for _ in 0..<count {
        sum &+= nodes[i].value
        i = Int(nodes[i].next)
    }
    return sum
}
