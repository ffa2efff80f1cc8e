import CGMime
import Foundation

/// GMime's process-wide setup: `g_mime_init` once, and the parser options every parse shares.
///
/// The options are written once here and only read afterwards, so sharing them across threads is safe.
final class GMimeRuntime: @unchecked Sendable {
    static let shared = GMimeRuntime()

    /// Parser options with charset fallbacks, so raw 8-bit headers come out as UTF-8.
    let options: OpaquePointer

    /// Charsets tried, in order, for 8-bit header text that declares none.
    static let fallbackCharsets = ["UTF-8", "windows-1252"]

    private init() {
        g_mime_init()
        options = g_mime_parser_options_new()
        var names: [UnsafePointer<CChar>?] = Self.fallbackCharsets.map { UnsafePointer(strdup($0)) } + [nil]
        names.withUnsafeMutableBufferPointer { g_mime_parser_options_set_fallback_charsets(options, $0.baseAddress) }
        for name in names { free(UnsafeMutablePointer(mutating: name)) }
    }

    // Lives for the whole process; GMime's options are never freed.
}
