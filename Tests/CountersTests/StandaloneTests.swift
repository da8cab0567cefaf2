import Foundation
import Testing

/// Counters is advertised as a library of its own: it must not pull the harness's C support
/// (probes, callgrind requests) into a package that only wants to count events.
@Suite struct StandaloneTests {
    /// The package root, two folders above this file's.
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func countersDependsOnPAPIAlone() throws {
        // A scratch directory of its own: the package's .build is locked by the `swift test`
        // running this, and SwiftPM would wait for that lock forever.
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("locality-manifest-\(getpid())")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["swift", "package", "dump-package", "--package-path", Self.packageRoot.path,
                             "--scratch-path", scratch.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "swift package dump-package failed")

        // {"targets": [{"name": …, "dependencies": [{"byName": ["CPAPI", null]}, …]}, …]}
        let manifest = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let targets = try #require(manifest["targets"] as? [[String: Any]])
        var dependencies: [String: [String]] = [:]
        for target in targets {
            let name = try #require(target["name"] as? String)
            let entries = target["dependencies"] as? [[String: Any]] ?? []
            dependencies[name] = entries.compactMap { entry in (entry.values.first as? [Any])?.first as? String }
        }
        var closure: Set<String> = []
        var pending = dependencies["Counters"] ?? []
        while let next = pending.popLast() {
            if closure.insert(next).inserted { pending += dependencies[next] ?? [] }
        }
        #expect(dependencies["Counters"] != nil)
        // PAPI's header and CounterVocabulary (CounterSource, shared with Platform), which
        // depends on nothing.
        #expect(closure == ["CPAPI", "CounterVocabulary"], "Counters depends on \(closure.sorted())")
        #expect(dependencies["CounterVocabulary"] == [])
    }
}
