public import Domain
public import Foundation

/// What the publisher reads and writes: the variant it publishes with its account, the attempts recorded
/// around each backend call, and the moves `queued → published | failed`. Each call runs in the caller's
/// transaction; the publisher fences it on its job's claim.
public struct PublishRepository: Sendable {
    public init() {}

    /// An approved variant and the account it goes out on.
    public struct Target: Sendable, Equatable {
        public let queueID: UUID
        public let tenantID: UUID
        public let talentID: UUID
        public let postRequestID: UUID?
        public let state: ContentQueueState
        public let scheduledFor: Date?
        public let needsCheck: Bool
        public let accountID: UUID
        public let platform: String
        public let handle: String
        /// `mcp` or `device`: the only backend this account may use.
        public let channel: String
        public let accountStatus: String
        public let pausedReason: String?
        public let vaultRef: String?
        public let caption: String
        public let hashtags: [String]
        /// The media's blob path, if the post has media.
        public let assetPath: String?
    }

    /// The variant, locked for this transaction, or nil.
    public func target(queueID: UUID, on connection: PostgresConnection) throws -> Target? {
        guard
            let row = try connection.query(
                """
                SELECT q.id, q.tenant_id, q.talent_id, q.post_request_id, q.state, q.scheduled_for, q.needs_check,
                       a.id AS account_id, a.platform, a.handle, a.channel, a.status AS account_status, a.paused_reason, a.vault_ref,
                       c.caption, c.hashtags, c.asset_url
                FROM content_queue q JOIN accounts a ON a.id = q.account_id JOIN content c ON c.id = q.content_id
                WHERE q.id = $1 FOR UPDATE OF q
                """,
                [queueID]
            ).first
        else { return nil }
        return Target(
            queueID: try row.decode("id"),
            tenantID: try row.decode("tenant_id"),
            talentID: try row.decode("talent_id"),
            postRequestID: try row.decodeIfPresent("post_request_id"),
            state: ContentQueueState(rawValue: try row.decode("state")) ?? .draft,
            scheduledFor: try row.decodeIfPresent("scheduled_for"),
            needsCheck: try row.decode("needs_check"),
            accountID: try row.decode("account_id"),
            platform: try row.decode("platform"),
            handle: try row.decode("handle"),
            channel: try row.decode("channel"),
            accountStatus: try row.decode("account_status"),
            pausedReason: try row.decodeIfPresent("paused_reason"),
            vaultRef: try row.decodeIfPresent("vault_ref"),
            caption: try row.decode("caption"),
            hashtags: try row.decode("hashtags"),
            assetPath: try row.decodeIfPresent("asset_url")
        )
    }

    /// The key of an attempt that started and never recorded an outcome (its daemon died), if any.
    public func openAttempt(queueID: UUID, on connection: PostgresConnection) throws -> String? {
        try connection.query(
            "SELECT attempt_key FROM publish_attempts WHERE content_queue_id = $1 AND outcome IS NULL ORDER BY id LIMIT 1",
            [queueID]
        ).first?.decode("attempt_key")
    }

    /// Records an attempt as started (before the backend is called) and moves an approved variant to `queued`.
    public func startAttempt(_ target: Target, key: String, on connection: PostgresConnection) throws {
        try connection.query(
            "INSERT INTO publish_attempts (tenant_id, content_queue_id, account_id, attempt_key, channel) VALUES ($1, $2, $3, $4, $5)",
            [target.tenantID, target.queueID, target.accountID, key, target.channel]
        )
        try connection.query(
            "UPDATE content_queue SET state = 'queued', publish_error = NULL, updated_at = now() WHERE id = $1 AND state IN ('approved', 'failed')",
            [target.queueID]
        )
    }

    /// How an attempt ended: `published`, `soft_failure`, `hard_failure`, `failed`, `reconciled` or `needs_check`,
    /// with the screenshot (a blob path) and the step a failing device flow left.
    public func finishAttempt(
        key: String,
        outcome: String,
        postID: String? = nil,
        detail: String? = nil,
        screenshotPath: String? = nil,
        failedStep: String? = nil,
        on connection: PostgresConnection
    ) throws {
        try connection.query(
            """
            UPDATE publish_attempts SET finished_at = now(), outcome = $2, external_post_id = $3, detail = $4,
                   screenshot_path = $5, failed_step = $6
            WHERE attempt_key = $1
            """,
            [key, outcome, postID, detail, screenshotPath, failedStep]
        )
    }

