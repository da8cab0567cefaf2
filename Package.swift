// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Locality",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "locality", targets: ["locality"]),
        // Measuring one's own code: `Locality.main(experiments:)` and the harness it re-exports.
        .library(name: "LocalityCLI", targets: ["LocalityCLI"]),
        .library(name: "Harness", targets: ["Harness"]),
        .library(name: "Reporting", targets: ["Reporting"]),
        .library(name: "Counters", targets: ["Counters"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // C: PAPI's header, a timer / black-hole / callgrind support library.
        .systemLibrary(name: "CPAPI", pkgConfig: "papi",
                       providers: [.apt(["libpapi-dev"])]),
        .target(name: "CLocalitySupport"),

        // Swift layers: counters, platform → harness → reporting → CLI.
        // Where a count comes from (hw, sw, sim): the one type Counters and Platform share (a
        // machine's counter list names each event's source), in a module of its own with no
        // dependency, so that neither needs the other.
        .target(name: "CounterVocabulary"),
        // Counters stands alone (PAPI and its own shim): other packages can count events with it.
        .target(name: "Counters", dependencies: ["CPAPI", "CounterVocabulary"]),
        // The one place figures become text: sizes (4K, 1.43G, 3.2 KiB), ratios, significant digits.
        .target(name: "Formatting"),
        // Machine facts: sysfs, cpuid (caches, TLBs), /proc parsers, memory limits, mappings.
        .target(name: "Platform", dependencies: ["CLocalitySupport", "CounterVocabulary", "Formatting"]),
        .target(name: "Harness", dependencies: ["Counters", "Platform", "CLocalitySupport"]),
        .target(name: "Reporting", dependencies: ["Harness", "CLocalitySupport", "Formatting"]),
        .target(name: "Plotting", dependencies: ["Formatting"]),
        .target(name: "Regression", dependencies: ["Counters", "Harness", "Reporting"]),
        // Where a process's memory lives: /proc/self/maps, safe reads, `locality probe`.
        .target(name: "Probes", dependencies: ["CLocalitySupport", "Platform", "Reporting"]),

        // The experiments (the suite) and their C reference kernels. Kernels are optimised in
        // debug builds too: an unoptimised kernel measures the compiler, not memory, and the
        // tests' simulated miss counts must be those of the real loops.
        .target(name: "CReference", path: "Benchmarks/CReference",
                cSettings: [.unsafeFlags(["-O2"], .when(configuration: .debug))]),
        .target(name: "Experiments", dependencies: ["Harness", "Counters", "Plotting", "CReference", "CLocalitySupport"],
                path: "Benchmarks/Experiments",
                swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]),

        // The commands (run, sim, compare, list, machine, probe) as a library, so a package's own
        // executable can offer them; `locality` is a thin main over it.
        .target(name: "LocalityCLI", dependencies: [
            "Counters", "Harness", "Reporting", "Regression", "Probes", "CLocalitySupport",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "locality", dependencies: ["LocalityCLI", "Experiments"]),

        .testTarget(name: "CountersTests", dependencies: ["Counters"]),
        .testTarget(name: "PlatformTests", dependencies: ["Platform"]),
        .testTarget(name: "HarnessTests", dependencies: ["Harness", "Counters", "Platform"]),
        .testTarget(name: "ReportingTests", dependencies: ["Reporting", "Harness", "Plotting"]),
        .testTarget(name: "ExperimentsTests", dependencies: ["Experiments", "Harness"]),
        .testTarget(name: "RegressionTests", dependencies: ["Regression", "Harness"]),
        .testTarget(name: "CLITests", dependencies: ["Harness"]),
        .testTarget(name: "ProbesTests", dependencies: ["Probes", "Reporting"]),
    ]
)
