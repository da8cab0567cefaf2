import ArgumentParser
import Counters
import Foundation
import Harness
import Reporting

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run experiments and print variants side by side, counters per element.",
        discussion: "With no experiment named, runs them all. `locality list` names them.")

    @OptionGroup var suite: SuiteOptions

    @Option(help: ArgumentHelp(
        "PAPI events to count, comma-separated, replacing the defaults (\(Event.defaultNames.joined(separator: ","))).",
        valueName: "list"))
    var events: String?

    @Option(help: "Timed samples per variant and size, after a warm-up (default 5; 3 with --quick).")
    var repetitions: Int?

    @Option(help: ArgumentHelp("Write the experiments' plots (SVG) into this directory.", valueName: "dir"))
    var plot: String?

    func validate() throws {
        guard (repetitions ?? 1) >= 1 else { throw ValidationError("--repetitions must be at least 1") }
        if let events, eventNames(events).isEmpty { throw ValidationError("--events names no event") }
        if let plot {
            try ReportOptions.requireDirectory(plot, option: "--plot")
            // The plots (*.svg) go into that directory: a report there named .svg would overwrite one, or be overwritten.
            if let output = suite.report.output, output.lowercased().hasSuffix(".svg"),
               Self.sameDirectory(AtomicFile.directoryName(of: output), plot) {
                throw ValidationError("--output '\(output)' is an .svg in the --plot directory, where the plots go: "
                    + "name the report otherwise (.json, .csv, .md, .txt) or write it elsewhere")
            }
        }
    }

    /// Whether two paths name one directory (same device and inode).
    static func sameDirectory(_ a: String, _ b: String) -> Bool {
        var first = stat(), second = stat()
        return stat(a, &first) == 0 && stat(b, &second) == 0 && first.st_dev == second.st_dev && first.st_ino == second.st_ino
    }

    /// The names in the list, each once, in the order given.
    private func eventNames(_ list: String) -> [String] {
        var seen: Set<String> = []
        return list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && seen.insert($0).inserted }
    }

    /// A terminating signal stops the run before its next pass (TerminationSignals): the report
    /// of what was measured is printed and written, marked `"complete": false`, then the process
    /// ends by the signal. With nothing measured yet, no report is written (an old --output stays).
    func run() throws {
        try TerminationSignals.deferring { try measureAndEmit() }
        if let signal = TerminationSignals.received { TerminationSignals.end(by: signal) }
    }

    private func measureAndEmit() throws {
        try suite.checkNames()
        var machine = MachineInfo.current()
        let names = events.map(eventNames) ?? Event.defaultNames
        let (plan, library) = try CounterSetup.plan(for: names, machine: &machine)
        // --quick: 3 samples of at least 2 ms each instead of 5 of 10 ms.
        let lastLevel = machine.dataCaches.last?.sizeBytes
        let configuration = suite.quick
            ? RunConfiguration(repetitions: repetitions ?? 3, minimumSampleNanoseconds: 2_000_000, lastLevelCacheBytes: lastLevel)
            : RunConfiguration(repetitions: repetitions ?? 5, lastLevelCacheBytes: lastLevel)
        let runner = Runner(configuration: configuration, plan: plan, library: library,
                            shouldStop: { TerminationSignals.received != nil })
        var run = SuiteRun(experiments: suite.selected, sizes: try suite.sizeChoice.all, runner: runner, machine: machine,
                           options: RunOptions(seed: suite.seed))
        try suite.configure(&run.sizing)
        run.variantFilter = suite.variantFilter
        run.context = RunContext.current(machine: machine, build: Locality.build, commandLine: CommandLine.arguments,
                                         seed: suite.seed, repetitions: configuration.repetitions, quick: suite.quick)
        suite.attachProgress(to: &run)
        let started = Date()
        var report = try run.run(finished: { soFar, experiment in
            try suite.finished(soFar, experiment, of: run.experiments.count, elapsed: Date().timeIntervalSince(started))
        })
        if report.complete == false, let signal = TerminationSignals.received {
            if report.results.isEmpty { return }
            let reason = "\(TerminationSignals.name(signal)) received, " + (report.interruption ?? "stopped")
            report.interruption = reason
            report.notes.insert("interrupted: " + reason, at: 0)
        }
        // The plots go before the report, so a plot that cannot be written leaves no new report.
        let plots = plot.map { directory in
            run.plots(for: report).map { OutputFile(path: directory + "/" + $0.fileName, contents: $0.svg) }
        } ?? []
        try suite.emit(report, clearingProgress: run.progress != nil, writingFirst: plots)
    }
}
