import Counters
import Foundation
import Harness
import Testing

/// A `Benchmark` is an experiment like the built-in ones: its variants come from its kernels,
/// its working set is built per size, and the runner checks its checksums.
@Suite struct BenchmarkTests {
    /// Sums of 0..<n two ways; `broken` adds one to the second.
    func sums(broken: Bool = false, checksum: ChecksumRule<[Int]> = .sameAsFirstVariant) -> Benchmark<[Int]> {
        Benchmark("sums", unit: "value", sizes: [.kib(8), .mib(64)],
                  setUp: { size in Array(0..<size.rawValue / 8) }, units: { $0.count }, checksum: checksum,
                  variants: [
                      Kernel("forward", "front to back") { Double($0.reduce(0, &+)) },
                      Kernel("backward", "back to front", ratioPartner: "forward") {
                          Double($0.reversed().reduce(broken ? 1 : 0, &+))
                      },
                  ])
    }

    let runner = Runner(configuration: RunConfiguration(repetitions: 2, minimumSampleNanoseconds: 100_000),
                        plan: CounterPlan(requested: [], groups: [], unavailable: [:]), library: nil)

    @Test func declaresItsVariantsOnceFromItsKernels() {
        let benchmark = sums()
        #expect(benchmark.variants == [Variant("forward", "front to back"),
                                       Variant("backward", "back to front", ratioPartner: "forward")])
        #expect(benchmark.baselineVariant == "forward")
        #expect(benchmark.defaultSizes == [.kib(8), .mib(64)])
        // sim's defaults: the sizes up to 4 MiB.
        #expect(benchmark.simulationSizes == [.kib(8)])
        #expect(benchmark.footprint(of: .kib(8)) == 8192)
    }

    @Test func buildsOneWorkloadPerKernelWithTheWorkingSetsUnits() throws {
        let workloads = try sums().prepare(size: .kib(8), options: RunOptions())
        #expect(workloads.map(\.variant) == ["forward", "backward"])
        #expect(workloads.map(\.units) == [1024, 1024])
        // The first kernel's sum is what every pass must return.
        #expect(workloads.map(\.expectedChecksum) == [523_776, 523_776])
        #expect(workloads.map { $0.pass() } == [523_776, 523_776])
    }

    @Test func measuresThroughTheRunnerLikeAnyExperiment() throws {
        let results = try runner.measure(try sums().prepare(size: .kib(8), options: RunOptions()),
                                         experiment: "sums", size: .kib(8))
        #expect(results.map(\.variant) == ["forward", "backward"])
        #expect(results.map(\.elements) == [1024, 1024])
        #expect(results.map(\.checksum) == [523_776, 523_776])
    }

    @Test func aKernelDoingOtherWorkIsRefusedBeforeTiming() throws {
        let workloads = try sums(broken: true).prepare(size: .kib(8), options: RunOptions())
        #expect(throws: ChecksumMismatch.self) { try runner.measure(workloads, experiment: "sums", size: .kib(8)) }
        do {
            _ = try runner.measure(workloads, experiment: "sums", size: .kib(8))
        } catch let mismatch as ChecksumMismatch {
            #expect(mismatch.variant == "backward")
            #expect(mismatch.expected == 523_776)
            #expect(mismatch.actual == 523_777)
        }
    }

    /// The suite gives prepare the machine it read once: here a page size no machine has.
    @Test func setUpSeesTheRunsMachineAndOptions() throws {
        var machine = MachineInfo.current(root: "/nonexistent-locality-root")
        machine.pageSizeBytes = 1234
        machine.memAvailableBytes = 1 << 30
        let pages = Benchmark("pages", sizes: [.kib(4)],
                              setUp: { _, context in Array(repeating: Int(context.options.seed), count: context.machine.pageSizeBytes) },
                              units: { $0.count }, variants: [Kernel("sum") { Double($0.reduce(0, &+)) }])
        let suite = SuiteRun(experiments: [pages], sizes: nil, runner: runner, machine: machine, options: RunOptions(seed: 3))
        let report = try suite.run()
        #expect(report.results.map(\.elements) == [1234])
        #expect(report.results.map(\.checksum) == [3702])
    }

    @Test func checksumRulesGiveTheExpectedValue() throws {
        let given = try sums(checksum: .expected { Double($0.count) }).prepare(size: .kib(8), options: RunOptions())
        #expect(given.map(\.expectedChecksum) == [1024, 1024])
        let unchecked = try sums(broken: true, checksum: .unchecked).prepare(size: .kib(8), options: RunOptions())
        #expect(unchecked.map(\.expectedChecksum) == [nil, nil])
        #expect(try runner.measure(unchecked, experiment: "sums", size: .kib(8)).map(\.checksum) == [523_776, 523_777])
    }
}
