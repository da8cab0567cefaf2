import Counters
import Foundation
import Testing

/// Counts on this machine, through PAPI. Serialized: each test owns the PAPI thread context.
@Suite(.serialized) struct PAPICountingTests {
    let library: PAPILibrary
    let environment = CountingEnvironment.current(hypervisor: nil)

    init() throws { library = try PAPILibrary() }

    @Test func versionIsTheInstalledLibrarys() throws {
        // pkg-config's papi.pc says e.g. 7.0.0.0; the loaded library's major.minor.revision
        // must be its first three fields.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/pkg-config")
        process.arguments = ["--modversion", "papi"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let installed = text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ".").prefix(3).joined(separator: ".")
        #expect(library.version == installed)
    }

    @Test func pageFaultsOfTouchingFreshPagesAreCounted() throws {
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        let pages = 1000
        let length = pages * pageSize
        guard let region = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              region != MAP_FAILED else { Issue.record("mmap failed"); return }
        defer { munmap(region, length) }
        // Small pages only: one huge page would take 512 of these touches with one fault.
        _ = madvise(region, length, MADV_NOHUGEPAGE)

        let set = try EventSet(library: library)
        try set.add(try library.event(named: "perf::PAGE-FAULTS"))
        let bytes = region.assumingMemoryBound(to: UInt8.self)
        try set.start()
        for page in 0..<pages { bytes[page * pageSize] = 1 }
        let faults = try set.stop()[0]
        #expect(faults >= Int64(pages))
        #expect(faults <= Int64(pages + 50), "\(faults) faults for \(pages) fresh pages")

        // Touching them again faults no more.
        try set.start()
        for page in 0..<pages { bytes[page * pageSize] = 2 }
        #expect(try set.stop()[0] < 20)
    }

    @Test func taskClockAgreesWithTheThreadsCPUTime() throws {
        func threadCPUNanoseconds() -> Int64 {
            var now = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
            return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
        }
        let set = try EventSet(library: library)
        try set.add(try library.event(named: "perf::TASK-CLOCK"))
        try set.start()
        let before = threadCPUNanoseconds()
        var x = 0.0
        while threadCPUNanoseconds() - before < 20_000_000 { x += 1 }
        let cpu = threadCPUNanoseconds() - before
        let taskClock = try set.stop()[0]
        #expect(x > 0)
        // Both count this thread's CPU time (not wall time), so descheduling moves neither.
        let ratio = Double(taskClock) / Double(cpu)
        #expect(ratio > 0.9 && ratio < 1.2, "task clock \(taskClock) ns against thread CPU time \(cpu) ns")
    }

    @Test func hardwarePresetIsProbedHonestly() throws {
        let plan = try CounterPlan.probe(["PAPI_L1_DCM", "perf::PAGE-FAULTS"], library: library, environment: environment)
        #expect(plan.available.map(\.name).contains("perf::PAGE-FAULTS"))
        if environment.hasHardwarePMU {
            // Where a PMU exists the preset must really count.
            #expect(plan.available.map(\.name).contains("PAPI_L1_DCM"))
        } else {
            let reason = try #require(plan.unavailable["PAPI_L1_DCM"])
            #expect(reason.papiMessage == "Event does not exist")
            #expect(reason.papiCode == PAPIError.eventDoesNotExist)
            #expect(reason.cause.contains("no hardware PMU"))
            #expect(!plan.available.map(\.name).contains("PAPI_L1_DCM"))
        }
        #expect(plan.groups.count == 1)
    }

    @Test func aFailedAddDoesNotSpoilTheSet() throws {
        let set = try EventSet(library: library)
        try set.add(try library.event(named: "perf::PAGE-FAULTS"))
        if !environment.hasHardwarePMU {
            #expect(throws: PAPIError.self) { try set.add(try library.event(named: "PAPI_TOT_CYC")) }
        }
        #expect(set.events.map(\.name) == ["perf::PAGE-FAULTS"])
        try set.start()
        #expect(try set.stop().count == 1)
    }

    @Test func unknownEventNamesAreBadInput() {
        #expect(throws: CounterError.self) {
            try CounterPlan.probe(["perf::NO-SUCH-EVENT"], library: library, environment: environment)
        }
        #expect(throws: PAPIError.self) { try library.event(named: "PAPI_NOT_A_PRESET") }
    }
}
