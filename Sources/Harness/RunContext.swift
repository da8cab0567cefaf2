import Foundation

/// Which Locality this is: its version, and the git commit it was built from when the binary
/// sits in a checkout's .build directory (`swift build` and `make` both put it there).
public struct BuildInfo: Codable, Equatable, Sendable {
    public static let version = "0.9.0"

    public var version: String
    public var commit: String?

    public init(version: String = BuildInfo.version, commit: String?) {
        self.version = version
        self.commit = commit
    }

    /// `locality 0.9.0 (commit 1a2b3c4d5e6f)`, or without the commit outside a checkout.
    public var description: String { "locality \(version)" + (commit.map { " (commit \(String($0.prefix(12))))" } ?? "") }

    /// Read at run time from the checkout above `executable` (no git needed, no build plugin):
    /// .git (a directory, or a worktree's `gitdir:` file), its HEAD, and the ref HEAD names,
    /// loose or in packed-refs.
    public static func current(executable: String) -> BuildInfo {
        BuildInfo(commit: commit(above: executable))
    }

    static func commit(above executable: String) -> String? {
        var directory = URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<8 {
            let dotGit = directory.appendingPathComponent(".git").path
            if let gitDirectory = gitDirectory(at: dotGit) { return head(in: gitDirectory) }
            let parent = directory.deletingLastPathComponent()
            if parent.path == directory.path { break }
            directory = parent
        }
        return nil
    }

    private static func read(_ path: String) -> String? {
        (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static func gitDirectory(at dotGit: String) -> String? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dotGit, isDirectory: &isDirectory) else { return nil }
        if isDirectory.boolValue { return dotGit }
        guard let text = read(dotGit), text.hasPrefix("gitdir:") else { return nil }
        let path = text.dropFirst("gitdir:".count).trimmingCharacters(in: .whitespaces)
        return path.hasPrefix("/") ? path : URL(fileURLWithPath: dotGit).deletingLastPathComponent().appendingPathComponent(path).path
    }

    private static func head(in gitDirectory: String) -> String? {
        guard let head = read(gitDirectory + "/HEAD") else { return nil }
        guard head.hasPrefix("ref:") else { return isCommit(head) ? head : nil }
        let ref = head.dropFirst("ref:".count).trimmingCharacters(in: .whitespaces)
        // A worktree keeps its HEAD; its refs live in the common directory.
        let common = read(gitDirectory + "/commondir").map { $0.hasPrefix("/") ? $0 : gitDirectory + "/" + $0 } ?? gitDirectory
        for directory in [gitDirectory, common] {
            if let loose = read(directory + "/" + ref), isCommit(loose) { return loose }
            for line in (read(directory + "/packed-refs") ?? "").split(separator: "\n") {
                let parts = line.split(separator: " ")
                if parts.count == 2, parts[1] == ref, isCommit(String(parts[0])) { return String(parts[0]) }
            }
        }
        return nil
    }

    private static func isCommit(_ text: String) -> Bool {
        text.count == 40 && text.allSatisfy { $0.isHexDigit }
    }
}

/// What a report's `context` records so it can be read on its own later: when and where it ran,
/// which Locality, the exact command line, and the choices that decide its numbers.
public struct RunContext: Codable, Equatable, Sendable {
    /// ISO 8601, UTC.
    public var date: String
    public var hostName: String
    /// /etc/os-release's PRETTY_NAME.
    public var os: String?
    public var kernel: String
    public var build: BuildInfo
    public var commandLine: [String]
    public var seed: UInt64
    public var repetitions: Int
    public var quick: Bool
    public var caches: [CacheLevel]
    public var tlbs: [TLBLevel]?

    enum CodingKeys: String, CodingKey {
        case date, hostName = "host_name", os, kernel, build, commandLine = "command_line", seed, repetitions, quick
        case caches, tlbs
    }

    public init(date: String, hostName: String, os: String?, kernel: String, build: BuildInfo, commandLine: [String],
                seed: UInt64, repetitions: Int, quick: Bool, caches: [CacheLevel], tlbs: [TLBLevel]?) {
        self.date = date
        self.hostName = hostName
        self.os = os
        self.kernel = kernel
        self.build = build
        self.commandLine = commandLine
        self.seed = seed
        self.repetitions = repetitions
        self.quick = quick
        self.caches = caches
        self.tlbs = tlbs
    }

    /// This process's context now.
    public static func current(machine: MachineInfo, build: BuildInfo, commandLine: [String], seed: UInt64,
                               repetitions: Int, quick: Bool) -> RunContext {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        let release = (try? String(contentsOfFile: "/etc/os-release", encoding: .utf8)) ?? ""
        let pretty = release.split(separator: "\n").first { $0.hasPrefix("PRETTY_NAME=") }
            .map { $0.dropFirst("PRETTY_NAME=".count).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
        return RunContext(date: formatter.string(from: Date()), hostName: ProcessInfo.processInfo.hostName, os: pretty,
                          kernel: machine.kernel, build: build, commandLine: commandLine, seed: seed,
                          repetitions: repetitions, quick: quick, caches: machine.caches, tlbs: machine.tlbs)
    }
}
