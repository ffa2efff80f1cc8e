public import Foundation

/// What operators do to the publisher (`/ops/publishing`, `/api`, `drsocial-intake accounts`): pause and resume
/// an account, retry a failed publish, and settle a publish whose outcome nobody knew after checking the
/// platform. Each action is one transaction; each leaves an event.
public struct PublishOperations: Sendable {
    let pool: PostgresPool
    let queue: JobQueue

    public init(pool: PostgresPool, queue: JobQueue) {
        self.pool = pool
        self.queue = queue
    }

    /// An account as operators see it.
    public struct Account: Sendable, Equatable, Encodable {
        public let id: UUID
        public let tenantID: UUID
        public let talent: String
        public let platform: String
        public let handle: String
        public let channel: String
        public let status: String
        public let pausedReason: String?
        public let postingSchedule: PostingSchedule
        /// Variants approved or queued and not yet published.
        public let waiting: Int
    }

    /// A variant the publisher could not finish alone: failed, or waiting for an operator's check.
    public struct Trouble: Sendable, Equatable, Codable {
        public let id: UUID
        public let postRequestID: UUID?
        public let platform: String
        public let handle: String
        public let state: String
        public let needsCheck: Bool
        public let error: String?
        public let updatedAt: Date
    }

    /// What an action did, for the JSON API.
    public struct Outcome: Sendable, Equatable, Encodable {
        public let id: UUID
        public let done: String
    }

    /// Refusals an operator can act on (404 for nothing there, 409 for the wrong state).
    public enum Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        case notFound(String)
        case conflict(String)

