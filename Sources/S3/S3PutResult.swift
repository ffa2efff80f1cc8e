/// What the store answered to a single `PUT`.
public struct S3PutResult: Sendable, Equatable {
    /// The object's ETag, without quotes.
    public var etag: String?
    /// The base64 SHA-256 the store acknowledged (`x-amz-checksum-sha256` of its answer).
    public var checksumSHA256: String?

    public init(etag: String?, checksumSHA256: String?) {
        self.etag = etag
        self.checksumSHA256 = checksumSHA256
    }
}
