import Harness

/// Every experiment Locality knows, in the order `locality list` and `locality run` use.
public enum Suite {
    public static let all: [any Experiment] = [
        LoopOrder(), Layout(), WorkingSet(), TLB(), HugePages(), PageFaults(), Alloc(),
    ]

    public static func experiment(named name: String) -> (any Experiment)? {
        all.first { $0.name == name }
    }
}
