import LocalityCLI

/// One job done two ways: finding keys in a hash table, and by binary search in a sorted array.
let lookup = Benchmark("lookup", summary: "the same keys found in a [Int: Int] and by binary search in a sorted [Int]",
                       unit: "lookup", sizes: [.kib(16), .mib(1), .mib(32)], footprint: { $0.rawValue * 6 },
                       setUp: { size in Table(bytes: size) }, units: { $0.keys.count },
                       variants: [
                           Kernel("dictionary", "Dictionary subscript") { $0.viaDictionary() },
                           Kernel("sorted-array", "binary search in a sorted array") { $0.viaBinarySearch() },
                       ])

Locality.main(experiments: [lookup])

/// `bytes` of sorted keys (the even numbers), the same keys in a dictionary giving each one's
/// index, and 4096 keys to look up in a fixed pseudo-random order (the same in every run).
struct Table {
    let sorted: [Int]
    let dictionary: [Int: Int]
    let keys: [Int]

    init(bytes: ByteSize) {
        let count = max(bytes.rawValue / MemoryLayout<Int>.stride, 1)
        let sorted = (0..<count).map { $0 * 2 }
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        keys = (0..<4096).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return sorted[Int((state >> 33) % UInt64(count))]
        }
        dictionary = Dictionary(uniqueKeysWithValues: sorted.enumerated().map { ($1, $0) })
        self.sorted = sorted
    }

    /// The sum of the keys' indices, found by hashing.
    func viaDictionary() -> Double {
        var sum = 0
        for key in keys { sum &+= dictionary[key] ?? 0 }
        return Double(sum)
    }

    /// The sum of the keys' indices, found by halving the sorted array.
    func viaBinarySearch() -> Double {
        var sum = 0
        for key in keys {
            var low = 0, high = sorted.count
            while low < high {
                let middle = (low + high) / 2
                if sorted[middle] < key { low = middle + 1 } else { high = middle }
            }
            sum &+= low
        }
        return Double(sum)
    }
}
