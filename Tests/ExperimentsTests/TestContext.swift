import Harness

extension ExperimentContext {
    /// `machine` with the default options, no memory limits and a fixed timer (2.5 ticks/ns,
    /// 20 ns a bracket, 10 ns quantum): what findings are given, without calibrating or
    /// reading /proc.
    static func fixed(_ machine: MachineInfo = .current()) -> ExperimentContext {
        ExperimentContext(machine: machine, options: RunOptions(), limits: nil,
                          timer: CycleTimer(ticksPerNanosecond: 2.5, costNanoseconds: 20, quantumNanoseconds: 10, source: "rdtscp"))
    }
}
