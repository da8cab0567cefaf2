import Counters

/// A working set that does not fit in the memory this process may still take: MemAvailable,
/// the address-space limit (RLIMIT_AS), its cgroup's memory limit or the kernel's commit
/// limit, whichever refuses it.
public struct InsufficientMemory: Error, CustomStringConvertible {
    public let experiment: String
    public let size: ByteSize
    /// The bytes the limit counts: memory occupied, or address space for RLIMIT_AS and the
    /// commit limit.
    public let footprint: Int
    public let limit: MemoryLimit
    /// The share of what the limit leaves the size may take: 1 for a size the user chose,
    /// `SizePlan.defaultSizeShare` for a default one.
    public let share: Double
    /// What the limit leaves.
    public var available: Int { limit.remainingBytes }

    public init(experiment: String, size: ByteSize, footprint: Int, limit: MemoryLimit, share: Double = 1) {
        self.experiment = experiment
        self.size = size
        self.footprint = footprint
        self.limit = limit
        self.share = share
    }

    public var description: String {
        let needs = "size \(size) for \(experiment) needs \(NumberFormat.preciseBytes(footprint))"
        if share < 1 {
            let space = limit.countsAddressSpace ? " of address space" : ""
            return needs + space + ", more than half of the \(NumberFormat.preciseBytes(available)) left under \(limit.source)"
        }
        switch limit.kind {
        case .memAvailable:
            return needs + " but only \(NumberFormat.preciseBytes(available)) is available (\(limit.source))"
        case .addressSpace, .commitLimit:
            return needs + " of address space, more than the \(NumberFormat.preciseBytes(available)) left under \(limit.source)"
        case .cgroup:
            return needs + ", more than the \(NumberFormat.preciseBytes(available)) left under \(limit.source)"
        }
    }
}

/// A size given by `--sizes` below an experiment's smallest (`Experiment.minimumSize`).
public struct SizeBelowMinimum: Error, CustomStringConvertible, Equatable {
    public let experiment: String
    public let size: ByteSize
    public let minimum: ByteSize

    public var description: String {
        "size \(size) is too small for \(experiment): its smallest size is \(Self.bytes(minimum))"
    }

    static func bytes(_ size: ByteSize) -> String { size.rawValue < 1024 ? "\(size.rawValue) bytes" : size.description }
}

/// Which sizes each experiment of a run measures, checked against the memory the process may
/// take: those given (`--sizes`, per experiment), else the experiment's defaults (its
/// simulation sizes under valgrind, its quick ones with `--quick`), trimmed to the limits.
public struct SizePlan {
    public let experiments: [any Experiment]
    /// The sizes given by `--sizes`; nil means each experiment's defaults.
    public let sizes: [ByteSize]?
    /// Sizes for named experiments (`--sizes layout=4K,64M`), before `sizes`.
    public var sizesByExperiment: [String: [ByteSize]] = [:]
    /// Whether the sizes are for a simulated run (`sim`) or a timed one.
    public let mode: RunMode
    /// MemAvailable as the machine was read, for the limits read when checking.
    let memAvailable: Int?
    /// The limits the memory check applies; nil reads this process's when checking
    /// (with `memAvailable`). Tests set fixed ones.
    public var memoryLimits: MemoryLimits?
    /// `--quick`: each experiment's quick sizes stand for its defaults (trimmed the same way).
    public var quick = false

    /// The share of what the tightest memory limit leaves that a default (or `--quick`) size
    /// may take; the rest stays for the machine (other processes, the page cache). A size the
    /// user names may take all of it.
    public static let defaultSizeShare = 0.5

    public init(experiments: [any Experiment], sizes: [ByteSize]?, mode: RunMode, memAvailable: Int?) {
        self.experiments = experiments
        self.sizes = sizes
        self.mode = mode
        self.memAvailable = memAvailable
    }

    /// The sizes given, else the experiment's defaults (simulation's under valgrind, quick ones
    /// with `quick`), before any trimming to the memory limits (see `plannedSizes`).
    public func sizes(for experiment: any Experiment) -> [ByteSize] {
        if let chosen = sizesByExperiment[experiment.name] ?? sizes { return chosen }
        if mode == .sim { return experiment.simulationSizes }
        return quick ? experiment.quickSizes : experiment.defaultSizes
    }

