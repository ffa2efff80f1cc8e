public import Domain
public import Foundation

/// Creates tenants, talents, profiles and accounts: the demo tenant, and fixtures in tests.
public struct TenantSeeder: Sendable {
    /// A talent to create with its profile and accounts.
    public struct TalentSpec: Sendable {
        public var slug: String
        public var displayName: String
        public var ownerUserID: UUID
        public var contentPillars: [String]
        public var hashtagPreferences: [String]
        public var doNotSay: [String]
        public var accounts: [(platform: Platform, handle: String, channel: String)]

        public init(
            slug: String,
            displayName: String,
            ownerUserID: UUID = UUID(),
            contentPillars: [String] = [],
            hashtagPreferences: [String] = [],
            doNotSay: [String] = [],
            accounts: [(platform: Platform, handle: String, channel: String)]
        ) {
            self.slug = slug
            self.displayName = displayName
            self.ownerUserID = ownerUserID
            self.contentPillars = contentPillars
            self.hashtagPreferences = hashtagPreferences
            self.doNotSay = doNotSay
            self.accounts = accounts
        }
    }

    public init() {}

    /// Creates a tenant (with a short name for the command line, `slug`, if given) and returns its id.
    public func createTenant(name: String, slug: String? = nil, on connection: PostgresConnection) throws -> UUID {
        try connection.query("INSERT INTO tenants (name, slug) VALUES ($1, $2) RETURNING id", [name, slug]).first!.decode("id")
    }

    /// The tenant with this name, if one exists.
    public func tenant(named name: String, on connection: PostgresConnection) throws -> UUID? {
        try connection.query("SELECT id FROM tenants WHERE name = $1 ORDER BY created_at LIMIT 1", [name]).first?.decode("id")
    }

    /// Creates a talent with its profile and accounts; returns the talent's id.
    public func createTalent(_ spec: TalentSpec, tenantID: UUID, on connection: PostgresConnection) throws -> UUID {
        // The owner first: `talents.owner_user_id` references the tenant's users.
        try connection.query(
            "INSERT INTO tenant_users (tenant_id, supabase_user_id, role) VALUES ($1, $2, 'talent') ON CONFLICT DO NOTHING",
            [tenantID, spec.ownerUserID]
        )
        let talentID: UUID = try connection.query(
            """
            INSERT INTO talents (tenant_id, slug, display_name, owner_user_id, primary_email)
            VALUES ($1, $2, $3, $4, $5) RETURNING id
            """,
            [tenantID, spec.slug, spec.displayName, spec.ownerUserID, "\(spec.slug)@example.com"]
        ).first!.decode("id")
        try connection.query(
            """
            INSERT INTO talent_profile (talent_id, tenant_id, content_pillars, hashtag_preferences, do_not_say)
            VALUES ($1, $2, $3, $4, $5)
            """,
            [talentID, tenantID, spec.contentPillars, spec.hashtagPreferences, spec.doNotSay]
        )
        for account in spec.accounts {
            try connection.query(
                "INSERT INTO accounts (tenant_id, talent_id, platform, handle, channel) VALUES ($1, $2, $3, $4, $5)",
                [tenantID, talentID, account.platform.rawValue, account.handle, account.channel]
            )
        }
        return talentID
    }
}
