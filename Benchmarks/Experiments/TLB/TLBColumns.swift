import Harness

extension TLB {
    /// The extra column, written in `prepare`; the raw value is the label tables, CSV and JSON show.
    enum Column: String, ExtraKey {
        /// Distinct 4 KiB pages one pass touches.
        case pages
    }
}
