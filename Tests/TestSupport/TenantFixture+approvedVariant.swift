public import Domain
public import Foundation
public import Store

extension TenantFixture {
    /// The fixture's account on `platform`.
    public func account(_ platform: Platform) -> AccountSnapshot { accounts.first { $0.platform == platform }! }

    /// The talent's owner (`talents.owner_user_id`, one of the tenant's users), whose session is the talent's.
    public func owner(on connection: PostgresConnection) throws -> UUID {
        try connection.query("SELECT owner_user_id FROM talents WHERE id = $1", [talentID]).first!.decode("owner_user_id")
    }

    /// An approved variant for `account` with hashtag `#Studio`, approved the way the portal approves (which
    /// queues its publish job at `scheduled`). `assetPath` is the blob of its media, if any.
    public func approvedVariant(
        on pool: PostgresPool,
        queue: JobQueue,
        account: AccountSnapshot,
        caption: String,
        assetPath: String? = nil,
        scheduled: Date? = nil
    ) async throws -> UUID {
        try await pool.withTransaction { connection in
            let content: UUID = try connection.query(
                """
                INSERT INTO content (tenant_id, talent_id, hash, type, asset_url, caption, hashtags, generated_by, moderated)
                VALUES ($1, $2, $3, $4, $5, $6, '{#Studio}', 'test', true) RETURNING id
                """,
                [tenantID, talentID, UUID().uuidString, assetPath == nil ? "text" : "image", assetPath, caption]
            ).first!.decode("id")
            let id: UUID = try connection.query(
                """
                INSERT INTO content_queue (tenant_id, talent_id, account_id, content_id, origin, state, scheduled_for)
                VALUES ($1, $2, $3, $4, 'ai_initiated', 'awaiting_owner_approval', $5) RETURNING id
                """,
                [tenantID, talentID, account.id, content, scheduled]
            ).first!.decode("id")
            // Approved by the talent's owner, one of the tenant's users as the database requires.
            let owner = try owner(on: connection)
            try ApprovalRepository().apply(.approve, variantID: id, talentID: talentID, actorUserID: owner, queue: queue, on: connection)
            return id
        }
    }
}
