public import Domain
public import Foundation

/// The approval queue as talents see it, and the one place that moves a variant from state to state.
///
/// Every move runs in the caller's tenant-scoped transaction: the variant row is locked, the move is checked
/// against `ContentQueueState.allowedNext`, and its side effects (a `publish` job on approval, the reason
/// added to the talent's style notes on rejection, an event) commit with it or not at all.
public struct ApprovalRepository: Sendable {
    public init() {}

    /// A variant waiting for (or past) the talent's decision.
    public struct Variant: Sendable, Codable, Equatable {
        public let id: UUID
        public let postRequestID: UUID?
        public let platform: String
        public let handle: String
        public let state: String
        public let caption: String
        public let hashtags: [String]
        /// `ai_initiated`, `request_browser`, `request_email` or `request_operator`.
        public let origin: String
        public let scheduledFor: Date?
        public let rejectedReason: String?
        /// The first media attachment of the request, for a preview.
        public let mediaAttachmentID: UUID?
        public let mediaMime: String?
        /// `text`, `image`, `video` or `reel`: a reel is the composed file itself (what publishes).
        public let contentType: String
        /// Whether the variant posts a composed file (a reel, or a card picture: `contentType` says which).
        public let hasComposedAsset: Bool
        /// 1 for the first draft; each replacement drafted after a rejection counts up.
        public let version: Int
        /// Why moderation wants a human to look twice (`flagged: …`), if it does.
        public let moderationReason: String?
        /// Why publishing failed, or where the post is once published.
        public let publishError: String?
        public let externalURL: String?
    }

    /// A post idea: one request and its variants.
    public struct Group: Sendable, Codable, Equatable {
        public let postRequestID: UUID?
        public let prompt: String?
        public let createdAt: Date
        public let variants: [Variant]
    }

    /// Why a move was refused.
    public enum MoveError: Error, Equatable, CustomStringConvertible {
        case notFound
        case illegal(from: ContentQueueState, to: ContentQueueState)
        case reasonRequired
        case notEditable(ContentQueueState)

        public var description: String {
            switch self {
            case .notFound: "no such variant"
            case .illegal(let from, let to): "a variant that is \(from.rawValue) cannot become \(to.rawValue)"
            case .reasonRequired: "a rejection needs a reason"
            case .notEditable(let state): "a variant that is \(state.rawValue) can no longer be edited"
            }
        }
    }

    /// Variants awaiting approval (and recently decided ones), grouped by post request, newest first.
    public func groups(talentID: UUID, on connection: PostgresConnection) throws -> [Group] {
        let rows = try connection.query(
            """
            SELECT q.id, q.post_request_id, a.platform, a.handle, q.state, c.caption, c.hashtags, q.origin,
                   q.scheduled_for, q.rejected_reason, r.prompt_text, coalesce(r.created_at, q.created_at) AS created_at,
                   c.type AS content_type, \(ComposedAsset.condition) AS has_composed_asset,
                   q.version, c.moderation_reason, q.publish_error, q.external_url,
                   (SELECT pa.id FROM post_request_attachments pa WHERE pa.post_request_id = q.post_request_id
                      AND pa.role = 'media' AND (pa.mime LIKE 'image/%' OR pa.mime LIKE 'video/%') ORDER BY pa.position LIMIT 1) AS media_attachment_id,
                   (SELECT pa.mime FROM post_request_attachments pa WHERE pa.post_request_id = q.post_request_id
                      AND pa.role = 'media' AND (pa.mime LIKE 'image/%' OR pa.mime LIKE 'video/%') ORDER BY pa.position LIMIT 1) AS media_mime
            FROM content_queue q
            JOIN accounts a ON a.id = q.account_id
            JOIN content c ON c.id = q.content_id
            LEFT JOIN post_requests r ON r.id = q.post_request_id
            WHERE q.talent_id = $1
              AND (q.state = 'awaiting_owner_approval' OR q.updated_at > now() - interval '1 day')
            ORDER BY created_at DESC, q.post_request_id, a.platform, q.version DESC
            """,
            [talentID]
        )
        var groups: [Group] = []
        var current: (id: UUID?, prompt: String?, createdAt: Date, variants: [Variant])?
        for row in rows.rows {
            let variant = try row.decode(as: Variant.self)
            let requestID = variant.postRequestID
            if let open = current, open.id == requestID, requestID != nil {
                current?.variants.append(variant)
                _ = open
            } else {
                if let open = current {
                    groups.append(Group(postRequestID: open.id, prompt: open.prompt, createdAt: open.createdAt, variants: open.variants))
                }
                current = (requestID, try row.decodeIfPresent("prompt_text"), try row.decode("created_at"), [variant])
            }
        }
        if let open = current {
            groups.append(Group(postRequestID: open.id, prompt: open.prompt, createdAt: open.createdAt, variants: open.variants))
        }
        return groups
    }

