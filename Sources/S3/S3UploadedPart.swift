import Crypto
import Foundation

/// A part the store accepted, as `CompleteMultipartUpload` needs it.
public struct S3UploadedPart: Sendable, Equatable {
    /// 1 to 10 000.
    public var partNumber: Int
    /// The part's ETag, without quotes.
    public var etag: String
    /// The part's SHA-256, base64, as declared and acknowledged.
    public var checksumSHA256: String?

    /// The checksum S3 keeps for an object made of these parts (a "composite" checksum): the base64 SHA-256 of
    /// the parts' SHA-256 digests one after the other, then `-` and the number of parts. Nil when a part has
    /// no checksum.
    public static func compositeChecksum(of parts: [S3UploadedPart]) -> String? {
        var hasher = SHA256()
        for part in parts.sorted(by: { $0.partNumber < $1.partNumber }) {
            guard let text = part.checksumSHA256, let digest = Data(base64Encoded: text), digest.count == 32 else { return nil }
            hasher.update(data: digest)
        }
        return "\(Data(hasher.finalize()).base64EncodedString())-\(parts.count)"
    }
}
