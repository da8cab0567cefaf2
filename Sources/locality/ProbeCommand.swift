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

    @Option(help: "Report format on stdout: table, json, csv or markdown.")
    var format: ReportFormat = .table

    @Option(help: ArgumentHelp(
        "Also write the report to this file, atomically. Its format follows the extension (.json, .csv, .md, .txt), else --format.",
        valueName: "file"))
    var output: String?

    @Flag(inversion: .prefixedNo, help: "Re-execute once and show where the second run put the landmarks (ASLR).")
    var secondRun = true

    func validate() throws {
        let pageSize = AddressSpaceFacts.current().pageSize
        for range in ranges {
            do { _ = try AddressScan.pageCount(range, pageSize: pageSize) } catch { throw ValidationError(error.description) }
        }
        if let output {
            let directory = URL(fileURLWithPath: output).deletingLastPathComponent().path
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ValidationError("--output: directory '\(directory)' does not exist")
            }
        }
    }

    func run() throws {
        let report: ProbeReport
        if addresses.isEmpty && ranges.isEmpty {
            let other = secondRun ? Self.secondRunAddresses() : (addresses: nil, note: nil)
            report = try ProbeReport.landmarks(otherRun: other.addresses, otherRunNote: other.note)
        } else {
            report = try ProbeReport.probing(addresses, ranges: ranges)
        }
        print(try report.render(format), terminator: "")
        if let output {
            let fileFormat = (try? ReportFormat.inferred(fromPath: output)) ?? format
            try AtomicFile.write(Data(try report.render(fileFormat).utf8), to: output)
        }
    }

    /// Runs this executable once more (`probe --no-second-run --format json`) and returns
    /// its landmarks' addresses by name, or why there are none.
    static func secondRunAddresses() -> (addresses: [String: Address]?, note: String?) {
        do {
            let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = ["probe", "--no-second-run", "--format", "json"]
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            try process.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                return (nil, "the second run (re-executed to compare addresses) exited with \(process.terminationStatus)")
            }
            let other = try JSONDecoder().decode(ProbeReport.self, from: data)
            return (Dictionary(other.landmarks.map { ($0.landmark.name, $0.landmark.address) }) { first, _ in first }, nil)
        } catch {
            return (nil, "no second run to compare: \(error)")
        }
    }
}
