import Foundation
import Platform

/// The regions of an address space, as /proc/PID/maps lists them (sorted by address).
public struct MemoryMap: Equatable, Sendable {
    public let regions: [MemoryRegion]

    public init(regions: [MemoryRegion]) {
        self.regions = regions.sorted { $0.start < $1.start }
    }

    /// Parses the text of a maps file. Lines look like
    /// `7f2c5e600000-7f2c5e628000 r--p 00000000 08:01 1835017    /usr/lib/x86_64-linux-gnu/libc.so.6`;
    /// the path may contain spaces and may end in ` (deleted)`.
    public init(parsing text: String) throws(MemoryMapError) {
        var regions: [MemoryRegion] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: true).enumerated() {
            regions.append(try Self.parseLine(Substring(line), number: index + 1))
        }
        self.init(regions: regions)
    }

    /// This process's map, read now.
    public static func current() throws -> MemoryMap {
        try MemoryMap(parsing: try readWhole("/proc/self/maps"))
    }

    /// Reads a /proc file whole (see `ProcFile`).
    static func readWhole(_ path: String) throws(MemoryMapError) -> String {
        do {
            return try ProcFile.read(path)
        } catch {
            throw .unreadable(path: error.path, reason: error.reason)
        }
    }

    private static func parseLine(_ line: Substring, number: Int) throws(MemoryMapError) -> MemoryRegion {
        // Five space-separated fields, then (after padding) the path, which may hold spaces.
        var rest = line[...]
        func field() -> Substring? {
            while rest.first == " " { rest.removeFirst() }
            guard let end = rest.firstIndex(of: " ") else {
                defer { rest = rest[rest.endIndex...] }
                return rest.isEmpty ? nil : rest
            }
            defer { rest = rest[end...] }
            return rest[..<end]
        }
        guard let range = field(), let permissions = field(), let offset = field(),
              let device = field(), let inode = field() else {
            throw .malformedLine(number: number, line: String(line))
        }
        let bounds = range.split(separator: "-")
        guard bounds.count == 2, let start = UInt64(bounds[0], radix: 16), let end = UInt64(bounds[1], radix: 16),
              start < end, permissions.count == 4,
              let offsetValue = UInt64(offset, radix: 16), let inodeValue = UInt64(inode) else {
            throw .malformedLine(number: number, line: String(line))
        }
        while rest.first == " " { rest.removeFirst() }
        return MemoryRegion(start: Address(rawValue: start), end: Address(rawValue: end), permissions: String(permissions),
                            offset: offsetValue, device: String(device), inode: inodeValue,
                            path: rest.isEmpty ? nil : String(rest))
    }

    /// The region holding `address`, if any (binary search).
    public func region(containing address: Address) -> MemoryRegion? {
        var low = 0, high = regions.count
        while low < high {
            let mid = (low + high) / 2
            if regions[mid].end <= address { low = mid + 1 } else { high = mid }
        }
        guard low < regions.count, regions[low].contains(address) else { return nil }
        return regions[low]
    }

    /// The regions just below and just above an unmapped `address` (nil at either end).
    public func neighbours(of address: Address) -> (below: MemoryRegion?, above: MemoryRegion?) {
        let above = regions.firstIndex { $0.start > address }
        let below = regions.lastIndex { $0.end <= address }
        return (below.map { regions[$0] }, above.map { regions[$0] })
    }

    /// Bytes mapped in all regions together.
    public var mappedBytes: UInt64 { regions.reduce(0) { $0 + $1.size } }
}

public enum MemoryMapError: Error, Equatable, Sendable, CustomStringConvertible {
    case malformedLine(number: Int, line: String)
    case unreadable(path: String, reason: String)

    public var description: String {
        switch self {
        case let .malformedLine(number, line): return "maps line \(number) is malformed: '\(line)'"
        case let .unreadable(path, reason): return "cannot read \(path): \(reason)"
        }
    }
}