    /// When the account's posting cap or spacing (`accounts.posting_schedule_json`: `max_per_day`,
    /// `min_gap_minutes`) lets this variant go next, if not now. Locks the account's row for the transaction,
    /// so two daemons claiming publishes of one account take turns and both see the other's attempt.
    public func cadenceHold(_ target: Target, now: Date = Date(), on connection: PostgresConnection) throws -> (until: Date, reason: String)? {
        guard
            let row = try connection.query("SELECT posting_schedule_json::text AS schedule FROM accounts WHERE id = $1 FOR UPDATE", [target.accountID])
                .first
        else { return nil }
        let schedule = PostingSchedule(json: try row.decode("schedule"))
        guard schedule.maxPerDay != nil || schedule.minGapMinutes != nil else { return nil }
        // Posts of the last day: attempts that posted, or whose outcome is still unknown (they may have).
        let recent = try connection.query(
            """
            SELECT count(DISTINCT content_queue_id)::int AS n, min(started_at) AS oldest, max(started_at) AS latest
            FROM publish_attempts
            WHERE account_id = $1 AND started_at > now() - interval '24 hours' AND content_queue_id <> $2
              AND (outcome IS NULL OR outcome IN ('published', 'reconciled', 'operator_published'))
            """,
            [target.accountID, target.queueID]
        ).first
        let count: Int = try recent?.decode("n") ?? 0
        if let gap = schedule.minGapMinutes, let latest: Date = try recent?.decodeIfPresent("latest") {
            let next = latest.addingTimeInterval(Double(gap) * 60)
            if next > now { return (next, "@\(target.handle) posts at most every \(gap) minutes") }
        }
        if let cap = schedule.maxPerDay, count >= cap, let oldest: Date = try recent?.decodeIfPresent("oldest") {
            return (oldest.addingTimeInterval(24 * 3600), "@\(target.handle) has posted \(count) of its \(cap) a day")
        }
        return nil
    }

    /// `queued → published`, with what the backend answered.
    public func markPublished(_ target: Target, postID: String, url: String?, on connection: PostgresConnection) throws {
        try connection.query(
            """
            UPDATE content_queue SET state = 'published', external_post_id = $2, external_url = $3, published_at = now(),
                   publish_error = NULL, updated_at = now()
            WHERE id = $1
            """,
            [target.queueID, postID, url]
        )
        try event("variant.published", target, ["post_id": postID, "url": url ?? ""], on: connection)
    }

    /// `→ failed` with the reason (through `queued` when the variant was still `approved`).
    public func markFailed(_ target: Target, reason: String, on connection: PostgresConnection) throws {
        try connection.query("UPDATE content_queue SET state = 'queued' WHERE id = $1 AND state = 'approved'", [target.queueID])
        try connection.query(
            "UPDATE content_queue SET state = 'failed', publish_error = $2, updated_at = now() WHERE id = $1 AND state = 'queued'",
            [target.queueID, reason]
        )
        try event("variant.publish_failed", target, ["reason": reason], on: connection)
    }

    /// An attempt whose outcome nobody knows and no lookup could settle: nothing is posted again until an
    /// operator has checked the platform.
    public func markNeedsCheck(_ target: Target, reason: String, on connection: PostgresConnection) throws {
        try connection.query(
            "UPDATE content_queue SET needs_check = true, publish_error = $2, updated_at = now() WHERE id = $1",
            [target.queueID, reason]
        )
        try event("publish.needs_check", target, ["reason": reason], on: connection)
    }

    /// A hard block from the backend: the account is paused with the reason, and its publishes wait (this one
    /// too: it stays `queued` with the reason and goes out once an operator resumes the account).
    public func pauseAccount(_ target: Target, reason: String, on connection: PostgresConnection) throws {
        try connection.query(
            "UPDATE accounts SET status = 'paused', paused_reason = $2 WHERE id = $1 AND status = 'active'",
            [target.accountID, reason]
        )
        try connection.query(
            "UPDATE content_queue SET publish_error = $2, updated_at = now() WHERE id = $1",
            [target.queueID, "waiting: the account was paused: \(reason)"]
        )
        try event("account.paused", target, ["reason": reason, "handle": target.handle], on: connection)
    }

    private func event(_ kind: String, _ target: Target, _ payload: [String: String], on connection: PostgresConnection) throws {
        var payload = payload
        payload["content_queue_id"] = target.queueID.uuidString.lowercased()
        payload["platform"] = target.platform
        try connection.query(
            "INSERT INTO events (tenant_id, talent_id, account_id, post_request_id, kind, payload_json) VALUES ($1, $2, $3, $4, $5, $6::jsonb)",
            [target.tenantID, target.talentID, target.accountID, target.postRequestID, kind, try PostgresJSON(payload)]
        )
    }
}
