import Foundation

/// Makes a client- or sender-chosen filename safe to show and to keep as metadata.
///
/// Storage paths never use it (blobs are content-addressed); it only guards what we display and record.
public enum FilenameSanitizer {
    /// The longest name kept, in UTF-8 bytes.
    public static let maximumBytes = 120

    /// Drops any directory part, control and path characters, and leading dots; bounds the length.
    ///
    /// ```swift
    /// FilenameSanitizer.sanitize("../../etc/passwd") // "passwd"
    /// ```
    public static func sanitize(_ raw: String, fallback: String = "attachment") -> String {
        // Split on scalars, not characters: a "/" followed by a combining mark is one character that is not "/"
        // (found by bench/fuzz media-sniff).
        let lastComponent = raw.unicodeScalars.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last
            .map { String(String.UnicodeScalarView($0)) } ?? ""
        var cleaned = String(
            String.UnicodeScalarView(
                lastComponent.unicodeScalars.filter { scalar in
                    !(scalar.properties.generalCategory == .control || scalar.properties.generalCategory == .format)
                        && !":*?\"<>|".unicodeScalars.contains(scalar)
                }
            )
        )
        cleaned = cleaned.trimmingCharacters(in: .whitespaces)
        while cleaned.hasPrefix(".") { cleaned.removeFirst() }
        if cleaned.isEmpty { return fallback }
        if cleaned.utf8.count <= maximumBytes { return cleaned }
        // Keep the extension when shortening.
        let ext = cleaned.split(separator: ".").count > 1 ? String(cleaned.split(separator: ".").last!) : ""
        let keepExt = !ext.isEmpty && ext.utf8.count <= 10
        var stem = keepExt ? String(cleaned.dropLast(ext.count + 1)) : cleaned
        let budget = maximumBytes - (keepExt ? ext.utf8.count + 1 : 0)
        // Shorten by scalars, not characters: one character may be hundreds of bytes (a letter and its
        // combining marks), and dropping it whole could leave nothing but ".ext" (found by bench/fuzz media-sniff).
        while stem.utf8.count > budget { stem.unicodeScalars.removeLast() }
        return keepExt ? "\(stem).\(ext)" : stem
    }
}
