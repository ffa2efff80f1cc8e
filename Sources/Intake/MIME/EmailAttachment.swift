public import Foundation

/// A decoded attachment (or inline image) of an e-mail.
public struct EmailAttachment: Sendable, Equatable, Codable {
    /// The sender's file name, decoded (RFC 2231 / RFC 2047) and passed through `FilenameSanitizer`.
    public var filename: String
    /// The MIME type in lower case (`image/jpeg`).
    public var contentType: String
    /// The bytes after transfer decoding (base64, quoted-printable).
    public var data: Data
    /// True for a part shown in the body (`Content-Disposition: inline`, or a `Content-ID` without disposition).
    public var isInline: Bool
}
