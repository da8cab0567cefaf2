import Harness

extension Layout {
    /// The extra columns, measured in the heap as each structure is built (`LayoutShape`) and
    /// read back by the findings under this one name; the raw value is the label tables, CSV
    /// and JSON show.
    enum Column: String, ExtraKey {
        /// Heap bytes per element, glibc's chunk headers and padding included.
        case bytesPerElement = "B/elem"
        /// Distinct pages the structure occupies.
        case pages
        /// How often a walk crosses to another page, per element.
        case pageSwitchesPerElement = "page switch/elem"
        /// Time to build the structure.
        case setupMilliseconds = "setup ms"

        var isTime: Bool { self == .setupMilliseconds }
    }
}
