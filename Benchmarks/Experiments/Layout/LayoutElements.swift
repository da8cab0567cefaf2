import CReference

/// The logical data every layout variant holds: `count` elements, each an id and a value.
/// The values are hashed ids, so a walk that skips one element or visits one twice returns
/// another sum (with `i & 1023` many mistakes would cancel out).
enum LayoutData {
    /// Bytes of one element's payload (id and value), the unit a size is divided by.
    static let payloadBytes = MemoryLayout<LayoutElement>.stride

    static func value(of id: Int) -> UInt64 { SeededGenerator.mix(UInt64(id)) }

    /// Elements in the flat array whose footprint is `bytes` (at least one).
    static func count(fitting bytes: Int) -> Int { max(bytes / payloadBytes, 1) }

    /// The sum of all values, computed from the ids without any structure.
    static func expectedSum(count: Int) -> UInt64 {
        var sum: UInt64 = 0
        for id in 0..<count { sum &+= value(of: id) }
        return sum
    }

    /// The checksum a pass returns: the low 53 bits of the wrapping sum, which a Double holds
    /// exactly, so a single wrong element cannot be rounded away.
    static func checksum(_ sum: UInt64) -> Double { Double(sum & (1 << 53 - 1)) }
}

/// One element of the flat array: 16 bytes, laid out as C's `locality_layout_element`.
struct LayoutElement {
    var id: UInt64
    var value: UInt64
}

/// One node of the pointer-free list: the same 16 bytes as a flat element, with the
/// successor's index where the id's high half was. Laid out as C's `locality_index_node`.
struct IndexNode {
    var id: UInt32
    var next: UInt32
    var value: UInt64
}

/// A heap object holding one element: 16 bytes of payload behind Swift's 16-byte object
/// header (isa pointer and reference counts).
final class LayoutBox {
    let id: UInt64
    let value: UInt64

    init(id: UInt64, value: UInt64) {
        self.id = id
        self.value = value
    }
}

/// A node of a singly linked list of class instances: the element and a strong reference to
/// the next node. `@exclusivity(unchecked)` because a `var` of a class is otherwise guarded by
/// a runtime exclusivity check (swift_beginAccess) on every read, which also forces a
/// retain/release around it: the walk would measure the checks, not the memory.
final class ListNode {
    let id: UInt64
    let value: UInt64
    @exclusivity(unchecked) var next: ListNode?

    init(id: UInt64, value: UInt64) {
        self.id = id
        self.value = value
    }
}
