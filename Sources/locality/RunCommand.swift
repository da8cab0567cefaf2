import ArgumentParser
import Counters
import Experiments
import Foundation
import Harness
import Reporting

extension ReportFormat: ExpressibleByArgument {}

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run experiments and print variants side by side, counters per element.",
        discussion: "With no experiment named, runs them all. `locality list` names them.")

    @Argument(help: "Experiments to run (default: all).")
    var experiments: [String] = []

    @Option(help: ArgumentHelp(
        "Working-set sizes, comma-separated: 4K,400K,64M (also 4KiB, 1G or plain bytes). K = 1024, M = 1024², G = 1024³.",
        valueName: "list"),
        transform: { text in try ByteSize.parseList(text) })
    var sizes: [ByteSize]?

    @Option(help: ArgumentHelp(
        "PAPI events to count, comma-separated, replacing the defaults (\(Event.defaultNames.joined(separator: ","))).",
        valueName: "list"))
    var events: String?

    @Option(help: "Timed samples per variant and size, after a warm-up.")
    var repetitions = 5

    @Option(help: "Report format on stdout: table, json, csv or markdown.")
    var format: ReportFormat = .table

    @Option(help: ArgumentHelp(
        "Also write the report to this file, atomically. Its format follows the extension (.json, .csv, .md, .txt), else --format.",
        valueName: "file"))
    var output: String?

    @Option(help: "Seed for the shuffles of experiments that shuffle (same seed, same permutations).")
    var seed: UInt64 = RunOptions.defaultSeed

    @Option(help: ArgumentHelp("Write the experiments' plots (SVG) into this directory.", valueName: "dir"))
    var plot: String?

    func validate() throws {
        for name in experiments where Suite.experiment(named: name) == nil {
            throw ValidationError("unknown experiment '\(name)' (known: \(Suite.all.map(\.name).joined(separator: ", ")))")
        }
        guard repetitions >= 1 else { throw ValidationError("--repetitions must be at least 1") }
        if let events, eventNames(events).isEmpty { throw ValidationError("--events names no event") }
        if let output {
            try requireDirectory(URL(fileURLWithPath: output).deletingLastPathComponent().path, option: "--output")
        }
        if let plot { try requireDirectory(plot, option: "--plot") }
    }

    private func requireDirectory(_ directory: String, option: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("\(option): directory '\(directory)' does not exist")
        }
    }

    private func eventNames(_ list: String) -> [String] {
        list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    func run() throws {
        let selected = experiments.isEmpty ? Suite.all : experiments.compactMap(Suite.experiment(named:))
        var machine = MachineInfo.current()
        let names = events.map(eventNames) ?? Event.defaultNames
        let (plan, library) = try CounterSetup.plan(for: names, machine: &machine)
        let runner = Runner(configuration: RunConfiguration(repetitions: repetitions), plan: plan, library: library)
        var suite = SuiteRun(experiments: selected, sizes: sizes, runner: runner, machine: machine,
                             options: RunOptions(seed: seed))
        try suite.validateMemory()
        if isatty(STDERR_FILENO) != 0 {
            suite.progress = { line in FileHandle.standardError.write(Data("\u{1B}[2K\r  measuring \(line)…".utf8)) }
        }
        let report = try suite.run()
        if suite.progress != nil { FileHandle.standardError.write(Data("\u{1B}[2K\r".utf8)) }
        print(try format.render(report), terminator: "")
        if let output {
            let fileFormat = (try? ReportFormat.inferred(fromPath: output)) ?? format
            try AtomicFile.write(Data(try fileFormat.render(report).utf8), to: output)
        }
        if let plot {
            for picture in suite.plots(for: report) {
                try AtomicFile.write(Data(picture.svg.utf8), to: URL(fileURLWithPath: plot).appendingPathComponent(picture.fileName).path)
            }
        }
    }
}
