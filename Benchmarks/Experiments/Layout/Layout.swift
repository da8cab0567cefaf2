import CReference
import Foundation
import Harness

/// Flat arrays against pointer-nested structures holding the same elements.
///
/// Every variant visits each element once and sums its value. A flat array streams: four
/// elements per cache line, the prefetcher ahead, one TLB entry per 256 elements. Objects on
/// the heap triple the bytes per element (object header, malloc's size word and rounding,
/// the references). Shuffling the visit order makes almost every step land on another page,
/// and a linked list adds a dependency: the next address is known only when the load before
/// it returns, so misses cannot overlap.
public struct Layout: Experiment {
    public init() {}

    public let name = "layout"
    public let summary = "the same elements in a flat array, nested arrays, boxes, linked lists"
    public let sizeMeaning = "the flat variant's footprint (16-byte elements: 64M = 4M elements); the other layouts hold as many elements and occupy more (B/elem)"
    public let unit = "element"
    public let baselineVariant = VariantName.flat.rawValue
    /// 48M rather than the 64M: at 48M every structure already exceeds a 32 MB L3,
    /// and the three shuffled chases (~200 ns a hop, ≥ 8 passes each: check, calibration,
    /// warm-up, 5 samples) keep the default run near 20 s instead of 25 s. 64M and beyond
    /// stay one `--sizes` away.
    public let defaultSizes: [ByteSize] = [.kib(4), .kib(400), .mib(48)]
    /// 4M: past the L2, and a shuffled list of it costs milliseconds per pass, not a second.
    public let quickSizes: [ByteSize] = [.kib(4), .mib(4)]
    enum VariantName: String, VariantKey, CaseIterable {
        case flat, flatC = "flat-c", nestedArrays = "nested-arrays", boxedInOrder = "boxed-in-order"
        case boxedShuffled = "boxed-shuffled", listInOrder = "list-in-order", listInOrderARC = "list-in-order-arc"
        case listShuffled = "list-shuffled", indexListShuffled = "index-list-shuffled", indexListShuffledC = "index-list-shuffled-c"
    }
    public let variants = [
        Variant(VariantName.flat, "one contiguous array of 16-byte structs, in address order"),
        Variant(VariantName.flatC, "the flat walk in C (clang), the reference for `flat`"),
        Variant(VariantName.nestedArrays, "[[T]]: rows of \(NestedArrays.rowLength) elements, each row its own heap block, row by row"),
        Variant(VariantName.boxedInOrder, "an array of references to objects allocated in order, visited in order"),
        Variant(VariantName.boxedShuffled, "the same references visited in a seeded random order (independent loads)"),
        Variant(VariantName.listInOrder, "a linked list of objects, linked in allocation order (dependent loads)"),
        Variant(VariantName.listInOrderARC, "the same list walked with `while let`: a retain and a release on every hop",
                ratioPartner: .listInOrder),
        Variant(VariantName.listShuffled, "a linked list of objects, linked in a seeded random order: pointer chasing across pages"),
        Variant(VariantName.indexListShuffled, "the same shuffled chain as 32-bit indices in one flat array of 16-byte nodes"),
        Variant(VariantName.indexListShuffledC, "the index chase in C (clang) over the same nodes, the reference for `index-list-shuffled`",
                ratioPartner: .indexListShuffled),
    ]

    /// One element: below 16 bytes none fits, and the structures measured would hold more than
    /// the size reported.
    public let minimumSize = ByteSize(rawValue: LayoutData.payloadBytes)

    /// Heap bytes per element of all structures together (flat 16, index list 16, nested ~19,
    /// boxes 48 + two reference arrays 16, two lists 96) plus the permutation (8) and the build
    /// temporaries (the lists' arrays of nodes, nested's addresses: 8–16). A whole prepare
    /// measured 228 bytes per element of growth in both VmPeak and VmHWM at 1M and 4M
    /// elements: this bound holds with ~12% to spare.
    static let bytesPerElementBound = 256

    public func footprint(of size: ByteSize) -> Int {
        let (bytes, overflow) = LayoutData.count(fitting: size.rawValue).multipliedReportingOverflow(by: Self.bytesPerElementBound)
        return overflow ? .max : bytes
    }

