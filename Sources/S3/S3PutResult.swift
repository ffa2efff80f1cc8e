import Foundation

/// What the store answered when an object was written: a single `PUT`, or `CompleteMultipartUpload`
/// (`<CompleteMultipartUploadResult>`).
public struct S3PutResult: Sendable, Equatable {
    /// The object's ETag, without quotes (`md5-of-md5s-N` for a multipart upload).
    public var etag: String?
    /// The base64 SHA-256 the store acknowledged (`x-amz-checksum-sha256` of a `PUT`'s answer), or a multipart
    /// upload's composite checksum (`base64-N`), when the store returned it.
    public var checksumSHA256: String?

    public init(etag: String?, checksumSHA256: String?) {
        self.etag = etag
        self.checksumSHA256 = checksumSHA256
    }

    /// The answer to `CompleteMultipartUpload`; nil when the body is not one.
    init?(parsing body: Data) {
        guard let root = S3XMLElement.parse(body), root.name == "CompleteMultipartUploadResult" else { return nil }
        etag = root.value("ETag")?.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        checksumSHA256 = root.value("ChecksumSHA256")
    }
}
