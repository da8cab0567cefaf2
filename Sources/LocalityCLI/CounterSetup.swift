import Counters
import Harness

/// Initialises PAPI and probes the requested events; fills the machine's counter list.
enum CounterSetup {
    static func plan(for names: [String], machine: inout MachineInfo) throws -> (CounterPlan, PAPILibrary?) {
        let library: PAPILibrary
        do {
            library = try PAPILibrary()
        } catch let error as PAPIError {
            let reason = Unavailability(papiCall: error.call, papiCode: error.code, papiMessage: error.message,
                                        cause: "PAPI could not be initialised, so no event can be counted")
            let plan = CounterPlan.none(requested: names, reason: reason)
            machine.counters = availability(plan)
            return (plan, nil)
        }
        machine.papiVersion = library.version
        let environment = CountingEnvironment.current(hypervisor: machine.hypervisor)
        let plan = try CounterPlan.probe(names, library: library, environment: environment)
        machine.counters = availability(plan)
        return (plan, library)
    }

    static func availability(_ plan: CounterPlan) -> [CounterAvailability] {
        plan.requested.map { name in
            let reason = plan.unavailable[name]
            return CounterAvailability(name: name, source: Event.source(ofName: name),
                                       available: reason == nil, reason: reason?.description)
        }
    }
}
