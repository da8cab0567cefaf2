import Foundation
import Testing

/// Memory limits and too-small sizes through the CLI: one line on stderr, a non-zero exit, no
/// trap, no output file. Every refusal here happens before anything large is allocated.
@Suite struct MemoryLimitCLITests {
    /// `locality ARGUMENTS` under `ulimit -v KIB`.
    static func runUnderAddressSpaceLimit(kib: Int, _ arguments: [String]) throws -> CLI.Result {
        try CLI.run(arguments, addressSpaceLimitKiB: kib)
    }

    func expectOneLine(_ result: CLI.Result, status: Int32, containing parts: [String],
                       sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status == status, "stderr: \(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stdout.isEmpty, sourceLocation: sourceLocation)
        #expect(result.stderr.split(separator: "\n").count == 1, "stderr: \(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.hasPrefix("locality: error: "), sourceLocation: sourceLocation)
        for part in parts {
            #expect(result.stderr.contains(part), "stderr: \(result.stderr)", sourceLocation: sourceLocation)
        }
    }

    // ulimit -v 1500000 (1.43 GiB), as the reviewer ran it.
    static let limitKiB = 1_500_000

    @Test(arguments: [
        (["run", "layout", "--sizes", "1G", "--repetitions", "1", "--events", "perf::PAGE-FAULTS"], "size 1G for layout needs 16G of address space"),
        (["run", "loop-order", "--sizes", "2G", "--repetitions", "1"], "size 2G for loop-order needs 2G of address space"),
        (["run", "alloc", "--sizes", "2G", "--repetitions", "1"], "size 2G for alloc needs 2G of address space"),
        (["sim", "loop-order", "--sizes", "2G"], "size 2G for loop-order needs 2G of address space"),
    ])
    func theAddressSpaceLimitRefusesUpFront(arguments: [String], message: String) throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("locality-ulimit-\(UUID()).json").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        let result = try Self.runUnderAddressSpaceLimit(kib: Self.limitKiB, arguments + ["--output", output])
        expectOneLine(result, status: 1, containing: [message, "left under the address-space limit (ulimit -v 1.43G"])
        #expect(!result.stderr.contains("checksum"))
        #expect(!FileManager.default.fileExists(atPath: output))
    }

    @Test func aSizeTheLimitAllowsStillRuns() throws {
        let result = try Self.runUnderAddressSpaceLimit(kib: Self.limitKiB, ["run", "loop-order", "--sizes", "4K", "--repetitions", "1"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("loop-order · 4K · 484 elements"))
    }

    @Test func aMallocThatFailsIsNamedWithItsReason() throws {
        // 200T passes the memory check (alloc touches only the block's header) but no malloc
        // gets it: beyond the user address space.
        let result = try CLI.run(["run", "alloc", "--sizes", "200T", "--repetitions", "1"])
        expectOneLine(result, status: 1, containing: ["alloc at 200T: malloc of 200T", "failed: Cannot allocate memory"])
    }

    @Test(arguments: [
        (["run", "loop-order", "--sizes", "1"], "size 1 is too small for loop-order: its smallest size is 32 bytes"),
        (["run", "loop-order", "--sizes", "4K,31"], "size 31 is too small for loop-order: its smallest size is 32 bytes"),
        (["run", "tlb", "--sizes", "1"], "size 1 is too small for tlb: its smallest size is 4K"),
        (["run", "layout", "--sizes", "8"], "size 8 is too small for layout: its smallest size is 16 bytes"),
        (["run", "page-faults", "--sizes", "1000"], "size 1000 is too small for page-faults: its smallest size is 4K"),
        (["sim", "tlb", "--sizes", "100"], "size 100 is too small for tlb: its smallest size is 4K"),
    ])
    func sizesBelowAnExperimentsMinimumAreAUsageError(arguments: [String], message: String) throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("locality-small-\(UUID()).json").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        let result = try CLI.run(arguments + ["--output", output])
        expectOneLine(result, status: 64, containing: [message])
        #expect(!FileManager.default.fileExists(atPath: output))
    }

    @Test func theSmallestSizeRunsAndReportsWhatItMeasured() throws {
        let result = try CLI.run(["run", "loop-order", "--sizes", "32", "--repetitions", "1"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("loop-order · 32 · 4 elements"))
    }
}
