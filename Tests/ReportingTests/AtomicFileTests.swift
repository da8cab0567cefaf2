import Foundation
@testable import Reporting
import Testing

/// What AtomicFile does with what already stands at the path: links, FIFOs, devices,
/// directories. Everything happens inside a fresh temporary directory, never on /dev itself.
@Suite struct AtomicFileTargetTests {
    let dir: String

    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("locality-atomic-\(UUID())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    private func cleanUp() { try? FileManager.default.removeItem(atPath: dir) }

    private func type(_ path: String) -> mode_t {
        var info = stat()
        return lstat(path, &info) == 0 ? info.st_mode & S_IFMT : 0
    }

    private func entries() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: dir).sorted() }

    @Test func aSymlinkIsFollowedAndKept() throws {
        defer { cleanUp() }
        try "old".write(toFile: dir + "/target.json", atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: dir + "/link.json", withDestinationPath: "target.json")
        try AtomicFile.write(Data("new".utf8), to: dir + "/link.json")
        #expect(type(dir + "/link.json") == S_IFLNK)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: dir + "/link.json") == "target.json")
        #expect(try String(contentsOfFile: dir + "/target.json", encoding: .utf8) == "new")
        #expect(try entries() == ["link.json", "target.json"])
    }

    @Test func anOpenDescriptorNamedThroughProcOrDevFdIsWrittenWhereItStands() throws {
        defer { cleanUp() }
        // As `2>> log` makes it: a log opened for appending, reached through /dev/fd/N (or
        // /dev/stderr → /proc/self/fd/2). It must be appended to, not replaced by a rename.
        let log = dir + "/log.txt"
        try "earlier\n".write(toFile: log, atomically: false, encoding: .utf8)
        let fd = open(log, O_WRONLY | O_APPEND)
        try #require(fd >= 0)
        defer { close(fd) }
        var before = stat()
        stat(log, &before)
        try AtomicFile.write(Data("report\n".utf8), to: "/dev/fd/\(fd)")
        try AtomicFile.write(Data("again\n".utf8), to: "/proc/self/fd/\(fd)")
        var after = stat()
        stat(log, &after)
        #expect(after.st_ino == before.st_ino)
        #expect(try String(contentsOfFile: log, encoding: .utf8) == "earlier\nreport\nagain\n")
        #expect(try entries() == ["log.txt"])
        // A descriptor that is not open, or open only for reading, is refused before anything is written.
        #expect(throws: AtomicFileError.self) { try AtomicFile.check("/dev/fd/987") }
        let readOnly = open(log, O_RDONLY)
        try #require(readOnly >= 0)
        defer { close(readOnly) }
        #expect(throws: AtomicFileError(path: "/dev/fd/\(readOnly)", reason: "descriptor \(readOnly) is not open for writing")) {
            try AtomicFile.check("/dev/fd/\(readOnly)")
        }
    }

    @Test func aDanglingSymlinkGetsItsTargetCreated() throws {
        defer { cleanUp() }
        try FileManager.default.createDirectory(atPath: dir + "/sub", withIntermediateDirectories: false)
        try FileManager.default.createSymbolicLink(atPath: dir + "/link.json", withDestinationPath: "sub/report.json")
        try AtomicFile.write(Data("new".utf8), to: dir + "/link.json")
        #expect(type(dir + "/link.json") == S_IFLNK)
        #expect(try String(contentsOfFile: dir + "/sub/report.json", encoding: .utf8) == "new")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/sub") == ["report.json"])
    }

    @Test func aFIFOIsWrittenInPlace() throws {
        defer { cleanUp() }
        let fifo = dir + "/fifo"
        #expect(mkfifo(fifo, 0o600) == 0)
        // A reader that is already there (non-blocking): the writer's open returns at once, and
        // a FIFO replaced instead of written leaves it empty rather than the test hanging.
        let reader = open(fifo, O_RDONLY | O_NONBLOCK)
        #expect(reader >= 0)
        defer { close(reader) }
        try AtomicFile.write(Data("through the pipe".utf8), to: fifo)
        #expect(type(fifo) == S_IFIFO)
        #expect(Self.readAvailable(reader) == "through the pipe")
        #expect(try entries() == ["fifo"])
    }

    static func readAvailable(_ fd: Int32) -> String {
        var bytes: [UInt8] = [], buffer = [UInt8](repeating: 0, count: 65536)
        while case let count = read(fd, &buffer, buffer.count), count > 0 { bytes += buffer[..<count] }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A private character device (with /dev/null's numbers), and a link to it: both stay.
    /// Needs root (mknod), as the reviewer's run did; skipped otherwise.
    @Test func aCharacterDeviceIsWrittenInPlace() throws {
        defer { cleanUp() }
        let device = dir + "/null"
        var null = stat()
        guard stat("/dev/null", &null) == 0, mknod(device, S_IFCHR | 0o666, null.st_rdev) == 0 else { return }
        try FileManager.default.createSymbolicLink(atPath: dir + "/link", withDestinationPath: device)
        try AtomicFile.write(Data("discarded".utf8), to: device)
        try AtomicFile.write(Data("discarded".utf8), to: dir + "/link")
        #expect(type(device) == S_IFCHR)
        #expect(type(dir + "/link") == S_IFLNK)
        #expect(try entries() == ["link", "null"])
    }

    @Test func aDirectoryIsRefusedAndLeftAlone() throws {
        defer { cleanUp() }
        try FileManager.default.createDirectory(atPath: dir + "/out", withIntermediateDirectories: false)
        for path in [dir + "/out", dir + "/out/", dir + "/missing/"] {
            #expect {
                try AtomicFile.write(Data("x".utf8), to: path)
            } throws: { error in
                (error as? AtomicFileError)?.reason == "Is a directory"
            }
            #expect(throws: AtomicFileError.self) { try AtomicFile.check(path) }
        }
        #expect(try entries() == ["out"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/out").isEmpty)
    }

    @Test func checkRefusesWhatWriteWouldWithoutWriting() throws {
        defer { cleanUp() }
        try AtomicFile.check(dir + "/new.json")
        #expect(throws: AtomicFileError.self) { try AtomicFile.check("") }
        #expect {
            try AtomicFile.check(dir + "/missing/new.json")
        } throws: { error in
            (error as? AtomicFileError)?.reason == "directory '\(dir)/missing' does not exist"
        }
        #expect(try entries().isEmpty)
    }

    /// The old temporary name (PATH.tmp.PID) was predictable and opened without O_EXCL: a link
    /// planted there sent the report into the link's target.
    @Test func aLinkPlantedAtATemporaryNameIsNeverFollowed() throws {
        defer { cleanUp() }
        let path = dir + "/report.json", victim = dir + "/victim"
        try "precious".write(toFile: victim, atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: "\(path).tmp.\(getpid())", withDestinationPath: victim)
        try AtomicFile.write(Data("report".utf8), to: path)
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "precious")
        #expect(type(path) == S_IFREG)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "report")
    }

    @Test func aReplacedFileKeepsItsPermissions() throws {
        defer { cleanUp() }
        let path = dir + "/report.json"
        try "old".write(toFile: path, atomically: false, encoding: .utf8)
        #expect(chmod(path, 0o600) == 0)
        try AtomicFile.write(Data("new".utf8), to: path)
        var info = stat()
        #expect(stat(path, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600)
        #expect(try entries() == ["report.json"])
    }
}
