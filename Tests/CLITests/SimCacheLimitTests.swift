import Foundation
import Testing

/// A `--cache` valgrind would refuse is refused before valgrind starts: one line, exit 64.
@Suite struct SimCacheLimitTests {
    @Test(arguments: [
        ("L1=32K:8:8", "valgrind needs lines of at least"),
        ("LL=1T:16:64", "valgrind takes at most 2147483647 bytes"),
        ("LL=2G:16:64", "valgrind takes at most 2147483647 bytes"),
        ("D1=36K:12:64", "48 sets"),
        ("I1=32K:1:32768", "impossible"),
    ])
    func cachesValgrindRefusesAreAUsageError(spec: String, message: String) throws {
        let result = try CLI.run(["sim", "loop-order", "--sizes", "4K", "--cache", spec])
        #expect(result.status == 64)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.split(separator: "\n").count == 1, "stderr: \(result.stderr)")
        #expect(result.stderr.hasPrefix("locality: error: "))
        #expect(result.stderr.contains("'\(spec)'") && result.stderr.contains(message), "stderr: \(result.stderr)")
        #expect(!result.stderr.contains("valgrind:"), "stderr: \(result.stderr)")
    }
}
