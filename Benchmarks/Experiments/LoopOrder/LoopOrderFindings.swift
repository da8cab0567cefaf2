import Harness

/// The conclusions printed under the loop-order table: how far the column walk falls behind
/// the row walk as the matrix outgrows each cache, how close Swift comes to C, and, simulated,
/// the misses that explain it.
struct LoopOrderFindings {
    typealias Name = LoopOrder.VariantName
    let results: [VariantResult]

    private var sizes: [Int] { results.measuredSizes }

    private func ratio(_ variant: Name, to partner: Name, _ size: Int) -> Double? {
        results.quietRatio(variant, to: partner, size: size)
    }

    /// Where a matrix of `size` bytes lies: past the largest data cache smaller than it, or in
    /// the first.
    private static func place(_ size: Int, machine: MachineInfo) -> String {
        let caches = machine.dataCaches
        if let outgrown = caches.last(where: { $0.sizeBytes < size }) { return "past \(outgrown.name)" }
        return caches.first.map { "in \($0.name)" } ?? "in cache"
    }

    /// Timed: the column walk against the row walk where the matrix is smallest, where the
    /// column walk first takes twice as long, and at the largest size, each with the cache the
    /// matrix fits or has outgrown; then the Swift row walk against its C twin.
    func lines(machine: MachineInfo) -> [String] {
        var lines: [String] = []
        let steps = sizes.compactMap { size in
            ratio(.columnMajor, to: .rowMajor, size).map { (size: size, ratio: $0) }
        }
        if let first = steps.first, let last = steps.last {
            var shown = [first]
            if let doubling = steps.first(where: { $0.ratio >= 2 }), doubling.size != first.size { shown.append(doubling) }
            if last.size != shown.last?.size { shown.append(last) }
            lines.append("column/row-major: " + shown.map { step in
                "\(NumberFormat.compactRatio(step.ratio)) \(Self.place(step.size, machine: machine)) (\(ByteSize(rawValue: step.size)))"
            }.joined(separator: ", "))
        }
        if let twin = results.twinRatios(Name.rowMajor, Name.rowMajorC) {
            lines.append("Swift row-major against its C twin: \(twin.range) \(twin.span)")
        }
        return lines
    }

    /// Simulated: the L1 misses per element of each walk, where a row walk shares a line among
    /// the Doubles it holds and a column walk (rows a line or more apart) cannot.
    var simulatedLines: [String] {
        sizes.compactMap { size in
            guard let row = results.result(Name.rowMajor, size: size)?.counter(SimulatedEvent.l1DataReadMisses)?.perElement,
                  let column = results.result(Name.columnMajor, size: size)?.counter(SimulatedEvent.l1DataReadMisses)?.perElement
            else { return nil }
            return "\(ByteSize(rawValue: size)): L1 read misses per element, row-major \(NumberFormat.significant(row)) "
                + "(\(Self.share(row))), column-major \(NumberFormat.significant(column)) (\(Self.share(column)))"
        }
    }

    /// `perElement` misses as "one per N elements", the reading a line size suggests.
    private static func share(_ perElement: Double) -> String {
        guard perElement > 0 else { return "none" }
        let elements = 1 / perElement
        if elements < 1.05 { return "every element" }
        let whole = elements.rounded()
        return "one per \(abs(elements - whole) < 0.05 ? String(Int(whole)) : NumberFormat.significant(elements, digits: 2)) elements"
    }
}

extension LoopOrder {
    public func findings(from results: [VariantResult], context: ExperimentContext) -> [String] {
        LoopOrderFindings(results: results).lines(machine: context.machine)
    }

    public func simulatedFindings(from results: [VariantResult], tlbs: TLBGeometry?) -> [String] {
        LoopOrderFindings(results: results).simulatedLines
    }
}
