/// A bump allocator: one allocation up front, objects carved from it by moving an offset,
/// everything released at once when the arena goes away (or reused after `reset`). No
/// per-object bookkeeping, no per-object free.
struct Arena: ~Copyable {
    private let base: UnsafeMutableRawPointer
    let capacity: Int
    /// Bytes handed out so far, including alignment padding.
    private(set) var used = 0

    /// Reserves `capacity` bytes (one malloc), aligned to 16 like malloc's blocks.
    init(capacity: Int) {
        precondition(capacity > 0, "an arena needs room")
        self.capacity = capacity
        base = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
    }

    deinit { base.deallocate() }

    /// `byteCount` bytes aligned to `alignment` (a power of two), or nil when the arena is full.
    @inline(__always)
    mutating func allocate(byteCount: Int, alignment: Int = 16) -> UnsafeMutableRawPointer? {
        let start = (used &+ alignment &- 1) & ~(alignment &- 1)
        guard start &+ byteCount <= capacity else { return nil }
        used = start &+ byteCount
        return base + start
    }

    /// Room for one `T`, bound to `T` and initialised to `value`.
    @inline(__always)
    mutating func make<T>(_ value: T) -> UnsafeMutablePointer<T>? {
        guard let raw = allocate(byteCount: MemoryLayout<T>.size, alignment: MemoryLayout<T>.alignment) else { return nil }
        return raw.initializeMemory(as: T.self, to: value)
    }

    /// Forgets every object (trivial types only: nothing is deinitialised) and starts over.
    mutating func reset() { used = 0 }
}
