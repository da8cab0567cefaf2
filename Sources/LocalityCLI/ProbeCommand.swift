import ArgumentParser
import Foundation
import Probes
import Reporting

struct ProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Show where a program's data lives, and test addresses for readability without crashing.",
        discussion: """
            With no --address or --scan: the addresses of a global, a constant, a string literal, \
            stack locals, a heap object, a large malloc, a thread's stack and code, each with its \
            /proc/self/maps region, the gaps between them, ASLR (a second run is compared) and \
            the classic scan of addresses 0..<10000. Addresses are read by the kernel \
            (process_vm_readv), which answers EFAULT where a dereference would crash.
            """)

    @Option(name: .customLong("address"), help: ArgumentHelp(
        "An address to test (hex 0x1000 or decimal); repeatable.", valueName: "address"),
        transform: { try Address(parsing: $0) })
    var addresses: [Address] = []

    @Option(name: .customLong("scan"), help: ArgumentHelp(
        "A range to test page by page: 0..10000 (end excluded, as in `for i in 0..10000`), 0..<10000, 0x1000...0x1fff (end included); repeatable.",
        valueName: "range"),
        transform: { try AddressRange(parsing: $0) })
    var ranges: [AddressRange] = []

    @OptionGroup var reportOptions: ReportOptions

    @Flag(inversion: .prefixedNo, help: "Re-execute once and show where the second run put the landmarks (ASLR).")
    var secondRun = true

    func validate() throws {
        let pageSize = AddressSpaceFacts.current().pageSize
        do { _ = try AddressScan.totalPageCount(ranges, pageSize: pageSize) } catch { throw ValidationError(error.description) }
    }

    func run() throws {
        let report: ProbeReport
        if addresses.isEmpty && ranges.isEmpty {
            let other = secondRun ? Self.secondRunAddresses() : (addresses: nil, note: nil)
            report = try ProbeReport.landmarks(otherRun: other.addresses, otherRunNote: other.note)
        } else {
            report = try ProbeReport.probing(addresses, ranges: ranges)
        }
        try reportOptions.emit { try report.render($0) }
    }

    /// Runs this executable once more (`probe --no-second-run --format json`) and returns
    /// its landmarks' addresses by name, or why there are none.
    static func secondRunAddresses() -> (addresses: [String: Address]?, note: String?) {
        do {
            let child = try ChildProcess.run(ChildProcess.selfPath, ["probe", "--no-second-run", "--format", "json"],
                                             stderr: "/dev/null")
            guard !child.killedBySignal else {
                return (nil, "the second run (re-executed to compare addresses) was killed by signal \(child.status)")
            }
            guard child.status == 0 else {
                return (nil, "the second run (re-executed to compare addresses) exited with \(child.status)")
            }
            let other = try JSONDecoder().decode(ProbeReport.self, from: child.stdout)
            return (Dictionary(other.landmarks.map { ($0.landmark.name, $0.landmark.address) }) { first, _ in first }, nil)
        } catch {
            return (nil, "no second run to compare: \(error)")
        }
    }
}
