/// One line of /proc/self/maps: a run of pages with the same permissions and backing.
public struct MemoryRegion: Equatable, Sendable, Codable {
    public let start: Address
    /// One past the last byte.
    public let end: Address
    /// `r-xp`: read, write, execute, and p(rivate, copy-on-write) or s(hared).
    public let permissions: String
    public let offset: UInt64
    public let device: String
    public let inode: UInt64
    /// The file it maps, or a pseudo-name such as `[heap]`, `[stack]`, `[vdso]`; nil for
    /// anonymous memory (mmap'd blocks, thread stacks, the rest of the heap of other arenas).
    public let path: String?

    public init(start: Address, end: Address, permissions: String, offset: UInt64 = 0,
                device: String = "00:00", inode: UInt64 = 0, path: String? = nil) {
        self.start = start
        self.end = end
        self.permissions = permissions
        self.offset = offset
        self.device = device
        self.inode = inode
        self.path = path
    }

    public var size: UInt64 { end.rawValue - start.rawValue }
    public var isReadable: Bool { permissions.hasPrefix("r") }
    public var isWritable: Bool { permissions.dropFirst().hasPrefix("w") }
    public var isExecutable: Bool { permissions.dropFirst(2).hasPrefix("x") }

    public func contains(_ address: Address) -> Bool { start <= address && address < end }

    /// The path, the bracketed pseudo-name, or `anonymous`.
    public var name: String { path ?? "anonymous" }

    /// The last path component for files (`libc.so.6`), else `name`.
    public var shortName: String {
        guard let path, path.hasPrefix("/") else { return name }
        let base = path.split(separator: "/").last.map(String.init) ?? path
        return path.hasSuffix(" (deleted)") && !base.hasSuffix(" (deleted)") ? base + " (deleted)" : base
    }

    /// What the permissions say about the region, in words.
    public var role: String {
        if permissions.hasPrefix("---") { return "guard (no access)" }
        if isExecutable { return "code" }
        if isWritable { return "read-write data" }
        if isReadable { return "read-only data" }
        return "no access"
    }
}
