import Foundation
import Testing

/// `--variants` and the warm-up that keeps one variant's cache state out of the next one's samples.
@Suite struct VariantsAndIsolationTests {
    @Test func aPatternMatchingNoVariantIsAUsageErrorNamingTheVariants() throws {
        let result = try CLI.run(["run", "working-set", "--sizes", "4K", "--variants", "chase,nope"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("'nope' matches no variant"))
        #expect(result.stderr.contains("working-set: chase, chase-c, sequential, sequential-c"))
        #expect(result.stdout.isEmpty)
        let empty = try CLI.run(["run", "working-set", "--variants", "chase,,seq*"])
        #expect(empty.status == 64)
        #expect(empty.stderr.contains("empty pattern"))
    }

    @Test func onlyTheMatchedVariantsAndTheirPartnersAreMeasured() throws {
        let result = try CLI.run(["run", "working-set", "loop-order", "--sizes", "4K", "--repetitions", "1",
                                  "--events", "perf::PAGE-FAULTS", "--variants", "sequential-c", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let results = try #require(json["results"] as? [[String: Any]])
        #expect(results.map { $0["variant"] as? String } == ["sequential", "sequential-c"])
        // sequential-c is compared with the same sum in Swift, never with the chase.
        #expect(results.map { $0["baseline"] as? String } == ["sequential", "sequential"])
        // loop-order has no such variant: it is not run at all.
        #expect((json["experiments"] as? [[String: Any]])?.map { $0["name"] as? String } == ["working-set"])
        #expect((json["notes"] as? [String])?.contains("working-set: --variants kept sequential for the ratios") == true)
    }

    @Test func aVariantOnOtherMemoryThanItsPartnerCarriesItsOwnRatioTolerance() throws {
        let result = try CLI.run(["run", "tlb", "--sizes", "32K", "--repetitions", "1", "--events", "perf::PAGE-FAULTS", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let results = try #require(json["results"] as? [[String: Any]])
        #expect(results.first { $0["variant"] as? String == "page-stride" }?["ratio_tolerance"] as? Double == 0.8)
        #expect(results.first { $0["variant"] as? String == "packed" }?["ratio_tolerance"] == nil)
    }

    /// The mechanism behind chase-after-stream: with a 16M cycle and an 8M simulated LL, a chase
    /// pass (4M of lines) right after a stream through the same buffer used to find the
    /// stream's lines in the LL (0.81 LL misses per load against 1.00 alone). The warm-up before
    /// each sample (one lap of the chase here) leaves only the chase's own lines there.
    @Test func theChasesSimulatedMissesDoNotDependOnTheVariantBeforeIt() throws {
        func llMissesPerLoad(_ variants: String) throws -> Double {
            let result = try CLI.run(["sim", "working-set", "--sizes", "16M", "--cache", "L1=32K:8:64,LL=8M:16:64",
                                      "--repetitions", "2", "--variants", variants, "--format", "json"])
            #expect(result.status == 0, "\(result.stderr)")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            let chase = try #require((json["results"] as? [[String: Any]])?.first { $0["variant"] as? String == "chase" })
            let dlmr = try #require((chase["counters"] as? [String: Any])?["DLmr"] as? [String: Any])
            return try #require(dlmr["per_element"] as? Double)
        }
        let alone = try llMissesPerLoad("chase")
        let afterStream = try llMissesPerLoad("chase,sequential*")
        #expect(alone > 0.99)
        #expect(abs(afterStream - alone) < 0.001)
    }
}
