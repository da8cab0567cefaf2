/// The answer for one address: readable or not, the byte there, its region, and why.
public struct AddressProbe: Equatable, Sendable, Codable {
    public let address: Address
    public let readable: Bool
    /// The byte read, when readable.
    public let byte: UInt8?
    /// The errno of the refused read (`EFAULT`).
    public let error: String?
    public let region: MemoryRegion?
    public let explanation: String

    /// Reads `address` through `reader` and explains the answer against `map`.
    public init(_ address: Address, reader: SafeReader, map: MemoryMap, facts: AddressSpaceFacts) {
        let result = reader.read(address)
        self.address = address
        switch result {
        case let .success(bytes):
            readable = true; byte = bytes.first; error = nil
            explanation = facts.explain(address, readable: true, failure: nil, in: map)
        case let .failure(failure):
            readable = false; byte = nil; error = failure.name
            explanation = facts.explain(address, readable: false, failure: failure, in: map)
        }
        region = map.region(containing: address)
    }
}

/// A range of addresses probed page by page (every address of a page shares its answer),
/// grouped into runs with the same answer and the same reason.
public struct AddressScan: Equatable, Sendable, Codable {
    /// Consecutive addresses with one answer.
    public struct Run: Equatable, Sendable, Codable {
        public let start: Address
        /// One past the last address.
        public let end: Address
        public let readable: Bool
        public let error: String?
        public let explanation: String

        public var count: UInt64 { end.rawValue - start.rawValue }
    }

    public let range: AddressRange
    public let pagesProbed: UInt64
    public let readableAddresses: UInt64
    public let runs: [Run]
    public let method: SafeReader.Method

    public var addresses: UInt64 { range.count }

    enum CodingKeys: String, CodingKey {
        case range, pagesProbed = "pages_probed", readableAddresses = "readable_addresses", runs, method
    }

    /// Ranges wider than this many pages are refused (one system call per page).
    public static let maximumPages: UInt64 = 1 << 20

    /// The pages `range` touches; refuses more than `maximumPages`.
    public static func pageCount(_ range: AddressRange, pageSize: UInt64) throws(AddressError) -> UInt64 {
        let pages = range.last.rawValue / pageSize - range.start.rawValue / pageSize + 1
        guard pages <= maximumPages else { throw .rangeTooLarge(range.description, pages: pages, limit: maximumPages) }
        return pages
    }

    /// The pages all `ranges` touch together: the cap holds for a whole command, not for each
    /// range (ten ranges of a million pages each are ten million system calls).
    public static func totalPageCount(_ ranges: [AddressRange], pageSize: UInt64) throws(AddressError) -> UInt64 {
        var total: UInt64 = 0
        for range in ranges {
            total += try pageCount(range, pageSize: pageSize)
            guard total <= maximumPages else { throw .scansTooLarge(ranges: ranges.count, pages: total, limit: maximumPages) }
        }
        return total
    }

    public init(_ range: AddressRange, reader: SafeReader, map: MemoryMap, facts: AddressSpaceFacts) throws(AddressError) {
        let page = facts.pageSize
        let firstPage = range.start.rawValue / page, lastPage = range.last.rawValue / page
        let pages = try Self.pageCount(range, pageSize: page)
        var runs: [Run] = []
        var readableCount: UInt64 = 0
        for pageNumber in firstPage...lastPage {
            let start = max(range.start.rawValue, pageNumber * page)
            let end = pageNumber == lastPage ? range.end.rawValue : (pageNumber + 1) * page
            let probe = AddressProbe(Address(rawValue: start), reader: reader, map: map, facts: facts)
            if probe.readable { readableCount += end - start }
            if let previous = runs.last, previous.readable == probe.readable, previous.error == probe.error,
               previous.explanation == probe.explanation, previous.end.rawValue == start {
                runs[runs.count - 1] = Run(start: previous.start, end: Address(rawValue: end), readable: previous.readable,
                                           error: previous.error, explanation: previous.explanation)
            } else {
                runs.append(Run(start: Address(rawValue: start), end: Address(rawValue: end), readable: probe.readable,
                                error: probe.error, explanation: probe.explanation))
            }
        }
        self.range = range
        self.pagesProbed = pages
        self.readableAddresses = readableCount
        self.runs = runs
        self.method = reader.method
    }
}
