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

    // MARK: findings

    static func result(_ variant: LoopOrder.VariantName, _ size: ByteSize, ns: Double, d1Misses: Double? = nil,
                       noisy: Bool = false) -> VariantResult {
        var result = VariantResult(experiment: "loop-order", variant: variant.rawValue, sizeBytes: size.rawValue, elements: 1000,
                                   iterations: 1, samples: 3, nsPerElement: Summary(median: ns, min: ns, max: ns), gbPerSecond: nil,
                                   counters: d1Misses.map { [SimulatedEvent.l1DataReadMisses.rawValue:
                                       CounterValue(value: $0 * 1000, perElement: $0, source: .simulated)] } ?? [:],
                                   unavailable: [:], checksum: 0)
        if noisy { result.noisy = Noise(reasons: [NoiseReason(kind: .wideSpread, value: 0.5, limit: 0.3)]) }
        return result
    }

    /// A machine with L1d 32K, L2 1M and L3 32M, whatever this one has.
    static let machine = MachineInfo.simulated(
        caches: CacheGeometry(i1: CacheShape(sizeBytes: 32 << 10, ways: 8, lineBytes: 64), d1: CacheShape(sizeBytes: 32 << 10, ways: 8, lineBytes: 64),
                              l2: CacheShape(sizeBytes: 1 << 20, ways: 8, lineBytes: 64), ll: CacheShape(sizeBytes: 32 << 20, ways: 16, lineBytes: 64)).levels,
        tlbs: nil)

    @Test func findingsGiveTheColumnWalksCostBySizeWhereItPassesTwiceAndTheCTwin() {
        let results = [
            Self.result(.rowMajor, .kib(4), ns: 0.3), Self.result(.columnMajor, .kib(4), ns: 0.31), Self.result(.rowMajorC, .kib(4), ns: 0.25),
            Self.result(.rowMajor, .kib(400), ns: 0.14), Self.result(.columnMajor, .kib(400), ns: 0.27, noisy: true),
            Self.result(.rowMajorC, .kib(400), ns: 0.14),
            Self.result(.rowMajor, .mib(4), ns: 0.13), Self.result(.columnMajor, .mib(4), ns: 0.56), Self.result(.rowMajorC, .mib(4), ns: 0.13),
            Self.result(.rowMajor, .mib(64), ns: 0.35), Self.result(.columnMajor, .mib(64), ns: 4.2), Self.result(.rowMajorC, .mib(64), ns: 0.35),
        ]
        let lines = LoopOrder().findings(from: results, context: .fixed(Self.machine))
        // 400K is noisy: left out, not concluded from.
        #expect(lines == ["column/row-major: 1.03× in L1d (4K), 4.31× past L2 (4M), 12× past L3 (64M)",
                          "Swift row-major against its C twin: 1.00×–1.20× over 4K–64M"])
        let small = LoopOrder().findings(from: Array(results.prefix(3)), context: .fixed(Self.machine))
        #expect(small == ["column/row-major: 1.03× in L1d (4K)", "Swift row-major against its C twin: 1.20× at 4K"])
    }

    @Test func simulatedFindingsCountTheLinesEachWalkMisses() {
        let lines = LoopOrder().simulatedFindings(from: [Self.result(.rowMajor, .mib(2), ns: 1, d1Misses: 0.125),
                                                         Self.result(.columnMajor, .mib(2), ns: 1, d1Misses: 1.0)], tlbs: nil)
        #expect(lines == ["2M: L1 read misses per element, row-major 0.125 (one per 8 elements), column-major 1.00 (every element)"])
    }
}
