import Foundation

/// What the store answered to `CompleteMultipartUpload` (`<CompleteMultipartUploadResult>`).
public struct S3CompletedUpload: Sendable, Equatable {
    /// The object's ETag (`md5-of-md5s-N`), without quotes.
    public var etag: String?
    /// The composite checksum (`base64-N`), when the store returned it.
    public var checksumSHA256: String?

    public init(etag: String?, checksumSHA256: String?) {
        self.etag = etag
        self.checksumSHA256 = checksumSHA256
    }

    init?(parsing body: Data) {
        guard let root = S3XMLElement.parse(body), root.name == "CompleteMultipartUploadResult" else { return nil }
        etag = root.value("ETag")?.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        checksumSHA256 = root.value("ChecksumSHA256")
    }
}
