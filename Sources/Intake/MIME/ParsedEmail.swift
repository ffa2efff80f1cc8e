public import Foundation

/// What intake needs from one e-mail: who sent it to whom, its text, and its attachments.
public struct ParsedEmail: Sendable, Equatable, Codable {
    /// The Message-ID without angle brackets (`photo-ig-tt.0001@example.com`), when present.
    public var messageID: String?
    /// The subject decoded to UTF-8 (encoded words, or raw 8-bit text in UTF-8 or Windows-1252); "" when absent.
    public var subject = ""
    /// The first mailbox of `From`.
    public var from: EmailAddress?
    public var to: [EmailAddress] = []
    public var cc: [EmailAddress] = []
    /// Every `Delivered-To` header's mailboxes, in header order.
    public var deliveredTo: [EmailAddress] = []
    /// `X-Original-To`.
    public var originalTo: [EmailAddress] = []
    /// `X-Forwarded-To`.
    public var forwardedTo: [EmailAddress] = []
    /// The `Date` header.
    public var date: Date?
    /// The first text/plain body part that is not an attachment; failing that the first text/html reduced to text.
    public var textBody = ""
    /// Kept attachments and inline images, in message order.
    public var attachments: [EmailAttachment] = []
    /// Attachments that were found but not kept.
    public var omitted: [OmittedAttachment] = []
    /// How many MIME entities the message has (the root, containers and leaves).
    public var partCount = 0

    /// Every recipient address (To, Cc, Delivered-To, X-Original-To, X-Forwarded-To), lower-cased, without repeats.
    public var allRecipients: [String] {
        var seen = Set<String>()
        return (to + cc + deliveredTo + originalTo + forwardedTo).map(\.normalized).filter { seen.insert($0).inserted }
    }
}
