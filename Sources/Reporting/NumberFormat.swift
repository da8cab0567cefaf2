import Foundation

/// Formats figures for tables: three significant digits, no false precision.
public enum NumberFormat {
    public static func significant(_ value: Double, digits: Int = 3) -> String {
        guard value.isFinite else { return value.isNaN ? "nan" : (value > 0 ? "inf" : "-inf") }
        if value == 0 { return "0" }
        let magnitude = abs(value)
        if magnitude < 0.001 || magnitude >= 1e7 { return String(format: "%.\(digits - 1)e", value) }
        let decimals = max(0, digits - 1 - Int(floor(log10(magnitude))))
        return String(format: "%.\(decimals)f", value)
    }

    public static func ratio(_ value: Double) -> String { String(format: "%.2f×", value) }

    /// For prose: `1.03×`, `9.64×`, `13×`, `258×`.
    public static func compactRatio(_ value: Double) -> String {
        value >= 10 ? "\(Int(value.rounded()))×" : ratio(value)
    }

    /// Two significant digits, for prose: `0.13`, `1.0`, `665`.
    public static func short(_ value: Double) -> String {
        guard value.isFinite, value != 0, abs(value) < 1000 else { return significant(value.rounded(), digits: 3) }
        return significant(value, digits: 2)
    }
}
