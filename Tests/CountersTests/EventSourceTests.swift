@testable import Counters
import Testing

@Suite struct EventSourceTests {
    @Test(arguments: [
        ("perf::PAGE-FAULTS", CounterSource.software), ("perf::TASK-CLOCK", .software),
        ("perf::MINOR-FAULTS", .software), ("perf::CONTEXT-SWITCHES", .software),
        ("perf::page-faults:u", .software), ("perf_event::CPU-CLOCK", .software),
        ("perf::PERF_COUNT_SW_PAGE_FAULTS", .software), ("perf::PERF_COUNT_SW_TASK_CLOCK:u", .software),
        ("perf::PERF_COUNT_HW_CACHE_MISSES", .hardware),
        ("perf::CYCLES", .hardware), ("perf::INSTRUCTIONS", .hardware), ("PAPI_L1_DCM", .hardware),
        ("PAPI_TOT_CYC", .hardware), ("amd64_fam19h_zen3::RETIRED_INSTRUCTIONS", .hardware),
        // libpfm4 finds an unprefixed name in any PMU: the kernel's software events stay `sw`.
        ("PAGE-FAULTS", .software), ("page-faults", .software), ("PERF_COUNT_SW_PAGE_FAULTS", .software),
        ("TASK-CLOCK:u", .software), ("CYCLES", .hardware), ("amd64_fam19h_zen3::PAGE-FAULTS", .hardware),
    ])
    func classifiesEvents(name: String, source: CounterSource) {
        #expect(Event.source(ofName: name) == source)
    }

    /// The default events, in the order reports show them, and their sources: the two the
    /// kernel counts are `sw`, the presets `hw` (JSON and tables key counters by these names).
    @Test func theTaskClockIsKnownUnderEachOfItsNames() {
        for name in ["perf::TASK-CLOCK", "TASK-CLOCK", "perf_event::TASK-CLOCK:u", "perf::PERF_COUNT_SW_TASK_CLOCK"] {
            #expect(WellKnownEvent.isTaskClock(name), "\(name)")
        }
        for name in ["perf::CPU-CLOCK", "PAPI_TOT_CYC", "amd64::TASK-CLOCK", "perf::PAGE-FAULTS"] {
            #expect(!WellKnownEvent.isTaskClock(name), "\(name)")
        }
    }

    @Test func wellKnownEventsAreTheDefaultsWithTheirSources() {
        #expect(Event.defaultNames == ["PAPI_L1_DCM", "PAPI_L2_DCM", "PAPI_TLB_DM", "PAPI_TOT_CYC", "PAPI_TOT_INS",
                                       "perf::PAGE-FAULTS", "perf::TASK-CLOCK"])
        #expect(WellKnownEvent.allCases.filter { Event.source(ofName: $0.rawValue) == .software } == [.pageFaults, .taskClock])
    }

    @Test func explainsAMissingPMUUnderAHypervisor() throws {
        _ = try PAPILibrary()  // PAPI_strerror has its texts only once the library is initialised
        let environment = CountingEnvironment(hasHardwarePMU: false, perfEventParanoid: 2, hypervisor: "KVM")
        let error = PAPIError(code: PAPIError.eventDoesNotExist, call: "PAPI_add_event(PAPI_L1_DCM)")
        let reason = environment.explain(error, for: "PAPI_L1_DCM")
        #expect(reason.papiMessage == "Event does not exist")
        #expect(reason.papiCode == -7)
        #expect(reason.cause.contains("no hardware PMU"))
        #expect(reason.cause.contains("KVM"))
        #expect(reason.description.hasPrefix("Event does not exist (PAPI -7) — "))
    }

    @Test func explainsAParanoidKernelWithTheSysctlThatFixesIt() {
        let environment = CountingEnvironment(hasHardwarePMU: true, perfEventParanoid: 3, hypervisor: nil)
        let error = PAPIError(code: PAPIError.permissionDenied, call: "PAPI_start")
        let reason = environment.explain(error, for: "PAPI_TOT_CYC")
        #expect(reason.cause.contains("perf_event_paranoid is 3"))
        #expect(reason.cause.contains("sudo sysctl -w kernel.perf_event_paranoid=2"))
    }

    @Test func explainsAnEventThePMUDoesNotOffer() {
        let environment = CountingEnvironment(hasHardwarePMU: true, perfEventParanoid: 1, hypervisor: nil)
        let reason = environment.explain(PAPIError(code: PAPIError.eventDoesNotExist, call: "PAPI_add_event"), for: "PAPI_L3_TCM")
        #expect(reason.cause.contains("does not offer"))
    }
}
