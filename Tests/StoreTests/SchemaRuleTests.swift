import Domain
import Foundation
import Store
import TestSupport
import Testing

/// The rules `0012_schema_rules.sql` puts in the database: refused whoever writes, even the owner role.
@Suite(.enabled(if: TestEnvironment.available(TestEnvironment.hasDatabase)))
struct SchemaRuleTests {
    @Test func anEventNamingATalentAccountOrRequestCarriesTheTenant() async throws {
        let pool = try await TestDatabase.shared.pool()
        let a = try await TenantFixture.make(on: pool)
        for (column, value) in [("talent_id", a.talentID), ("account_id", a.accounts[0].id)] {
            let error = await #expect(throws: PostgresError.self) {
                try await pool.withConnection {
                    try $0.query("INSERT INTO events (kind, \(column)) VALUES ('test.orphan', $1)", [value])
                }
            }
            #expect(error?.isCheckViolation == true, "\(column): \(String(describing: error))")
        }
        // A tenant's event naming its own talent, and an event naming nothing (refused mail), are fine.
        try await pool.withConnection { connection in
            try connection.query("INSERT INTO events (kind, tenant_id, talent_id) VALUES ('test.ok', $1, $2)", [a.tenantID, a.talentID])
            try connection.query("INSERT INTO events (kind) VALUES ('test.nobody')")
        }
    }

    @Test func aJobNamingARequestCarriesItsTenantAndNoOther() async throws {
        let pool = try await TestDatabase.shared.pool()
        let a = try await TenantFixture.make(on: pool)
        let b = try await TenantFixture.make(on: pool)
        let request: UUID = try await pool.withConnection {
            try $0.query(
                "INSERT INTO post_requests (tenant_id, talent_id, source, target_account_ids) VALUES ($1, $2, 'operator', $3) RETURNING id",
                [a.tenantID, a.talentID, [a.accounts[0].id]]
            ).first!.decode("id")
        }
        let queue = JobQueue(pool: pool)
        let payload = ["post_request_id": request.uuidString]
        let untenanted = await #expect(throws: PostgresError.self) {
            try await queue.enqueue(.init(kind: "test.rule", payload: payload))
        }
        #expect(untenanted?.isCheckViolation == true, "\(String(describing: untenanted))")
        let elsewhere = await #expect(throws: PostgresError.self) {
            try await queue.enqueue(.init(kind: "test.rule", payload: payload, tenantID: b.tenantID))
        }
        #expect(elsewhere?.isForeignKeyViolation == true, "\(String(describing: elsewhere))")
        let unknown = await #expect(throws: PostgresError.self) {
            try await queue.enqueue(.init(kind: "test.rule", payload: ["content_queue_id": UUID().uuidString], tenantID: a.tenantID))
        }
        #expect(unknown?.isForeignKeyViolation == true, "\(String(describing: unknown))")
        // Its own tenant: taken. A job naming nothing needs no tenant.
        let ids = try await pool.withConnection { connection in
            [
                try queue.enqueue(.init(kind: "test.rule", payload: payload, tenantID: a.tenantID), on: connection),
                try queue.enqueue(.init(kind: "test.rule", payload: ["note": "no tenant's"]), on: connection),
            ]
        }
        #expect(ids.count == 2)
        // Nor can a job be moved to another tenant afterwards.
        let moved = await #expect(throws: PostgresError.self) {
            try await pool.withConnection {
                try $0.query("UPDATE jobs SET tenant_id = $1 WHERE kind = 'test.rule' AND payload_json->>'post_request_id' = $2", [b.tenantID, request.uuidString])
            }
        }
        #expect(moved?.isForeignKeyViolation == true)
        try await pool.withConnection { try $0.query("DELETE FROM jobs WHERE kind = 'test.rule'") }
    }

    @Test func ownersAndApproversAreTheTenantsUsers() async throws {
        let pool = try await TestDatabase.shared.pool()
        let a = try await TenantFixture.make(on: pool)
        let b = try await TenantFixture.make(on: pool)
        let bOwner: UUID = try await pool.withConnection {
            try $0.query("SELECT owner_user_id FROM talents WHERE id = $1", [b.talentID]).first!.decode("owner_user_id")
        }
        // Nobody's id, and another tenant's user, cannot own A's talent.
        for stranger in [UUID(), bOwner] {
            let error = await #expect(throws: PostgresError.self) {
                try await pool.withConnection { try $0.query("UPDATE talents SET owner_user_id = $1 WHERE id = $2", [stranger, a.talentID]) }
            }
            #expect(error?.isForeignKeyViolation == true, "\(String(describing: error))")
        }
        let variant = try await Self.variant(of: a, account: a.accounts[0].id, on: pool)
        let approver = await #expect(throws: PostgresError.self) {
            try await pool.withConnection {
                try $0.query("UPDATE content_queue SET approved_by_user_id = $1 WHERE id = $2", [bOwner, variant])
            }
        }
        #expect(approver?.isForeignKeyViolation == true, "\(String(describing: approver))")
        let aOwner: UUID = try await pool.withConnection {
            try $0.query("SELECT owner_user_id FROM talents WHERE id = $1", [a.talentID]).first!.decode("owner_user_id")
        }
        let set = try await pool.withConnection {
            try $0.query("UPDATE content_queue SET approved_by_user_id = $1 WHERE id = $2", [aOwner, variant]).affectedRows
        }
        #expect(set == 1)
    }

    @Test func aVariantsAccountIsItsOwnTalents() async throws {
        let pool = try await TestDatabase.shared.pool()
        let a = try await TenantFixture.make(on: pool)
        // A second talent of the same tenant, with an account of its own.
        let other: UUID = try await pool.withTransaction { connection in
            let talent = try TenantSeeder().createTalent(
                .init(slug: "o-" + UUID().uuidString.prefix(12).lowercased(), displayName: "Other", accounts: [(.tiktok, "other.tt", "device")]),
                tenantID: a.tenantID,
                on: connection
            )
            return try connection.query("SELECT id FROM accounts WHERE talent_id = $1", [talent]).first!.decode("id")
        }
        let error = await #expect(throws: PostgresError.self) {
            try await Self.variant(of: a, account: other, on: pool)
        }
        #expect(error?.isForeignKeyViolation == true, "\(String(describing: error))")
        _ = try await Self.variant(of: a, account: a.accounts[1].id, on: pool)
    }

    @Test func theRulesMendRowsAnOlderReleaseWrote() async throws {
        let all = try Migrator.bundledMigrations()
        let before = all.filter { $0.version < "0012" }
        #expect(before.count < all.count)
        let database = try await IsolatedDatabase.make("rules", migrations: before)
        let pool = database.pool
        defer { Task { await pool.close() } }
        // As 0011 allowed: an owner nobody knows, an approver nobody knows, an event and a job without a tenant.
        // Written in SQL, as today's seeder already follows the new rules.
        let stranger = UUID()
        let (tenant, talent, account) = try await pool.withTransaction { connection in
            let tenant: UUID = try connection.query("INSERT INTO tenants (name) VALUES ('old') RETURNING id").first!.decode("id")
            let talent: UUID = try connection.query(
                "INSERT INTO talents (tenant_id, slug, display_name, owner_user_id) VALUES ($1, $2, 'Old', $3) RETURNING id",
                [tenant, "old-" + UUID().uuidString.prefix(8).lowercased(), stranger]
            ).first!.decode("id")
            let account: UUID = try connection.query(
                "INSERT INTO accounts (tenant_id, talent_id, platform, handle, channel) VALUES ($1, $2, 'tiktok', 'old.tt', 'device') RETURNING id",
                [tenant, talent]
            ).first!.decode("id")
            try connection.query("INSERT INTO events (kind, talent_id) VALUES ('old.event', $1)", [talent])
            let request: UUID = try connection.query(
                "INSERT INTO post_requests (tenant_id, talent_id, source, target_account_ids) VALUES ($1, $2, 'operator', $3) RETURNING id",
                [tenant, talent, [account]]
            ).first!.decode("id")
            try connection.query("INSERT INTO jobs (kind, payload_json) VALUES ('old.job', $1::jsonb)", ["{\"post_request_id\": \"\(request.uuidString)\"}"])
            return (tenant, talent, account)
        }
        let variant = try await Self.variant(tenant: tenant, talent: talent, account: account, on: pool)
        let approver = UUID()
        try await pool.withConnection { try $0.query("UPDATE content_queue SET approved_by_user_id = $1 WHERE id = $2", [approver, variant]) }

        let applied = try await Migrator(pool: pool, logger: TestEnvironment.logger).migrate(all)
        #expect(applied.contains { $0.hasPrefix("0012") }, "\(applied)")
        let mended = try await pool.withConnection { connection in
            (
                users: try connection.query("SELECT supabase_user_id, role FROM tenant_users WHERE tenant_id = $1", [tenant]).rows.map {
                    (try $0.decode("supabase_user_id", as: UUID.self), try $0.decode("role", as: String.self))
                },
                event: try connection.query("SELECT tenant_id FROM events WHERE kind = 'old.event'").first!.decodeIfPresent("tenant_id", as: UUID.self),
                job: try connection.query("SELECT tenant_id FROM jobs WHERE kind = 'old.job'").first!.decodeIfPresent("tenant_id", as: UUID.self)
            )
        }
        #expect(mended.users.contains { $0 == (stranger, "talent") }, "the unknown owner became the talent's user: \(mended.users)")
        #expect(mended.users.contains { $0 == (approver, "viewer") }, "the unknown approver may read, not act: \(mended.users)")
        #expect(mended.event == tenant && mended.job == tenant)
    }

    /// A draft variant of `fixture`'s talent for `account`, with its content.
    @discardableResult
    static func variant(of fixture: TenantFixture, account: UUID, on pool: PostgresPool) async throws -> UUID {
        try await variant(tenant: fixture.tenantID, talent: fixture.talentID, account: account, on: pool)
    }

    /// A draft variant of `talent` for `account`, with its content.
    @discardableResult
    static func variant(tenant: UUID, talent: UUID, account: UUID, on pool: PostgresPool) async throws -> UUID {
        try await pool.withTransaction { connection in
            let content: UUID = try connection.query(
                "INSERT INTO content (tenant_id, talent_id, hash, type, caption, generated_by) VALUES ($1, $2, 'h', 'text', 'c', 'test') RETURNING id",
                [tenant, talent]
            ).first!.decode("id")
            return try connection.query(
                "INSERT INTO content_queue (tenant_id, talent_id, account_id, content_id, origin) VALUES ($1, $2, $3, $4, 'ai_initiated') RETURNING id",
                [tenant, talent, account, content]
            ).first!.decode("id")
        }
    }
}
