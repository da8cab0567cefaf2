import Foundation
import Harness

/// What is wrong with a report that decoded but that no run writes, and where.
public struct ReportProblem: Error, Equatable, CustomStringConvertible {
    /// A JSON path: `.results[3].size_bytes`.
    public let place: String
    public let reason: String
    public var description: String { "\(reason) at \(place)" }
}

extension RunReport {
    /// Refuses, before anything is judged, what no run writes: a size below 1 byte, a result
    /// with no elements, samples or iterations, and two results for one experiment, variant
    /// and size (the first would win, so a doctored duplicate would pass). Linear in the results.
    public func checkedForComparison() throws(ReportProblem) {
        var first: [ResultKey: Int] = [:]
        first.reserveCapacity(results.count)
        for (index, result) in results.enumerated() {
            let place = ".results[\(index)]"
            if result.sizeBytes < 1 { throw ReportProblem(place: place + ".size_bytes", reason: "size \(result.sizeBytes) is not a size (at least 1 byte)") }
            if result.elements < 1 { throw ReportProblem(place: place + ".elements", reason: "\(result.elements) elements: a result measures at least one") }
            if result.samples < 1 { throw ReportProblem(place: place + ".samples", reason: "\(result.samples) samples: a result has at least one") }
            if result.iterations < 1 { throw ReportProblem(place: place + ".iterations", reason: "\(result.iterations) iterations: a sample makes at least one pass") }
            let key = ResultKey(experiment: result.experiment, variant: result.variant, sizeBytes: result.sizeBytes)
            if let earlier = first.updateValue(index, forKey: key) {
                throw ReportProblem(place: place, reason: "duplicate result \(result.experiment)/\(result.variant)/"
                    + "\(ByteSize(rawValue: result.sizeBytes)) (also at .results[\(earlier)])")
            }
        }
    }
}

private struct ResultKey: Hashable {
    var experiment: String
    var variant: String
    var sizeBytes: Int
}

/// Where a JSON document holds a number its field cannot take (1.5 or 1e30 for a count):
/// JSONDecoder says only "not valid JSON" about it, with no place.
public enum JSONNumberCheck {
    /// The fields of a report that hold whole numbers.
    static let wholeNumberKeys: Set<String> = [
        "size_bytes", "elements", "iterations", "samples", "repetitions", "min_sample_ns", "counter_groups",
        "level", "ways", "line_bytes", "logical_cpus", "page_size_bytes", "mem_total_bytes", "mem_available_bytes",
        "entries", "page_bytes", "perf_event_paranoid",
    ]

    /// The first whole-number field holding a fraction or a number beyond 64 bits, as
    /// (place, what), or nil (also when `data` is not JSON at all).
    public static func firstMisfit(in data: Data) -> ReportProblem? {
        guard let root = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else { return nil }
        return misfit(root, key: nil, place: "")
    }

    private static func misfit(_ value: Any, key: String?, place: String) -> ReportProblem? {
        if let object = value as? [String: Any] {
            for (name, child) in object.sorted(by: { $0.key < $1.key }) {
                if let found = misfit(child, key: name, place: place + "." + name) { return found }
            }
        } else if let array = value as? [Any] {
            for (index, child) in array.enumerated() {
                if let found = misfit(child, key: key, place: place + "[\(index)]") { return found }
            }
        } else if let number = value as? NSNumber, let key, wholeNumberKeys.contains(key) {
            let double = number.doubleValue
            if double.rounded() != double {
                return ReportProblem(place: place, reason: "\(number) is not a whole number")
            }
            if !(double >= -9.2e18 && double <= 9.2e18) {
                return ReportProblem(place: place, reason: "\(number) is out of range for a whole number")
            }
        }
        return nil
    }
}
