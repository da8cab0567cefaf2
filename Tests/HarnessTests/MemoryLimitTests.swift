import Counters
import Foundation
@testable import Harness
@testable import Platform
import Testing

/// A toy experiment that records whether it was asked to allocate, with a footprint of ten
/// times its size and, optionally, far more address space than memory (as `alloc` maps).
final class RecordingExperiment: Experiment, @unchecked Sendable {
    let name = "recorder"
    let summary = "records prepare calls"
    let sizeMeaning = "bytes"
    let unit = "element"
    let variants = [Variant("only", "the only one")]
    let baselineVariant = "only"
    var defaultSizes: [ByteSize] = [.kib(4)]
    var quickSizes: [ByteSize] = [.kib(4)]
    let minimumSize: ByteSize
    let mapsMoreThanItTouches: Bool
    var prepared = 0

    init(minimumSize: ByteSize = ByteSize(rawValue: 1), mapsMoreThanItTouches: Bool = false) {
        self.minimumSize = minimumSize
        self.mapsMoreThanItTouches = mapsMoreThanItTouches
    }

    func footprint(of size: ByteSize) -> Int { size.rawValue * 10 }
    func addressSpace(of size: ByteSize) -> Int { size.rawValue * (mapsMoreThanItTouches ? 1000 : 10) }

    func prepare(size: ByteSize, context: ExperimentContext) throws -> [Workload] {
        prepared += 1
        return [Workload(variant: "only", units: 1, bytesPerPass: nil, expectedChecksum: 1) { 1 }]
    }
}

@Suite struct MemoryLimitTests {
    let noCounters = CounterPlan(requested: [], groups: [], unavailable: [:])

    func suite(_ experiment: any Experiment, sizes: [ByteSize]?, limits: [MemoryLimit]) -> SuiteRun {
        var machine = MachineInfo.current(root: "/nonexistent-locality-root")
        machine.memAvailableBytes = nil
        var run = SuiteRun(experiments: [experiment], sizes: sizes,
                           runner: Runner(configuration: RunConfiguration(repetitions: 1, minimumSampleNanoseconds: 0),
                                          plan: noCounters, library: nil),
                           machine: machine)
        run.sizing.memoryLimits = MemoryLimits(limits)
        return run
    }

    static let memAvailable = MemoryLimit(.memAvailable, remainingBytes: 8 << 30)
    static let addressSpace = MemoryLimit(.addressSpace(limit: 1_500_000 << 10, inUse: 300 << 20),
                                          remainingBytes: (1_500_000 << 10) - (300 << 20))
    static let cgroup = MemoryLimit(.cgroup(file: "/sys/fs/cgroup/job/memory.max", limit: 64 << 20, inUse: 40 << 20),
                                    remainingBytes: 24 << 20)

    // MARK: the check names the limit that refuses, before anything is allocated

