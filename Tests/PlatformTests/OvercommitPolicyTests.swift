import Foundation
@testable import Platform
import Testing

/// /proc/sys/vm/overcommit_memory is parsed once: the policy the limits keep and the commit
/// limit they add always agree. Before, the commit limit compared the trimmed text to "2" and
/// the policy parsed an Int, so `+2` gave policy 2 without the commit limit.
@Suite struct OvercommitPolicyTests {
    @Test(arguments: [("2\n", 2), (" 2 ", 2), ("+2\n", 2), ("0\n", 0), ("1", 1), ("strict\n", nil), ("", nil)] as [(String, Int?)])
    func thePolicyAndTheCommitLimitAgree(text: String, policy: Int?) throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("locality-overcommit-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/proc/sys/vm", withIntermediateDirectories: true)
        try text.write(toFile: root + "/proc/sys/vm/overcommit_memory", atomically: true, encoding: .utf8)
        try "CommitLimit:     2048000 kB\nCommitted_AS:    1024000 kB\n".write(toFile: root + "/proc/meminfo", atomically: true, encoding: .utf8)
        let limits = MemoryLimits.current(memAvailable: nil, root: root, addressSpaceLimit: .some(nil))
        #expect(limits.overcommitPolicy == policy)
        let commit = limits.limits.first { if case .commitLimit = $0.kind { true } else { false } }
        #expect((commit != nil) == (policy == 2), "\(text.debugDescription): \(limits)")
        #expect(commit.map(\.remainingBytes) == (policy == 2 ? 1_024_000 << 10 : nil))
    }
}
