import Counters

/// One counter's value for a measured variant.
public struct CounterValue: Codable, Equatable, Sendable {
    /// The median over samples of the count for one sample.
    public let value: Double
    /// `value` divided by the units of work in one sample.
    public let perElement: Double
    public let source: CounterSource
    /// A relative tolerance for `locality compare`, set by hand in a baseline to override the
    /// one for this counter's kind.
    public var tolerance: Double?

    enum CodingKeys: String, CodingKey { case value, perElement = "per_element", source, tolerance }

    public init(value: Double, perElement: Double, source: CounterSource, tolerance: Double? = nil) {
        self.value = value
        self.perElement = perElement
        self.source = source
        self.tolerance = tolerance
    }
}

/// The result of measuring one variant at one size: the `results` entries of the JSON report.
public struct VariantResult: Codable, Equatable, Sendable {
    public let experiment: String
    public let variant: String
    public let sizeBytes: Int
    /// Units of work in one pass (for loop-order: matrix elements).
    public let elements: Int
    /// Passes per sample, chosen so that a sample lasts long enough for the timer.
    public let iterations: Int
    public let samples: Int
    public let nsPerElement: Summary
    /// Bytes per second in units of 10⁹, from the median time; nil where bandwidth means nothing.
    public let gbPerSecond: Double?
    public var counters: [String: CounterValue]
    public var unavailable: [String: String]
    /// The median time per element divided by the baseline variant's, at the same size.
    public var ratioToBaseline: Double?
    public var baseline: String?
    /// A relative tolerance for `ratio_to_baseline` in `locality compare`, set by hand in a baseline.
    public var ratioTolerance: Double?
    public let checksum: Double
    /// Experiment-specific figures (bytes per element, pages touched, …), in column order.
    public var extras: [Extra]
    /// Set when the samples lost the CPU or disagree (see `Noise`): the time is shown, not concluded from.
    public var noisy: Noise?

    enum CodingKeys: String, CodingKey {
        case experiment, variant, sizeBytes = "size_bytes", elements, iterations, samples
        case nsPerElement = "ns_per_element", gbPerSecond = "gb_per_s", counters, unavailable
        case ratioToBaseline = "ratio_to_baseline", baseline, checksum, extras, ratioTolerance = "ratio_tolerance", noisy
    }

    public init(experiment: String, variant: String, sizeBytes: Int, elements: Int, iterations: Int,
                samples: Int, nsPerElement: Summary, gbPerSecond: Double?,
                counters: [String: CounterValue], unavailable: [String: String],
                ratioToBaseline: Double? = nil, baseline: String? = nil, checksum: Double, extras: [Extra] = [],
                noisy: Noise? = nil) {
        self.experiment = experiment
        self.variant = variant
        self.sizeBytes = sizeBytes
        self.elements = elements
        self.iterations = iterations
        self.samples = samples
        self.nsPerElement = nsPerElement
        self.gbPerSecond = gbPerSecond
        self.counters = counters
        self.unavailable = unavailable
        self.ratioToBaseline = ratioToBaseline
        self.baseline = baseline
        self.checksum = checksum
        self.extras = extras
        self.noisy = noisy
    }

    /// A `sim` report's results hold no times (they are valgrind's): they read back with a
    /// zero time, which nothing shows.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        experiment = try c.decode(String.self, forKey: .experiment)
        variant = try c.decode(String.self, forKey: .variant)
        sizeBytes = try c.decode(Int.self, forKey: .sizeBytes)
        elements = try c.decode(Int.self, forKey: .elements)
        iterations = try c.decode(Int.self, forKey: .iterations)
        samples = try c.decode(Int.self, forKey: .samples)
        nsPerElement = try c.decodeIfPresent(Summary.self, forKey: .nsPerElement) ?? Summary(median: 0, min: 0, max: 0)
        gbPerSecond = try c.decodeIfPresent(Double.self, forKey: .gbPerSecond)
        counters = try c.decode([String: CounterValue].self, forKey: .counters)
        unavailable = try c.decode([String: String].self, forKey: .unavailable)
        ratioToBaseline = try c.decodeIfPresent(Double.self, forKey: .ratioToBaseline)
        baseline = try c.decodeIfPresent(String.self, forKey: .baseline)
        ratioTolerance = try c.decodeIfPresent(Double.self, forKey: .ratioTolerance)
        checksum = try c.decode(Double.self, forKey: .checksum)
        extras = try c.decode([Extra].self, forKey: .extras)
        noisy = try c.decodeIfPresent(Noise.self, forKey: .noisy)
    }

    public func encode(to encoder: Encoder) throws { try Encoded(result: self, timed: true).encode(to: encoder) }

    /// A result as JSON holds it: without its time, bandwidth and time ratio when `timed` is
    /// false (a simulated run, whose times are valgrind's).
    struct Encoded: Encodable {
        let result: VariantResult
        let timed: Bool

        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(result.experiment, forKey: .experiment)
            try c.encode(result.variant, forKey: .variant)
            try c.encode(result.sizeBytes, forKey: .sizeBytes)
            try c.encode(result.elements, forKey: .elements)
            try c.encode(result.iterations, forKey: .iterations)
            try c.encode(result.samples, forKey: .samples)
            if timed {
                try c.encode(result.nsPerElement, forKey: .nsPerElement)
                try c.encodeIfPresent(result.gbPerSecond, forKey: .gbPerSecond)
                try c.encodeIfPresent(result.ratioToBaseline, forKey: .ratioToBaseline)
                try c.encodeIfPresent(result.ratioTolerance, forKey: .ratioTolerance)
                try c.encodeIfPresent(result.noisy, forKey: .noisy)
            }
            try c.encode(result.counters, forKey: .counters)
            try c.encode(result.unavailable, forKey: .unavailable)
            try c.encodeIfPresent(result.baseline, forKey: .baseline)
            try c.encode(result.checksum, forKey: .checksum)
            try c.encode(result.extras, forKey: .extras)
        }
    }

    /// The value of the extra `key`, if this result has it.
    public func extra(_ key: some ExtraKey) -> Double? { extra(named: key.rawValue) }
    /// The value of the extra labelled `name`: for renderers, which show every experiment's
    /// columns without knowing their keys. An experiment reads its own by key.
    public func extra(named name: String) -> Double? { extras.first { $0.name == name }?.value }
}

extension Array where Element == VariantResult {
    /// Fills `ratioToBaseline` of each measurement from the baseline variant measured at the
    /// same experiment and size in this run.
    public mutating func computeRatios(baselines: [String: String]) {
        computeRatios { experiment, _ in baselines[experiment] }
    }

    /// Fills `ratioToBaseline` and `baseline` of each measurement from its ratio partner
    /// (`partner(experiment, variant)`) measured at the same experiment and size in this run.
    public mutating func computeRatios(partner: (String, String) -> String?) {
        for index in indices {
            let m = self[index]
            guard let baselineName = partner(m.experiment, m.variant),
                  let base = first(where: { $0.experiment == m.experiment && $0.sizeBytes == m.sizeBytes && $0.variant == baselineName }),
                  base.nsPerElement.median > 0
            else { continue }
            self[index].baseline = baselineName
            self[index].ratioToBaseline = m.nsPerElement.median / base.nsPerElement.median
        }
    }
}
