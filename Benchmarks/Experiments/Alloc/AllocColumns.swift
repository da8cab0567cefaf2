import Harness

extension Alloc {
    /// The extra columns, each written in `prepare` and read back by the findings under this
    /// one name; the raw value is the label tables, CSV and JSON show.
    enum Column: String, ExtraKey {
        // batched: where glibc put a block of the size.
        /// malloc_usable_size of the block.
        case usableBytes = "usable B"
        /// 1 when the block came from its own mmap after a free (glibc's threshold had risen).
        case mmapped = "mmap'd"
        /// 1 when the first request of the size was mmap'd.
        case mmappedFirst = "mmap'd 1st"
        /// How often the particle trace requested the size (absent when never).
        case inTrace = "trace×"
        // per-call: the spread of single calls, each absent when under the timer's resolution.
        case p50 = "p50 ns"
        case p99 = "p99 ns"
        case maximum = "max ns"
        /// The bound the absent figures lie under.
        case unresolvedBound = "unresolved <ns"

        /// The per-call figures are times the workload took with the cycle timer.
        var isTime: Bool { [.p50, .p99, .maximum, .unresolvedBound].contains(self) }
    }
}
