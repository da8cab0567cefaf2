/// A virtual address of this process, parsed from the command line (`0x1000`, `4096`) and
/// printed as 16 hex digits.
public struct Address: RawRepresentable, Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: UInt64

    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public init(_ value: UInt) { rawValue = UInt64(value) }

    public static func < (a: Address, b: Address) -> Bool { a.rawValue < b.rawValue }

    /// Parses `0x1f`, `0X1F`, `31` or `31_000`.
    public init(parsing text: String) throws(AddressError) {
        let trimmed = text.filter { $0 != "_" && !$0.isWhitespace }
        let lowered = trimmed.lowercased()
        let value: UInt64?
        if lowered.hasPrefix("0x") {
            value = lowered.count > 2 ? UInt64(lowered.dropFirst(2), radix: 16) : nil
        } else {
            value = UInt64(lowered, radix: 10)
        }
        guard let value else {
            throw trimmed.isEmpty ? .empty : .notAnAddress(text)
        }
        rawValue = value
    }

    /// `0x00007ffd1c2a3b40`: fixed width, so addresses line up in tables.
    public var description: String {
        let hex = String(rawValue, radix: 16)
        return "0x" + String(repeating: "0", count: max(0, 16 - hex.count)) + hex
    }

    /// Encoded as its hex string: JSON numbers lose precision above 2⁵³ (e.g. [vsyscall]).
    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { try self.init(parsing: text) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// A half-open run of addresses `[start, end)`, as `--scan` takes it: `1..10000` and
/// `1..<10000` leave out 10000 (Rust's and Swift's exclusive ranges, as in the classic
/// loop `for i in 0..10000`), `1...10000` includes it.
public struct AddressRange: Hashable, Sendable, Codable, CustomStringConvertible {
    public let start: Address
    /// One past the last address.
    public let end: Address

    public init(start: Address, end: Address) {
        precondition(start < end, "empty address range")
        self.start = start
        self.end = end
    }

    public var count: UInt64 { end.rawValue - start.rawValue }
    public var last: Address { Address(rawValue: end.rawValue - 1) }

    public func contains(_ address: Address) -> Bool { start <= address && address < end }

    public init(parsing text: String) throws(AddressError) {
        let forms: [(separator: String, inclusive: Bool)] = [("...", true), ("..<", false), ("..", false)]
        guard let form = forms.first(where: { text.contains($0.separator) }),
              let split = text.range(of: form.separator) else {
            throw .notARange(text)
        }
        let lowText = String(text[..<split.lowerBound]), highText = String(text[split.upperBound...])
        let low = try Address(parsing: lowText), high = try Address(parsing: highText)
        if form.inclusive {
            guard high >= low else { throw .emptyRange(text) }
            guard high.rawValue < UInt64.max else { throw .notAnAddress(highText) }
            self.init(start: low, end: Address(rawValue: high.rawValue + 1))
        } else {
            guard high > low else { throw .emptyRange(text) }
            self.init(start: low, end: high)
        }
    }

    public var description: String { "\(start)..<\(end)" }
}

/// Why an address or a range could not be read from the command line.
public enum AddressError: Error, Equatable, Sendable, CustomStringConvertible {
    case empty
    case notAnAddress(String)
    case notARange(String)
    case emptyRange(String)
    case rangeTooLarge(String, pages: UInt64, limit: UInt64)
    case scansTooLarge(ranges: Int, pages: UInt64, limit: UInt64)

    public var description: String {
        switch self {
        case .empty: return "empty address (expected e.g. 0x1000 or 4096)"
        case let .notAnAddress(text): return "'\(text)' is not an address (expected hex like 0x1000 or decimal like 4096)"
        case let .notARange(text): return "'\(text)' is not an address range (expected START..END, e.g. 0..10000 or 0x1000...0x1fff)"
        case let .emptyRange(text): return "address range '\(text)' is empty: its end must come after its start"
        case let .rangeTooLarge(text, pages, limit):
            return "address range '\(text)' spans \(pages) pages; scan at most \(limit) pages at once"
        case let .scansTooLarge(ranges, pages, limit):
            return "the \(ranges) --scan ranges span \(pages)+ pages together; scan at most \(limit) pages per command"
        }
    }
}
