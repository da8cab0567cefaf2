import Counters
import Foundation
@testable import Harness
import Testing

/// The runner with real PAPI counters: values per sample normalised by the units of every
/// pass in the sample, each with its source.
@Suite struct RunnerCounterTests {
    /// Each pass maps 64 fresh pages, writes one byte in each and unmaps them: one page fault
    /// per page and pass, whatever the number of passes calibration picks.
    static func faultingWorkload(pages: Int = 64) -> Workload {
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        return Workload(variant: "touch", units: pages, bytesPerPass: nil, expectedChecksum: Double(pages)) {
            let length = pages * pageSize
            guard let region = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
                  region != MAP_FAILED else { return -1 }
            defer { munmap(region, length) }
            _ = madvise(region, length, MADV_NOHUGEPAGE)
            let bytes = region.assumingMemoryBound(to: UInt8.self)
            var touched = 0.0
            for page in 0..<pages {
                bytes[page * pageSize] = 1
                touched += Double(bytes[page * pageSize])
            }
            return touched
        }
    }

    @Test func pageFaultsAreCountedPerPageOverEveryPassOfASample() throws {
        let library = try PAPILibrary()
        let plan = try CounterPlan.probe(["perf::PAGE-FAULTS", "PAPI_TOT_CYC"], library: library,
                                         environment: .current(hypervisor: nil))
        let runner = Runner(configuration: RunConfiguration(repetitions: 3, minimumSampleNanoseconds: 2_000_000),
                            plan: plan, library: library)
        // Calibration repeats a pass of 64 faults to fill 2 ms (three tries: one can lose the CPU
        // for longer than that on a shared machine, and then runs one pass per sample).
        // Exclusively: the counting tests of CountersTests use PAPI on other threads meanwhile.
        func measure() throws -> VariantResult {
            try PAPILibrary.exclusively { try runner.measure(Self.faultingWorkload(), experiment: "toy", size: .kib(256)) }
        }
        var result = try measure()
        for _ in 0..<2 where result.iterations == 1 { result = try measure() }
        #expect(result.iterations > 1)
        let faults = try #require(result.counters["perf::PAGE-FAULTS"])
        #expect(faults.source == .software)
        // The median sample's count covers every pass of it; per element it is faults per page.
        #expect(faults.perElement > 0.9 && faults.perElement < 1.5, "faults per page: \(faults.perElement)")
        #expect(abs(faults.value - faults.perElement * Double(64 * result.iterations)) < 1e-6 * faults.value)
        // The cycle counter is either measured by the PMU or named unavailable; never both, never filled in.
        if let cycles = result.counters["PAPI_TOT_CYC"] {
            #expect(cycles.source == .hardware)
            #expect(result.unavailable["PAPI_TOT_CYC"] == nil)
        } else {
            #expect(result.unavailable["PAPI_TOT_CYC"]?.contains("PAPI") == true)
        }
    }
}
