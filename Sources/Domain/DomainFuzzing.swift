/// The fuzz entry point for what intake decides from a file's own bytes and name, shared by `bench/fuzz`
/// and the regression test that replays what it found (`DomainFuzzRegressionTests`).
package enum DomainFuzzing {
    /// `media-sniff`: the bytes as a file's head through `MediaSniffer` (whole, and cut to every length up
    /// to `headerLength`, since uploads and emails may be shorter), and as a filename through
    /// `FilenameSanitizer`, whose promises are checked: never empty, at most `maximumBytes`, no directory
    /// part, no leading dot.
    package static func sniff(_ bytes: [UInt8]) {
        let verdict = MediaSniffer.sniff(bytes)
        guard verdict == MediaSniffer.sniff(bytes.prefix(MediaSniffer.headerLength)) else {
            fatalError("media-sniff: the verdict depends on bytes past the first \(MediaSniffer.headerLength)")
        }
        for length in 0..<min(bytes.count, MediaSniffer.headerLength) { _ = MediaSniffer.sniff(bytes.prefix(length)) }

        let name = FilenameSanitizer.sanitize(String(decoding: bytes, as: UTF8.self))
        guard !name.isEmpty, name.utf8.count <= FilenameSanitizer.maximumBytes, !name.contains("/"), !name.contains("\\"),
            !name.hasPrefix(".")
        else {
            fatalError("media-sniff: FilenameSanitizer returned \(name.debugDescription)")
        }
    }
}
