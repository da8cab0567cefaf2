import CLocalitySupport
import Foundation

/// Reads this process's own memory without dereferencing a pointer: the kernel copies the
/// bytes and answers EFAULT for an address no readable page backs, where `*pointer` would
/// die of SIGSEGV. Readability is decided per page (the MMU maps whole pages).
public struct SafeReader: Sendable {
    public enum Method: String, Sendable, Codable, CaseIterable {
        /// process_vm_readv(2) with this process as the "remote" one.
        case processVMReadv = "process_vm_readv"
        /// write(2) the bytes into a pipe (the kernel reads them), then read them back.
        case pipeWrite = "write() to a pipe"
    }

    public let method: Method

    /// process_vm_readv when the kernel lets this process use it on itself (seccomp profiles
    /// may forbid it), else the pipe.
    public init() {
        var probe: UInt8 = 0x5A
        var copy: UInt8 = 0
        let status = withUnsafeMutablePointer(to: &probe) { source in
            locality_read_own_memory_vm(UInt(bitPattern: source), &copy, 1)
        }
        method = status == 0 && copy == 0x5A ? .processVMReadv : .pipeWrite
    }

    public init(method: Method) { self.method = method }

    /// The `count` bytes at `address` (at most 4096, which a pipe holds), or why not.
    public func read(_ address: Address, count: Int = 1) -> Result<[UInt8], ReadFailure> {
        precondition(count > 0 && count <= 4096, "read 1…4096 bytes at once")
        guard address.rawValue <= UInt64(UInt.max) - UInt64(count) else { return .failure(ReadFailure(code: EFAULT)) }
        var bytes = [UInt8](repeating: 0, count: count)
        let status = bytes.withUnsafeMutableBytes { buffer in
            switch method {
            case .processVMReadv: return locality_read_own_memory_vm(UInt(address.rawValue), buffer.baseAddress, count)
            case .pipeWrite: return locality_read_own_memory_pipe(UInt(address.rawValue), buffer.baseAddress, count)
            }
        }
        return status == 0 ? .success(bytes) : .failure(ReadFailure(code: status))
    }

    public func isReadable(_ address: Address) -> Bool {
        if case .success = read(address) { return true }
        return false
    }
}

/// The errno a safe read failed with.
public struct ReadFailure: Error, Equatable, Sendable, CustomStringConvertible {
    public let code: Int32

    public init(code: Int32) { self.code = code }

    /// `EFAULT`, `EPERM`, … or `errno N`.
    public var name: String {
        switch code {
        case EFAULT: return "EFAULT"
        case EPERM: return "EPERM"
        case ENOSYS: return "ENOSYS"
        case EIO: return "EIO"
        case ESRCH: return "ESRCH"
        case EINVAL: return "EINVAL"
        case ENOMEM: return "ENOMEM"
        default: return "errno \(code)"
        }
    }

    public var description: String { "\(name) (\(String(cString: strerror(code))))" }
}
