public import Domain
public import Foundation

/// One drafted variant: what ContentAgent proposes for one target account.
public struct DraftVariant: Sendable, Codable, Equatable {
    public var accountID: UUID
    public var platform: Platform
    public var handle: String
    public var caption: String
    public var hashtags: [String]
    /// The attachment used as the post's media, if any.
    public var assetAttachmentID: UUID?
    /// A composed reel (blob path) used as the post's media instead of an attachment.
    public var assetPath: String?
    /// `text`, `image`, `video` or `reel`.
    public var type: String
    /// Which agent wrote it (`offline-drafter/1`).
    public var generatedBy: String

    public init(
        accountID: UUID,
        platform: Platform,
        handle: String,
        caption: String,
        hashtags: [String],
        assetAttachmentID: UUID?,
        assetPath: String? = nil,
        type: String,
        generatedBy: String
    ) {
        self.assetPath = assetPath
        self.accountID = accountID
        self.platform = platform
        self.handle = handle
        self.caption = caption
        self.hashtags = hashtags
        self.assetAttachmentID = assetAttachmentID
        self.type = type
        self.generatedBy = generatedBy
    }
}