    @Test func theAddressSpaceLimitRefusesBeforeAnythingIsAllocated() throws {
        let experiment = RecordingExperiment()
        let run = suite(experiment, sizes: [.kib(4), .mib(200)], limits: [Self.memAvailable, Self.addressSpace])
        let error = #expect(throws: InsufficientMemory.self) { try run.run() }
        #expect(experiment.prepared == 0)
        #expect(error?.size == .mib(200))
        #expect(error?.footprint == 2000 << 20)
        #expect(error?.limit == Self.addressSpace)
        #expect(error?.description == "size 200M for recorder needs 1.95G of address space, more than the 1.14G left "
            + "under the address-space limit (ulimit -v 1.43G, of which the process's VmSize uses 300M)")
    }

    @Test func defaultSizesBeyondALimitAreLeftOutWithANoteNotAFailure() throws {
        let experiment = RecordingExperiment()
        experiment.defaultSizes = [.kib(4), .mib(200), .mib(300)]
        let report = try suite(experiment, sizes: nil, limits: [Self.memAvailable, Self.addressSpace]).run()
        #expect(experiment.prepared == 1)
        #expect(report.results.map(\.sizeBytes) == [4096])
        #expect(report.notes.contains { $0 == "recorder: left out of the default sizes: 200M, 300M (size 200M for recorder needs "
            + "1.95G of address space, more than half of the 1.14G left under the address-space limit (ulimit -v 1.43G, of "
            + "which the process's VmSize uses 300M))" }, "\(report.notes)")
    }

    /// A default size may take half of what a limit leaves, a named one all of it; `--quick`'s
    /// sizes are trimmed as defaults are.
    @Test func defaultAndQuickSizesKeepHalfTheLimitFreeNamedSizesMayTakeAll() throws {
        let limit = MemoryLimit(.memAvailable, remainingBytes: 1000 << 20)
        let experiment = RecordingExperiment()
        experiment.defaultSizes = [.mib(40), .mib(60)]  // footprints 400M and 600M
        experiment.quickSizes = [.mib(30), .mib(70)]    // 300M and 700M
        let defaults = suite(experiment, sizes: nil, limits: [limit])
        #expect(defaults.sizing.plannedSizes(limits: MemoryLimits([limit])).sizes["recorder"] == [.mib(40)])
        var quick = defaults
        quick.sizing.quick = true
        #expect(quick.sizing.sizes(for: experiment) == [.mib(30), .mib(70)])
        let (planned, leftOut) = quick.sizing.plannedSizes(limits: MemoryLimits([limit]))
        #expect(planned["recorder"] == [.mib(30)])
        #expect(quick.sizing.leftOutNotes(leftOut).first?.hasPrefix("recorder: left out of the quick sizes: 70M (") == true)
        let named = suite(experiment, sizes: [.mib(60)], limits: [limit])
        #expect(named.sizing.plannedSizes(limits: MemoryLimits([limit])).sizes["recorder"] == [.mib(60)])
        try named.sizing.validateMemory()
    }

    @Test func theTightestLimitThatRefusesIsNamed() throws {
        let run = suite(RecordingExperiment(), sizes: [.mib(200)], limits: [Self.memAvailable, Self.addressSpace, Self.cgroup])
        let error = #expect(throws: InsufficientMemory.self) { try run.sizing.validateMemory() }
        #expect(error?.limit == Self.cgroup)
        #expect(error?.description == "size 200M for recorder needs 1.95G, more than the 24M left under the cgroup's "
            + "memory.max (64M in /sys/fs/cgroup/job/memory.max, 40M in use)")
        // MemAvailable, the only limit left, still speaks as before.
        let memOnly = suite(RecordingExperiment(), sizes: [.mib(200)], limits: [MemoryLimit(.memAvailable, remainingBytes: 1 << 30)])
        let memError = #expect(throws: InsufficientMemory.self) { try memOnly.sizing.validateMemory() }
        #expect(memError?.description == "size 200M for recorder needs 1.95G but only 1G is available (MemAvailable in /proc/meminfo)")
    }

    @Test func addressSpaceIsCheckedAgainstTheLimitsThatCountIt() throws {
        // 2M occupies 20M but maps 2000M: memory limits let it through, RLIMIT_AS does not.
        let mapping = RecordingExperiment(mapsMoreThanItTouches: true)
        try suite(mapping, sizes: [.mib(2)], limits: [Self.memAvailable, Self.cgroup]).sizing.validateMemory()
        let error = #expect(throws: InsufficientMemory.self) {
            try suite(mapping, sizes: [.mib(2)], limits: [Self.memAvailable, Self.cgroup, Self.addressSpace]).sizing.validateMemory()
        }
        #expect(error?.footprint == 2000 << 20)
        #expect(error?.limit.countsAddressSpace == true)
        // Strict overcommit counts what is mapped too.
        let commit = MemoryLimit(.commitLimit(limit: 900 << 20, committed: 100 << 20), remainingBytes: 800 << 20)
        let commitError = #expect(throws: InsufficientMemory.self) {
            try suite(mapping, sizes: [.mib(2)], limits: [commit]).sizing.validateMemory()
        }
        #expect(commitError?.description.contains("vm.overcommit_memory = 2: CommitLimit 900M, Committed_AS 100M") == true)
    }

    @Test func sizesWithinEveryLimitPass() throws {
        let experiment = RecordingExperiment()
        try suite(experiment, sizes: [.mib(2)], limits: [Self.memAvailable, Self.addressSpace, Self.cgroup]).sizing.validateMemory()
        try suite(experiment, sizes: [.mib(2)], limits: []).sizing.validateMemory()
    }

    // MARK: where the limits come from

    @Test func rlimitLeavesItsLimitLessTheCurrentVmSize() throws {
        let limit = try #require(MemoryLimits.addressSpace(limit: 1_500_000 << 10, vmSize: 100 << 20))
        #expect(limit.remainingBytes == (1_500_000 << 10) - (100 << 20))
        #expect(limit.countsAddressSpace)
        #expect(MemoryLimits.addressSpace(limit: nil, vmSize: 100 << 20) == nil)
        #expect(MemoryLimits.addressSpace(limit: 50 << 20, vmSize: 100 << 20)?.remainingBytes == 0)
    }

    @Test func thisProcessHasAnAddressSpaceLimitOnlyWhenOneIsSet() {
        let limits = MemoryLimits.current(memAvailable: 1 << 30)
        #expect(limits.limits.contains(MemoryLimit(.memAvailable, remainingBytes: 1 << 30)))
        let hasRlimit = limits.limits.contains { $0.countsAddressSpace && $0.source.contains("ulimit") }
        #expect(hasRlimit == (MemoryLimits.currentAddressSpaceLimit() != nil))
        // A limit given in place of getrlimit is measured against this process's real VmSize.
        let given = MemoryLimits.current(memAvailable: nil, addressSpaceLimit: .some(1 << 40))
        let vmSize = ProcessMemory.kilobyteField("VmSize", in: (try? ProcFile.read("/proc/self/status")) ?? "") ?? 0
        let remaining = given.limits.first { $0.countsAddressSpace && $0.source.contains("ulimit") }?.remainingBytes ?? 0
        #expect(vmSize > 0 && remaining < 1 << 40 && remaining > (1 << 40) - 4 * vmSize)
    }

    /// A fake /proc and /sys tree for cgroup files.
    func fixture(_ files: [String: String]) throws -> String {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("locality-limits-\(UUID())").path
        for (path, text) in files {
            let url = URL(fileURLWithPath: root + path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        return root
    }

    func cgroupLimit(_ files: [String: String]) throws -> MemoryLimit? {
        let root = try fixture(files)
        defer { try? FileManager.default.removeItem(atPath: root) }
        return MemoryLimits.current(memAvailable: nil, root: root, addressSpaceLimit: .some(nil)).limits.first
    }

    static let v2Mount = "29 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw\n"

    @Test func cgroupV2MemoryMaxLessItsUsageAndReclaimableCache() throws {
        let limit = try #require(try cgroupLimit([
            "/proc/self/cgroup": "0::/jobs/a\n",
            "/proc/self/mountinfo": Self.v2Mount,
            "/sys/fs/cgroup/jobs/a/memory.max": "1073741824\n",
            "/sys/fs/cgroup/jobs/a/memory.current": "\(700 << 20)\n",
            "/sys/fs/cgroup/jobs/a/memory.stat": "anon 1\nactive_file 5\ninactive_file \(100 << 20)\n",
            "/sys/fs/cgroup/jobs/memory.max": "max\n",
            "/sys/fs/cgroup/jobs/memory.current": "\(900 << 20)\n",
        ]))
        #expect(limit.kind == .cgroup(file: "/sys/fs/cgroup/jobs/a/memory.max", limit: 1 << 30, inUse: 600 << 20))
        #expect(limit.remainingBytes == (1 << 30) - (600 << 20))
        #expect(!limit.countsAddressSpace)
        #expect(limit.source == "the cgroup's memory.max (1G in /sys/fs/cgroup/jobs/a/memory.max, 600M in use)")
    }

    @Test func aTighterAncestorIsTheLimit() throws {
        let limit = try #require(try cgroupLimit([
            "/proc/self/cgroup": "0::/jobs/a\n",
            "/proc/self/mountinfo": Self.v2Mount,
            "/sys/fs/cgroup/jobs/a/memory.max": "1073741824\n",
            "/sys/fs/cgroup/jobs/a/memory.current": "\(100 << 20)\n",
            "/sys/fs/cgroup/jobs/memory.max": "\(512 << 20)\n",
            "/sys/fs/cgroup/jobs/memory.current": "\(400 << 20)\n",
        ]))
        #expect(limit.kind == .cgroup(file: "/sys/fs/cgroup/jobs/memory.max", limit: 512 << 20, inUse: 400 << 20))
        #expect(limit.remainingBytes == 112 << 20)
    }

    @Test func maxOrNoControllerMeansNoCgroupLimit() throws {
        #expect(try cgroupLimit([
            "/proc/self/cgroup": "0::/user.slice\n",
            "/proc/self/mountinfo": Self.v2Mount,
            "/sys/fs/cgroup/user.slice/memory.max": "max\n",
        ]) == nil)
        #expect(try cgroupLimit(["/proc/self/cgroup": "0::/user.slice\n", "/proc/self/mountinfo": Self.v2Mount]) == nil)
        #expect(try cgroupLimit([:]) == nil)
    }

    @Test func withoutMountinfoV2IsLookedForUnderSysFsCgroup() throws {
        let limit = try #require(try cgroupLimit([
            "/proc/self/cgroup": "0::/\n",
            "/sys/fs/cgroup/memory.max": "\(256 << 20)\n",
            "/sys/fs/cgroup/memory.current": "\(56 << 20)\n",
        ]))
        #expect(limit.remainingBytes == 200 << 20)
    }

    @Test func cgroupV1LimitInBytesInsideAContainer() throws {
        // The container sees its own cgroup (/docker/abc) mounted at the mount point.
        let mountinfo = "35 31 0:32 /docker/abc /sys/fs/cgroup/memory ro,nosuid - cgroup cgroup rw,memory\n"
            + "36 31 0:33 /docker/abc /sys/fs/cgroup/cpu ro,nosuid - cgroup cgroup rw,cpu,cpuacct\n"
        let limit = try #require(try cgroupLimit([
            "/proc/self/cgroup": "5:cpu,cpuacct:/docker/abc\n4:memory:/docker/abc\n1:name=systemd:/docker/abc\n",
            "/proc/self/mountinfo": mountinfo,
            "/sys/fs/cgroup/memory/memory.limit_in_bytes": "\(2 << 30)\n",
            "/sys/fs/cgroup/memory/memory.usage_in_bytes": "\(1 << 30)\n",
            "/sys/fs/cgroup/memory/memory.stat": "inactive_file 7\ntotal_inactive_file \(256 << 20)\n",
        ]))
        #expect(limit.kind == .cgroup(file: "/sys/fs/cgroup/memory/memory.limit_in_bytes", limit: 2 << 30, inUse: 768 << 20))
        #expect(limit.source.hasPrefix("the cgroup's memory.limit_in_bytes"))
        // v1 writes a huge number for "unlimited".
        #expect(try cgroupLimit([
            "/proc/self/cgroup": "4:memory:/docker/abc\n",
            "/proc/self/mountinfo": mountinfo,
            "/sys/fs/cgroup/memory/memory.limit_in_bytes": "9223372036854771712\n",
        ]) == nil)
    }

    @Test func cgroupMembershipAndMountsAreParsed() {
        let paths = MemoryLimits.cgroupPaths("12:memory:/a/b\n3:cpu:/x\n0::/c/d\n")
        #expect(paths.v2 == "/c/d")
        #expect(paths.v1Memory == "/a/b")
        let mounts = MemoryLimits.cgroupMounts(Self.v2Mount
            + "40 31 0:38 / /sys/fs/cgroup/my\\040memory rw - cgroup cgroup rw,memory\n"
            + "41 31 0:39 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids\n")
        #expect(mounts == [.init(version: 2, root: "/", mountPoint: "/sys/fs/cgroup"),
                           .init(version: 1, root: "/", mountPoint: "/sys/fs/cgroup/my memory")])
        let mount = MemoryLimits.CgroupMount(version: 2, root: "/", mountPoint: "/sys/fs/cgroup")
        #expect(MemoryLimits.levels(of: "/a/b", in: mount) == ["/sys/fs/cgroup/a/b", "/sys/fs/cgroup/a", "/sys/fs/cgroup"])
        let nested = MemoryLimits.CgroupMount(version: 2, root: "/a", mountPoint: "/sys/fs/cgroup")
        #expect(MemoryLimits.levels(of: "/a/b", in: nested) == ["/sys/fs/cgroup/b", "/sys/fs/cgroup"])
        #expect(MemoryLimits.levels(of: "/elsewhere", in: nested) == ["/sys/fs/cgroup"])
    }

    @Test func strictOvercommitAddsTheCommitLimit() throws {
        let meminfo = "MemTotal: 100 kB\nCommitLimit:     2048000 kB\nCommitted_AS:    1024000 kB\n"
        let limit = try #require(MemoryLimits.commitLimit(overcommitPolicy: 2, meminfo: meminfo))
        #expect(limit.remainingBytes == 1_024_000 << 10)
        #expect(limit.countsAddressSpace)
        #expect(MemoryLimits.commitLimit(overcommitPolicy: 0, meminfo: meminfo) == nil)
    }

    @Test func figuresKeepThreeDigits() {
        #expect(NumberFormat.preciseBytes(1_500_000 << 10) == "1.43G")
        #expect(NumberFormat.preciseBytes(16 << 30) == "16G")
        #expect(NumberFormat.preciseBytes(77_500 << 10) == "75.7M")
        #expect(NumberFormat.preciseBytes((1 << 40) - 4096) == "1T")
        #expect(NumberFormat.preciseBytes(100) == "100B")
    }

    // MARK: allocations that fail with an error

    @Test func aRefusedAllocationIsAnErrorNamingItsPurpose() throws {
        let error = #expect(throws: AllocationFailure.self) {
            _ = try HeapAllocation.allocate(bytes: 1 << 62, for: "a test's buffer")
        }
        #expect(error?.description == "a test's buffer: malloc of 4194304T (4611686018427387904 bytes) failed: Cannot allocate memory")
        let aligned = #expect(throws: AllocationFailure.self) {
            _ = try HeapAllocation.allocate(bytes: 1 << 62, alignment: 64, for: "aligned")
        }
        #expect(aligned?.call == "posix_memalign")
        let probe = #expect(throws: AllocationFailure.self) { try HeapAllocation.probe(bytes: 1 << 62, for: "probe") }
        #expect(probe?.call == "mmap")
        #expect(probe?.errno == ENOMEM)
        // The purpose is built only when it is needed: on success it costs no allocation.
        var built = 0
        func purpose() -> String { built += 1; return "counted" }
        try HeapAllocation.probe(bytes: 1 << 20, for: purpose())
        free(try HeapAllocation.allocate(bytes: 64, alignment: 64, for: purpose()))
        #expect(built == 0)
        #expect(throws: AllocationFailure.self) { try HeapAllocation.probe(bytes: 1 << 62, for: purpose()) }
        #expect(built == 1)
        let block = try HeapAllocation.allocate(UInt64.self, count: 4, for: "four words")
        block[3] = 7
        #expect(block[3] == 7)
        free(block)
    }

    // MARK: sizes below an experiment's minimum

    @Test func aSizeBelowTheMinimumIsRefusedBeforeMeasuring() throws {
        let experiment = RecordingExperiment(minimumSize: .kib(4))
        let refusal = SizePlan.sizeBelowMinimum(experiments: [experiment], sizes: [.kib(8), ByteSize(rawValue: 100)])
        #expect(refusal == SizeBelowMinimum(experiment: "recorder", size: ByteSize(rawValue: 100), minimum: .kib(4)))
        #expect(refusal?.description == "size 100 is too small for recorder: its smallest size is 4K")
        #expect(SizePlan.sizeBelowMinimum(experiments: [RecordingExperiment(minimumSize: ByteSize(rawValue: 32))],
                                          sizes: [ByteSize(rawValue: 8)])?.description
            == "size 8 is too small for recorder: its smallest size is 32 bytes")
        #expect(SizePlan.sizeBelowMinimum(experiments: [experiment], sizes: [.kib(4)]) == nil)
        #expect(SizePlan.sizeBelowMinimum(experiments: [experiment], sizes: nil) == nil)

        let run = suite(experiment, sizes: [ByteSize(rawValue: 100)], limits: [])
        #expect(throws: SizeBelowMinimum.self) { try run.run() }
        #expect(experiment.prepared == 0)
    }

    @Test func theDefaultMinimumIsOneByteAndTheDefaultAddressSpaceTheFootprint() {
        #expect(ToyExperiment().minimumSize == ByteSize(rawValue: 1))
        #expect(ToyExperiment().addressSpace(of: .kib(4)) == ToyExperiment().footprint(of: .kib(4)))
    }
}
