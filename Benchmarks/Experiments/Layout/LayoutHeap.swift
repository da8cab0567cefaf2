import CLocalitySupport
import Harness

/// Measures what structures really occupy in glibc's heap, rather than assuming sizes.
enum Heap {
    /// glibc keeps one 8-byte size word in front of every block it hands out, and
    /// malloc_usable_size does not count it: a block's real extent is usable + 8 (the distance
    /// between consecutively allocated blocks, which the tests check).
    static let blockHeaderBytes = 8

    /// Bytes the malloc block at `pointer` occupies: its usable size (the request rounded up
    /// to glibc's 16-byte granularity, at least 24) and the size word in front of it.
    static func occupiedBytes(ofBlockAt pointer: UnsafeRawPointer) -> Int {
        locality_malloc_usable_size(pointer) + blockHeaderBytes
    }

    /// Bytes a class instance occupies in the heap (Swift allocates instances with malloc).
    static func occupiedBytes(of object: AnyObject) -> Int {
        occupiedBytes(ofBlockAt: UnsafeRawPointer(Unmanaged.passUnretained(object).toOpaque()))
    }

    static func address(of object: AnyObject) -> UInt {
        UInt(bitPattern: Unmanaged.passUnretained(object).toOpaque())
    }

    /// The heap block holding a non-empty array's header and elements.
    static func block<Element>(of array: [Element]) -> UnsafeRawPointer {
        precondition(!array.isEmpty, "an empty array shares a static empty buffer, not a heap block")
        return unsafeBitCast(array, to: UnsafeRawPointer.self)
    }

    /// Bytes in front of an array's first element: the object header, count and capacity.
    static let arrayHeaderBytes = objectHeaderBytes + 2 * MemoryLayout<Int>.size

    /// Bytes of Swift's object header: the metadata pointer and the reference counts.
    static let objectHeaderBytes = 2 * MemoryLayout<Int>.size
}

/// The distinct pages a pass touches, gathered address by address.
struct PageSet {
    let pageSize: Int
    private var pages: [UInt] = []

    init(pageSize: Int) { self.pageSize = pageSize }

    /// Adds the pages of the bytes `start ..< start + byteCount`. Consecutive duplicates are
    /// dropped at once, so a structure added in allocation order stays small.
    mutating func insert(_ start: UInt, byteCount: Int = 1) {
        let size = UInt(pageSize)
        var page = start / size
        let last = (start + UInt(max(byteCount, 1)) - 1) / size
        while page <= last {
            if pages.last != page { pages.append(page) }
            page += 1
        }
    }

    mutating func formUnion(_ other: PageSet) { pages += other.pages }

    var count: Int {
        let sorted = pages.sorted()
        var distinct = 0
        var previous: UInt?
        for page in sorted where page != previous {
            distinct += 1
            previous = page
        }
        return distinct
    }

    /// How many steps of a walk land on another page than the step before: the steps that
    /// may need another TLB entry (the first step counts as one).
    static func switches<Addresses: Sequence<UInt>>(visiting addresses: Addresses, pageSize: Int) -> Int {
        var switches = 0
        var previous = UInt.max
        for address in addresses {
            let page = address / UInt(pageSize)
            if page != previous { switches += 1 }
            previous = page
        }
        return switches
    }
}

/// What a variant's structure costs in memory, measured after building it: the extra columns.
struct LayoutShape {
    /// Heap bytes occupied per element: payload, object headers, malloc's size words and
    /// rounding, and the arrays of references the walk needs.
    var bytesPerElement: Double
    /// Distinct pages one pass touches.
    var pages: Int
    /// The fraction of steps that land on another page than the step before.
    var pageSwitchesPerElement: Double
    /// Milliseconds it took to build the structure (allocation and filling, shuffling included).
    var setupMilliseconds: Double

    /// The shape of `count` elements of `stride` bytes in the one heap block at `base`, visited
    /// in the order of `indices` (element indices).
    static func ofBlock(at base: UnsafeRawPointer, count: Int, stride: Int, visiting indices: some Sequence<Int>,
                        pageSize: Int, milliseconds: Double) -> LayoutShape {
        var pages = PageSet(pageSize: pageSize)
        pages.insert(UInt(bitPattern: base), byteCount: count * stride)
        let switches = PageSet.switches(visiting: indices.lazy.map { UInt(bitPattern: base) + UInt($0) * UInt(stride) },
                                        pageSize: pageSize)
        return LayoutShape(bytesPerElement: Double(Heap.occupiedBytes(ofBlockAt: base)) / Double(count),
                           pages: pages.count, pageSwitchesPerElement: Double(switches) / Double(count),
                           setupMilliseconds: milliseconds)
    }

    /// The same shape with a shared build step (the shuffle) added to its setup time.
    func adding(milliseconds: Double) -> LayoutShape {
        var shape = self
        shape.setupMilliseconds += milliseconds
        return shape
    }

    var extras: [Extra] {
        [Extra(Layout.Column.bytesPerElement, bytesPerElement), Extra(Layout.Column.pages, Double(pages)),
         Extra(Layout.Column.pageSwitchesPerElement, pageSwitchesPerElement), Extra(Layout.Column.setupMilliseconds, setupMilliseconds)]
    }
}
