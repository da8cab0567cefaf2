import CLocalitySupport
import Foundation

/// Writes a file so that readers see either the old file or the whole new one: the bytes go
/// to a new, uniquely named temporary file in the same directory, are flushed (`fsync`), then
/// `rename(2)`d over the target. A failure leaves the old file as it was and no temporary.
///
/// What is at the path decides how: a symbolic link is followed (its target is replaced, the
/// link stays); a character device or FIFO (`/dev/null`, `/dev/stdout` on a pipe) is written
/// in place, since renaming over it would replace the device, not write to it; a directory
/// is an error.
public enum AtomicFile {
    public static func write(_ data: Data, to path: String) throws {
        switch try destination(of: path) {
        case .descriptor(let fd):
            if let error = writeAll(data, to: fd) { throw AtomicFileError(path: path, reason: errorMessage(error)) }
        case .inPlace(let target):
            try writeInPlace(data, to: target, reportedAs: path)
        case .replace(let target, let directory, let mode):
            try replace(target, in: directory, mode: mode, with: data, reportedAs: path)
        }
    }

    /// Throws what `write` would refuse before any byte is written (a directory, a missing or
    /// unwritable directory, an empty path), so a command can refuse it before doing its work.
    public static func check(_ path: String) throws {
        _ = try destination(of: path)
    }

    enum Destination: Equatable {
        /// One of this process's open descriptors, named through /dev/stdout, /dev/fd/N or
        /// /proc/self/fd/N: written where it stands (a shell's `>>` log keeps what it holds).
        case descriptor(Int32)
        /// A character device or FIFO, opened and written as it is.
        case inPlace(String)
        /// A regular file (`mode` its permission bits) or none yet, replaced through a rename.
        case replace(String, directory: String, mode: mode_t?)
    }

    static func destination(of path: String) throws -> Destination {
        func failure(_ reason: String) -> AtomicFileError { AtomicFileError(path: path, reason: reason) }
        guard !path.isEmpty else { throw failure("the path is empty") }
        // "x/" names a directory even when x does not exist yet.
        guard !path.hasSuffix("/") else { throw failure(errorMessage(EISDIR)) }
        if let fd = openDescriptor(namedBy: path) {
            let flags = fcntl(fd, F_GETFL)
            guard flags >= 0 else { throw failure(errorMessage(errno)) }
            // Open, but only for reading (`< file`) or as a bare path (O_PATH, whose access mode
            // reads as O_RDONLY): a write would fail.
            guard flags & O_ACCMODE != O_RDONLY else { throw failure("descriptor \(fd) is not open for writing") }
            return .descriptor(fd)
        }
        var info = stat()
        if stat(path, &info) == 0 {
            switch info.st_mode & S_IFMT {
            case S_IFDIR: throw failure(errorMessage(EISDIR))
            case S_IFCHR, S_IFIFO:
                guard access(path, W_OK) == 0 else { throw failure(errorMessage(errno)) }
                return .inPlace(path)
            case S_IFREG: break
            default: throw failure("not a regular file, character device or FIFO")
            }
        } else if errno != ENOENT {
            throw failure(errorMessage(errno))
        }
        // A regular file, or nothing (maybe behind a dangling link): rename into the place the
        // links lead to, so the link itself stays.
        let target = try linkTarget(of: path)
        let directory = directoryName(of: target)
        if let problem = problemWritingInto(directory) { throw failure(problem) }
        return .replace(target, directory: directory, mode: info.st_mode & S_IFMT == S_IFREG ? info.st_mode & 0o777 : nil)
    }

    /// The path at the end of the chain of symbolic links starting at `path` (`path` itself
    /// when it is no link); the last one may not exist.
    static func linkTarget(of path: String) throws -> String {
        var current = path
        for _ in 0..<40 {  // Linux's own limit on links followed (ELOOP beyond)
            var info = stat()
            guard lstat(current, &info) == 0 else {
                if errno == ENOENT { return current }
                throw AtomicFileError(path: path, reason: errorMessage(errno))
            }
            guard info.st_mode & S_IFMT == S_IFLNK else { return current }
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let length = readlink(current, &buffer, buffer.count - 1)
            guard length >= 0 else { throw AtomicFileError(path: path, reason: errorMessage(errno)) }
            let link = String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            current = link.hasPrefix("/") ? link : directoryName(of: current) + "/" + link
        }
        throw AtomicFileError(path: path, reason: errorMessage(ELOOP))
    }

