public import Domain
public import Foundation

/// Operators: the users of a tenant (`tenant_users`) with an `OperatorRole`, and tenants by slug.
public struct OperatorRepository: Sendable {
    public init() {}

    /// A tenant user as sign-in sees them.
    public struct Member: Sendable, Equatable {
        public let id: UUID
        public let tenantID: UUID
        /// The id a session token's `sub` carries (Supabase's user id).
        public let userID: UUID
        public let role: OperatorRole
        public let email: String?
        /// False when the tenant is suspended: its operators cannot sign in.
        public let tenantActive: Bool
    }

    /// The operator `userID` of the tenant in scope, or nil (a talent's own user is no operator). Run it in a tenant transaction
    /// (`withTenantTransaction`): row-level security then hides every other tenant's users.
    public func member(userID: UUID, on connection: PostgresConnection) throws -> Member? {
        try connection.query(
            """
            SELECT u.id, u.tenant_id, u.supabase_user_id, u.role, u.email, t.status = 'active' AS tenant_active
            FROM tenant_users u JOIN tenants t ON t.id = u.tenant_id
            WHERE u.supabase_user_id = $1 AND u.role <> 'talent'
            """,
            [userID]
        ).first.map(Self.decode)
    }

    /// The tenant whose slug (or id, written as a UUID) is `slugOrID`, or nil.
    public func tenant(slugOrID: String, on connection: PostgresConnection) throws -> UUID? {
        if let id = UUID(uuidString: slugOrID) {
            return try connection.query("SELECT id FROM tenants WHERE id = $1", [id]).first?.decode("id")
        }
        return try connection.query("SELECT id FROM tenants WHERE slug = lower($1)", [slugOrID]).first?.decode("id")
    }

    /// Finds the user of `tenantID` with `email` (giving them `role`), or without an email the oldest user with
    /// `role`; creates one when there is none. Returns the user.
    public func findOrCreate(tenantID: UUID, role: OperatorRole, email: String?, on connection: PostgresConnection) throws -> Member {
        let found: PostgresRow?
        if let email {
            found = try connection.query(
                """
                UPDATE tenant_users u SET role = $3 FROM tenants t
                WHERE u.tenant_id = $1 AND lower(u.email) = lower($2) AND t.id = u.tenant_id
                RETURNING u.id, u.tenant_id, u.supabase_user_id, u.role, u.email, t.status = 'active' AS tenant_active
                """,
                [tenantID, email, role.rawValue]
            ).first
        } else {
            found = try connection.query(
                """
                SELECT u.id, u.tenant_id, u.supabase_user_id, u.role, u.email, t.status = 'active' AS tenant_active
                FROM tenant_users u JOIN tenants t ON t.id = u.tenant_id
                WHERE u.tenant_id = $1 AND u.role = $2 ORDER BY u.created_at, u.id LIMIT 1
                """,
                [tenantID, role.rawValue]
            ).first
        }
        if let found { return try Self.decode(found) }
        return try Self.decode(
            try connection.query(
                """
                WITH made AS (
                    INSERT INTO tenant_users (tenant_id, supabase_user_id, email, role) VALUES ($1, gen_random_uuid(), $2, $3)
                    RETURNING id, tenant_id, supabase_user_id, role, email)
                SELECT made.*, t.status = 'active' AS tenant_active FROM made JOIN tenants t ON t.id = made.tenant_id
                """,
                [tenantID, email, role.rawValue]
            ).first!
        )
    }

    private static func decode(_ row: PostgresRow) throws -> Member {
        let raw: String = try row.decode("role")
        guard let role = OperatorRole(rawValue: raw) else { throw PostgresError.decodingFailed("unknown operator role '\(raw)'") }
        return Member(
            id: try row.decode("id"),
            tenantID: try row.decode("tenant_id"),
            userID: try row.decode("supabase_user_id"),
            role: role,
            email: try row.decodeIfPresent("email"),
            tenantActive: try row.decode("tenant_active")
        )
    }
}
