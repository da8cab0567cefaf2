import Foundation

/// One mapping of /proc/PID/smaps: its address range and its `Name: N kB` fields in bytes.
public struct SmapsMapping: Equatable, Sendable {
    public let addresses: Range<UInt>
    public let fields: [String: Int]

    public init(addresses: Range<UInt>, fields: [String: Int]) {
        self.addresses = addresses
        self.fields = fields
    }

    public var anonHugePagesBytes: Int { fields["AnonHugePages"] ?? 0 }
}

/// What the kernel says about this process's memory: resident size (VmRSS in
/// /proc/self/status) and per-mapping huge pages (AnonHugePages in /proc/self/smaps). The
/// parsers take the files' text, so fixtures test them.
public enum ProcessMemory {
    /// VmRSS in bytes from the text of /proc/PID/status.
    public static func residentBytes(status text: String) -> Int? {
        kilobyteField("VmRSS", in: text)
    }

    /// This process's VmRSS now, in bytes.
    public static func residentBytes() -> Int? {
        readWholeFile("/proc/self/status").flatMap { residentBytes(status: $0) }
    }

    /// The mappings of an smaps text, in file order.
    public static func parseSmaps(_ text: String) -> [SmapsMapping] {
        var mappings: [SmapsMapping] = []
        var current: Range<UInt>?
        var fields: [String: Int] = [:]
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if let range = mappingHeader(line) {
                if let current { mappings.append(SmapsMapping(addresses: current, fields: fields)) }
                current = range
                fields = [:]
            } else if current != nil, let colon = line.firstIndex(of: ":") {
                let parts = line[line.index(after: colon)...].split { $0 == " " || $0 == "\t" }
                if parts.count == 2, parts[1] == "kB", let kb = Int(parts[0]) {
                    fields[String(line[..<colon])] = kb * 1024
                }
            }
        }
        if let current { mappings.append(SmapsMapping(addresses: current, fields: fields)) }
        return mappings
    }

    /// The sum of one smaps field (`Rss`, `AnonHugePages`) over the mappings that overlap
    /// `range` (madvise can split one mmap into several). Nil when no mapping overlaps it.
    public static func fieldBytes(_ field: String, in range: Range<UInt>, smaps text: String) -> Int? {
        let inside = parseSmaps(text).filter { $0.addresses.overlaps(range) }
        // The kernel may merge a neighbouring mapping with the same flags into one line: never
        // report more than the range holds.
        return inside.isEmpty ? nil : min(inside.reduce(0) { $0 + ($1.fields[field] ?? 0) }, Int(range.upperBound - range.lowerBound))
    }

    /// Bytes of `range` backed by anonymous huge pages according to an smaps text.
    public static func anonHugePagesBytes(in range: Range<UInt>, smaps text: String) -> Int? {
        fieldBytes("AnonHugePages", in: range, smaps: text)
    }

    /// AnonHugePages of `mapping` now, from /proc/self/smaps.
    public static func anonHugePagesBytes(of mapping: AnonymousMapping) -> Int? {
        readWholeFile("/proc/self/smaps").flatMap { anonHugePagesBytes(in: mapping.addressRange, smaps: $0) }
    }

    /// The bytes of `mapping` that hold a frame of their own, page by page from
    /// /proc/self/pagemap (present, bit 63, and exclusively mapped, bit 56): unlike VmRSS,
    /// untouched by what other threads allocate meanwhile; unlike smaps' Rss, exact where the
    /// kernel merged the mapping with a neighbour into one entry; and, unlike mincore, blind to
    /// pages that only map the shared zero page.
    /// Where pagemap cannot be read (a sandbox may hide it), smaps' Rss stands in.
    public static func residentBytes(of mapping: AnonymousMapping) -> Int? {
        residentBytesFromPagemap(of: mapping)
            ?? readWholeFile("/proc/self/smaps").flatMap { fieldBytes("Rss", in: mapping.addressRange, smaps: $0) }
    }

    static func residentBytesFromPagemap(of mapping: AnonymousMapping) -> Int? {
        let fd = open("/proc/self/pagemap", O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        let page = AnonymousMapping.pageBytes
        let firstPage = Int(bitPattern: UInt(bitPattern: mapping.base) / UInt(page))
        let pages = (mapping.byteCount + page - 1) / page
        var entries = [UInt64](repeating: 0, count: min(pages, 1 << 16))
        var counted = 0, resident = 0
        while counted < pages {
            let n = min(entries.count, pages - counted)
            let read = entries.withUnsafeMutableBytes { pread(fd, $0.baseAddress, n * 8, off_t((firstPage + counted) * 8)) }
            guard read == n * 8 else { return nil }
            for entry in entries[..<n] where entry & (1 << 63) != 0 && entry & (1 << 56) != 0 { resident += 1 }
            counted += n
        }
        return resident * page
    }

    /// A /proc file read whole (see `ProcFile`), or nil when it cannot be read.
    public static func readWholeFile(_ path: String) -> String? { try? ProcFile.read(path) }

    /// `7f12a000-7f12b000 rw-p 00000000 00:00 0  [heap]` → its address range.
    static func mappingHeader(_ line: Substring) -> Range<UInt>? {
        guard let space = line.firstIndex(of: " ") else { return nil }
        let span = line[..<space].split(separator: "-")
        guard span.count == 2, let start = UInt(span[0], radix: 16), let end = UInt(span[1], radix: 16), start <= end
        else { return nil }
        return start..<end
    }

    /// The value of a `Name:   1234 kB` line (/proc/meminfo, /proc/self/status, smaps), in bytes.
    static func kilobyteField(_ name: String, in text: String) -> Int? {
        for line in text.split(separator: "\n") where line.hasPrefix(name + ":") {
            let parts = line.dropFirst(name.count + 1).split { $0 == " " || $0 == "\t" }
            guard let first = parts.first, let kb = Int(first) else { return nil }
            return kb * 1024
        }
        return nil
    }
}
