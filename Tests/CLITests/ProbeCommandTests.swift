import Foundation
import Testing

@Suite struct ProbeCommandTests {
    @Test(arguments: [
        (["probe", "--address", "xyz"], "'xyz' is not an address"),
        (["probe", "--address", "0x"], "'0x' is not an address"),
        (["probe", "--scan", "10..1"], "address range '10..1' is empty"),
        (["probe", "--scan", "5"], "'5' is not an address range"),
        (["probe", "--scan", "0..0x7fffffffffff"], "scan at most 1048576 pages"),
        (["probe", "--address", "0", "--output", "/nonexistent-locality-dir/p.json"], "does not exist"),
        (["probe", "--format", "yaml"], "yaml"),
    ])
    func badInputIsOneLineOnStderrAndANonZeroExit(arguments: [String], message: String) throws {
        let result = try CLI.run(arguments)
        #expect(result.status != 0)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.split(separator: "\n").count == 1, "stderr: \(result.stderr)")
        #expect(result.stderr.hasPrefix("locality: error: "))
        #expect(result.stderr.contains(message), "stderr: \(result.stderr)")
    }

    @Test func addressZeroIsUnreadableAndTheReasonIsGiven() throws {
        let result = try CLI.run(["probe", "--address", "0", "--address", "0x1000"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let rows = result.stdout.split(separator: "\n").filter { $0.hasPrefix("0x") }
        #expect(rows.count == 2)
        #expect(rows[0].contains("  no  ") && rows[0].contains("EFAULT") && rows[0].contains("vm.mmap_min_addr"))
        #expect(rows[1].contains("EFAULT"))
    }

    @Test func theClassicScanOfTheFirst10000AddressesFindsNoneReadable() throws {
        let result = try CLI.run(["probe", "--scan", "0..10000", "--format", "json"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let root = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(root["schema"] as? String == "locality-probe/1")
        let scan = try #require((root["scans"] as? [[String: Any]])?.first)
        #expect(scan["readable_addresses"] as? Int == 0)
        let runs = try #require(scan["runs"] as? [[String: Any]])
        #expect(runs.reduce(0) { $0 + (($1["end"] as? String).flatMap { UInt64($0.dropFirst(2), radix: 16) } ?? 0)
            - (($1["start"] as? String).flatMap { UInt64($0.dropFirst(2), radix: 16) } ?? 0) } == 10000)
        #expect(runs.allSatisfy { $0["readable"] as? Bool == false && $0["error"] as? String == "EFAULT" })
    }

    @Test func landmarksOfTheMainThreadLiveOnTheStackAndHeapAndMoveBetweenRuns() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("locality-probe-\(UUID())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let result = try CLI.run(["probe", "--output", dir + "/probe.json"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        for text in ["stack local", "[stack]", "[heap]", "libc.so", "a second run put", "ASLR", "the classic scan of addresses 0..<10000",
                     "0 readable"] {
            #expect(result.stdout.contains(text), "missing \(text)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["probe.json"])
        let data = try Data(contentsOf: URL(fileURLWithPath: dir + "/probe.json"))
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let landmarks = try #require(root["landmarks"] as? [[String: Any]])
        func entry(_ name: String) -> [String: Any]? {
            landmarks.first { ($0["landmark"] as? [String: Any])?["name"] as? String == name }
        }
        #expect((entry("stack local")?["region"] as? [String: Any])?["path"] as? String == "[stack]")
        #expect((entry("heap object")?["region"] as? [String: Any])?["path"] as? String == "[heap]")
        let aslr = try String(contentsOfFile: "/proc/sys/kernel/randomize_va_space", encoding: .utf8)
        if aslr.hasPrefix("2") {
            let stack = try #require(entry("stack local"))
            let here = (stack["landmark"] as? [String: Any])?["address"] as? String
            let there = stack["other_run_address"] as? String
            #expect(here != nil && there != nil && there != here, "here \(here ?? "nil"), second run \(there ?? "nil")")
        }
    }

    @Test func csvHasOneRowPerLandmark() throws {
        let result = try CLI.run(["probe", "--no-second-run", "--format", "csv"])
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix("kind,name,start") == true)
        #expect(lines.filter { $0.hasPrefix("landmark,") }.count == 10)
        #expect(lines.contains { $0.hasPrefix("scan-run,") })
    }
}
