import CReference
import Harness

/// Random single cycles for pointer chases (the lmbench lat_mem_rd / multichase method): every
/// slot is visited once per lap, in an order the prefetchers cannot guess, and each load's
/// address comes from the previous load, so loads cannot overlap and time per load is latency.
enum ChaseCycle {
    /// `successors[k]` is the slot that follows slot k. Sattolo's algorithm: a uniformly random
    /// permutation with exactly one cycle through all `count` slots.
    static func successors(count: Int, seed: UInt64) -> [UInt32] {
        precondition(count > 0 && count <= Int(UInt32.max))
        var generator = SeededGenerator(seed: seed)
        var next = (0..<count).map { UInt32(truncatingIfNeeded: $0) }
        var i = count - 1
        while i > 0 {
            let j = Int.random(in: 0..<i, using: &generator)
            next.swapAt(i, j)
            i -= 1
        }
        return next
    }

    /// The slot reached after `steps` steps from `start`.
    static func slot(after steps: Int, from start: Int = 0, successors: [UInt32]) -> Int {
        var slot = start
        for _ in 0..<(steps % successors.count) { slot = Int(successors[slot]) }
        return slot
    }

    /// True when following `successors` from slot 0 visits every slot once and returns.
    static func isSingleCycle(_ successors: [UInt32]) -> Bool {
        var seen = [Bool](repeating: false, count: successors.count)
        var slot = 0
        for _ in 0..<successors.count {
            guard Int(successors[slot]) < successors.count, !seen[slot] else { return false }
            seen[slot] = true
            slot = Int(successors[slot])
        }
        return slot == 0
    }
}

/// Where the slots of a chase lie in a buffer: slot k at `k × slotStride`, plus a whole line
/// within the slot when slots are pages.
struct ChaseLayout: Sendable, Equatable {
    static let lineBytes = 64
    static let pageBytes = 4096

    let slots: Int
    let slotStride: Int
    /// Per slot, which 64-byte line of it is used; empty means line 0.
    let lineInSlot: [UInt8]

    /// One slot per 64-byte line, back to back.
    static func lines(_ count: Int) -> ChaseLayout {
        ChaseLayout(slots: count, slotStride: lineBytes, lineInSlot: [])
    }

    /// One slot per 4 KiB page, each on a random line of its page, so that the touched lines
    /// spread over every cache set instead of piling into the few that offset 0 maps to.
    static func pages(_ count: Int, seed: UInt64) -> ChaseLayout {
        var generator = SeededGenerator(seed: seed ^ 0x5EED_0F_11AE)
        let linesPerPage = pageBytes / lineBytes
        let lines = (0..<count).map { _ in UInt8(Int.random(in: 0..<linesPerPage, using: &generator)) }
        return ChaseLayout(slots: count, slotStride: pageBytes, lineInSlot: lines)
    }

    func offset(of slot: Int) -> Int {
        slot &* slotStride &+ (lineInSlot.isEmpty ? 0 : Int(lineInSlot[slot]) &* Self.lineBytes)
    }

    var byteCount: Int { slots * slotStride }
}

/// A chase cycle written into a fresh mapping: each slot holds the address of the next.
final class ChaseBuffer: @unchecked Sendable {
    let mapping: AnonymousMapping
    let layout: ChaseLayout
    /// Where a pass of `loadsPerPass` loads from slot 0 ends, as a byte offset.
    let expectedEndOffset: Int
    let loadsPerPass: Int
    /// The loads of one pass for the chases that go on where the last pass stopped
    /// (working-set, tlb, huge-pages): a sample over 1 GiB lasts milliseconds, not the ~2 s
    /// one lap of 16 Mi lines would take.
    static let defaultLoadsPerPass = 1 << 16

