public import Foundation

/// A multipart upload the store holds open: started, not yet completed or aborted.
public struct S3MultipartUpload: Sendable, Equatable {
    /// The key, relative to the configured prefix.
    public var key: String
    public var uploadID: String
    /// When it was started, as the store says (nil when the answer had no readable date).
    public var initiated: Date?
}
