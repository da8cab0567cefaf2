import Foundation
import Harness

/// A rows × cols matrix of Doubles in one 64-byte-aligned allocation, stored row-major.
///
/// Kernels get its raw pointer: no bounds checks, no ARC and no exclusivity checks happen
/// inside their loops. Element i holds `Double(i % 1024)`, so every sum is an exact integer
/// whatever the order of additions, and all variants must return the same checksum.
final class Matrix: @unchecked Sendable {
    let rows: Int
    let cols: Int
    let elements: UnsafeMutablePointer<Double>

    var count: Int { rows * cols }
    var byteCount: Int { count * MemoryLayout<Double>.stride }

    /// Allocates and fills the matrix; malloc's refusal is an error, not a trap.
    init(allocatingRows rows: Int, cols: Int) throws(AllocationFailure) {
        self.rows = rows
        self.cols = cols
        let raw = try HeapAllocation.allocate(bytes: rows * cols * MemoryLayout<Double>.stride, alignment: 64,
                                              for: "loop-order's \(rows) × \(cols) matrix")
        elements = raw.bindMemory(to: Double.self, capacity: rows * cols)
        for i in 0..<rows * cols { elements[i] = Double(i & 1023) }
    }

    /// A small matrix that surely fits (tests); traps where memory runs out.
    convenience init(rows: Int, cols: Int) {
        try! self.init(allocatingRows: rows, cols: cols)
    }

    deinit { free(elements) }

    /// The largest square matrix of Doubles whose footprint fits in `bytes`.
    static func squareSide(fitting bytes: Int) -> Int {
        var n = Int(Double(bytes / MemoryLayout<Double>.stride).squareRoot())
        while (n + 1) * (n + 1) * MemoryLayout<Double>.stride <= bytes { n += 1 }
        while n > 1 && n * n * MemoryLayout<Double>.stride > bytes { n -= 1 }
        return max(n, 1)
    }

    /// The sum every traversal must produce, computed without touching the matrix.
    var expectedSum: Double {
        let n = count, full = n / 1024, rest = n % 1024
        return Double(full * (1023 * 1024 / 2) + rest * (rest - 1) / 2)
    }
}
