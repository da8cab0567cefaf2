import Foundation
import Reporting

extension Comparison {
    /// Every metric side by side with its change and verdict, then a one-line summary.
    public func render(markdown: Bool) -> String {
        var table = TextTable(headers: ["metric", "kind", "baseline", "current", "change", "tolerance", "verdict"],
                              alignments: [.left, .left, .right, .right, .right, .right, .left])
        for line in lines {
            table.append([
                line.key, line.kind.rawValue,
                line.baseline.map { NumberFormat.significant($0, digits: 4) } ?? "—",
                line.current.map { NumberFormat.significant($0, digits: 4) } ?? "—",
                line.change.map { String(format: "%+.2f%%", $0 * 100) } ?? "—",
                line.tolerance.map { String(format: "±%g%%", $0 * 100) } ?? "—",
                line.verdict == .regressed || line.verdict == .missing ? line.verdict.rawValue.uppercased() : line.verdict.rawValue,
            ])
        }
        var out = markdown ? table.renderMarkdown() : table.renderText()
        out += "\n" + summary + "\n"
        for line in regressions {
            let what = line.verdict == .missing ? "missing from the current report"
                : "\(line.change.map { String(format: "%+.2f%%", $0 * 100) } ?? "changed") beyond ±\(String(format: "%g", (line.tolerance ?? 0) * 100))%"
            out += (markdown ? "- **regressed**: `\(line.key)` " : "regressed: \(line.key) ") + what + "\n"
        }
        return out
    }

    public var summary: String {
        let count = { (verdict: Verdict) in self.lines.filter { $0.verdict == verdict }.count }
        let verdict = passed ? "PASS" : "FAIL"
        return "\(verdict): \(lines.count) metrics — \(count(.ok)) ok, \(count(.improved)) improved, "
            + "\(count(.regressed)) regressed, \(count(.missing)) missing, \(count(.new)) new, \(count(.info)) reported only"
            + (count(.notRun) > 0 ? ", \(count(.notRun)) not run" : "")
            + (count(.noisy) > 0 ? ", \(count(.noisy)) noisy (reported, not judged)" : "")
    }
}

/// `compare --format json`: the verdict and every metric's, for scripts.
public struct ComparisonDocument: Encodable {
    public let passed: Bool
    public let summary: String
    public let metrics: [Line]

    public struct Line: Encodable {
        let key: String
        let kind: MetricKind
        let baseline: Double?
        let current: Double?
        let change: Double?
        let tolerance: Double?
        let verdict: Verdict
        let baselineRange: [Double]?
        let currentRange: [Double]?

        enum CodingKeys: String, CodingKey {
            case key, kind, baseline, current, change, tolerance, verdict
            case baselineRange = "baseline_range", currentRange = "current_range"
        }
    }

    public init(_ comparison: Comparison) {
        passed = comparison.passed
        summary = comparison.summary
        metrics = comparison.lines.map {
            Line(key: $0.key, kind: $0.kind, baseline: $0.baseline, current: $0.current, change: $0.change, tolerance: $0.tolerance,
                 verdict: $0.verdict, baselineRange: $0.baselineRange.map { [$0.lowerBound, $0.upperBound] },
                 currentRange: $0.currentRange.map { [$0.lowerBound, $0.upperBound] })
        }
    }
}

extension Verdict: Encodable {}
