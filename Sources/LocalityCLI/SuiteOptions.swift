import ArgumentParser
import Foundation
import Harness
import Reporting

extension ReportFormat: ExpressibleByArgument {}

/// What `run` and `sim` share: which experiments, at which sizes, and where the report goes.
struct SuiteOptions: ParsableArguments {
    @Argument(help: "Experiments to run (default: all; `locality list` names them).")
    var experiments: [String] = []

    @Option(parsing: .upToNextOption, help: ArgumentHelp(
        "Working-set sizes, comma-separated: 4K,400K,64M (also 4KiB, 1G or plain bytes; K = 1024). Per experiment: layout=4K,64M alloc=16,1M; a plain list applies to the experiments not named.",
        valueName: "list"))
    var sizes: [String] = []

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

    @Flag(help: "Fewer sizes and samples: the whole suite in seconds, every experiment still run.")
    var quick = false

    @Flag(help: "Show every column, each size and variant a row, whatever the terminal's width.")
    var wide = false

    @Flag(help: "No progress on stderr.")
    var quiet = false

    /// `--sizes` read: a plain list for every experiment, and lists for named experiments.
    struct SizeChoice {
        var all: [ByteSize]?
        var byExperiment: [String: [ByteSize]] = [:]
        /// Experiment names given after `--sizes` (`--sizes 4K loop-order`): experiments to run.
        var experiments: [String] = []
    }

    var sizeChoice: SizeChoice {
        get throws {
            var choice = SizeChoice()
            for token in sizes {
                if let equals = token.firstIndex(of: "=") {
                    let name = String(token[..<equals])
                    guard Catalog.current.experiment(named: name) != nil else {
                        throw ValidationError("--sizes: unknown experiment '\(name)' (known: \(Catalog.current.experiments.map(\.name).joined(separator: ", ")))")
                    }
                    do { choice.byExperiment[name] = try ByteSize.parseList(String(token[token.index(after: equals)...])) } catch {
                        throw ValidationError("--sizes \(name): \(error)")
                    }
                } else if Catalog.current.experiment(named: token) != nil {
                    choice.experiments.append(token)
                } else {
                    do { choice.all = (choice.all ?? []) + (try ByteSize.parseList(token)) } catch { throw ValidationError("--sizes: \(error)") }
                }
            }
            return choice
        }
    }

    func validate() throws {
        // Unknown experiment names are refused when the command runs (`checkNames`), after
        // ArgumentParser has reported an unknown option, which is the likelier mistake
        // (`run --filter x` would otherwise say "unknown experiment 'x'").
        let choice = try sizeChoice
        if let tooSmall = SizePlan.sizeBelowMinimum(experiments: selected, sizes: choice.all, byExperiment: choice.byExperiment) {
            throw ValidationError(tooSmall.description)
        }
    }

    /// Refuses an experiment name `locality list` does not know, and a `--variants` that
    /// matches none of the selected experiments' variants.
    func checkNames() throws {
        for name in experiments where Catalog.current.experiment(named: name) == nil {
            throw ValidationError("unknown experiment '\(name)' (known: \(Catalog.current.experiments.map(\.name).joined(separator: ", ")))")
        }
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
        let names = uniqueExperimentNames
        return names.isEmpty ? Catalog.current.experiments : names.compactMap(Catalog.current.experiment(named:))
    }

    var uniqueExperimentNames: [String] {
        var seen: Set<String> = []
        let trailing = (try? sizeChoice.experiments) ?? []
        return (experiments + trailing).filter { seen.insert($0).inserted }
    }

    /// The suite's sizes: `--sizes`, else `--quick`'s, else each experiment's defaults. Under
    /// simulation the simulation sizes stand: they are already small, and `--quick`'s are picked
    /// from the timed defaults (64M and more), which valgrind would take minutes over.
    func configure(_ sizing: inout SizePlan) throws {
        let choice = try sizeChoice
        sizing.sizesByExperiment = choice.byExperiment
        sizing.quick = quick && sizing.mode == .run
    }