    public func prepare(size: ByteSize, context: ExperimentContext) throws -> [Workload] {
        // Most of the bytes are class instances and Swift arrays, whose allocation traps when
        // memory runs out: one probe of the whole bound first turns that into an error.
        try HeapAllocation.probe(bytes: footprint(of: size), for: "layout at \(size) (all its structures together)")
        let structures = try LayoutStructures(building: LayoutData.count(fitting: size.rawValue), seed: context.options.seed,
                                              pageSize: context.machine.pageSizeBytes)
        let count = structures.count
        let expected = LayoutData.checksum(LayoutData.expectedSum(count: count))
        func workload(_ variant: VariantName, _ shape: LayoutShape, _ pass: @escaping () -> UInt64) -> Workload {
            Workload(variant: variant.rawValue, units: count, bytesPerPass: nil, expectedChecksum: expected,
                     extras: shape.extras) { LayoutData.checksum(pass()) }
        }
        let flat = structures.flat, nested = structures.nested, boxes = structures.boxes
        let listInOrder = structures.listInOrder, listShuffled = structures.listShuffled, indexList = structures.indexList
        let shuffledIndex = indexList.shape.adding(milliseconds: structures.permutationMilliseconds)
        return [
            workload(.flat, flat.shape) { sumFlat(flat.elements, count: count) },
            workload(.flatC, flat.shape) { locality_c_sum_flat(flat.cElements, count) },
            workload(.nestedArrays, nested.shape) { nested.rows.withUnsafeBufferPointer { sumNestedRows($0) } },
            workload(.boxedInOrder, boxes.inOrderShape) { sumBoxes(boxes.inOrder, count: count) },
            workload(.boxedShuffled, boxes.shuffledShape.adding(milliseconds: structures.permutationMilliseconds)) {
                sumBoxes(boxes.shuffled, count: count)
            },
            workload(.listInOrder, listInOrder.shape) { sumList(listInOrder.head, count: count) },
            workload(.listInOrderARC, listInOrder.shape) { sumListRetaining(listInOrder.head) },
            workload(.listShuffled, listShuffled.shape.adding(milliseconds: structures.permutationMilliseconds)) {
                sumList(listShuffled.head, count: count)
            },
            workload(.indexListShuffled, shuffledIndex) {
                chaseIndexList(indexList.nodes, count: count, start: indexList.start)
            },
            workload(.indexListShuffledC, shuffledIndex) {
                locality_c_chase_index_list(indexList.cNodes, count, indexList.start)
            },
        ]
    }

    public func findings(from results: [VariantResult], context: ExperimentContext) -> [String] {
        LayoutFindings(results: results).lines
    }

    public func plots(from results: [VariantResult], machine: MachineInfo) -> [Plot] {
        LayoutPlot(results: results, machine: machine).plots
    }
}

/// Every structure the variants walk at one size, built once and shared where variants walk
/// the same data (the C references walk the Swift variants' memory).
struct LayoutStructures {
    let count: Int
    /// The seeded random order every shuffled variant visits the elements in.
    let order: [Int]
    let permutationMilliseconds: Double
    let flat: FlatArray
    let indexList: IndexList
    let nested: NestedArrays
    let boxes: BoxedArray
    let listInOrder: LinkedList
    let listShuffled: LinkedList

    /// Small structures that surely fit (tests); traps where memory runs out.
    init(count: Int, seed: UInt64, pageSize: Int) {
        try! self.init(building: count, seed: seed, pageSize: pageSize)
    }

    /// Builds every structure; the big buffers come from malloc and fail with an error.
    init(building count: Int, seed: UInt64, pageSize: Int) throws(AllocationFailure) {
        self.count = count
        var generator = SeededGenerator(seed: seed)
        let (order, milliseconds) = measureMilliseconds { randomOrder(count: count, using: &generator) }
        self.order = order
        permutationMilliseconds = milliseconds
        flat = try FlatArray(count: count, pageSize: pageSize)
        indexList = try IndexList(visitOrder: order, pageSize: pageSize)
        nested = NestedArrays(count: count, pageSize: pageSize)
        boxes = try BoxedArray(visitOrder: order, pageSize: pageSize)
        listInOrder = LinkedList(count: count, pageSize: pageSize)
        listShuffled = LinkedList(count: count, visitOrder: order, pageSize: pageSize)
    }
}
