import CPAPI

/// A failed PAPI call: the call's name, PAPI's return code and PAPI's own text for it
/// (`PAPI_strerror`).
public struct PAPIError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The PAPI return code (`PAPI_ENOEVNT` is -7, `PAPI_EPERM` is -15, …).
    public let code: Int32
    /// The C function that failed, for example `PAPI_add_named_event`.
    public let call: String
    /// PAPI's message for `code`, from `PAPI_strerror`.
    public let message: String

    public init(code: Int32, call: String) {
        self.code = code
        self.call = call
        self.message = PAPIError.text(for: code)
    }

    /// `PAPI_strerror(code)`, or a fallback when PAPI has no text for it.
    public static func text(for code: Int32) -> String {
        guard let text = PAPI_strerror(code) else { return "PAPI error \(code)" }
        return String(cString: text)
    }

    public var description: String { "\(call): \(message) (PAPI \(code))" }

    /// Throws unless `code` is `PAPI_OK`.
    @inline(__always)
    static func check(_ code: Int32, _ call: String) throws {
        if code != PAPI_OK { throw PAPIError(code: code, call: call) }
    }

    public static var eventDoesNotExist: Int32 { PAPI_ENOEVNT }
    public static var permissionDenied: Int32 { PAPI_EPERM }
    public static var counterConflict: Int32 { PAPI_ECNFLCT }
    public static var systemCallFailed: Int32 { PAPI_ESYS }
    public static var notSupportedByComponent: Int32 { PAPI_ECMP }
}
