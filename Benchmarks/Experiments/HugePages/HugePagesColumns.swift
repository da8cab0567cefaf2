import Harness

extension HugePages {
    /// The extra columns, each written in `prepare` and read back by the findings under this
    /// one name; the raw value is the label tables, CSV and JSON show.
    enum Column: String, ExtraKey {
        /// The buffer's AnonHugePages in /proc/self/smaps.
        case anonHugePagesMiB = "AnonHugePages MiB"
        /// The share of the buffer the kernel backed with 2 MiB pages.
        case hugeShare = "huge %"
    }
}
