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
