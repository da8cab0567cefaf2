import Platform
import Testing

@Suite struct ByteSizeTests {
    @Test(arguments: [
        ("4096", 4096), ("4K", 4096), ("4k", 4096), ("4KiB", 4096), ("4KB", 4096), ("400K", 409_600),
        ("64M", 64 << 20), ("64MiB", 64 << 20), ("1G", 1 << 30), ("2T", 2 << 40), (" 8K ", 8192),
    ])
    func parsesSizes(text: String, bytes: Int) throws {
        #expect(try ByteSize(parsing: text).rawValue == bytes)
    }

    @Test func rejectsBadSizes() {
        #expect(throws: SizeError.notPositive("0")) { try ByteSize(parsing: "0") }
        #expect(throws: SizeError.notPositive("0K")) { try ByteSize(parsing: "0K") }
        #expect(throws: SizeError.notPositive("-4K")) { try ByteSize(parsing: "-4K") }
        #expect(throws: SizeError.unknownSuffix("4Q", suffix: "Q")) { try ByteSize(parsing: "4Q") }
        #expect(throws: SizeError.unknownSuffix("1.5M", suffix: ".5M")) { try ByteSize(parsing: "1.5M") }
        #expect(throws: SizeError.notANumber("K")) { try ByteSize(parsing: "K") }
        #expect(throws: SizeError.empty) { try ByteSize(parsing: "") }
        #expect(throws: SizeError.tooLarge("99999999999T")) { try ByteSize(parsing: "99999999999T") }
        #expect(throws: SizeError.tooLarge("99999999999999999999")) { try ByteSize(parsing: "99999999999999999999") }
    }

    @Test func parsesListsInOrderWithoutRepeats() throws {
        #expect(try ByteSize.parseList("4K,400K,64M,4096") == [.kib(4), .kib(400), .mib(64)])
        #expect(throws: SizeError.empty) { try ByteSize.parseList("4K,,8K") }
        #expect(throws: SizeError.unknownSuffix("4Q", suffix: "Q")) { try ByteSize.parseList("4K,4Q") }
    }

    @Test func describesExactAndApproximateForms() {
        #expect(ByteSize.kib(400).description == "400K")
        #expect(ByteSize.mib(64).description == "64M")
        #expect(ByteSize.gib(1).description == "1G")
        #expect(ByteSize(rawValue: 1000).description == "1000")
        #expect(ByteSize(rawValue: 3872).approximate == "3.8K")
        #expect(ByteSize(rawValue: 512).approximate == "512B")
    }
}