    /// How the text report is drawn on this stdout: its width (COLUMNS, else the terminal's),
    /// colour only on a terminal without NO_COLOR.
    var style: TextStyle {
        let environment = ProcessInfo.processInfo.environment
        var width: Int?
        if let columns = environment["COLUMNS"].flatMap(Int.init), columns > 0 {
            width = columns
        } else {
            for descriptor in [STDOUT_FILENO, STDERR_FILENO] where isatty(descriptor) != 0 {
                var size = winsize()
                if ioctl(descriptor, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { width = Int(size.ws_col); break }
            }
        }
        let colour = isatty(STDOUT_FILENO) != 0 && (environment["NO_COLOR"] ?? "").isEmpty && environment["TERM"] != "dumb"
        return TextStyle(width: width, wide: wide, colour: colour)
    }

    /// Progress on stderr: a live line on a terminal, one line per finished experiment off it,
    /// nothing with `--quiet`.
    func attachProgress(to suite: inout SuiteRun) {
        guard !quiet, isatty(STDERR_FILENO) != 0 else { return }
        let clock = ProgressClock()
        suite.progress = { step in
            // A line at most every 100 ms: the runner reports every sample.
            guard clock.due() else { return }
            var line = "  [\(step.step + 1)/\(step.steps)] \(step.experiment) \(step.size)"
            if let variant = step.variant { line += " \(variant)" }
            line += String(format: " · %.0f s", step.elapsed)
            if let remaining = step.remaining { line += String(format: ", ~%.0f s left", remaining) }
            StandardError.write("\u{1B}[2K\r\(line)")
        }
    }

    /// The report so far is printed experiment by experiment (table and Markdown), with a line
    /// on stderr per finished experiment when stderr is no terminal.
    func finished(_ soFar: RunReport, _ experiment: RunReport.ExperimentInfo, of total: Int, elapsed: Double) throws {
        let terminal = isatty(STDERR_FILENO) != 0
        if !quiet && terminal { StandardError.write("\u{1B}[2K\r") }
        if report.format.streams {
            var style = self.style
            style.markdown = report.format == .markdown
            try StandardOutput.write(TextReport.experiment(soFar, experiment, style: style))
        }
        if !quiet && !terminal {
            let count = soFar.results.filter { $0.experiment == experiment.name }.count
            let line = "locality: [\(soFar.experiments.count)/\(total)] \(experiment.name) done (\(count) results, "
                + String(format: "%.1f s)\n", elapsed)
            StandardError.write(line)
        }
    }

    /// Prints what is left of the report in `--format` (the closing part when the experiments
    /// streamed, else all of it) and writes `files` (plots), then `--output`, atomically.
    func emit(_ run: RunReport, clearingProgress: Bool, writingFirst files: [OutputFile] = [], streamed: Bool = true) throws {
        if clearingProgress && !quiet && isatty(STDERR_FILENO) != 0 { StandardError.write("\u{1B}[2K\r") }
        var style = self.style
        style.markdown = report.format == .markdown
        let streamed = streamed && report.format.streams
        try report.emit(writingFirst: files, screen: { format in
            streamed ? TextReport.closing(run, style: style) : try format.render(run, style: style)
        }, file: { try $0.render(run) })
    }
}

/// When the last progress line was drawn.
final class ProgressClock {
    private var last: UInt64 = 0

    func due() -> Bool {
        let now = DispatchTime.now().uptimeNanoseconds
        guard now &- last >= 100_000_000 else { return false }
        last = now
        return true
    }
}

/// A file a command writes beside its report, such as a plot.
struct OutputFile {
    var path: String
    var contents: String
}

/// Where a report goes: stdout in `--format`, and optionally a file written atomically.
struct ReportOptions: ParsableArguments {
    @Option(help: "Report format on stdout: table, json, csv, tsv or markdown.")
    var format: ReportFormat = .table

    @Option(help: ArgumentHelp(
        "Also write the report to this file, atomically. Its format follows the extension (.json, .csv, .tsv, .md, .txt), else --format.",
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
        try emit(writingFirst: files, screen: render, file: render)
    }

    /// As `emit`, with stdout's text and the file's rendered apart (stdout may hold only the
    /// part of a report not printed yet).
    func emit(writingFirst files: [OutputFile] = [], screen render: (ReportFormat) throws -> String,
              file renderFile: (ReportFormat) throws -> String) throws {
        let screen = try render(format)
        let report = try output.map { path in
            OutputFile(path: path, contents: try renderFile((try? ReportFormat.inferred(fromPath: path)) ?? format))
        }
        for file in files { try AtomicFile.write(Data(file.contents.utf8), to: file.path) }
        try StandardOutput.write(screen)
        if let report { try AtomicFile.write(Data(report.contents.utf8), to: report.path) }
    }
}