    /// What a talent (or an operator acting for one) asks of a variant.
    public enum Action: Sendable, Equatable {
        case approve
        case reject(reason: String)
        /// A new caption, with moderation's flag on it if it has one (a blocked caption is never saved).
        case editCaption(String, flag: String? = nil)
        case reschedule(Date?)
    }

    /// Approves every variant of one request still awaiting the talent's approval; returns how many.
    public func approveAll(
        requestID: UUID,
        talentID: UUID,
        actorUserID: UUID,
        queue: JobQueue,
        on connection: PostgresConnection
    ) throws -> Int {
        let ids: [UUID] = try connection.query(
            "SELECT id FROM content_queue WHERE post_request_id = $1 AND talent_id = $2 AND state = 'awaiting_owner_approval'",
            [requestID, talentID]
        ).rows.map { try $0.decode("id") }
        for id in ids {
            try apply(.approve, variantID: id, talentID: talentID, actorUserID: actorUserID, queue: queue, on: connection)
        }
        return ids.count
    }

    /// Applies `action` to variant `id` of `talentID`; returns the variant's new state.
    @discardableResult
    public func apply(
        _ action: Action,
        variantID id: UUID,
        talentID: UUID,
        actorUserID: UUID,
        queue: JobQueue,
        on connection: PostgresConnection
    ) throws -> ContentQueueState {
        guard
            let row = try connection.query(
                "SELECT q.state, q.tenant_id, q.content_id, q.post_request_id, q.account_id, q.version FROM content_queue q WHERE q.id = $1 AND q.talent_id = $2 FOR UPDATE",
                [id, talentID]
            ).first
        else { throw MoveError.notFound }
        guard let state = ContentQueueState(rawValue: try row.decode("state")) else { throw MoveError.notFound }
        let tenantID: UUID = try row.decode("tenant_id")
        switch action {
        case .approve:
            guard state.canMove(to: .approved) else { throw MoveError.illegal(from: state, to: .approved) }
            try connection.query(
                "UPDATE content_queue SET state = 'approved', approved_by_user_id = $2, approved_at = now(), updated_at = now() WHERE id = $1",
                [id, actorUserID]
            )
            // The publish job runs at the variant's time (now when it has none); a later reschedule moves it.
            let scheduled: Date? = try connection.query("SELECT scheduled_for FROM content_queue WHERE id = $1", [id]).first?
                .decodeIfPresent("scheduled_for")
            _ = try queue.enqueue(
                JobQueue.NewJob(
                    kind: Self.publishJobKind,
                    payload: ["content_queue_id": id.uuidString.lowercased()],
                    tenantID: tenantID,
                    idempotencyKey: "publish:\(id.uuidString.lowercased()):\(UUID().uuidString.lowercased())",
                    runAfter: scheduled
                ),
                on: connection
            )
            try event("variant.approved", tenantID: tenantID, talentID: talentID, variantID: id, detail: nil, on: connection)
            return .approved
        case .reject(let reason):
            let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !reason.isEmpty else { throw MoveError.reasonRequired }
            guard state.canMove(to: .rejected) else { throw MoveError.illegal(from: state, to: .rejected) }
            try connection.query(
                "UPDATE content_queue SET state = 'rejected', rejected_reason = $2, updated_at = now() WHERE id = $1",
                [id, reason]
            )
            // The reason joins the talent's style notes, so the next drafts learn from it.
            try connection.query(
                """
                UPDATE talent_profile SET style_guide_md = style_guide_md
                    || CASE WHEN style_guide_md = '' THEN '' ELSE E'\\n' END || '- Rejected: ' || $2, updated_at = now()
                WHERE talent_id = $1
                """,
                [talentID, reason]
            )
            try event("variant.rejected", tenantID: tenantID, talentID: talentID, variantID: id, detail: reason, on: connection)
            // A variant of a request is drafted again for its account, reading the reason from the style guide.
            if try row.decodeIfPresent("post_request_id", as: UUID.self) != nil, try row.decode("version", as: Int.self) <= Self.maximumRegenerations {
                _ = try queue.enqueue(
                    JobQueue.NewJob(
                        kind: Self.regenerateJobKind,
                        payload: ["content_queue_id": id.uuidString.lowercased()],
                        tenantID: tenantID,
                        idempotencyKey: "regenerate:\(id.uuidString.lowercased())"
                    ),
                    on: connection
                )
            }
            return .rejected
        case .editCaption(let caption, let flag):
            let caption = caption.trimmingCharacters(in: .whitespacesAndNewlines)
            guard state == .awaitingOwnerApproval || state == .draft else { throw MoveError.notEditable(state) }
            guard !caption.isEmpty else { throw MoveError.notEditable(state) }
            try connection.query(
                "UPDATE content SET caption = $2, moderation_reason = $3 WHERE id = $1",
                [try row.decode("content_id", as: UUID.self), caption, flag.map { "flagged: \($0)" }]
            )
            try connection.query("UPDATE content_queue SET updated_at = now() WHERE id = $1", [id])
            try event("variant.caption_edited", tenantID: tenantID, talentID: talentID, variantID: id, detail: nil, on: connection)
            return state
        case .reschedule(let date):
            guard state == .awaitingOwnerApproval || state == .approved || state == .draft else { throw MoveError.notEditable(state) }
            try connection.query("UPDATE content_queue SET scheduled_for = $2, updated_at = now() WHERE id = $1", [id, date])
            // An approved variant's waiting publish job moves with it.
            try connection.query(
                """
                UPDATE jobs SET run_after = coalesce($2::timestamptz, now()), updated_at = now()
                WHERE kind = $3 AND status = 'pending' AND payload_json->>'content_queue_id' = $1::text
                """,
                [id.uuidString.lowercased(), date, Self.publishJobKind]
            )
            try event("variant.rescheduled", tenantID: tenantID, talentID: talentID, variantID: id, detail: date.map { "\($0)" }, on: connection)
            return state
        }
    }

    /// The job that publishes an approved variant (`PublishHandler`).
    public static let publishJobKind = "publish"

    /// The job that drafts a replacement for a rejected variant (`VariantRegenerationHandler`).
    public static let regenerateJobKind = "variant.regenerate"
    /// How many times one account's variant of one request is drafted again after rejections.
    public static let maximumRegenerations = 3

    private func event(_ kind: String, tenantID: UUID, talentID: UUID, variantID: UUID, detail: String?, on connection: PostgresConnection) throws {
        var payload = ["content_queue_id": variantID.uuidString.lowercased()]
        if let detail { payload["detail"] = detail }
        try connection.query(
            "INSERT INTO events (tenant_id, talent_id, kind, payload_json) VALUES ($1, $2, $3, $4::jsonb)",
            [tenantID, talentID, kind, try PostgresJSON(payload)]
        )
    }

    /// A variant's composed reel or card picture, if the talent owns the variant and it has one.
    public func composedAsset(queueID: UUID, talentID: UUID, on connection: PostgresConnection) throws -> ComposedAsset? {
        try ComposedAsset.find(where: "q.id = $1 AND q.talent_id = $2", [queueID, talentID], on: connection)
    }
}
