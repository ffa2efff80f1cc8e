public import Domain
public import Foundation

/// What the talent portal reads: the talent a session acts for, its accounts, its recent requests and its
/// approval queue. Every query runs in a tenant-scoped transaction (`withTenantTransaction`).
public struct PortalRepository: Sendable {
    public init() {}

    public struct Viewer: Sendable {
        public let userID: UUID
        public let isOperator: Bool
        public init(userID: UUID, isOperator: Bool) {
            self.userID = userID
            self.isOperator = isOperator
        }
    }

    public struct Talent: Sendable, Equatable, Decodable {
        public let id: UUID
        public let tenantID: UUID
        public let slug: String
        public let displayName: String
        public let operatorOverride: Bool
    }

    public struct RecentRequest: Sendable, Codable, Equatable {
        public let id: UUID
        public let createdAt: Date
        public let status: String
        public let source: String
        public let prompt: String?
        public let attachments: Int
    }

    public struct Snapshot: Sendable {
        public let talent: Talent
        public let accounts: [AccountSnapshot]
        public let lastUsed: [UUID]
        public let requests: [RecentRequest]
        public let groups: [ApprovalRepository.Group]
    }

    /// The talent a viewer acts for: one they own (talents), or any of the tenant's (operators); `slug` picks.
    public func talent(identity viewer: Viewer, slug: String?, on connection: PostgresConnection) throws -> Talent? {
        let rows = try connection.query(
            """
            SELECT id, tenant_id, slug, display_name, operator_override FROM talents
            WHERE ($1 OR owner_user_id = $2) AND ($3::text IS NULL OR slug = $3)
            ORDER BY display_name LIMIT 1
            """,
            [viewer.isOperator, viewer.userID, slug]
        )
        return try rows.first.map {
            try $0.decode(as: Talent.self)
        }
    }

    public func snapshot(talent: Talent, on connection: PostgresConnection) throws -> Snapshot {
        let talents = TalentRepository()
        let requests = try connection.query(
            """
            SELECT r.id, r.created_at, r.status, r.source, r.prompt_text AS prompt,
                   (SELECT count(*) FROM post_request_attachments a WHERE a.post_request_id = r.id)::int AS attachments
            FROM post_requests r WHERE r.talent_id = $1 ORDER BY r.created_at DESC LIMIT 10
            """,
            [talent.id]
        ).rows.map { try $0.decode(as: RecentRequest.self) }
        return Snapshot(
            talent: talent,
            accounts: try talents.accounts(talentID: talent.id, on: connection),
            lastUsed: try talents.lastTargetAccountIDs(talentID: talent.id, on: connection) ?? [],
            requests: requests,
            groups: try ApprovalRepository().groups(talentID: talent.id, on: connection)
        )
    }

    /// True when request `id` is one of the talent's.
    public func hasRequest(id: UUID, talentID: UUID, on connection: PostgresConnection) throws -> Bool {
        try !connection.query("SELECT 1 FROM post_requests WHERE id = $1 AND talent_id = $2", [id, talentID]).rows.isEmpty
    }

    /// The storage path and type of one of the talent's attachments (for previews).
    public func attachment(id: UUID, talentID: UUID, on connection: PostgresConnection) throws -> (path: String, mime: String)? {
        try connection.query(
            """
            SELECT a.storage_path, a.mime FROM post_request_attachments a JOIN post_requests r ON r.id = a.post_request_id
            WHERE a.id = $1 AND r.talent_id = $2
            """,
            [id, talentID]
        ).first.map { (try $0.decode("storage_path"), try $0.decode("mime")) }
    }
}
