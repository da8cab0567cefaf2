import Counters

/// An event a report keys its counters by, named once as an enum case whose raw value is the
/// name (`WellKnownEvent.tlbDataMisses`, `SimulatedEvent.pageWalks`), so that the code reading
/// a result's counter and the code counting it cannot spell it differently.
public protocol CounterName: RawRepresentable, Sendable where RawValue == String {}

extension WellKnownEvent: CounterName {}

extension VariantResult {
    /// This result's count of `event`, if it was counted.
    public func counter(_ event: some CounterName) -> CounterValue? { counters[event.rawValue] }
    /// Why `event` was not counted, if it was requested and could not be.
    public func unavailability(of event: some CounterName) -> String? { unavailable[event.rawValue] }
}
