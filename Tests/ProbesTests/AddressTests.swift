import Probes
import Testing

@Suite struct AddressTests {
    @Test func parsesHexAndDecimal() throws {
        #expect(try Address(parsing: "0x1000").rawValue == 4096)
        #expect(try Address(parsing: "0X1f").rawValue == 31)
        #expect(try Address(parsing: "4096").rawValue == 4096)
        #expect(try Address(parsing: "0").rawValue == 0)
        #expect(try Address(parsing: "0xffffffffffffffff").rawValue == UInt64.max)
        #expect(Address(rawValue: 0x1000).description == "0x0000000000001000")
    }

    @Test(arguments: ["xyz", "0x", "-1", "0x1g", "1.5", "0x10000000000000000", "18446744073709551616"])
    func rejectsWhatIsNotAnAddress(text: String) {
        #expect(throws: AddressError.notAnAddress(text)) { try Address(parsing: text) }
    }

    @Test func parsesRangesLikeRustAndSwift() throws {
        let rust = try AddressRange(parsing: "0..10000")
        #expect(rust.start.rawValue == 0 && rust.end.rawValue == 10000 && rust.count == 10000)
        #expect(try AddressRange(parsing: "1..<10000").count == 9999)
        let inclusive = try AddressRange(parsing: "0x1000...0x1fff")
        #expect(inclusive.count == 4096 && inclusive.last.rawValue == 0x1fff)
        #expect(try AddressRange(parsing: "5...5").count == 1)
    }

    @Test func rejectsEmptyAndMalformedRanges() throws {
        #expect(throws: AddressError.emptyRange("10..1")) { try AddressRange(parsing: "10..1") }
        #expect(throws: AddressError.emptyRange("5..5")) { try AddressRange(parsing: "5..5") }
        #expect(throws: AddressError.notARange("5")) { try AddressRange(parsing: "5") }
        #expect(throws: AddressError.notAnAddress("x")) { try AddressRange(parsing: "x..5") }
        #expect(throws: AddressError.self) { try AddressScan.pageCount(AddressRange(parsing: "0..0x7fffffffffff"), pageSize: 4096) }
        let straddling = try AddressRange(parsing: "4095..4097")
        let pages = try AddressScan.pageCount(straddling, pageSize: 4096)
        #expect(pages == 2)
    }
}

@Suite struct AddressScanTests {
    let facts = AddressSpaceFacts(pageSize: 4096, mmapMinAddr: 65536, randomizeVASpace: 2, randomizationDisabledForProcess: false)

    @Test func theClassicScanFindsNothingReadableAndSaysWhy() throws {
        let map = try MemoryMap.current()
        let scan = try AddressScan(ProbeReport.classicScan, reader: SafeReader(), map: map, facts: facts)
        #expect(scan.addresses == 10000)
        #expect(scan.pagesProbed == 3)
        #expect(scan.readableAddresses == 0)
        #expect(scan.runs.count == 1)
        #expect(scan.runs[0].count == 10000)
        #expect(scan.runs[0].error == "EFAULT")
        #expect(scan.runs[0].explanation.contains("vm.mmap_min_addr (65536"))
    }

    @Test func splitsARangeIntoRunsAtPageBoundaries() throws {
        let pages = try GuardedPages()
        let map = try MemoryMap.current()
        let page = UInt64(pages.pageSize)
        let start = pages.address(100).rawValue
        let range = AddressRange(start: Address(rawValue: start), end: Address(rawValue: start + 2 * page))
        let scan = try AddressScan(range, reader: SafeReader(), map: map,
                                   facts: AddressSpaceFacts(pageSize: page, mmapMinAddr: 4096, randomizeVASpace: 2,
                                                            randomizationDisabledForProcess: false))
        #expect(scan.runs.map(\.readable) == [true, false, true])
        #expect(scan.runs.map(\.count) == [page - 100, page, 100])
        #expect(scan.readableAddresses == page)
        #expect(scan.runs[1].explanation.contains("without read permission"))
        #expect(scan.runs.map(\.count).reduce(0, +) == scan.addresses)
    }

    @Test func explainsEachKindOfUnreadableAddress() throws {
        let map = try MemoryMap(parsing: MapsFixture.text)
        func why(_ raw: UInt64) -> String { facts.explain(Address(rawValue: raw), readable: false, failure: ReadFailure(code: 14), in: map) }
        #expect(why(0).contains("below vm.mmap_min_addr"))
        #expect(why(0x20000).contains("nothing lies below the lowest mapping (locality"))
        #expect(why(0x6000_0000_0000).contains("gap between [heap]"))
        #expect(why(0x7f2c_5c02_2000).contains("---p without read permission"))
        #expect(why(0xffff_8000_0000_0000).contains("not user space"))
        #expect(facts.explain(Address(rawValue: 0x7ffd_1c2a_0000), readable: true, failure: nil, in: map).contains("[stack] rw-p"))
    }

    @Test func describesTheASLRSettings() {
        #expect(facts.aslrDescription.hasPrefix("ASLR on"))
        var off = facts
        off.randomizeVASpace = 0
        #expect(off.aslrDescription.contains("same addresses"))
        off.randomizationDisabledForProcess = true
        #expect(off.aslrDescription.contains("ADDR_NO_RANDOMIZE"))
        #expect(AddressSpaceFacts.current().pageSize == 4096)
    }
}
