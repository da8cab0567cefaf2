import ArgumentParser
import Experiments

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the experiments and their variants.")

    func run() {
        for experiment in Suite.all {
            print("\(experiment.name): \(experiment.summary)")
            print("  unit: one \(experiment.unit); ratios against \(experiment.baselineVariant)")
            print("  a size is \(experiment.sizeMeaning)")
            print("  default sizes: \(experiment.defaultSizes.map(\.description).joined(separator: ","))")
            let width = experiment.variants.map(\.name.count).max() ?? 0
            for variant in experiment.variants {
                print("  \(variant.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(variant.summary)")
            }
        }
    }
}
