/// An attachment that was found but not kept, and why.
public struct OmittedAttachment: Sendable, Equatable, Codable {
    /// The sanitised file name.
    public var filename: String
    /// The MIME type in lower case.
    public var contentType: String
    /// The decoded size (for an undecodable part, the encoded size).
    public var bytes: Int
    /// Why it was left out: "larger than the N-byte limit", "empty", "could not be decoded".
    public var reason: String
}
