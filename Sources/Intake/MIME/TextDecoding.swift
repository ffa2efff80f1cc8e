import Foundation

/// Turns bytes of unknown provenance into valid UTF-8 text.
enum TextDecoding {
    /// UTF-8 when the bytes are valid UTF-8, else Windows-1252 (a superset of Latin-1 for printable text).
    static func string(_ bytes: UnsafeRawBufferPointer) -> String {
        if let text = String(bytes: bytes, encoding: .utf8) { return text }
        if let text = String(bytes: bytes, encoding: .windowsCP1252) { return text }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func string(_ data: Data) -> String {
        data.withUnsafeBytes { string($0) }
    }

    /// A C string from GMime as valid UTF-8; nil stays nil.
    static func string(cString: UnsafePointer<CChar>?) -> String? {
        guard let cString else { return nil }
        return string(UnsafeRawBufferPointer(start: cString, count: strlen(cString)))
    }
}
