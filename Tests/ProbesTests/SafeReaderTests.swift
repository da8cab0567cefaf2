import Foundation
import Probes
import Testing

/// Three pages mapped for a test, the middle one made inaccessible.
final class GuardedPages {
    let base: UnsafeMutableRawPointer
    let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

    init() throws {
        let mapped = mmap(nil, 3 * pageSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        guard let mapped, mapped != MAP_FAILED else { throw CocoaError(.fileReadUnknown) }
        base = mapped
        base.storeBytes(of: 0xA5, toByteOffset: 0, as: UInt8.self)
        base.storeBytes(of: 0x3C, toByteOffset: 2 * pageSize + 17, as: UInt8.self)
        mprotect(base + pageSize, pageSize, PROT_NONE)
    }

    deinit { munmap(base, 3 * pageSize) }

    func address(_ offset: Int) -> Address { Address(UInt(bitPattern: base + offset)) }
}

@Suite struct SafeReaderTests {
    @Test(arguments: SafeReader.Method.allCases)
    func readsTheBytesOfReadableMemory(method: SafeReader.Method) throws {
        let pages = try GuardedPages()
        let reader = SafeReader(method: method)
        #expect(try reader.read(pages.address(0)).get() == [0xA5])
        #expect(try reader.read(pages.address(2 * pages.pageSize + 17)).get() == [0x3C])
        let text = Array("locality".utf8)
        let copy = text.withUnsafeBufferPointer { buffer in
            reader.read(Address(UInt(bitPattern: buffer.baseAddress!)), count: text.count)
        }
        #expect(try copy.get() == text)
    }

    @Test(arguments: SafeReader.Method.allCases)
    func answersEFAULTWhereADereferenceWouldCrash(method: SafeReader.Method) throws {
        let pages = try GuardedPages()
        let reader = SafeReader(method: method)
        #expect(reader.read(Address(rawValue: 0)) == .failure(ReadFailure(code: EFAULT)))
        #expect(reader.read(Address(rawValue: 4095)) == .failure(ReadFailure(code: EFAULT)))
        #expect(reader.read(pages.address(pages.pageSize + 5)) == .failure(ReadFailure(code: EFAULT)))   // PROT_NONE
        #expect(reader.read(Address(rawValue: 0xffff_8000_0000_0000)) == .failure(ReadFailure(code: EFAULT)))  // kernel half
        #expect(!reader.isReadable(Address(rawValue: UInt64.max)))
        // A page that was mapped and is no longer.
        let size = pages.pageSize
        let mapped = try #require(mmap(nil, size, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0))
        munmap(mapped, size)
        #expect(!reader.isReadable(Address(UInt(bitPattern: mapped))))
        #expect(ReadFailure(code: EFAULT).name == "EFAULT")
    }

    @Test func prefersProcessVMReadvWhereTheKernelAllowsIt() throws {
        // Either way the reader works; which one it picked must be one that reads.
        let reader = SafeReader()
        var byte: UInt8 = 0x42
        let address = withUnsafeMutablePointer(to: &byte) { Address(UInt(bitPattern: $0)) }
        #expect(try reader.read(address).get() == [0x42])
    }
}
