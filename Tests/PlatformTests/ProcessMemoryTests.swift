import Foundation
@testable import Platform
import Testing

@Suite struct ProcessMemoryTests {
    /// Three mappings as /proc/self/smaps shows them: a file mapping, then one mmap that
    /// madvise split into two VMAs (a huge-page part and the rest).
    static let smaps = """
        55d0c8a00000-55d0c8a21000 r-xp 00000000 fd:01 1234   /usr/bin/some-tool - copy
        Size:                132 kB
        Rss:                 120 kB
        AnonHugePages:         0 kB
        THPeligible:    0
        VmFlags: rd ex mr mw me
        7f0000000000-7f0000600000 rw-p 00000000 00:00 0
        Size:               6144 kB
        Rss:                6144 kB
        AnonHugePages:      6144 kB
        THPeligible:    1
        VmFlags: rd wr mr mw me ac hg
        7f0000600000-7f0000800000 rw-p 00000000 00:00 0
        Size:               2048 kB
        Rss:                  12 kB
        AnonHugePages:      2048 kB
        VmFlags: rd wr mr mw me ac nh
        7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0                          [stack]
        Size:                132 kB
        AnonHugePages:         0 kB

        """

    @Test func parsesEveryMappingWithItsKilobyteFields() {
        let mappings = ProcessMemory.parseSmaps(Self.smaps)
        #expect(mappings.count == 4)
        #expect(mappings[0].addresses == 0x55d0c8a00000..<0x55d0c8a21000)
        #expect(mappings[0].fields["Size"] == 132 * 1024)
        #expect(mappings[0].fields["THPeligible"] == nil)  // not a kB field
        #expect(mappings[1].anonHugePagesBytes == 6 << 20)
        #expect(mappings[3].addresses.lowerBound == 0x7ffd00000000)
    }

    @Test func sumsHugePagesOverTheMappingsInsideARange() {
        let range: Range<UInt> = 0x7f0000000000..<0x7f0000800000
        #expect(ProcessMemory.anonHugePagesBytes(in: range, smaps: Self.smaps) == 8 << 20)
        // The overlapping mapping holds 2 MiB of huge pages, but the range only 1 MiB: never more than the range.
        #expect(ProcessMemory.anonHugePagesBytes(in: 0x7f0000600000..<0x7f0000700000, smaps: Self.smaps) == 1 << 20)
        #expect(ProcessMemory.anonHugePagesBytes(in: 0x55d0c8a00000..<0x55d0c8a01000, smaps: Self.smaps) == 0)
        #expect(ProcessMemory.anonHugePagesBytes(in: 0x1000..<0x2000, smaps: Self.smaps) == nil)
    }

    @Test func sumsResidentBytesOfTheMappingsInsideARange() {
        #expect(ProcessMemory.fieldBytes("Rss", in: 0x7f0000000000..<0x7f0000800000, smaps: Self.smaps) == (6144 + 12) * 1024)
        // The stack mapping shows no Rss line: nothing resident, not unknown.
        #expect(ProcessMemory.fieldBytes("Rss", in: 0x7ffd00000000..<0x7ffd00001000, smaps: Self.smaps) == 0)
    }

    @Test func aMappingsOwnResidentSizeCountsItsTouchedPagesOnly() throws {
        // A touched neighbour with the same flags, which the kernel may merge with the mapping
        // into one smaps entry: it must not count.
        let neighbour = try AnonymousMapping(bytes: 256 * AnonymousMapping.pageBytes, advice: .noHugePages)
        neighbour.touchEveryPage()
        let mapping = try AnonymousMapping(bytes: 64 * AnonymousMapping.pageBytes, advice: .noHugePages)
        #expect(ProcessMemory.residentBytes(of: mapping) == 0)
        let bytes = mapping.base.assumingMemoryBound(to: UInt8.self)
        for page in 0..<16 { bytes[page * AnonymousMapping.pageBytes] = 1 }
        #expect(ProcessMemory.residentBytes(of: mapping) == 16 * AnonymousMapping.pageBytes)
        #expect(ProcessMemory.residentBytes(of: neighbour) == 256 * AnonymousMapping.pageBytes)
    }

    @Test func readsVmRSSWithTabs() {
        let status = "Name:\tlocality\nVmPeak:\t  999 kB\nVmRSS:\t    1932 kB\nRssAnon:\t  100 kB\n"
        #expect(ProcessMemory.residentBytes(status: status) == 1932 * 1024)
        #expect(ProcessMemory.residentBytes(status: "Name:\tx\n") == nil)
        #expect((ProcessMemory.residentBytes() ?? 0) > 0)
    }

    @Test func readsProcFilesToTheEnd() throws {
        // Foundation stops after the first few KiB of a /proc file; smaps is longer than that.
        let text = try #require(ProcessMemory.readWholeFile("/proc/self/smaps"))
        #expect(text.utf8.count > 8192)
        #expect(text.hasSuffix("\n"))
        #expect(ProcessMemory.readWholeFile("/nonexistent-locality") == nil)
    }

    @Test func findsAFreshMappingInTheRealSmaps() throws {
        let mapping = try AnonymousMapping(bytes: 8 << 20, advice: .noHugePages)
        mapping.touchEveryPage()
        // Found (not nil) and, with MADV_NOHUGEPAGE, without huge pages.
        #expect(ProcessMemory.anonHugePagesBytes(of: mapping) == 0)
    }
}

@Suite struct AnonymousMappingTests {
    @Test func alignsRoundsAndReadsZeros() throws {
        let huge = try AnonymousMapping(bytes: 3 << 20, advice: .hugePages)
        #expect(UInt(bitPattern: huge.base) % UInt(AnonymousMapping.hugePageBytes) == 0)
        #expect(huge.byteCount == 3 << 20)
        let small = try AnonymousMapping(bytes: 5000)
        #expect(small.byteCount == 2 * AnonymousMapping.pageBytes)
        #expect(small.readEveryPage() == 0)
        small.touchEveryPage()
        #expect(small.readEveryPage() == 2)
    }

    @Test func anImpossibleMappingThrowsWithItsReason() {
        #expect(throws: MappingError.self) { try AnonymousMapping(bytes: 1 << 62) }
        do {
            _ = try AnonymousMapping(bytes: 1 << 62)
        } catch {
            #expect("\(error)".hasPrefix("mmap of "))
        }
    }
}
