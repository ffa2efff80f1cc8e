public import Foundation

/// A backend that posts to a platform for an account bound to it (`accounts.channel`): `mcp` (Composio's MCP
/// server in production) or `device` (a device hub). The publisher picks the channel by the account's binding
/// alone, never falling back to another.
public protocol PublishChannel: Sendable {
    /// `mcp` or `device`, as `accounts.channel` says.
    var name: String { get }
    /// Whether the backend takes media by URL (then a store that presigns hands it URLs instead of local
    /// files: nothing is fetched to this host for it).
    var takesMediaURLs: Bool { get }
    /// Posts once; throws a `PublishError` saying whether trying again could help.
    func publish(_ post: PublishRequest) async throws -> PublishReceipt
    /// Looks for a post this attempt may already have made (the daemon died before recording the answer):
    /// the receipt when the backend shows it, nil when it shows none. Throws `PublishError.cannotReconcile`
    /// when the backend has no way to look.
    func find(_ post: PublishRequest) async throws -> PublishReceipt?
}

/// What to post, for which account.
public struct PublishRequest: Sendable, Equatable {
    public var variantID: UUID
    public var platform: String
    public var handle: String
    /// Where the account's credential is kept (`accounts.vault_ref`), if anywhere.
    public var vaultRef: String?
    /// The account's credential, resolved from `vaultRef` by the publisher (nil without one): the MCP channel
    /// sends it instead of `MCP_API_KEY`, the device channel hands it to the hub as `{credential}`.
    public var credential: AccountCredential?
    public var caption: String
    public var hashtags: [String]
    /// The post's media (the composed reel or the attachment): local files, or presigned URLs for a channel
    /// that `takesMediaURLs` when the store can presign.
    public var media: [String]
    /// Unique per attempt: `<variant>:<job attempt>`.
    public var attemptKey: String

    public init(
        variantID: UUID,
        platform: String,
        handle: String,
        vaultRef: String?,
        caption: String,
        hashtags: [String],
        media: [String],
        attemptKey: String,
        credential: AccountCredential? = nil
    ) {
        self.variantID = variantID
        self.platform = platform
        self.handle = handle
        self.vaultRef = vaultRef
        self.caption = caption
        self.hashtags = hashtags
        self.media = media
        self.attemptKey = attemptKey
        self.credential = credential
    }

    /// The caption with its hashtags, as the platform shows it.
    public var text: String { hashtags.isEmpty ? caption : caption + "\n\n" + hashtags.joined(separator: " ") }
}

/// What the backend answered for a post that went out.
public struct PublishReceipt: Sendable, Equatable {
    public var postID: String
    public var url: String?
}