        public var description: String {
            switch self {
            case .notFound(let why), .conflict(let why): why
            }
        }
    }

    // MARK: Reading

    public func accounts(handle: String? = nil) async throws -> [Account] {
        try await pool.withConnection { connection in
            try connection.query(
                """
                SELECT a.id, a.tenant_id, t.slug AS talent, a.platform, a.handle, a.channel, a.status, a.paused_reason,
                       a.posting_schedule_json::text AS schedule,
                       (SELECT count(*)::int FROM content_queue q WHERE q.account_id = a.id AND q.state IN ('approved', 'queued')) AS waiting
                FROM accounts a JOIN talents t ON t.id = a.talent_id
                WHERE $1::text IS NULL OR a.handle = $1
                ORDER BY a.status <> 'paused', t.slug, a.platform
                """,
                [handle]
            ).rows.map { row in
                Account(
                    id: try row.decode("id"),
                    tenantID: try row.decode("tenant_id"),
                    talent: try row.decode("talent"),
                    platform: try row.decode("platform"),
                    handle: try row.decode("handle"),
                    channel: try row.decode("channel"),
                    status: try row.decode("status"),
                    pausedReason: try row.decodeIfPresent("paused_reason"),
                    postingSchedule: PostingSchedule(json: try row.decode("schedule")),
                    waiting: try row.decode("waiting")
                )
            }
        }
    }

    /// Failed publishes and those waiting for an operator's check, newest first.
    public func troubles(limit: Int = 100) async throws -> [Trouble] {
        try await pool.withConnection { connection in
            try connection.query(
                """
                SELECT q.id, q.post_request_id, a.platform, a.handle, q.state, q.needs_check, q.publish_error AS error, q.updated_at
                FROM content_queue q JOIN accounts a ON a.id = q.account_id
                WHERE q.state = 'failed' OR (q.needs_check AND q.state = 'queued')
                ORDER BY q.updated_at DESC LIMIT $1
                """,
                [limit]
            ).rows.map { try $0.decode(as: Trouble.self) }
        }
    }

    // MARK: Accounts

    /// Pauses an account: its publishes wait until it is resumed.
    public func pause(accountID: UUID, reason: String) async throws -> Outcome {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        let why = reason.isEmpty ? "paused by an operator" : "paused by an operator: \(reason)"
        return try await changeAccount(accountID, from: "active", done: "paused", payload: ["reason": why]) { connection in
            try connection.query("UPDATE accounts SET status = 'paused', paused_reason = $2 WHERE id = $1", [accountID, why])
        }
    }

    /// Resumes a paused account and wakes its waiting publishes at once.
    public func resume(accountID: UUID) async throws -> Outcome {
        try await changeAccount(accountID, from: "paused", done: "resumed") { connection in
            try connection.query("UPDATE accounts SET status = 'active', paused_reason = NULL WHERE id = $1", [accountID])
            try connection.query(
                """
                UPDATE content_queue SET publish_error = NULL, updated_at = now()
                WHERE account_id = $1 AND state IN ('approved', 'queued') AND publish_error LIKE 'waiting: %'
                """,
                [accountID]
            )
            try wakePublishes("q.account_id = $1", [accountID], on: connection)
        }
    }

    /// In one transaction: locks the account, refuses it unless its status is `expected`, applies `change`, and
    /// records the event `account.<done>` (with the account's id added to `payload`).
    private func changeAccount(
        _ accountID: UUID,
        from expected: String,
        done: String,
        payload: [String: String] = [:],
        _ change: @escaping @Sendable (PostgresConnection) throws -> Void
    ) async throws -> Outcome {
        try await pool.withTransaction { connection in
            let account = try lockAccount(accountID, on: connection)
            guard account.status == expected else { throw Refusal.conflict("the account is \(account.status), not \(expected)") }
            try change(connection)
            var payload = payload
            payload["account_id"] = accountID.uuidString.lowercased()
            try EventRepository().record(kind: "account.\(done)", tenantID: account.tenantID, payload: payload, on: connection)
            return Outcome(id: accountID, done: done)
        }
    }

    // MARK: Variants

    /// Publishes a failed variant again (`failed → queued`, a new publish job now).
    public func retry(variantID: UUID) async throws -> Outcome {
        try await pool.withTransaction { connection in
            let variant = try lockVariant(variantID, on: connection)
            guard variant.state == "failed" else { throw Refusal.conflict("only a failed publish can be retried; this variant is \(variant.state)") }
            try connection.query("UPDATE content_queue SET state = 'queued', publish_error = NULL, updated_at = now() WHERE id = $1", [variantID])
            try enqueuePublish(variantID, tenantID: variant.tenantID, on: connection)
            try EventRepository().record(
                kind: "publish.retried", tenantID: variant.tenantID, postRequestID: variant.postRequestID,
                payload: ["content_queue_id": variantID.uuidString.lowercased()], on: connection
            )
            return Outcome(id: variantID, done: "retrying")
        }
    }

    /// An operator checked the platform for a publish whose outcome nobody knew: with the post id they found, the
    /// variant is published; without one (nothing was posted), it goes out again.
    public func settleCheck(variantID: UUID, foundPostID: String?, url: String? = nil) async throws -> Outcome {
        let found = foundPostID?.trimmingCharacters(in: .whitespacesAndNewlines).nonEmpty
        return try await pool.withTransaction { connection in
            let variant = try lockVariant(variantID, on: connection)
            guard variant.needsCheck, variant.state == "queued" else { throw Refusal.conflict("variant \(variantID) is not waiting for a check") }
            try connection.query(
                "UPDATE publish_attempts SET finished_at = coalesce(finished_at, now()), outcome = $2, external_post_id = $3 WHERE content_queue_id = $1 AND (outcome IS NULL OR outcome = 'needs_check')",
                [variantID, found == nil ? "not_posted" : "operator_published", found]
            )
            if let found {
                try connection.query(
                    """
                    UPDATE content_queue SET state = 'published', needs_check = false, external_post_id = $2, external_url = $3,
                           published_at = now(), publish_error = NULL, updated_at = now()
                    WHERE id = $1
                    """,
                    [variantID, found, url]
                )
            } else {
                try connection.query("UPDATE content_queue SET needs_check = false, publish_error = NULL, updated_at = now() WHERE id = $1", [variantID])
                try enqueuePublish(variantID, tenantID: variant.tenantID, on: connection)
            }
            try EventRepository().record(
                kind: found == nil ? "publish.checked_not_posted" : "publish.checked_published", tenantID: variant.tenantID,
                postRequestID: variant.postRequestID,
                payload: ["content_queue_id": variantID.uuidString.lowercased(), "post_id": found ?? ""], on: connection
            )
            return Outcome(id: variantID, done: found == nil ? "publishing again" : "published")
        }
    }

    // MARK: Helpers

    private func lockAccount(_ id: UUID, on connection: PostgresConnection) throws -> (status: String, tenantID: UUID) {
        guard let row = try connection.query("SELECT status, tenant_id FROM accounts WHERE id = $1 FOR UPDATE", [id]).first else {
            throw Refusal.notFound("no account \(id)")
        }
        return (try row.decode("status"), try row.decode("tenant_id"))
    }

    private func lockVariant(_ id: UUID, on connection: PostgresConnection) throws -> (state: String, needsCheck: Bool, tenantID: UUID, postRequestID: UUID?) {
        guard let row = try connection.query("SELECT state, needs_check, tenant_id, post_request_id FROM content_queue WHERE id = $1 FOR UPDATE", [id]).first else {
            throw Refusal.notFound("no variant \(id)")
        }
        return (try row.decode("state"), try row.decode("needs_check"), try row.decode("tenant_id"), try row.decodeIfPresent("post_request_id"))
    }

    private func enqueuePublish(_ id: UUID, tenantID: UUID, on connection: PostgresConnection) throws {
        try queue.enqueue(
            JobQueue.NewJob(
                kind: ApprovalRepository.publishJobKind,
                payload: ["content_queue_id": id.uuidString.lowercased()],
                tenantID: tenantID,
                idempotencyKey: "publish:\(id.uuidString.lowercased()):\(UUID().uuidString.lowercased())"
            ),
            on: connection
        )
    }

    /// Moves the pending publish jobs of the matching variants to now and rings the workers.
    private func wakePublishes(_ condition: String, _ parameters: [(any PostgresEncodable)?], on connection: PostgresConnection) throws {
        try connection.query(
            """
            UPDATE jobs SET run_after = now(), updated_at = now()
            WHERE kind = '\(ApprovalRepository.publishJobKind)' AND status = 'pending' AND run_after > now()
              AND (payload_json->>'content_queue_id')::uuid IN (
                  SELECT q.id FROM content_queue q
                  WHERE \(condition) AND q.state IN ('approved', 'queued') AND (q.scheduled_for IS NULL OR q.scheduled_for <= now()))
            """,
            parameters
        )
        try connection.query("SELECT pg_notify($1, 'publish')", [JobQueue.notificationChannel])
    }
}

extension String {
    fileprivate var nonEmpty: String? { isEmpty ? nil : self }
}
