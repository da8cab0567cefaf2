import ArgumentParser
import Counters
import Foundation
import Harness
import Reporting

struct MachineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "machine",
        abstract: "Show the CPU, its caches, pages, hypervisor, PAPI and which default events count here.")

    @Option(help: "table or json.")
    var format: TextOrJSON = .table

    @Flag(help: "The same as --format json.")
    var json = false

    func run() throws {
        var machine = MachineInfo.current()
        _ = try CounterSetup.plan(for: Event.defaultNames, machine: &machine)
        if json || format == .json {
            print(try JSONReport.encode(machine), terminator: "")
            return
        }
        print("cpu           \(machine.cpuModel) (\(machine.logicalCPUs) logical CPUs)")
        print("hypervisor    \(machine.hypervisor ?? "none (bare metal)")")
        print("kernel        \(machine.kernel)")
        for cache in machine.caches {
            let ways = cache.ways.map { "\($0)-way" } ?? "?-way"
            let line = cache.lineBytes.map { "\($0) B lines" } ?? "? B lines"
            print("cache \(cache.name.padding(toLength: 7, withPad: " ", startingAt: 0)) \(ByteSize(rawValue: cache.sizeBytes)), \(ways), \(line)")
        }
        for tlb in machine.tlbs ?? [] {
            let ways = tlb.ways.map { "\($0)-way" } ?? "fully associative"
            print("TLB \(tlb.name.padding(toLength: 9, withPad: " ", startingAt: 0)) \(tlb.entries) entries × \(ByteSize(rawValue: tlb.pageBytes)) pages, \(ways) → reach \(ByteSize(rawValue: tlb.reachBytes).approximate) (cpuid)")
        }
        print("page size     \(machine.pageSizeBytes) B")
        print("THP           \(machine.transparentHugePages ?? "unavailable")")
        if let total = machine.memTotalBytes, let available = machine.memAvailableBytes {
            print("memory        \(ByteSize(rawValue: total).approximate) total, \(ByteSize(rawValue: available).approximate) available")
        }
        print("PAPI          \(machine.papiVersion ?? "not initialised")")
        print("events")
        let width = machine.counters.map(\.name.count).max() ?? 0
        for counter in machine.counters {
            let name = counter.name.padding(toLength: width, withPad: " ", startingAt: 0)
            if counter.available {
                print("  \(name)  available (\(counter.source.rawValue))")
            } else {
                print("  \(name)  unavailable: \(counter.reason ?? "unknown")")
            }
        }
    }
}
