public import Domain
public import Foundation

/// Talents, their profiles and accounts.
public struct TalentRepository: Sendable {
    public init() {}

    /// The talent with this slug, in any tenant (slugs are unique across tenants), or nil.
    public func talent(slug: String, on connection: PostgresConnection) throws -> TalentSnapshot? {
        try connection.query(Self.talentSelect + " WHERE t.slug = lower($1)", [slug]).first?.decode(as: TalentSnapshot.self)
    }

    /// The talent with this id, or nil.
    public func talent(id: UUID, on connection: PostgresConnection) throws -> TalentSnapshot? {
        try connection.query(Self.talentSelect + " WHERE t.id = $1", [id]).first?.decode(as: TalentSnapshot.self)
    }

    /// A talent with what drafting needs of its profile, one column a `TalentSnapshot` property. A brand kit
    /// that is not a JSON object reads as an empty one.
    static let talentSelect = """
        SELECT t.id, t.tenant_id, t.slug, t.display_name,
               coalesce(p.content_pillars, '{}') AS content_pillars,
               coalesce(p.hashtag_preferences, '{}') AS hashtag_preferences,
               coalesce(p.do_not_say, '{}') AS do_not_say,
               coalesce(p.style_guide_md, '') AS style_guide,
               coalesce(p.personality_md, '') AS persona,
               CASE WHEN jsonb_typeof(p.brand_kit_json) = 'object' THEN p.brand_kit_json ELSE '{}' END::text AS brand_kit,
               (SELECT b.storage_url FROM talent_assets b WHERE b.talent_id = t.id AND b.kind = 'bgm'
                ORDER BY b.created_at DESC LIMIT 1) AS music_bed_path
        FROM talents t LEFT JOIN talent_profile p ON p.talent_id = t.id
        """

    /// The talent's accounts, active ones first, in a stable order.
    public func accounts(talentID: UUID, on connection: PostgresConnection) throws -> [AccountSnapshot] {
        try connection.query(
            """
            SELECT id, platform, handle, channel, status FROM accounts
            WHERE talent_id = $1 ORDER BY (status = 'active') DESC, platform, handle
            """,
            [talentID]
        ).rows.map { try $0.decode(as: AccountSnapshot.self) }
    }

    /// The accounts the talent chose last time, if any.
    public func lastTargetAccountIDs(talentID: UUID, on connection: PostgresConnection) throws -> [UUID]? {
        try connection.query("SELECT last_target_account_ids FROM talents WHERE id = $1", [talentID])
            .first?.decodeIfPresent("last_target_account_ids")
    }

    /// Remembers the talent's selection for the next request that names none.
    public func rememberTargets(talentID: UUID, accountIDs: [UUID], on connection: PostgresConnection) throws {
        try connection.query("UPDATE talents SET last_target_account_ids = $2 WHERE id = $1", [talentID, accountIDs])
    }
}