    /// Whether `experiment`'s sizes were chosen (`--sizes`, per experiment) rather than its
    /// defaults or quick sizes, which are trimmed to the memory limits instead of refused.
    func sizesGiven(for experiment: any Experiment) -> Bool {
        sizes != nil || sizesByExperiment[experiment.name] != nil
    }

    /// The limits the memory check applies: `memoryLimits`, else this process's.
    func currentLimits() -> MemoryLimits {
        memoryLimits ?? MemoryLimits.current(memAvailable: memAvailable)
    }

    /// The sizes each experiment will measure, and the default sizes left out because they would
    /// take more than `defaultSizeShare` of what a memory limit leaves, each with the limit. Sizes
    /// given by `--sizes` are never left out (`validateMemory` refuses them instead), nor under
    /// valgrind (its parent checked).
    public func plannedSizes(limits: MemoryLimits?) -> (sizes: [String: [ByteSize]], leftOut: [InsufficientMemory]) {
        var planned: [String: [ByteSize]] = [:]
        var leftOut: [InsufficientMemory] = []
        for experiment in experiments {
            var kept: [ByteSize] = []
            for size in sizes(for: experiment) {
                if !sizesGiven(for: experiment), mode == .run, let limits,
                   let (limit, needed) = limits.refusing(footprint: experiment.footprint(of: size),
                                                         addressSpace: experiment.addressSpace(of: size), share: Self.defaultSizeShare) {
                    leftOut.append(InsufficientMemory(experiment: experiment.name, size: size, footprint: needed, limit: limit,
                                                      share: Self.defaultSizeShare))
                } else {
                    kept.append(size)
                }
            }
            planned[experiment.name] = kept
        }
        return (planned, leftOut)
    }

    /// One note per experiment whose default (or `--quick`) sizes a memory limit cut: which,
    /// and why.
    func leftOutNotes(_ leftOut: [InsufficientMemory]) -> [String] {
        var byExperiment: [(String, [InsufficientMemory])] = []
        for entry in leftOut {
            if let index = byExperiment.firstIndex(where: { $0.0 == entry.experiment }) {
                byExperiment[index].1.append(entry)
            } else {
                byExperiment.append((entry.experiment, [entry]))
            }
        }
        return byExperiment.map { name, entries in
            "\(name): left out of the \(quick ? "quick" : "default") sizes: \(entries.map(\.size.description).joined(separator: ", ")) "
                + "(\(entries[0].description))"
        }
    }

    /// Refuses, before anything is allocated, a size whose footprint exceeds what any limit
    /// leaves: MemAvailable, the cgroup's memory limit less its usage, and (against the address
    /// space the experiment maps) RLIMIT_AS less the current VmSize and, under strict
    /// overcommit, CommitLimit less Committed_AS. The tightest limit that refuses is named.
    /// `limits`: those already read, else this process's, read now.
    public func validateMemory(against limits: MemoryLimits? = nil) throws {
        let limits = limits ?? currentLimits()
        for experiment in experiments where sizesGiven(for: experiment) || mode == .sim {
            for size in sizes(for: experiment) {
                if let (limit, needed) = limits.refusing(footprint: experiment.footprint(of: size),
                                                         addressSpace: experiment.addressSpace(of: size)) {
                    throw InsufficientMemory(experiment: experiment.name, size: size, footprint: needed, limit: limit)
                }
            }
        }
    }

    /// The first size of `sizes` (given by `--sizes`) below the minimum of an experiment, or
    /// nil. Each experiment's own default sizes are never below it.
    public static func sizeBelowMinimum(experiments: [any Experiment], sizes: [ByteSize]?,
                                        byExperiment: [String: [ByteSize]] = [:]) -> SizeBelowMinimum? {
        for experiment in experiments {
            guard let sizes = byExperiment[experiment.name] ?? sizes else { continue }
            if let size = sizes.first(where: { $0 < experiment.minimumSize }) {
                return SizeBelowMinimum(experiment: experiment.name, size: size, minimum: experiment.minimumSize)
            }
        }
        return nil
    }

    /// Refuses sizes below an experiment's minimum, before anything is measured.
    public func validateSizes() throws {
        if let tooSmall = Self.sizeBelowMinimum(experiments: experiments, sizes: sizes, byExperiment: sizesByExperiment) { throw tooSmall }
    }
}
