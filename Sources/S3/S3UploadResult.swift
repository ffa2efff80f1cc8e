/// A whole object the writer stored.
public struct S3UploadResult: Sendable, Equatable {
    /// The key, relative to the configured prefix.
    public var key: String
    /// The whole object's SHA-256, lowercase hex, hashed as the bytes streamed through.
    public var sha256: String
    /// Its size in bytes.
    public var size: Int64
    /// How many parts it was sent in (1 for a single `PUT`).
    public var parts: Int
    /// The object's ETag, without quotes.
    public var etag: String?
}
