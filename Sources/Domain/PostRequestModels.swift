public import Foundation

/// Where a post request came from.
public enum PostRequestSource: String, Sendable, Codable, CaseIterable {
    case browser
    case email
    /// Filed by an operator from the terminal (`drsocial-intake submit`).
    case `operator`

    /// The `content_queue.origin` value for variants drafted from such a request.
    public var queueOrigin: String { "request_\(rawValue)" }
}

/// The life of a post request: received → analyzing → drafting → complete, or failed.
public enum PostRequestStatus: String, Sendable, Codable, CaseIterable {
    case received
    case analyzing
    case drafting
    case complete
    case failed

    /// Whether the request has finished, one way or the other.
    public var isFinal: Bool { self == .complete || self == .failed }
}

/// What an attachment is for.
public enum AttachmentRole: String, Sendable, Codable {
    /// Media to analyse and use in the post.
    case media
    /// A voice memo whose transcript may become the prompt.
    case voiceMemo = "voice_memo"
}

/// A talent as the pipeline sees it.
public struct TalentSnapshot: Sendable, Codable, Equatable {
    public var id: UUID
    public var tenantID: UUID
    public var slug: String
    public var displayName: String
    public var contentPillars: [String]
    public var hashtagPreferences: [String]
    public var doNotSay: [String]
    public var styleGuide: String
    /// Who the talent is and how they speak (`talent_profile.personality_md`); nil in snapshots taken
    /// before it was read.
    public var persona: String?
    /// The brand kit (`talent_profile.brand_kit_json`): colours and font of text cards.
    public var brandKit: BrandKit?
    /// The blob path of the talent's music bed (their latest `talent_assets` row of kind `bgm`), if any.
    public var musicBedPath: String?

    public init(
        id: UUID,
        tenantID: UUID,
        slug: String,
        displayName: String,
        contentPillars: [String] = [],
        hashtagPreferences: [String] = [],
        doNotSay: [String] = [],
        styleGuide: String = "",
        persona: String? = nil,
        brandKit: BrandKit? = nil,
        musicBedPath: String? = nil
    ) {
        self.musicBedPath = musicBedPath
        self.persona = persona
        self.brandKit = brandKit
        self.id = id
        self.tenantID = tenantID
        self.slug = slug
        self.displayName = displayName
        self.contentPillars = contentPillars
        self.hashtagPreferences = hashtagPreferences
        self.doNotSay = doNotSay
        self.styleGuide = styleGuide
    }
}

/// One connected account of a talent.
public struct AccountSnapshot: Sendable, Codable, Equatable {
    public var id: UUID
    public var platform: Platform
    public var handle: String
    public var channel: String
    public var status: String

    public init(id: UUID, platform: Platform, handle: String, channel: String, status: String = "active") {
        self.id = id
        self.platform = platform
        self.handle = handle
        self.channel = channel
        self.status = status
    }
}

/// A stored attachment of a post request.
public struct AttachmentSnapshot: Sendable, Codable, Equatable {
    public var id: UUID
    public var filename: String
    public var storagePath: String
    public var mime: String
    public var bytes: Int64
    public var sha256: String
    public var role: AttachmentRole

    public init(
        id: UUID,
        filename: String,
        storagePath: String,
        mime: String,
        bytes: Int64,
        sha256: String,
        role: AttachmentRole = .media
    ) {
        self.id = id
        self.filename = filename
        self.storagePath = storagePath
        self.mime = mime
        self.bytes = bytes
        self.sha256 = sha256
        self.role = role
    }
}

/// A post request as the pipeline sees it.
public struct PostRequestSnapshot: Sendable, Codable, Equatable {
    public var id: UUID
    public var tenantID: UUID
    public var talentID: UUID
    public var source: PostRequestSource
    public var promptText: String?
    public var targetAccountIDs: [UUID]
    public var status: PostRequestStatus

    public init(
        id: UUID,
        tenantID: UUID,
        talentID: UUID,
        source: PostRequestSource,
        promptText: String?,
        targetAccountIDs: [UUID],
        status: PostRequestStatus
    ) {
        self.id = id
        self.tenantID = tenantID
        self.talentID = talentID
        self.source = source
        self.promptText = promptText
        self.targetAccountIDs = targetAccountIDs
        self.status = status
    }
}
