import Foundation

/// Reads a whole file of /proc or /sys. Those files report a size of 0 and are generated as
/// they are read, so they are read until end of file rather than by their size (Foundation's
/// `String(contentsOfFile:)` can stop after its first 4 KiB read).
public enum ProcFile {
    public static func read(_ path: String) throws(ProcFileError) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ProcFileError(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let got = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if got < 0 {
                if errno == EINTR { continue }
                throw ProcFileError(path: path, reason: String(cString: strerror(errno)))
            }
            if got == 0 { break }
            bytes += chunk[0..<got]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

public struct ProcFileError: Error, Equatable, Sendable, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "cannot read \(path): \(reason)" }
}
