/// Whether this kernel lets a mapping ask for transparent huge pages (MADV_HUGEPAGE), as
/// huge-pages and page-faults both need to know.
enum TransparentHugePages {
    /// Why huge pages cannot be asked for here, or nil when they can.
    static func unavailability(thpMode: String?) -> String? {
        switch thpMode {
        case nil: return "transparent huge pages are unavailable (no /sys/kernel/mm/transparent_hugepage/enabled)"
        case "never": return "transparent huge pages are 'never' (/sys/kernel/mm/transparent_hugepage/enabled)"
        default: return nil
        }
    }
}
