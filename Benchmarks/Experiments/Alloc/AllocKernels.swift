import CLocalitySupport
import Harness
import Foundation

// The timed loops of the `alloc` experiment. Each returns a checksum the experiment knows
// in advance: allocations that succeeded, or the sum of the values stored in the objects.

/// `count` times: malloc(size), then free it at once. Returns the allocations that succeeded.
@inline(never)
func mallocFreeBatch(size: Int, count: Int) -> Double {
    var succeeded = 0
    for _ in 0..<count {
        let block = malloc(size)
        locality_do_not_optimize_pointer(block)
        if block != nil { succeeded &+= 1 }
        free(block)
    }
    return Double(succeeded)
}

/// Like `mallocFreeBatch`, but each malloc+free is bracketed by two timer reads and its
/// duration in ticks stored into `ticks[0..<count]`.
@inline(never)
func mallocFreeEachTimed(size: Int, count: Int, ticks: UnsafeMutablePointer<UInt64>) -> Double {
    var succeeded = 0
    for i in 0..<count {
        let start = CycleTimer.now()
        let block = malloc(size)
        locality_do_not_optimize_pointer(block)
        free(block)
        let end = CycleTimer.now()
        ticks[i] = end &- start
        if block != nil { succeeded &+= 1 }
    }
    return Double(succeeded)
}

/// A small object of 16 bytes, as the strategies create it: two words.
struct Pair16 {
    var a: Int
    var b: Int
}

/// The same object as a Swift class instance (16 bytes of fields behind a 16-byte header).
final class Particle16 {
    var a: Int
    var b: Int
    init(a: Int, b: Int) { self.a = a; self.b = b }
}

/// Every strategy stores (i, i) in object i, then sums the first field of all objects.
func strategyChecksum(objects: Int) -> Double { Double(objects * (objects - 1) / 2) }

/// One malloc and one free per object, all objects alive together.
@inline(never)
func strategyMallocEach(objects: Int, pointers: UnsafeMutablePointer<UnsafeMutableRawPointer?>) -> Double {
    for i in 0..<objects {
        let block = malloc(MemoryLayout<Pair16>.size)
        block?.initializeMemory(as: Pair16.self, to: Pair16(a: i, b: i))
        pointers[i] = block
    }
    var sum = 0
    for i in 0..<objects {
        let block = pointers[i]
        sum &+= block?.load(as: Pair16.self).a ?? 0
        free(block)
    }
    return Double(sum)
}

/// A class instance per object (swift_allocObject → malloc, release → free).
@inline(never)
func strategyClassInstances(objects: Int, references: UnsafeMutablePointer<Particle16>) -> Double {
    for i in 0..<objects { (references + i).initialize(to: Particle16(a: i, b: i)) }
    var sum = 0
    for i in 0..<objects { sum &+= references[i].a }
    references.deinitialize(count: objects)
    return Double(sum)
}

/// Slots allocated once, before timing, left uninitialised between passes: no allocation.
@inline(never)
func strategySlots(objects: Int, slots: UnsafeMutablePointer<Pair16>) -> Double {
    for i in 0..<objects { (slots + i).initialize(to: Pair16(a: i, b: i)) }
    var sum = 0
    for i in 0..<objects { sum &+= slots[i].a }
    return Double(sum)
}

/// One arena per pass: one malloc, a bump of an offset per object, one free for all.
@inline(never)
func strategyArena(objects: Int, pointers: UnsafeMutablePointer<UnsafeMutablePointer<Pair16>?>) -> Double {
    var arena = Arena(capacity: objects * MemoryLayout<Pair16>.stride)
    for i in 0..<objects { pointers[i] = arena.make(Pair16(a: i, b: i)) }
    var sum = 0
    for i in 0..<objects { sum &+= pointers[i]?.pointee.a ?? 0 }
    return Double(sum)
}
