import Foundation

/// Formats figures for tables, prose and charts, the one place that does: three significant
/// digits, no false precision; sizes in binary units.
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

    // MARK: sizes

    /// A size rounded to one decimal in binary units, for sizes that are not exact multiples
    /// and for chart axes: `512B`, `3.8K`, `22.6M`, `1G`.
    public static func bytes(_ count: Double) -> String {
        if count < 1024 { return "\(Int(count.rounded()))B" }
        var value = count
        for suffix in ["K", "M", "G", "T"] {
            value /= 1024
            if value < 1024 || suffix == "T" {
                let rounded = (value * 10).rounded() / 10
                return rounded == rounded.rounded() ? "\(Int(rounded))\(suffix)" : "\(rounded)\(suffix)"
            }
        }
        return "\(count)B"
    }

    /// Three significant digits (`1.43G`, `75.6M`, `16G`): memory limits and what is left of
    /// them often differ in the second digit.
    public static func preciseBytes(_ count: Int) -> String {
        guard count >= 1024 else { return "\(count)B" }
        var value = Double(count)
        var unit = "B"
        // 1023.6G prints as 1T rather than 1024G.
        for suffix in ["K", "M", "G", "T", "P"] where value >= 1023.5 {
            value /= 1024
            unit = suffix
        }
        var text = String(format: value >= 100 ? "%.0f" : value >= 10 ? "%.1f" : "%.2f", value)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text + unit
    }

    /// IEC units with a space, for gaps and spans of addresses up to 2⁶⁴: `3.2 KiB`, `43.9 TiB`.
    public static func iecBytes(_ value: UInt64) -> String {
        if value < 1024 { return "\(value) B" }
        var scaled = Double(value)
        for unit in ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"] {
            scaled /= 1024
            if scaled < 1024 || unit == "EiB" {
                return scaled >= 100 ? "\(Int(scaled.rounded())) \(unit)" : String(format: "%.1f %@", scaled, unit)
            }
        }
        return "\(value) B"
    }

    /// Short tick labels: `0.5`, `12`, `1.5k`, `2M`.
    public static func compact(_ value: Double) -> String {
        let magnitude = abs(value)
        if magnitude >= 1e6 { return tick(value / 1e6) + "M" }
        if magnitude >= 1e4 { return tick(value / 1e3) + "k" }
        return tick(value)
    }

    private static func tick(_ value: Double) -> String {
        if value == value.rounded() { return String(Int(value)) }
        return String(format: value < 10 ? "%.2g" : "%.3g", value)
    }
}
