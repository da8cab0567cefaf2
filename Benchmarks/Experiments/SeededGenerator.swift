/// SplitMix64 (Steele, Lea & Flood 2014): a tiny, fast, seedable generator, so that a shuffle
/// built from `--seed` is the same on every run and every machine. Not cryptographic.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SeededGenerator.mix(state)
    }

    /// SplitMix64's finaliser: a bijective hash of 64 bits, also handy for filling data.
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A uniformly random order of 0..<count (Fisher–Yates): every element once.
public func randomOrder(count: Int, using generator: inout SeededGenerator) -> [Int] {
    var order = Array(0..<count)
    var i = count - 1
    while i > 0 {
        let j = Int(generator.next(upperBound: UInt64(i + 1)))
        order.swapAt(i, j)
        i -= 1
    }
    return order
}

/// The successors of the single cycle that visits `order` and returns to its start:
/// `successor[order[k]] == order[k + 1]`, and the last element leads back to the first.
/// Following successors from any element visits every element once, so chases built on it
/// cannot fall into a short loop.
public func cycleSuccessors(visiting order: [Int]) -> [Int] {
    var successor = [Int](repeating: 0, count: order.count)
    for k in order.indices { successor[order[k]] = order[k + 1 == order.count ? 0 : k + 1] }
    return successor
}

/// A uniformly random cyclic permutation of 0..<count: `successor[i]` follows `i`.
public func randomCycle(count: Int, using generator: inout SeededGenerator) -> [Int] {
    cycleSuccessors(visiting: randomOrder(count: count, using: &generator))
}

/// The elements of a cycle in visit order, starting at `start`.
public func visitOrder(ofCycle successor: [Int], from start: Int = 0) -> [Int] {
    var order = [Int](repeating: 0, count: successor.count)
    var element = start
    for k in 0..<successor.count {
        order[k] = element
        element = successor[element]
    }
    return order
}
