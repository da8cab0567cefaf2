import Foundation

/// malloc (or mmap) refused a block: the one-line error an experiment throws where a Swift
/// allocation (`UnsafeMutablePointer.allocate`, an Array) would trap with a backtrace.
public struct AllocationFailure: Error, CustomStringConvertible, Equatable, Sendable {
    /// What the block was for: `loop-order's 512 × 512 matrix`, `alloc`.
    public let purpose: String
    /// `malloc`, `posix_memalign` or `mmap`.
    public let call: String
    public let bytes: Int
    public let errno: Int32

    public init(purpose: String, call: String = "malloc", bytes: Int, errno: Int32) {
        self.purpose = purpose
        self.call = call
        self.bytes = bytes
        self.errno = errno
    }

    public var description: String {
        "\(purpose): \(call) of \(ByteSize(rawValue: bytes).approximate) (\(bytes) bytes) failed: \(String(cString: strerror(errno)))"
    }
}

/// Heap blocks that fail with an error instead of a trap. Free them with `free`. The purpose
/// is only built on failure: a string built on every call would be a heap allocation of its
/// own, moving what experiments allocate after it (and `locality sim`'s counts).
public enum HeapAllocation {
    /// `bytes` (at least 1) from malloc, aligned to `alignment` (a power of two; above 16 through
    /// posix_memalign).
    public static func allocate(bytes: Int, alignment: Int = 16, for purpose: @autoclosure () -> String) throws(AllocationFailure)
        -> UnsafeMutableRawPointer {
        let size = max(bytes, 1)
        if alignment <= 16 {
            guard let block = malloc(size) else {
                let error = Glibc.errno  // before building the purpose, which may allocate
                throw AllocationFailure(purpose: purpose(), bytes: size, errno: error)
            }
            return block
        }
        var block: UnsafeMutableRawPointer?
        let code = posix_memalign(&block, alignment, size)
        guard code == 0, let block else {
            throw AllocationFailure(purpose: purpose(), call: "posix_memalign", bytes: size, errno: code == 0 ? ENOMEM : code)
        }
        return block
    }

    /// Room for `count` values of `T` from malloc, uninitialised.
    public static func allocate<T>(_ type: T.Type, count: Int, for purpose: @autoclosure () -> String) throws(AllocationFailure)
        -> UnsafeMutablePointer<T> {
        let (bytes, overflow) = max(count, 1).multipliedReportingOverflow(by: MemoryLayout<T>.stride)
        guard !overflow else { throw AllocationFailure(purpose: purpose(), bytes: .max, errno: ENOMEM) }
        return try allocate(bytes: bytes, alignment: MemoryLayout<T>.alignment, for: purpose())
            .bindMemory(to: T.self, capacity: max(count, 1))
    }

    /// Maps `bytes` and unmaps them at once, untouched: whether that much address space can be
    /// had now (RLIMIT_AS, the kernel's overcommit policy), before building a structure of
    /// many small allocations (class instances, arrays) that would each trap on failure. One
    /// mmap and one munmap, outside malloc's heap, so the heap is left as it was.
    public static func probe(bytes: Int, for purpose: @autoclosure () -> String) throws(AllocationFailure) {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let (rounded, overflow) = max(bytes, 1).addingReportingOverflow(page - 1)
        guard !overflow else { throw AllocationFailure(purpose: purpose(), call: "mmap", bytes: bytes, errno: ENOMEM) }
        let length = rounded / page * page
        guard let mapping = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              mapping != MAP_FAILED else {
            let error = Glibc.errno
            throw AllocationFailure(purpose: purpose(), call: "mmap", bytes: length, errno: error)
        }
        munmap(mapping, length)
    }
}
