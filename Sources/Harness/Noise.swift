/// Why a result's time cannot be trusted: its samples lost the CPU, or disagree too much.
public struct NoiseReason: Codable, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: String, Codable, Sendable {
        /// The kernel's task clock over the wall time, below `Noise.minimumCPUShare`: another
        /// process ran meanwhile.
        case descheduled
        /// (max − min) / median of the samples, above `Noise.maximumSpread`.
        case wideSpread = "wide-spread"
    }

    public let kind: Kind
    /// The CPU share or the spread measured.
    public let value: Double
    /// The threshold it crossed.
    public let limit: Double

    public init(kind: Kind, value: Double, limit: Double) {
        self.kind = kind
        self.value = value
        self.limit = limit
    }

    public var description: String {
        let percent = { (x: Double) in "\(Int((x * 100).rounded()))%" }
        switch kind {
        case .descheduled: return "CPU \(percent(value)) of wall time (under \(percent(limit)))"
        case .wideSpread: return "spread \(percent(value)) of the median (over \(percent(limit)))"
        }
    }
}

/// A result whose time is not to be judged: the `noisy` entry of a result in JSON.
public struct Noise: Codable, Equatable, Sendable, CustomStringConvertible {
    public var reasons: [NoiseReason]

    /// Below this share of the wall time on the CPU (task clock ÷ time), the samples waited for
    /// another process.
    public static let minimumCPUShare = 0.9
    /// Above this spread ((max − min) / median), the samples disagree too much to conclude. A
    /// planted 2× change must leave the min–max intervals of a ratio of two such results
    /// apart: (1 + s)² < 2 for s up to ~0.41, so 0.3 leaves room.
    public static let maximumSpread = 0.3

    /// What marks a noisy row in tables and Markdown, explained by `legend` under the table.
    public static let marker = "!"
    public static let legend = "\(marker) noisy: the samples lost the CPU (task clock under \(Int(minimumCPUShare * 100))% of wall) "
        + "or disagree (spread over \(Int(maximumSpread * 100))% of the median); see the note"

    public init(reasons: [NoiseReason]) { self.reasons = reasons }

    /// The reasons `time` (its samples) and `cpuTime` (the task clock's median, in the same
    /// unit, when counted) give; nil when there is none.
    public static func assess(time: Summary, cpuTime: Double?) -> Noise? {
        var reasons: [NoiseReason] = []
        if let cpuTime, time.median > 0, cpuTime / time.median < minimumCPUShare {
            reasons.append(NoiseReason(kind: .descheduled, value: cpuTime / time.median, limit: minimumCPUShare))
        }
        if time.spread > maximumSpread {
            reasons.append(NoiseReason(kind: .wideSpread, value: time.spread, limit: maximumSpread))
        }
        return reasons.isEmpty ? nil : Noise(reasons: reasons)
    }

    public var description: String { reasons.map(\.description).joined(separator: ", ") }
}

extension VariantResult {
    /// `experiment/variant/size`, as notes and `compare` name a result.
    public var subject: String { "\(experiment)/\(variant)/\(ByteSize(rawValue: sizeBytes))" }
    public var isNoisy: Bool { noisy != nil }
}
