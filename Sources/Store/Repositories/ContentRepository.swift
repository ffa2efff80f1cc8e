public import Domain
public import Foundation

/// Drafted content and the shared approval queue.
public struct ContentRepository: Sendable {
    public init() {}

    /// A drafted variant to put in front of the talent.
    public struct NewVariant: Sendable {
        public var tenantID: UUID
        public var talentID: UUID
        public var accountID: UUID
        public var postRequestID: UUID
        public var origin: String
        public var type: String
        public var assetURL: String?
        public var caption: String
        public var hashtags: [String]
        public var generatedBy: String
        public var moderated: Bool
        public var moderationReason: String?

        public init(
            tenantID: UUID,
            talentID: UUID,
            accountID: UUID,
            postRequestID: UUID,
            origin: String,
            type: String,
            assetURL: String?,
            caption: String,
            hashtags: [String],
            generatedBy: String,
            moderated: Bool,
            moderationReason: String?
        ) {
            self.tenantID = tenantID
            self.talentID = talentID
            self.accountID = accountID
            self.postRequestID = postRequestID
            self.origin = origin
            self.type = type
            self.assetURL = assetURL
            self.caption = caption
            self.hashtags = hashtags
            self.generatedBy = generatedBy
            self.moderated = moderated
            self.moderationReason = moderationReason
        }

        /// A stable hash of what the variant says and shows.
        var hash: String {
            let text = [caption, hashtags.joined(separator: " "), assetURL ?? "", type].joined(separator: "\u{1F}")
            let value = text.utf8.reduce(UInt64(14_695_981_039_346_656_037)) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 }
            return String(value, radix: 16)
        }
    }

    /// Locks the request's row so concurrent enqueues for it run one after the other.
    public func lockRequest(_ requestID: UUID, on connection: PostgresConnection) throws {
        try connection.query("SELECT 1 FROM post_requests WHERE id = $1 FOR UPDATE", [requestID])
    }

    /// What `enqueueVariant` did.
    public enum EnqueueOutcome: Sendable, Equatable {
        /// A new queue row, awaiting the owner's approval.
        case created(UUID)
        /// The account's row was still awaiting approval and now shows the new content (a rerun).
        case replaced(UUID)
        /// The account's row already shows this content (a retried run).
        case unchanged(UUID)
        /// The account's row has moved on (approved, rejected, queued, published, failed): left alone.
        case kept(UUID, ContentQueueState)
    }

    /// Stores a variant that passed moderation and its queue row awaiting the owner's approval. An account
    /// holds one open version per request: a version still awaiting approval is pointed at the new content (the
    /// old content row stays, as history); a version the talent or the publisher has moved on is never touched.
    /// When `regenerating` and the latest version was rejected, a new version replacing it is created (the
    /// rejected one stays, with its reason). Call `lockRequest` first in the same transaction.
    public func enqueueVariant(_ variant: NewVariant, regenerating: Bool = false, on connection: PostgresConnection) throws -> EnqueueOutcome {
        precondition(variant.moderated, "blocked variants never reach the approval queue")
        var version = 1
        var replaces: UUID?
        if let existing = try connection.query(
            """
            SELECT q.id, q.state, q.version, c.hash FROM content_queue q JOIN content c ON c.id = q.content_id
            WHERE q.post_request_id = $1 AND q.account_id = $2 ORDER BY q.version DESC LIMIT 1
            """,
            [variant.postRequestID, variant.accountID]
        ).first {
            let id: UUID = try existing.decode("id")
            let state = ContentQueueState(rawValue: try existing.decode("state")) ?? .draft
            if state == .rejected && regenerating {
                version = try existing.decode("version", as: Int.self) + 1
                replaces = id
            } else {
                guard state == .awaitingOwnerApproval else { return .kept(id, state) }
                let hash: String = try existing.decode("hash")
                if hash == variant.hash { return .unchanged(id) }
                let contentID = try insertContent(variant, on: connection)
                try connection.query(
                    "UPDATE content_queue SET content_id = $2, updated_at = now() WHERE id = $1 AND state = 'awaiting_owner_approval'",
                    [id, contentID]
                )
                return .replaced(id)
            }
        }
        let contentID = try insertContent(variant, on: connection)
        return .created(
            try connection.query(
                """
                INSERT INTO content_queue (tenant_id, talent_id, account_id, content_id, origin, post_request_id, state, version, replaces_id)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id
                """,
                [
                    variant.tenantID, variant.talentID, variant.accountID, contentID, variant.origin, variant.postRequestID,
                    ContentQueueState.awaitingOwnerApproval.rawValue, version, replaces,
                ]
            ).first!.decode("id")
        )
    }

    private func insertContent(_ variant: NewVariant, on connection: PostgresConnection) throws -> UUID {
        try connection.query(
            """
            INSERT INTO content (tenant_id, talent_id, hash, type, asset_url, caption, hashtags, generated_by, moderated, moderation_reason)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id
            """,
            [
                variant.tenantID, variant.talentID, variant.hash, variant.type, variant.assetURL, variant.caption,
                variant.hashtags, variant.generatedBy, variant.moderated, variant.moderationReason,
            ]
        ).first!.decode("id")
    }
}
