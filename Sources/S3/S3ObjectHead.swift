/// What `HEAD` says about an object.
public struct S3ObjectHead: Sendable, Equatable {
    /// Its size in bytes.
    public var size: Int64
    /// Its ETag, without quotes.
    public var etag: String?
    /// Its SHA-256 checksum as the store keeps it (asked for with `checksumMode`): base64 for a single `PUT`,
    /// `base64-N` for an N-part upload (the SHA-256 of the parts' SHA-256s).
    public var checksumSHA256: String?
}
