/// Decides a file's type from its first bytes, never from a name or a client's Content-Type.
public enum MediaSniffer {
    /// What the first bytes say a file is.
    public struct Verdict: Sendable, Equatable {
        public var mime: String
        public var kind: Kind
    }

    /// The broad family of a file.
    public enum Kind: String, Sendable, Codable {
        case image, video, audio, other
    }

    /// How many leading bytes `sniff` wants to see.
    public static let headerLength = 64

    /// Sniffs a file's leading bytes (at least `headerLength` when the file is that long).
    public static func sniff(_ bytes: some Collection<UInt8>) -> Verdict {
        let b = Array(bytes.prefix(headerLength))
        func starts(_ prefix: [UInt8], at offset: Int = 0) -> Bool {
            b.count >= offset + prefix.count && Array(b[offset..<offset + prefix.count]) == prefix
        }
        func ascii(_ text: String, at offset: Int) -> Bool { starts(Array(text.utf8), at: offset) }

        if starts([0xFF, 0xD8, 0xFF]) { return Verdict(mime: "image/jpeg", kind: .image) }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return Verdict(mime: "image/png", kind: .image) }
        if ascii("GIF87a", at: 0) || ascii("GIF89a", at: 0) { return Verdict(mime: "image/gif", kind: .image) }
        if ascii("RIFF", at: 0) && ascii("WEBP", at: 8) { return Verdict(mime: "image/webp", kind: .image) }
        if ascii("RIFF", at: 0) && ascii("WAVE", at: 8) { return Verdict(mime: "audio/wav", kind: .audio) }
        if ascii("ftyp", at: 4) {
            let brand = b.count >= 12 ? String(decoding: b[8..<12], as: UTF8.self) : ""
            switch brand {
            case "M4A ", "M4B ": return Verdict(mime: "audio/mp4", kind: .audio)
            case "heic", "heix", "mif1", "msf1": return Verdict(mime: "image/heic", kind: .image)
            case "qt  ": return Verdict(mime: "video/quicktime", kind: .video)
            default: return Verdict(mime: "video/mp4", kind: .video)
            }
        }
        if starts([0x1A, 0x45, 0xDF, 0xA3]) { return Verdict(mime: "video/webm", kind: .video) }
        if ascii("OggS", at: 0) { return Verdict(mime: "audio/ogg", kind: .audio) }
        if ascii("fLaC", at: 0) { return Verdict(mime: "audio/flac", kind: .audio) }
        if ascii("ID3", at: 0) || (b.count >= 2 && b[0] == 0xFF && (b[1] & 0xE0) == 0xE0) {
            return Verdict(mime: "audio/mpeg", kind: .audio)
        }
        return Verdict(mime: "application/octet-stream", kind: .other)
    }
}
