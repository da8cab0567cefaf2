// swift-tools-version: 6.0
// Measuring one's own code with Locality: a package that depends on it and gives
// `Locality.main(experiments:)` its benchmarks. Build with `swift build -c release`.
import PackageDescription

let package = Package(
    name: "Lookup",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "Locality", path: "../.."),
    ],
    targets: [
        .executableTarget(name: "lookup", dependencies: [
            .product(name: "LocalityCLI", package: "Locality"),
        ]),
    ]
)
