import Foundation
import Testing

/// `locality sim` under callgrind and `locality compare` on its reports, as CI uses them.
@Suite(.serialized) struct SimAndCompareTests {
    let directory: String

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("locality-sim-test-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    func simulate(_ name: String) throws -> (path: String, json: [String: Any]) {
        let path = "\(directory)/\(name).json"
        let result = try CLI.run(["sim", "loop-order", "--sizes", "2M", "--cache", "L1=32K:8:64,LL=32M:16:64", "--output", path])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return (path, try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any]))
    }

    func counters(_ json: [String: Any], _ variant: String) throws -> [String: [String: Any]] {
        let results = try #require(json["results"] as? [[String: Any]])
        let result = try #require(results.first { $0["variant"] as? String == variant })
        return try #require(result["counters"] as? [String: [String: Any]])
    }

    @Test func columnMajorHasEightTimesTheL1ReadMissesAndRunsRepeatExactly() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try simulate("first")
        #expect(first.json["mode"] as? String == "sim")
        let row = try counters(first.json, "row-major")
        let column = try counters(first.json, "column-major")
        #expect(row["D1mr"]?["source"] as? String == "sim")
        let rowMisses = try #require(row["D1mr"]?["value"] as? Double)
        let columnMisses = try #require(column["D1mr"]?["value"] as? Double)
        // 512 × 512 Doubles on 64-byte lines: one miss per 8 elements along rows, one per element
        // down columns (4 KB apart: 512 lines per column outrun the 8-way L1's sets).
        #expect(abs(rowMisses / 262_144 - 0.125) < 0.001)
        #expect(abs(columnMisses / rowMisses - 8.0) < 0.01)
        // The whole matrix fits the LL: no last-level misses after the warm-up pass.
        #expect(column["DLmr"]?["value"] as? Double == 0)

        let second = try simulate("second")
        for variant in ["row-major", "column-major", "row-major-c"] {
            let a = try counters(first.json, variant).mapValues { $0["value"] as? Double }
            let b = try counters(second.json, variant).mapValues { $0["value"] as? Double }
            #expect(a == b, "\(variant) counts differ between runs")
        }

        // compare: identical counts pass …
        let same = try CLI.run(["compare", first.path, second.path])
        #expect(same.status == 0, "\(same.stdout)\(same.stderr)")
        #expect(same.stdout.contains("PASS"))

        // … a worse access pattern (more D1 misses for row-major) fails, naming the metric …
        var worse = second.json
        var results = try #require(worse["results"] as? [[String: Any]])
        let index = try #require(results.firstIndex { $0["variant"] as? String == "row-major" })
        var rowCounters = try #require(results[index]["counters"] as? [String: [String: Any]])
        rowCounters["D1mr"]?["value"] = rowMisses * 2
        rowCounters["D1mr"]?["per_element"] = rowMisses * 2 / 262_144
        results[index]["counters"] = rowCounters
        worse["results"] = results
        let worsePath = "\(directory)/worse.json"
        try JSONSerialization.data(withJSONObject: worse).write(to: URL(fileURLWithPath: worsePath))
        let failed = try CLI.run(["compare", first.path, worsePath, "--format", "markdown"])
        #expect(failed.status == 1)
        #expect(failed.stdout.contains("loop-order/row-major/2M D1mr/elem"))
        #expect(failed.stdout.contains("REGRESSED"))

        // … and bad input exits 2 with one line saying what is wrong.
        let corrupt = "\(directory)/corrupt.json"
        try Data("{\"schema\": \"locality/1\", \"results\": [".utf8).write(to: URL(fileURLWithPath: corrupt))
        for (arguments, message) in [
            (["compare", first.path, corrupt], "not valid JSON"),
            (["compare", first.path, "\(directory)/absent.json"], "cannot read the file"),
            (["compare", "\(directory)/absent.json", first.path], "absent.json"),
        ] {
            let bad = try CLI.run(arguments)
            #expect(bad.status == 2)
            #expect(bad.stderr.split(separator: "\n").count == 1)
            #expect(bad.stderr.contains(message), "\(bad.stderr)")
        }
    }

    @Test func countsDoNotDependOnTheWorkingDirectoryAndHeapPlacedMissesCarryTheirTolerance() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // The working directory's path lands on the heap; `sim` runs its child elsewhere so
        // that malloc-each, whose misses follow the heap's layout, counts the same from anywhere.
        let deep = directory + "/" + String(repeating: "d", count: 100)
        try FileManager.default.createDirectory(atPath: deep, withIntermediateDirectories: true)
        var runs: [[String: [String: [String: Any]]]] = []
        for cwd in [directory, deep] {
            let result = try CLI.run(["sim", "alloc", "--sizes", "16", "--cache", "D1=32K:8:64,LL=32M:16:64",
                                      "--format", "json"], workingDirectory: cwd)
            #expect(result.status == 0, "stderr: \(result.stderr)")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            var byVariant: [String: [String: [String: Any]]] = [:]
            for variant in ["malloc-each", "class-instances", "arena", "batched"] {
                byVariant[variant] = try counters(json, variant)
            }
            runs.append(byVariant)
        }
        for variant in ["malloc-each", "class-instances", "arena", "batched"] {
            let a = runs[0][variant]?.mapValues { $0["value"] as? Double }
            let b = runs[1][variant]?.mapValues { $0["value"] as? Double }
            #expect(a == b, "\(variant) counts differ between working directories")
        }
        // Misses of the allocating strategies are judged within 10%; their instruction
        // counts, and every count of the other kernels, stay exact.
        #expect(runs[0]["malloc-each"]?["D1mr"]?["tolerance"] as? Double == 0.1)
        #expect(runs[0]["class-instances"]?["DLmr"]?["tolerance"] as? Double == 0.1)
        #expect(runs[0]["malloc-each"]?["Ir"]?["tolerance"] == nil)
        #expect(runs[0]["arena"]?["D1mr"]?["tolerance"] == nil)
        #expect(runs[0]["batched"]?["D1mr"]?["tolerance"] == nil)
    }

    @Test func badCacheSpecsAreOneLine() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let result = try CLI.run(["sim", "loop-order", "--cache", "L1=32K:8"])
        #expect(result.status != 0)
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(result.stderr.contains("is not LEVEL=SIZE:WAYS:LINE"))
    }
}

@Suite struct SimWithoutValgrindTests {
    @Test func aMissingValgrindIsOneLineSayingHowToInstallIt() throws {
        let result = try CLI.run(["sim", "loop-order", "--sizes", "4K"], environment: ["PATH": "/nonexistent-locality-path"])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(result.stderr.contains("valgrind is not installed"))
        #expect(result.stderr.contains("apt-get install valgrind"))
    }

    /// `--quick` picks quick sizes for a timed run only: a simulation keeps its own, already
    /// small, sizes (loop-order's quick 64M would take valgrind minutes).
    @Test func quickKeepsTheSimulationSizes() throws {
        let result = try CLI.run(["sim", "loop-order", "--quick", "--variants", "row-major", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let sizes = Set((json["results"] as? [[String: Any]] ?? []).compactMap { $0["size_bytes"] as? Int })
        #expect(sizes == [4096, 409_600, 2 << 20])
    }
}
