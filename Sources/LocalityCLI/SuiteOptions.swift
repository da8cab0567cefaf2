import ArgumentParser
import Experiments
import Foundation
import Harness
import Reporting

extension ReportFormat: ExpressibleByArgument {}

/// What `run` and `sim` share: which experiments, at which sizes, and where the report goes.
struct SuiteOptions: ParsableArguments {
    @Argument(help: "Experiments to run (default: all; `locality list` names them).")
    var experiments: [String] = []

    @Option(help: ArgumentHelp(
        "Working-set sizes, comma-separated: 4K,400K,64M (also 4KiB, 1G or plain bytes). K = 1024, M = 1024², G = 1024³.",
        valueName: "list"),
        transform: { text in try ByteSize.parseList(text) })
    var sizes: [ByteSize]?

    @Option(help: ArgumentHelp(
        "Variants to measure, comma-separated shell globs on their names: chase,seq*. !PATTERN excludes. Each kept variant's ratio partner (the baseline) is measured too, unless excluded.",
        valueName: "patterns"))
    var variants: String?

    @OptionGroup var report: ReportOptions

    @Option(help: "Seed for the shuffles of experiments that shuffle (same seed, same permutations).",
            transform: SuiteOptions.seed)
    var seed: UInt64 = RunOptions.defaultSeed

    /// A whole number from 0 to 2⁶⁴ − 1, and a message saying so otherwise ("-5" is not one).
    static func seed(_ text: String) throws -> UInt64 {
        guard let value = UInt64(text) else {
            throw ValidationError("seed '\(text)' is not a whole number from 0 to \(UInt64.max)")
        }
        return value
    }

    func validate() throws {
        for name in experiments where Suite.experiment(named: name) == nil {
            throw ValidationError("unknown experiment '\(name)' (known: \(Suite.all.map(\.name).joined(separator: ", ")))")
        }
        if let tooSmall = SuiteRun.sizeBelowMinimum(experiments: selected, sizes: sizes) { throw ValidationError(tooSmall.description) }
        if let variants {
            let filter: VariantFilter
            do { filter = try VariantFilter(parsing: variants) } catch { throw ValidationError("--variants: \(error)") }
            let unmatched = filter.unmatched(in: selected)
            if !unmatched.isEmpty {
                let known = selected.map { "\($0.name): \($0.variants.map(\.name).joined(separator: ", "))" }.joined(separator: "; ")
                throw ValidationError("--variants: \(unmatched.map { "'\($0)'" }.joined(separator: ", ")) matches no variant (\(known))")
            }
        }
    }

    /// `--variants`, parsed (validate() has refused what does not parse).
    var variantFilter: VariantFilter? { variants.flatMap { try? VariantFilter(parsing: $0) } }

    /// The experiments named, each once, in the order given; all of them when none is named.
    var selected: [any Experiment] {
        experiments.isEmpty ? Suite.all : uniqueExperimentNames.compactMap(Suite.experiment(named:))
    }

    var uniqueExperimentNames: [String] {
        var seen: Set<String> = []
        return experiments.filter { seen.insert($0).inserted }
    }

    /// A progress line on stderr while measuring, when stderr is a terminal.
    func attachProgress(to suite: inout SuiteRun) {
        guard isatty(STDERR_FILENO) != 0 else { return }
        suite.progress = { line in StandardError.write("\u{1B}[2K\r  measuring \(line)…") }
    }

    /// Prints the report in `--format` and writes `files` (plots), then `--output`, atomically.
    func emit(_ run: RunReport, clearingProgress: Bool, writingFirst files: [OutputFile] = []) throws {
        if clearingProgress { StandardError.write("\u{1B}[2K\r") }
        try report.emit(writingFirst: files) { try $0.render(run) }
    }
}

/// A file a command writes beside its report, such as a plot.
struct OutputFile {
    var path: String
    var contents: String
}

/// Where a report goes: stdout in `--format`, and optionally a file written atomically.
struct ReportOptions: ParsableArguments {
    @Option(help: "Report format on stdout: table, json, csv or markdown.")
    var format: ReportFormat = .table

    @Option(help: ArgumentHelp(
        "Also write the report to this file, atomically. Its format follows the extension (.json, .csv, .md, .txt), else --format.",
        valueName: "file"))
    var output: String?

    /// Refuses an --output that cannot be written before anything is measured.
    func validate() throws {
        if let output {
            do { try AtomicFile.check(output) } catch { throw ValidationError("--output: \(error)") }
        }
    }

    /// Refuses a `path` that is not an existing, writable directory.
    static func requireDirectory(_ path: String, option: String) throws {
        guard !path.isEmpty else { throw ValidationError("\(option): no directory named") }
        if let problem = AtomicFile.problemWritingInto(path) { throw ValidationError("\(option): \(problem)") }
    }

    /// Renders stdout's form and `--output`'s, then writes `files`, stdout, and the `--output`
    /// report last: whatever write fails, no new report is left behind.
    func emit(writingFirst files: [OutputFile] = [], _ render: (ReportFormat) throws -> String) throws {
        let screen = try render(format)
        let report = try output.map { path in
            OutputFile(path: path, contents: try render((try? ReportFormat.inferred(fromPath: path)) ?? format))
        }
        for file in files { try AtomicFile.write(Data(file.contents.utf8), to: file.path) }
        try StandardOutput.write(screen)
        if let report { try AtomicFile.write(Data(report.contents.utf8), to: report.path) }
    }
}
