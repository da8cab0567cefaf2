import Foundation
import Harness

/// What virtual memory does for a program, each shown by mapping memory and reading the
/// mapping's own resident size (pagemap) and huge pages (AnonHugePages in /proc/self/smaps)
/// before and after: the whole process's VmRSS would also count what other threads allocate
/// meanwhile. Used by
/// the page-faults experiment and its tests.
enum VirtualMemoryDemo {
    struct FirstTouch: Equatable {
        var rssGrowth: Int
        var anonHugePages: Int
    }

    /// Maps `bytes`, writes one byte per 4 KiB page, and reports how much its Rss grew and how
    /// much of the mapping the kernel backed with huge pages.
    static func firstTouch(bytes: Int, advice: PageAdvice) throws -> FirstTouch {
        let mapping = try AnonymousMapping(bytes: bytes, advice: advice)
        let before = ProcessMemory.residentBytes(of: mapping) ?? 0
        mapping.touchEveryPage()
        let after = ProcessMemory.residentBytes(of: mapping) ?? 0
        return FirstTouch(rssGrowth: after - before, anonHugePages: ProcessMemory.anonHugePagesBytes(of: mapping) ?? 0)
    }

    struct ZeroPage: Equatable {
        /// Rss growth after reading every page of a fresh mapping: they all map the one
        /// shared zero page, so it barely grows.
        var readGrowth: Int
        /// Rss growth, from before the reads, after then writing every page: each write
        /// gives the page its own frame.
        var writeGrowth: Int
        /// The sum of the bytes read: 0, since fresh anonymous memory reads as zeros.
        var sumRead: Int
    }

    /// Reads, then writes, one byte in every 4 KiB page of a fresh mapping (4 KiB pages, so that
    /// the shared zero page is the 4 KiB one whatever the THP mode).
    static func zeroPage(bytes: Int) throws -> ZeroPage {
        let mapping = try AnonymousMapping(bytes: bytes, advice: .noHugePages)
        let before = ProcessMemory.residentBytes(of: mapping) ?? 0
        let sum = mapping.readEveryPage()
        let afterRead = ProcessMemory.residentBytes(of: mapping) ?? 0
        mapping.touchEveryPage()
        let afterWrite = ProcessMemory.residentBytes(of: mapping) ?? 0
        return ZeroPage(readGrowth: afterRead - before, writeGrowth: afterWrite - before, sumRead: sum)
    }

    struct Overcommit: Equatable {
        var reserved: Int
        var touchedPages: Int
        var rssGrowth: Int
    }

    /// Maps `reserve` bytes with MAP_NORESERVE (far more than the machine has), writes
    /// `touchPages` pages spread over it, and reports its Rss growth: only touched pages cost.
    static func overcommit(reserve: Int, touchPages: Int) throws -> Overcommit {
        let mapping = try AnonymousMapping(bytes: reserve, reserve: false)
        let before = ProcessMemory.residentBytes(of: mapping) ?? 0
        let touched = touchSpread(mapping, pages: touchPages)
        let after = ProcessMemory.residentBytes(of: mapping) ?? 0
        return Overcommit(reserved: mapping.byteCount, touchedPages: touched, rssGrowth: after - before)
    }

    /// Writes one byte in each of `pages` pages spread evenly over `mapping`; returns how many.
    @discardableResult
    static func touchSpread(_ mapping: AnonymousMapping, pages: Int) -> Int {
        let page = AnonymousMapping.pageBytes
        let total = mapping.byteCount / page
        let count = min(pages, total)
        let step = total / count
        let bytes = mapping.base.assumingMemoryBound(to: UInt8.self)
        for i in 0..<count { bytes[i * step * page] = 1 }
        return count
    }
}
