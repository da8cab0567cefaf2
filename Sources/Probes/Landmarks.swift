import CLocalitySupport
import Foundation

/// Something whose address `locality probe` shows: what it is and where it was.
public struct Landmark: Equatable, Sendable, Codable {
    public let name: String
    /// How it was made, e.g. `Swift var at file scope`.
    public let detail: String
    public let address: Address

    public init(name: String, detail: String, address: Address) {
        self.name = name
        self.detail = detail
        self.address = address
    }
}

/// A global variable, at a fixed place in the executable's writable data.
nonisolated(unsafe) var landmarkGlobal: Int32 = 1000

/// A heap object, like Rust's `Box::new(789)`.
final class LandmarkBox {
    var value: Int32 = 789
}

/// The code whose address is shown.
@inline(never)
func landmarkFunction() -> Int32 { 12345 }

/// The address of a local of a called function (dangling once it returns: only printed).
@inline(never)
func addressOfCalleeLocal() -> Address {
    var local: Int32 = 12345
    return withUnsafeMutablePointer(to: &local) { pointer in
        locality_do_not_optimize_pointer(pointer)
        return Address(UInt(bitPattern: pointer))
    }
}

public enum Landmarks {
    /// The bytes of the large block: above glibc's largest dynamic mmap threshold (32 MiB),
    /// so it is always mmap'd; untouched pages cost no memory.
    public static let largeBlockBytes = 64 << 20

    /// The landmarks' addresses and the memory map read while all of them are alive (the
    /// parked thread's stack and the large block are released after the map is read).
    public static func observe() throws -> (landmarks: [Landmark], map: MemoryMap) {
        let parked = locality_parked_thread_start()
        defer { locality_parked_thread_stop(parked) }
        let large = malloc(largeBlockBytes)
        defer { free(large) }
        let box = LandmarkBox()
        let literal: StaticString = "a string literal"
        let function: @convention(c) () -> Int32 = landmarkFunction
        var local: Int32 = 123

        var landmarks: [Landmark] = []
        func add(_ name: String, _ detail: String, _ raw: UInt) {
            landmarks.append(Landmark(name: name, detail: detail, address: Address(raw)))
        }
        add("global variable", "Swift var at file scope",
            withUnsafeMutablePointer(to: &landmarkGlobal) { UInt(bitPattern: $0) })
        add("constant", "C static const int in .rodata (Swift gives constants no fixed address)", locality_probe_constant_address())
        if literal.hasPointerRepresentation {
            add("string literal", "Swift StaticString \"a string literal\"", UInt(bitPattern: literal.utf8Start))
        }
        // Only the main thread's stack is [stack], and only its mallocs use the brk [heap]:
        // other threads get mmap'd stacks and glibc arenas.
        let mainThread = locality_is_main_thread() != 0
        add("stack local", mainThread ? "Swift var in this function (main thread)" : "Swift var in this function (not the main thread)",
            withUnsafeMutablePointer(to: &local) { pointer in
                locality_do_not_optimize_pointer(pointer)
                return UInt(bitPattern: pointer)
            })
        add("local in a called function", "var in a function called from here (its frame lies below)",
            UInt(addressOfCalleeLocal().rawValue))
        add("heap object", "Swift class instance (swift_allocObject → malloc)",
            UInt(bitPattern: Unmanaged.passUnretained(box).toOpaque()))
        if let large {
            add("large malloc", "malloc(\(largeBlockBytes >> 20) MiB): glibc mmaps it", UInt(bitPattern: large))
        }
        if let parked {
            add("thread's stack", "local of a second thread (its stack is an mmap'd block)", locality_parked_thread_stack_local(parked))
        }
        add("function's code", "a Swift function", unsafeBitCast(function, to: UInt.self))
        add("libc function", "malloc in libc.so (a shared library's code)", locality_probe_libc_function_address())
        let map = try MemoryMap.current()
        withExtendedLifetime(box) {}
        return (landmarks, map)
    }
}
