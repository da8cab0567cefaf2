#if canImport(Glibc)
import Glibc
#endif

/// `--variants PATTERN[,PATTERN…]`: which variants to measure, by shell glob (fnmatch(3)) on
/// their names. `!PATTERN` excludes what it matches. The baseline variant is measured for the
/// ratios even when no pattern names it, unless an exclusion names it.
public struct VariantFilter: Sendable, Equatable {
    public let patterns: [String]
    public let exclusions: [String]

    public init(patterns: [String], exclusions: [String] = []) {
        self.patterns = patterns
        self.exclusions = exclusions
    }

    /// Parses the option's value: comma-separated patterns, `!` before an exclusion.
    public init(parsing text: String) throws(VariantFilterError) {
        let items = text.split(separator: ",", omittingEmptySubsequences: false).map { String($0) }
        guard !items.isEmpty, items.allSatisfy({ !$0.isEmpty && $0 != "!" }) else { throw .emptyPattern(text) }
        self.init(patterns: items.filter { !$0.hasPrefix("!") }, exclusions: items.filter { $0.hasPrefix("!") }.map { String($0.dropFirst()) })
    }

    static func matches(_ pattern: String, _ name: String) -> Bool { fnmatch(pattern, name, 0) == 0 }

    /// The variants of `experiment` to measure, in the experiment's order: those a pattern
    /// matches (every one when only exclusions are given), the baseline unless excluded, none
    /// that an exclusion matches. Empty when no pattern matches any of its variants: the
    /// experiment is then not run.
    public func selected(in experiment: any Experiment) -> [String] {
        let names = experiment.variants.map(\.name)
        let excluded = Set(names.filter { name in exclusions.contains { Self.matches($0, name) } })
        let matched = patterns.isEmpty ? Set(names) : Set(names.filter { name in patterns.contains { Self.matches($0, name) } })
        guard !matched.subtracting(excluded).isEmpty else { return [] }
        // Each kept variant's ratio partner (the baseline by default) is measured too, unless
        // excluded, and so is the partner's own partner (class-instances → malloc-each → batched).
        var kept = matched.subtracting(excluded)
        var added = kept
        while !added.isEmpty {
            added = Set(added.map { experiment.ratioPartner(of: $0) }).subtracting(kept).subtracting(excluded)
            kept.formUnion(added)
        }
        return names.filter { kept.contains($0) }
    }

    /// The patterns (exclusions included) that match no variant of any of `experiments`.
    public func unmatched(in experiments: [any Experiment]) -> [String] {
        let names = experiments.flatMap { $0.variants.map(\.name) }
        return (patterns + exclusions).filter { pattern in !names.contains { Self.matches(pattern, $0) } }
    }

    /// What the report says about the filter for `experiment`: partners kept though no pattern
    /// named them, partners excluded (their partners' rows then have no ratio).
    public func remarks(for experiment: any Experiment) -> [String] {
        let kept = selected(in: experiment)
        guard !kept.isEmpty else { return [] }
        let named = kept.filter { name in patterns.isEmpty || patterns.contains { Self.matches($0, name) } }
        var remarks: [String] = []
        let added = kept.filter { !named.contains($0) }
        if !added.isEmpty {
            remarks.append("\(experiment.name): --variants kept \(added.joined(separator: ", ")) for the ratios")
        }
        let lost = Set(kept.map { experiment.ratioPartner(of: $0) }).filter { !kept.contains($0) }.sorted()
        if !lost.isEmpty {
            remarks.append("\(experiment.name): --variants excluded \(lost.joined(separator: ", ")), so the rows measured against it have no ratio")
        }
        return remarks
    }
}

public enum VariantFilterError: Error, Equatable, CustomStringConvertible {
    case emptyPattern(String)

    public var description: String {
        switch self {
        case let .emptyPattern(text): return "'\(text)' holds an empty pattern (give PATTERN[,PATTERN…], `!PATTERN` to exclude)"
        }
    }
}