    /// Maps the buffer with `advice` (before any page is touched) and links the slots in the
    /// order `successors` gives; the writes go in address order, so building is quick.
    init(layout: ChaseLayout, successors: [UInt32], advice: PageAdvice, loadsPerPass: Int) throws {
        precondition(successors.count == layout.slots)
        self.layout = layout
        self.loadsPerPass = loadsPerPass
        mapping = try AnonymousMapping(bytes: layout.byteCount, advice: advice)
        let base = mapping.base
        successors.withUnsafeBufferPointer { next in
            for slot in 0..<layout.slots {
                let target = UnsafeRawPointer(base + layout.offset(of: Int(next[slot])))
                (base + layout.offset(of: slot)).storeBytes(of: target, as: UnsafeRawPointer.self)
            }
        }
        expectedEndOffset = layout.offset(of: ChaseCycle.slot(after: loadsPerPass, successors: successors))
    }

    var start: UnsafeRawPointer { UnsafeRawPointer(mapping.base + layout.offset(of: 0)) }

    /// A workload following `loadsPerPass` links per pass with `kernel`, each pass going on
    /// where the last stopped, so that successive passes lap the whole cycle whatever its
    /// length. Its checksum is the offset where the pass stopped; the first pass's is known.
    func workload(_ variant: some VariantKey, extras: [Extra] = [],
                  kernel: @escaping (UnsafeRawPointer, Int) -> UnsafeRawPointer) -> Workload {
        let cursor = ChaseCursor(start)
        let base = UnsafeRawPointer(mapping.base)
        let loads = loadsPerPass
        let mapping = mapping
        // A pass touches `loads` lines of the cycle (all of them when the cycle is shorter); a
        // lap of a longer cycle takes several passes.
        return Workload(variant: variant.rawValue, units: loads, bytesPerPass: nil, expectedChecksum: Double(expectedEndOffset),
                        extras: extras, passesPerLap: (layout.slots + loads - 1) / loads,
                        touchedBytesPerPass: min(loads, layout.slots) * ChaseLayout.lineBytes) {
            withExtendedLifetime(mapping) {
                let end = kernel(cursor.position, loads)
                cursor.position = end
                return Double(end - base)
            }
        }
    }
}

/// Where a chase workload stands between passes.
final class ChaseCursor {
    var position: UnsafeRawPointer
    init(_ position: UnsafeRawPointer) { self.position = position }
}

/// Follows `loads` links from `start`: one dependent load per step, nothing else in the loop.
@inline(never)
func chaseLoads(_ start: UnsafeRawPointer, _ loads: Int) -> UnsafeRawPointer {
    var p = start
    var remaining = loads
    while remaining > 0 {
        p = p.load(as: UnsafeRawPointer.self)
        remaining &-= 1
    }
    return p
}

/// The C chase over the same cycle.
func chaseLoadsC(_ start: UnsafeRawPointer, _ loads: Int) -> UnsafeRawPointer {
    locality_c_chase(start, loads)!
}

/// Sums `count` words in address order: independent loads, so the loop is bound by bandwidth.
/// Four 2-lane vector accumulators, 64 bytes per iteration: the loop then waits on its loads
/// (two 16-byte loads per cycle), not on instruction fetch, so where the linker happens to
/// place it no longer matters (a 4-instruction loop straddling a 64-byte line ran at half
/// speed in L1). The C reference is written the same way.
@inline(never)
func sumWords(_ words: UnsafePointer<UInt64>, _ count: Int) -> UInt64 {
    let raw = UnsafeRawPointer(words)
    var a0 = SIMD2<UInt64>(), a1 = SIMD2<UInt64>(), a2 = SIMD2<UInt64>(), a3 = SIMD2<UInt64>()
    var i = 0
    while i &+ 8 <= count {
        let offset = i &* 8
        a0 &+= raw.loadUnaligned(fromByteOffset: offset, as: SIMD2<UInt64>.self)
        a1 &+= raw.loadUnaligned(fromByteOffset: offset &+ 16, as: SIMD2<UInt64>.self)
        a2 &+= raw.loadUnaligned(fromByteOffset: offset &+ 32, as: SIMD2<UInt64>.self)
        a3 &+= raw.loadUnaligned(fromByteOffset: offset &+ 48, as: SIMD2<UInt64>.self)
        i &+= 8
    }
    let lanes = (a0 &+ a1) &+ (a2 &+ a3)
    var sum = lanes[0] &+ lanes[1]
    while i < count {
        sum &+= words[i]
        i &+= 1
    }
    return sum
}
