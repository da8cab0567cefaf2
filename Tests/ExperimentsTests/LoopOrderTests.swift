import CReference
@testable import Experiments
import Harness
import Testing

@Suite struct LoopOrderTests {
    @Test(arguments: [8, 1000, 4096, 409_600, 1 << 20])
    func everyVariantReturnsTheExactSum(bytes: Int) throws {
        let workloads = try LoopOrder().prepare(size: ByteSize(rawValue: bytes), options: RunOptions())
        #expect(workloads.map(\.variant) == LoopOrder().variants.map(\.name))
        for workload in workloads {
            let expected = try #require(workload.expectedChecksum)
            #expect(workload.pass() == expected, "\(workload.variant) at \(bytes) bytes")
        }
    }

    @Test func checksumMatchesANaiveSum() {
        let matrix = Matrix(rows: 37, cols: 37)
        var naive = 0.0
        for r in 0..<37 { for c in 0..<37 { naive += matrix.elements[r * 37 + c] } }
        #expect(matrix.expectedSum == naive)
        #expect(sumRowMajor(matrix.elements, 37, 37) == naive)
        #expect(sumColumnMajor(matrix.elements, 37, 37) == naive)
        #expect(locality_c_sum_column_major(matrix.elements, 37, 37) == naive)
    }

    @Test func matrixIsTheLargestSquareThatFits() {
        #expect(Matrix.squareSide(fitting: 4096) == 22)      // 22² × 8 = 3872 ≤ 4096 < 23² × 8
        #expect(Matrix.squareSide(fitting: 2 << 20) == 512)
        #expect(Matrix.squareSide(fitting: 64 << 20) == 2896)
        #expect(Matrix.squareSide(fitting: 8) == 1)
        #expect(LoopOrder().footprint(of: .kib(4)) == 3872)
    }

    @Test func suiteFindsExperimentsByName() {
        #expect(Suite.experiment(named: "loop-order")?.name == "loop-order")
        #expect(Suite.experiment(named: "nope") == nil)
    }
}
