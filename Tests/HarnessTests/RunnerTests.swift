import Counters
import Foundation
@testable import Harness
import Testing

/// A toy experiment whose footprint is ten times its size.
struct ToyExperiment: Experiment {
    var name = "toy"
    var summary = "sums an array"
    var sizeMeaning = "bytes of the array"
    var unit = "element"
    var variants = [Variant("right", "correct"), Variant("wrong", "returns another checksum")]
    var baselineVariant = "right"
    var defaultSizes: [ByteSize] = [.kib(4)]
    var wrongChecksum = false

    func footprint(of size: ByteSize) -> Int { size.rawValue * 10 }

    func prepare(size: ByteSize, context: ExperimentContext) throws -> [Workload] {
        let values = (0..<size.rawValue / 8).map(Double.init)
        let expected = values.reduce(0, +)
        return [
            Workload(variant: "right", units: values.count, bytesPerPass: size.rawValue, expectedChecksum: expected) {
                values.reduce(0, +)
            },
            Workload(variant: "wrong", units: values.count, bytesPerPass: size.rawValue, expectedChecksum: expected) {
                values.reduce(wrongChecksum ? 1 : 0, +)
            },
        ]
    }
}

@Suite struct RunnerTests {
    let noCounters = CounterPlan(requested: [], groups: [], unavailable: [:])

    func machine(available: Int?) -> MachineInfo {
        var machine = MachineInfo.current(root: "/nonexistent-locality-root")
        machine.memAvailableBytes = available
        return machine
    }

    @Test func measuresEveryVariantAndComputesRatios() throws {
        let runner = Runner(configuration: RunConfiguration(repetitions: 3, minimumSampleNanoseconds: 200_000),
                            plan: noCounters, library: nil)
        let suite = SuiteRun(experiments: [ToyExperiment()], sizes: [.kib(4), .kib(8)], runner: runner,
                             machine: machine(available: 1 << 30))
        let report = try suite.run()
        #expect(report.results.map(\.variant) == ["right", "wrong", "right", "wrong"])
        #expect(report.results.map(\.elements) == [512, 512, 1024, 1024])
        for result in report.results {
            #expect(result.samples == 3)
            #expect(result.iterations >= 1)
            #expect(result.nsPerElement.min <= result.nsPerElement.median)
            #expect(result.nsPerElement.median <= result.nsPerElement.max)
            #expect(result.baseline == "right")
        }
        #expect(report.results[0].ratioToBaseline == 1)
        #expect(report.schema == "locality/1")
    }

    /// An experiment whose variants `--variants` all leaves out takes no step: the progress
    /// counts only the sizes that run.
    @Test func progressCountsOnlyTheExperimentsThatRun() throws {
        let runner = Runner(configuration: RunConfiguration(repetitions: 1, minimumSampleNanoseconds: 100_000),
                            plan: noCounters, library: nil)
        var other = ToyExperiment()
        other.name = "other"
        other.variants = [Variant("alone", "")]
        other.baselineVariant = "alone"
        var suite = SuiteRun(experiments: [ToyExperiment(), other], sizes: [.kib(4), .kib(8)], runner: runner,
                             machine: machine(available: 1 << 30))
        suite.variantFilter = try VariantFilter(parsing: "right")
        let steps = LockedSteps()
        suite.progress = { steps.append($0.steps) }
        _ = try suite.run()
        #expect(Set(steps.values) == [2], "\(steps.values)")
    }

    final class LockedSteps: @unchecked Sendable {
        private let lock = NSLock()
        private var stored: [Int] = []
        func append(_ value: Int) { lock.lock(); stored.append(value); lock.unlock() }
        var values: [Int] { lock.lock(); defer { lock.unlock() }; return stored }
    }

    @Test func calibrationRepeatsShortPassesAndNotLongOnes() throws {
        let runner = Runner(configuration: RunConfiguration(repetitions: 1, minimumSampleNanoseconds: 2_000_000),
                            plan: noCounters, library: nil)
        // A 512-element sum takes far less than 2 ms, so calibration must repeat it (three
        // tries: a single one can lose the CPU for longer than 2 ms on a shared machine).
        let short = try ToyExperiment().prepare(size: .kib(4), options: RunOptions())[0]
        #expect((0..<3).contains { _ in runner.calibrate(short) > 1 })
        // A pass that by construction lasts longer than the target is run once per sample.
        let long = Workload(variant: "spin", units: 1, bytesPerPass: nil, expectedChecksum: nil) {
            let start = DispatchTime.now().uptimeNanoseconds
            var spins = 0.0
            while DispatchTime.now().uptimeNanoseconds - start < 3_000_000 { spins += 1 }
            return spins
        }
        #expect(runner.calibrate(long) == 1)
        #expect(try runner.measure(long, experiment: "toy", size: .kib(4)).iterations == 1)
    }

    @Test func aWrongChecksumIsAnError() throws {
        let runner = Runner(configuration: RunConfiguration(repetitions: 1, minimumSampleNanoseconds: 100_000),
                            plan: noCounters, library: nil)
        let workload = try ToyExperiment(wrongChecksum: true).prepare(size: .kib(4), options: RunOptions())[1]
        #expect(throws: ChecksumMismatch.self) { try runner.measure(workload, experiment: "toy", size: .kib(4)) }
    }

    @Test func sizesBeyondAvailableMemoryAreRejectedBeforeAllocating() throws {
        let runner = Runner(configuration: RunConfiguration(repetitions: 1), plan: noCounters, library: nil)
        let suite = SuiteRun(experiments: [ToyExperiment()], sizes: [.kib(4), .mib(2)], runner: runner,
                             machine: machine(available: 10 << 20))
        let error = #expect(throws: InsufficientMemory.self) { try suite.run() }
        #expect(error?.size == .mib(2))
        #expect(error?.footprint == 20 << 20)
        #expect(error?.description.contains("MemAvailable") == true)
    }
}
