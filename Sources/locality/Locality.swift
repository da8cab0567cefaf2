import ArgumentParser
import Foundation

@main
struct Locality: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "locality",
        abstract: "Measure how memory layout and access order decide speed.",
        discussion: """
            Runs memory experiments with PAPI counters normalised per element. Every counter \
            value carries its source: hw (PMU event), sw (kernel software event) or sim \
            (callgrind); an event that cannot be counted is listed with the reason.
            """,
        subcommands: [ListCommand.self, MachineCommand.self, RunCommand.self, SimCommand.self, CompareCommand.self,
                      ProbeCommand.self])

    /// Like ArgumentParser's `main()`, but every error is one line on stderr: usage errors
    /// exit 64, failures 1.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let code as ExitCode {
            // The command has already said what went wrong.
            Foundation.exit(code.rawValue)
        } catch {
            var code = exitCode(for: error)
            if code == .success { exit(withError: error) }
            // compare promises 0 (no regression), 1 (regression) and 2 (bad input) to CI scripts.
            if CommandLine.arguments.dropFirst().first == "compare" { code = ExitCode(2) }
            let message = message(for: error)
                .split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty }.joined(separator: " ")
            FileHandle.standardError.write(Data("locality: error: \(message)\n".utf8))
            Foundation.exit(code.rawValue)
        }
    }
}
