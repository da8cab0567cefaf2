import Foundation

/// What the kernel is asked to do about transparent huge pages for a mapping (madvise).
public enum PageAdvice: Sendable, Equatable {
    /// No advice: the system's THP mode decides.
    case none
    /// MADV_HUGEPAGE: back the range with 2 MiB pages where THP allows it.
    case hugePages
    /// MADV_NOHUGEPAGE: 4 KiB pages only, whatever the THP mode.
    case noHugePages
}

/// mmap or madvise failed.
public struct MappingError: Error, CustomStringConvertible, Equatable {
    public let call: String
    public let bytes: Int
    public let errno: Int32

    public var description: String {
        "\(call) of \(ByteSize(rawValue: bytes).approximate) failed: \(String(cString: strerror(errno)))"
    }
}

/// A private anonymous mapping (mmap), unmapped when released. Its pages are not touched
/// here: the first access to each page faults it in, which is what page-fault experiments
/// measure and what lets huge-page advice take effect before any page exists.
public final class AnonymousMapping: @unchecked Sendable {
    /// The first byte, aligned as asked.
    public let base: UnsafeMutableRawPointer
    public let byteCount: Int
    private let mappedBytes: Int

    public static let pageBytes = Int(sysconf(Int32(_SC_PAGESIZE)))
    public static let hugePageBytes = 2 << 20

    /// Maps `bytes` (rounded up to whole pages) aligned to `alignment` (a power of two; huge
    /// pages need 2 MiB). `reserve: false` adds MAP_NORESERVE: no swap space is set aside, so
    /// more can be mapped than the machine has, as long as it is not all touched.
    public init(bytes: Int, alignment: Int? = nil, advice: PageAdvice = .none, reserve: Bool = true) throws {
        precondition(bytes > 0)
        let page = Self.pageBytes
        let alignment = max(alignment ?? (advice == .hugePages ? Self.hugePageBytes : page), page)
        let length = (bytes + page - 1) / page * page
        let slack = alignment - page
        var flags = MAP_PRIVATE | MAP_ANONYMOUS
        if !reserve { flags |= MAP_NORESERVE }
        guard let raw = mmap(nil, length + slack, PROT_READ | PROT_WRITE, flags, -1, 0),
              raw != UnsafeMutableRawPointer(bitPattern: -1) else {
            throw MappingError(call: "mmap", bytes: length, errno: Glibc.errno)
        }
        // Cut the slack on both sides so the mapping is exactly [aligned, aligned + length).
        let address = UInt(bitPattern: raw)
        let aligned = (address + UInt(alignment - 1)) & ~UInt(alignment - 1)
        let head = Int(aligned - address)
        if head > 0 { munmap(raw, head) }
        let tail = slack - head
        if tail > 0 { munmap(raw + head + length, tail) }
        base = raw + head
        byteCount = length
        mappedBytes = length

        let code: Int32
        switch advice {
        case .none: code = -1
        case .hugePages: code = MADV_HUGEPAGE
        case .noHugePages: code = MADV_NOHUGEPAGE
        }
        if code >= 0 && madvise(base, length, code) != 0 {
            let error = Glibc.errno
            munmap(base, length)
            throw MappingError(call: code == MADV_HUGEPAGE ? "madvise(MADV_HUGEPAGE)" : "madvise(MADV_NOHUGEPAGE)",
                               bytes: length, errno: error)
        }
    }

    deinit { munmap(base, mappedBytes) }

    /// The addresses the mapping covers, for matching it in /proc/self/smaps.
    public var addressRange: Range<UInt> {
        UInt(bitPattern: base)..<UInt(bitPattern: base) + UInt(byteCount)
    }

    /// Writes one byte in every 4 KiB page (the first touch: one fault per page, or one per
    /// huge page).
    /// Returns the pages written, so a caller's checksum proves the work was done.
    @discardableResult
    public func touchEveryPage(stride: Int = AnonymousMapping.pageBytes) -> Int {
        let bytes = base.assumingMemoryBound(to: UInt8.self)
        var offset = 0, touched = 0
        while offset < byteCount {
            bytes[offset] = 1
            offset &+= stride
            touched &+= 1
        }
        return touched
    }

    /// Reads one byte in every 4 KiB page; returns their sum (0 for a fresh mapping).
    public func readEveryPage(stride: Int = AnonymousMapping.pageBytes) -> Int {
        let bytes = UnsafeRawPointer(base)
        var sum = 0
        var offset = 0
        while offset < byteCount {
            // A volatile-like read: the optimiser cannot know what a fresh page holds.
            sum &+= Int(bytes.load(fromByteOffset: offset, as: UInt8.self))
            offset &+= stride
        }
        return sum
    }
}
