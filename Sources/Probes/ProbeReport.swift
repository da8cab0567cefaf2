import Foundation
import Platform

/// Everything one `locality probe` found: the JSON document of schema `locality-probe/1`.
public struct ProbeReport: Equatable, Sendable, Codable {
    public static let schemaName = "locality-probe/1"

    /// A landmark with the region it lies in and the distance from the landmark below it.
    public struct Located: Equatable, Sendable, Codable {
        public let landmark: Landmark
        public let region: MemoryRegion?
        /// Bytes from the previous landmark (sorted by address); nil for the first.
        public let gapBefore: UInt64?
        /// Where a second, re-executed run of the same binary put it.
        public var otherRunAddress: Address?

        enum CodingKeys: String, CodingKey {
            case landmark, region, gapBefore = "gap_before_bytes", otherRunAddress = "other_run_address"
        }
    }

    public struct MapSummary: Equatable, Sendable, Codable {
        public let regions: Int
        public let mappedBytes: UInt64
        /// VmRSS of /proc/self/status: what the process really holds in RAM.
        public let residentBytes: UInt64?

        enum CodingKeys: String, CodingKey { case regions, mappedBytes = "mapped_bytes", residentBytes = "resident_bytes" }
    }

    public var schema: String
    public var pid: Int32
    public var facts: AddressSpaceFacts
    public var reader: SafeReader.Method
    public var map: MapSummary
    /// Sorted by address; empty when addresses were asked for with --address or --scan.
    public var landmarks: [Located]
    public var probes: [AddressProbe]
    public var scans: [AddressScan]
    /// One-line conclusions (span, ASLR, the classic scan).
    public var findings: [String]

    enum CodingKeys: String, CodingKey {
        case schema, pid, facts, reader, map, landmarks, probes, scans, findings
    }

    /// The classic mistake reproduced safely: reading the bytes at addresses 0..<10000.
    public static let classicScan = AddressRange(start: Address(rawValue: 0), end: Address(rawValue: 10_000))

    /// Where the landmarks live, with the classic scan; `otherRun` holds a second run's
    /// addresses by landmark name (see `ProbeCommand`), nil when there was none.
    public static func landmarks(otherRun: [String: Address]?, otherRunNote: String? = nil,
                                 reader: SafeReader = SafeReader(),
                                 facts: AddressSpaceFacts = .current()) throws -> ProbeReport {
        let (landmarks, map) = try Landmarks.observe()
        var located: [Located] = []
        var previous: Address?
        for landmark in landmarks.sorted(by: { $0.address < $1.address }) {
            located.append(Located(landmark: landmark, region: map.region(containing: landmark.address),
                                   gapBefore: previous.map { landmark.address.rawValue - $0.rawValue },
                                   otherRunAddress: otherRun?[landmark.name]))
            previous = landmark.address
        }
        let scan = try AddressScan(classicScan, reader: reader, map: map, facts: facts)
        var report = ProbeReport(map: map, facts: facts, reader: reader, landmarks: located, probes: [], scans: [scan])
        report.findings = report.landmarkFindings(otherRunNote: otherRunNote)
        return report
    }

    /// The answers for addresses and ranges given on the command line.
    public static func probing(_ addresses: [Address], ranges: [AddressRange], reader: SafeReader = SafeReader(),
                               facts: AddressSpaceFacts = .current()) throws -> ProbeReport {
        let map = try MemoryMap.current()
        let probes = addresses.map { AddressProbe($0, reader: reader, map: map, facts: facts) }
        let scans = try ranges.map { range throws(AddressError) in try AddressScan(range, reader: reader, map: map, facts: facts) }
        var report = ProbeReport(map: map, facts: facts, reader: reader, landmarks: [], probes: probes, scans: scans)
        report.findings = scans.map(Self.scanFinding) + [Self.readerFinding(reader.method)]
        return report
    }

    init(map: MemoryMap, facts: AddressSpaceFacts, reader: SafeReader, landmarks: [Located],
         probes: [AddressProbe], scans: [AddressScan]) {
        schema = Self.schemaName
        pid = getpid()
        self.facts = facts
        self.reader = reader.method
        self.map = MapSummary(regions: map.regions.count, mappedBytes: map.mappedBytes, residentBytes: Self.residentBytes())
        self.landmarks = landmarks
        self.probes = probes
        self.scans = scans
        findings = []
    }

    static func residentBytes() -> UInt64? {
        ProcessMemory.residentBytes().map { UInt64($0) }
    }

    func landmarkFindings(otherRunNote: String?) -> [String] {
        var lines: [String] = []
        if let first = landmarks.first, let last = landmarks.last {
            let span = last.landmark.address.rawValue - first.landmark.address.rawValue
            var line = "the \(landmarks.count) landmarks (a few bytes each) span \(NumberFormat.iecBytes(span)) of virtual address space, "
                + "from \(first.landmark.address) to \(last.landmark.address); the process maps \(NumberFormat.iecBytes(map.mappedBytes)) "
                + "in \(map.regions) regions"
            if let resident = map.residentBytes { line += " and holds \(NumberFormat.iecBytes(resident)) in RAM" }
            lines.append(line)
        }
        let readOnlyData = landmarks.filter { ["constant", "string literal"].contains($0.landmark.name) }
        if readOnlyData.contains(where: { $0.region?.isWritable == true }) {
            lines.append("the constant and the string literal lie in a writable (rw-p) segment: this toolchain links "
                + ".rodata into the writable LOAD segment (readelf -SW on the binary lists .rodata with flags WA); nothing writes there")
        }
        var aslr = facts.aslrDescription
        let compared = landmarks.filter { $0.otherRunAddress != nil }
        if !compared.isEmpty {
            let moved = compared.filter { $0.otherRunAddress != $0.landmark.address }.count
            aslr += "; a second run put \(moved) of \(compared.count) landmarks at other addresses"
        } else if let otherRunNote {
            aslr += "; \(otherRunNote)"
        }
        lines.append(aslr)
        lines += scans.map(Self.scanFinding)
        lines.append(Self.readerFinding(reader))
        return lines
    }

    static func scanFinding(_ scan: AddressScan) -> String {
        // Addresses in hex, as everywhere else; the classic scan keeps its decimal name beside.
        let range = scan.range == classicScan
            ? "the classic scan of addresses \(scan.range.start.rawValue)..<\(scan.range.end.rawValue) (\(scan.range))"
            : "scan of addresses \(scan.range)"
        var line = "\(range) "
            + "(\(scan.addresses) addresses, \(scan.pagesProbed) pages probed): \(scan.readableAddresses) readable"
        if scan.readableAddresses == 0 {
            line += ", no crash — dereferencing them would have been a segmentation fault"
        }
        return line
    }

    static func readerFinding(_ method: SafeReader.Method) -> String {
        switch method {
        case .processVMReadv:
            return "probed with process_vm_readv on this process: the kernel copies the byte or answers EFAULT, so no address can crash the probe"
        case .pipeWrite:
            return "probed by write()ing each byte into a pipe (process_vm_readv is not allowed here): the kernel answers EFAULT for an unreadable address, so none can crash the probe"
        }
    }

}