    /// The descriptor N when the chain of links from `path` passes through /dev/fd/N,
    /// /proc/self/fd/N or /proc/PID/fd/N of this process (/dev/stdout leads to
    /// /proc/self/fd/1): renaming over what such a link leads to would replace the file the
    /// descriptor is open on, not write to it.
    static func openDescriptor(namedBy path: String) -> Int32? {
        let prefixes = ["/dev/fd/", "/proc/self/fd/", "/proc/\(getpid())/fd/", "/proc/thread-self/fd/"]
        var current = path
        for _ in 0..<40 {
            for prefix in prefixes where current.hasPrefix(prefix) {
                if let fd = Int32(current.dropFirst(prefix.count)) { return fd }
            }
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let length = readlink(current, &buffer, buffer.count - 1)
            guard length >= 0 else { return nil }  // not a link (or absent): no descriptor
            let link = String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            current = link.hasPrefix("/") ? link : directoryName(of: current) + "/" + link
        }
        return nil
    }

    /// Why files cannot be created in `directory` (missing, not a directory, not writable), or
    /// nil when they can.
    public static func problemWritingInto(_ directory: String) -> String? {
        var info = stat()
        guard stat(directory, &info) == 0 else {
            return errno == ENOENT ? "directory '\(directory)' does not exist" : "'\(directory)': \(errorMessage(errno))"
        }
        guard info.st_mode & S_IFMT == S_IFDIR else { return "'\(directory)' is not a directory" }
        guard access(directory, W_OK | X_OK) == 0 else { return "cannot write into '\(directory)': \(errorMessage(errno))" }
        return nil
    }

    /// `dirname(3)` without its static buffer: "." for a bare name, "/" for a file in the root.
    public static func directoryName(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let directory = path[..<slash]
        return directory.isEmpty ? "/" : String(directory)
    }

    private static func writeInPlace(_ data: Data, to target: String, reportedAs path: String) throws {
        // No O_TRUNC or O_CREAT: a device or FIFO has nothing to truncate, and must still be one.
        let fd = open(target, O_WRONLY | O_NOCTTY | O_CLOEXEC)
        guard fd >= 0 else { throw AtomicFileError(path: path, reason: errorMessage(errno)) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw AtomicFileError(path: path, reason: errorMessage(errno)) }
        // Replaced by a regular file since `destination` looked: writing it would not truncate it.
        guard info.st_mode & S_IFMT == S_IFCHR || info.st_mode & S_IFMT == S_IFIFO else {
            throw AtomicFileError(path: path, reason: "changed while being written")
        }
        if let error = writeAll(data, to: fd) { throw AtomicFileError(path: path, reason: errorMessage(error)) }
    }

    private static func replace(_ target: String, in directory: String, mode: mode_t?, with data: Data,
                                reportedAs path: String) throws {
        var temporary = ""
        var fd: Int32 = -1
        // O_EXCL | O_NOFOLLOW: never open a file or link someone else put at the name.
        for _ in 0..<100 {
            temporary = directory + "/.locality-\(randomName()).tmp"
            // Created under the signal thread's lock, which removes it if a terminating signal
            // ends the process before the rename.
            fd = locality_create_temporary(temporary, 0o666)
            if fd >= 0 || errno != EEXIST { break }
        }
        guard fd >= 0 else { throw AtomicFileError(path: path, reason: errorMessage(errno)) }
        var error: Int32?
        // A replaced file keeps its permissions; a new one gets 0666 less the umask, as `>` would.
        if let mode, fchmod(fd, mode) != 0 { error = errno }
        if error == nil { error = writeAll(data, to: fd) }
        if error == nil && fsync(fd) != 0 { error = errno }
        // close can report a write the kernel could not complete (NFS, quotas).
        if close(fd) != 0 && error == nil { error = errno }
        if error == nil {
            if locality_rename_temporary(temporary, target) != 0 { error = errno }
        } else {
            locality_discard_temporary(temporary)
        }
        if let error {
            throw AtomicFileError(path: path, reason: errorMessage(error))
        }
    }

    /// nil when every byte was written, else the errno of the failed write.
    public static func writeAll(_ data: Data, to fd: Int32) -> Int32? {
        data.withUnsafeBytes { buffer -> Int32? in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += written
            }
            return nil
        }
    }

    private static func randomName() -> String {
        let letters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        return String((0..<10).map { _ in letters.randomElement()! })
    }

    private static func errorMessage(_ code: Int32) -> String { String(cString: strerror(code)) }
}

public struct AtomicFileError: Error, Equatable, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "cannot write '\(path)': \(reason)" }
}
