import Harness

extension PageFaults {
    /// The extra columns, each written in `prepare` and read back by the findings under this
    /// one name; the raw value is the label tables, CSV and JSON show.
    enum Column: String, ExtraKey {
        /// How much the process's RSS grew while the demo ran (reading, for read-zero-page).
        case rssGrowthMiB = "RSS +MiB"
        /// read-zero-page: the growth when the same pages are then written.
        case rssGrowthAfterWriteMiB = "RSS +MiB after write"
        /// first-touch-huge: AnonHugePages of the mapping in /proc/self/smaps.
        case anonHugePagesMiB = "AnonHugePages MiB"
        /// overcommit: the MAP_NORESERVE reservation.
        case reservedGiB = "reserved GiB"
    }
}
