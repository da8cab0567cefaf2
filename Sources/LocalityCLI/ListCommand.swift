import ArgumentParser
import Harness
import Reporting

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the experiments and their variants.")

    @Option(help: "table or json.")
    var format: TextOrJSON = .table

    /// An experiment as `list --format json` gives it.
    struct Entry: Encodable {
        struct VariantEntry: Encodable { var name: String; var summary: String }
        var name: String
        var summary: String
        var unit: String
        var baseline: String
        var sizeMeaning: String
        var defaultSizes: [String]
        var quickSizes: [String]
        var simulationSizes: [String]
        var variants: [VariantEntry]

        enum CodingKeys: String, CodingKey {
            case name, summary, unit, baseline, sizeMeaning = "size_meaning", defaultSizes = "default_sizes"
            case quickSizes = "quick_sizes", simulationSizes = "simulation_sizes", variants
        }
    }

    func run() throws {
        if format == .json {
            let entries = Catalog.current.experiments.map { experiment in
                Entry(name: experiment.name, summary: experiment.summary, unit: experiment.unit, baseline: experiment.baselineVariant,
                      sizeMeaning: experiment.sizeMeaning, defaultSizes: experiment.defaultSizes.map(\.description),
                      quickSizes: experiment.quickSizes.map(\.description), simulationSizes: experiment.simulationSizes.map(\.description),
                      variants: experiment.variants.map { .init(name: $0.name, summary: $0.summary) })
            }
            try StandardOutput.write(try JSONReport.encode(entries))
            return
        }
        for experiment in Catalog.current.experiments {
            print("\(experiment.name): \(experiment.summary)")
            print("  unit: one \(experiment.unit); ratios against \(experiment.baselineVariant)")
            print("  a size is \(experiment.sizeMeaning)")
            print("  default sizes: \(experiment.defaultSizes.map(\.description).joined(separator: ","))")
            print("  --quick sizes: \(experiment.quickSizes.map(\.description).joined(separator: ","))")
            let width = experiment.variants.map(\.name.count).max() ?? 0
            for variant in experiment.variants {
                print("  \(variant.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(variant.summary)")
            }
        }
    }
}

/// `--format` of the commands that print either text or JSON.
enum TextOrJSON: String, ExpressibleByArgument { case table, json }
