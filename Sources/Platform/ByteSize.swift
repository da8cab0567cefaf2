import Foundation
// Sizes and numbers are written as text in one place, which every module above this one sees.
@_exported import Formatting

/// A number of bytes given on the command line: `4096`, `4K`, `4KiB`, `400K`, `64M`, `1G`.
///
/// Suffixes are binary: K, KB and KiB all mean 1024; M, MB, MiB 1024²; G, GB, GiB 1024³;
/// T, TB, TiB 1024⁴. Case does not matter. Zero, negative numbers, fractions and unknown
/// suffixes are rejected.
public struct ByteSize: RawRepresentable, Hashable, Comparable, Codable, Sendable, CustomStringConvertible {
    public let rawValue: Int

    public init(rawValue: Int) { self.rawValue = rawValue }

    public static func < (a: ByteSize, b: ByteSize) -> Bool { a.rawValue < b.rawValue }

    private static let multipliers: [(suffixes: [String], shift: Int)] = [
        ([""], 0), (["k", "kb", "kib"], 10), (["m", "mb", "mib"], 20),
        (["g", "gb", "gib"], 30), (["t", "tb", "tib"], 40),
    ]

    /// Parses one size.
    public init(parsing text: String) throws(SizeError) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw .empty }
        if trimmed.hasPrefix("-") { throw .notPositive(text) }
        let digits = trimmed.prefix { $0.isASCII && $0.isNumber }
        let suffix = trimmed.dropFirst(digits.count).lowercased()
        guard !digits.isEmpty else { throw .notANumber(text) }
        guard let shift = Self.multipliers.first(where: { $0.suffixes.contains(suffix) })?.shift else {
            throw .unknownSuffix(text, suffix: String(trimmed.dropFirst(digits.count)))
        }
        guard let number = Int(digits) else { throw .tooLarge(text) }
        guard number > 0 else { throw .notPositive(text) }
        let (value, overflow) = number.multipliedReportingOverflow(by: 1 << shift)
        guard !overflow, value <= Self.largest.rawValue else { throw .tooLarge(text) }
        rawValue = value
    }

    /// Parses a comma-separated list (`4K,400K,64M`), keeping the order given and dropping
    /// repeats.
    public static func parseList(_ text: String) throws(SizeError) -> [ByteSize] {
        var sizes: [ByteSize] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let size = try ByteSize(parsing: String(part))
            if !sizes.contains(size) { sizes.append(size) }
        }
        return sizes
    }

    /// The shortest exact binary form: `4K`, `400K`, `64M`, `1G`, or plain bytes.
    public var description: String {
        for (suffix, shift) in [("T", 40), ("G", 30), ("M", 20), ("K", 10)] {
            let unit = 1 << shift
            if rawValue >= unit && rawValue % unit == 0 { return "\(rawValue / unit)\(suffix)" }
        }
        return "\(rawValue)"
    }

    /// A rounded human form for sizes that are not exact multiples: `3.8K`, `22.6M`.
    public var approximate: String { NumberFormat.bytes(Double(rawValue)) }

    /// 256 TiB: all of x86-64's user address space. Larger sizes are refused when parsed, so
    /// experiments can compute footprints from a size without overflowing.
    public static let largest = ByteSize(rawValue: 1 << 48)

    public static func kib(_ n: Int) -> ByteSize { ByteSize(rawValue: n << 10) }
    public static func mib(_ n: Int) -> ByteSize { ByteSize(rawValue: n << 20) }
    public static func gib(_ n: Int) -> ByteSize { ByteSize(rawValue: n << 30) }
}

/// Why a size could not be read.
public enum SizeError: Error, Equatable, CustomStringConvertible, Sendable {
    case empty
    case notANumber(String)
    case notPositive(String)
    case unknownSuffix(String, suffix: String)
    case tooLarge(String)

    public var description: String {
        switch self {
        case .empty: return "empty size (expected e.g. 4K, 400K, 64M, 1G or plain bytes)"
        case let .notANumber(text): return "'\(text)' is not a size (expected e.g. 4K, 400K, 64M, 1G or plain bytes)"
        case let .notPositive(text): return "size '\(text)' must be greater than zero"
        case let .unknownSuffix(text, suffix): return "size '\(text)' has an unknown suffix '\(suffix)' (use K, M, G or T; K = 1024)"
        case let .tooLarge(text): return "size '\(text)' is too large (at most 256T, the user address space)"
        }
    }
}
