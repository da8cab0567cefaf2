import Foundation
import Probes
import Reporting
import Testing

@Suite struct ProbeReportTests {
    @Test func locatesEveryLandmarkInTheRegionItBelongsTo() throws {
        let report = try ProbeReport.landmarks(otherRun: nil)
        let names = report.landmarks.map(\.landmark.name)
        #expect(Set(names) == ["global variable", "constant", "string literal", "stack local", "local in a called function",
                               "heap object", "large malloc", "thread's stack", "function's code", "libc function"])
        let addresses = report.landmarks.map(\.landmark.address)
        #expect(addresses == addresses.sorted())
        func region(_ name: String) -> MemoryRegion? { report.landmarks.first { $0.landmark.name == name }?.region }
        // Tests run on worker threads: their stack is an mmap'd block, not [stack].
        var local = 1
        let here = withUnsafeMutablePointer(to: &local) { Address(UInt(bitPattern: $0)) }
        let stack = try #require(try MemoryMap.current().region(containing: here))
        #expect(region("stack local")?.start == stack.start)
        #expect(region("local in a called function")?.start == stack.start)
        #expect(region("heap object")?.isWritable == true)
        #expect(region("large malloc")?.path == nil)
        #expect((region("large malloc")?.size ?? 0) >= UInt64(Landmarks.largeBlockBytes))
        #expect(region("thread's stack")?.path == nil)
        #expect(region("function's code")?.isExecutable == true)
        #expect(region("libc function")?.shortName.hasPrefix("libc") == true)
        #expect(region("global variable")?.isWritable == true)
        // The callee's frame lies below the caller's: the stack grows down.
        let callee = try #require(report.landmarks.first { $0.landmark.name == "local in a called function" })
        let caller = try #require(report.landmarks.first { $0.landmark.name == "stack local" })
        #expect(callee.landmark.address < caller.landmark.address)
        // Gaps are the differences of consecutive addresses.
        for (previous, next) in zip(report.landmarks, report.landmarks.dropFirst()) {
            #expect(next.gapBefore == next.landmark.address.rawValue - previous.landmark.address.rawValue)
        }
        #expect(report.scans.first?.readableAddresses == 0)
        #expect(report.findings.contains { $0.contains("the classic scan of addresses 0..<10000") })
    }

    @Test func comparesASecondRunByLandmarkName() throws {
        let shifted = ["stack local": Address(rawValue: 0x1234), "global variable": Address(rawValue: 0x5678)]
        let report = try ProbeReport.landmarks(otherRun: shifted)
        #expect(report.landmarks.first { $0.landmark.name == "stack local" }?.otherRunAddress == Address(rawValue: 0x1234))
        #expect(report.findings.contains { $0.contains("a second run put 2 of 2 landmarks at other addresses") })
        #expect(try report.render(.table).contains("second run"))
    }

    @Test func rendersJSONThatDecodesBackAndCSVWithOneRowPerRun() throws {
        let report = try ProbeReport.probing([Address(rawValue: 0)], ranges: [try AddressRange(parsing: "0..10000")])
        let json = try report.render(.json)
        #expect(json.contains("\"schema\" : \"locality-probe/1\""))
        #expect(json.contains("\"address\" : \"0x0000000000000000\""))
        let decoded = try JSONDecoder().decode(ProbeReport.self, from: Data(json.utf8))
        #expect(decoded == report)
        let csv = try report.render(.csv).split(separator: "\n")
        #expect(csv.first?.hasPrefix("kind,name,start,end,addresses,readable") == true)
        #expect(csv.dropFirst().first?.hasPrefix("address,,0x0000000000000000,,1,false,EFAULT") == true)
        #expect(csv.filter { $0.hasPrefix("scan-run,") }.count == report.scans[0].runs.count)
        let markdown = try report.render(.markdown)
        #expect(markdown.contains("| 0x0000000000000000 | no |"))
    }

    @Test func formatsLargeByteCounts() {
        #expect(NumberFormat.iecBytes(864) == "864 B")
        #expect(NumberFormat.iecBytes(40 * 1024 + 512) == "40.5 KiB")
        #expect(NumberFormat.iecBytes(41 << 40) == "41.0 TiB")
        #expect(NumberFormat.iecBytes(UInt64.max) == "16.0 EiB")
    }
}
