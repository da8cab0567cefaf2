import ArgumentParser
import Foundation
import Harness
import Regression
import Reporting

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare a report with a baseline: exit 0 when nothing regressed, 1 when something did, 2 on bad input.",
        discussion: """
            Judges each metric by kind: sim counts almost exactly (default ±1%; a change of at most \
            0.01 per element is none), sw/hw counts within ±10% (for every count a change of at \
            most 2 events per sample is none). A time ratio between variants of one run regresses \
            only when it moved beyond ±25% (the variation measured between processes) and the \
            two runs' ratio intervals, as wide as the samples' min–max allow, do not overlap; a \
            ratio or time of a result marked noisy in either run is reported, not judged. \
            Absolute times are reported, never judged. A baseline may carry its own \
            tolerance per counter ("tolerance") or per ratio ("ratio_tolerance"). Improvements \
            never fail.
            """)

    @Argument(help: "The baseline report (JSON from `locality run` or `locality sim`).")
    var baseline: String

    @Argument(help: "The current report.")
    var current: String

    @Option(help: ArgumentHelp("One tolerance for every kind, e.g. 5% (a plain number is a percentage too).", valueName: "percent"),
            transform: CompareCommand.percentage)
    var tolerance: Double?

    @Option(help: ArgumentHelp("Tolerance for sim counts (default 1%).", valueName: "percent"), transform: CompareCommand.percentage)
    var simTolerance: Double?

    @Option(help: ArgumentHelp("Tolerance for sw and hw counts (default 10%).", valueName: "percent"), transform: CompareCommand.percentage)
    var counterTolerance: Double?

    @Option(help: ArgumentHelp("Tolerance for time ratios between variants (default 25%).", valueName: "percent"),
            transform: CompareCommand.percentage)
    var ratioTolerance: Double?

    @Option(help: "table, markdown or json (the verdict and every metric's, for scripts).")
    var format: Format = .table

    enum Format: String, ExpressibleByArgument { case table, markdown, json }

    static func percentage(_ text: String) throws -> Double {
        let number = text.hasSuffix("%") ? String(text.dropLast()) : text
        // Decimal only: Double("0x10") would read hexadecimal, Double("1e2") an exponent.
        guard number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
              let value = Double(number), value >= 0, value.isFinite else {
            throw ValidationError("'\(text)' is not a percentage (e.g. 5%)")
        }
        return value / 100
    }

    func run() throws {
        let comparison: Comparison
        do {
            var tolerances = tolerance.map(Tolerances.init(all:)) ?? Tolerances()
            if let simTolerance { tolerances.simulated = simTolerance }
            if let counterTolerance { tolerances.counters = counterTolerance }
            if let ratioTolerance { tolerances.ratio = ratioTolerance }
            comparison = try Comparison(baseline: try Self.load(baseline), current: try Self.load(current), tolerances: tolerances)
        } catch {
            StandardError.write("locality: error: \(error)\n")
            throw ExitCode(2)
        }
        try StandardOutput.write(format == .json ? try JSONReport.encode(ComparisonDocument(comparison))
                                                 : comparison.render(markdown: format == .markdown))
        if !comparison.passed { throw ExitCode(1) }
    }

    /// Reads and checks a report. Every refusal names the file and the place in it, in words:
    /// no DecodingError debug text reaches the user.
    static func load(_ path: String) throws -> RunReport {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CompareInputError(path: path, reason: "cannot read the file")
        }
        let report: RunReport
        do {
            report = try RunReport.decode(data)
        } catch let error as ReportError {
            throw CompareInputError(path: path, reason: "\(error)")
        } catch let DecodingError.dataCorrupted(context) where !context.codingPath.isEmpty {
            // Valid JSON with an impossible value at a known place ("source": "xyz").
            throw CompareInputError(path: path, reason: "not a Locality report: impossible value at \(Self.path(context))")
        } catch DecodingError.dataCorrupted {
            // JSONDecoder says "not valid JSON", with no place, also of a number its field
            // cannot hold (1.5 or 1e30 elements): look for one before believing it.
            if let misfit = JSONNumberCheck.firstMisfit(in: data) {
                throw CompareInputError(path: path, reason: "not a Locality report: \(misfit)")
            }
            throw CompareInputError(path: path, reason: "not valid JSON")
        } catch let DecodingError.keyNotFound(key, context) {
            throw CompareInputError(path: path, reason: "not a Locality report: '\(key.stringValue)' missing at \(Self.path(context))")
        } catch let DecodingError.typeMismatch(type, context) {
            throw CompareInputError(path: path, reason: "not a Locality report: \(Self.expected(type)) expected at \(Self.path(context))")
        } catch let DecodingError.valueNotFound(type, context) {
            throw CompareInputError(path: path, reason: "not a Locality report: \(Self.expected(type)) expected, null found at \(Self.path(context))")
        } catch {
            throw CompareInputError(path: path, reason: "not a Locality report")
        }
        do {
            try report.checkedForComparison()
        } catch {
            throw CompareInputError(path: path, reason: "not a Locality report: \(error)")
        }
        return report
    }

    /// What a decoder wanted, in JSON's words.
    private static func expected(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Bool.Type: return "true or false"
        case is Double.Type, is Float.Type: return "a number"
        case is Int.Type, is Int32.Type, is Int64.Type, is UInt64.Type, is UInt32.Type: return "a whole number"
        default:
            let name = "\(type)"
            return name.hasPrefix("Array") ? "an array" : name.hasPrefix("Dictionary") ? "an object" : "a \(name) value"
        }
    }

    private static func path(_ context: DecodingError.Context) -> String {
        let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        return path.isEmpty ? "the top level" : path
    }
}

struct CompareInputError: Error, CustomStringConvertible {
    let path: String
    let reason: String
    var description: String { "\(path): \(reason)" }
}
