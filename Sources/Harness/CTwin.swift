/// The naming convention that ties a C reference kernel to the Swift kernel it checks: the C
/// twin of `row-major` is `row-major-c`. Reports, the headline and `compare` read it; an
/// experiment declares its twins by this name (and the twin's ratio partner is the Swift kernel).
public enum CTwin {
    public static let suffix = "-c"

    /// Whether `variant` is a C twin (of any kernel).
    public static func isTwin(_ variant: String) -> Bool { variant.hasSuffix(suffix) }

    /// Whether `variant` is the C twin of `kernel`.
    public static func isTwin(_ variant: String, of kernel: String) -> Bool { variant == kernel + suffix }
}
