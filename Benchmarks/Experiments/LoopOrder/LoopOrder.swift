import CReference
import Harness

/// Row-wise against column-wise traversal of the same row-major matrix.
///
/// Row-major walks memory in address order: each 64-byte line serves 8 Doubles and the
/// prefetcher runs ahead. Column-major jumps a whole row (cols × 8 bytes) between loads: once
/// the matrix outgrows the caches, every load misses, and once a column spans more pages than
/// the TLB covers, every load also needs a page walk.
public struct LoopOrder: Experiment {
    public init() {}

    public let name = "loop-order"
    public let summary = "row-wise against column-wise traversal of one matrix of Doubles"
    public let sizeMeaning = "the matrix's footprint: the largest square matrix of Doubles that fits"
    public let unit = "element"
    public let baselineVariant = VariantName.rowMajor.rawValue
    public let defaultSizes: [ByteSize] = [.kib(4), .kib(400), .mib(4), .mib(64)]
    /// 2M is a 512 × 512 matrix: its columns are 4 KB apart, so in the simulated 32K 8-way L1
    /// every column load misses (8× the row walk's misses), while it all fits the LL.
    public let simulationSizes: [ByteSize] = [.kib(4), .kib(400), .mib(2)]
    /// In the caches and twice the L3 of the machine this was written on.
    public let quickSizes: [ByteSize] = [.kib(4), .mib(64)]
    enum VariantName: String, VariantKey, CaseIterable {
        case rowMajor = "row-major", columnMajor = "column-major", rowMajorC = "row-major-c"
    }
    public let variants = [
        Variant(VariantName.rowMajor, "sum along rows, in address order (8 accumulators)"),
        Variant(VariantName.columnMajor, "sum down columns, one row's stride between loads (8 accumulators)"),
        Variant(VariantName.rowMajorC, "the row-major loop in C (clang), the reference for the Swift kernel"),
    ]

    /// A 2 × 2 matrix: the smallest whose rows and columns differ. Below 8 bytes not even one
    /// Double fits, and the matrix measured would be larger than the size reported.
    public let minimumSize = ByteSize(rawValue: 2 * 2 * MemoryLayout<Double>.stride)

    /// The matrix, nothing else: it is filled in place.
    public func footprint(of size: ByteSize) -> Int {
        let n = Matrix.squareSide(fitting: size.rawValue)
        return n * n * MemoryLayout<Double>.stride
    }

    public func prepare(size: ByteSize, context: ExperimentContext) throws -> [Workload] {
        let n = Matrix.squareSide(fitting: size.rawValue)
        let matrix = try Matrix(allocatingRows: n, cols: n)
        let expected = matrix.expectedSum
        func workload(_ variant: VariantName, _ kernel: @escaping (UnsafePointer<Double>, Int, Int) -> Double) -> Workload {
            Workload(variant: variant.rawValue, units: matrix.count, bytesPerPass: matrix.byteCount, expectedChecksum: expected) {
                kernel(matrix.elements, matrix.rows, matrix.cols)
            }
        }
        return [
            workload(.rowMajor, sumRowMajor),
            workload(.columnMajor, sumColumnMajor),
            workload(.rowMajorC) { locality_c_sum_row_major($0, $1, $2) },
        ]
    }
}

/// Sums a row-major matrix along its rows. Eight independent accumulators, so the loop is
/// bound by loads rather than by the latency of one chain of floating-point adds (~1 ns per
/// element with a single accumulator here, which would hide the memory effect).
@inline(never)
func sumRowMajor(_ a: UnsafePointer<Double>, _ rows: Int, _ cols: Int) -> Double {
    var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0, s4 = 0.0, s5 = 0.0, s6 = 0.0, s7 = 0.0
    for r in 0..<rows {
        let row = a + r &* cols
        var c = 0
        while c &+ 8 <= cols {
            s0 += row[c]; s1 += row[c &+ 1]; s2 += row[c &+ 2]; s3 += row[c &+ 3]
            s4 += row[c &+ 4]; s5 += row[c &+ 5]; s6 += row[c &+ 6]; s7 += row[c &+ 7]
            c &+= 8
        }
        while c < cols { s0 += row[c]; c &+= 1 }
    }
    return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))
}

/// Sums the same matrix down its columns, in exactly the order of the naive
/// `for c { for r { a[r][c] } }` loop; the eight accumulators take consecutive rows.
@inline(never)
func sumColumnMajor(_ a: UnsafePointer<Double>, _ rows: Int, _ cols: Int) -> Double {
    var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0, s4 = 0.0, s5 = 0.0, s6 = 0.0, s7 = 0.0
    let stride8 = 8 &* cols
    for c in 0..<cols {
        var p = a + c
        var r = 0
        while r &+ 8 <= rows {
            s0 += p[0]; s1 += p[cols]; s2 += p[2 &* cols]; s3 += p[3 &* cols]
            s4 += p[4 &* cols]; s5 += p[5 &* cols]; s6 += p[6 &* cols]; s7 += p[7 &* cols]
            p += stride8
            r &+= 8
        }
        while r < rows { s0 += p[0]; p += cols; r &+= 1 }
    }
    return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))
}
