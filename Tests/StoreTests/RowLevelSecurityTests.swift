import Domain
import Foundation
import Store
import TestSupport
import Testing

/// Acting as tenant A, the web role can neither read, change, delete nor add tenant B's rows, in any
/// tenant-scoped table: the database refuses, whatever the query asks.
@Suite(.enabled(if: TestEnvironment.available(TestEnvironment.hasDatabase)))
struct RowLevelSecurityTests {
    static let tenantColumn: [String: String] = [
        "tenants": "id", "tenant_users": "tenant_id", "talents": "tenant_id", "talent_profile": "tenant_id",
        "talent_assets": "tenant_id", "accounts": "tenant_id", "post_requests": "tenant_id",
        "post_request_attachments": "tenant_id", "content": "tenant_id", "content_queue": "tenant_id", "events": "tenant_id",
        "jobs": "tenant_id", "pipeline_runs": "tenant_id", "stage_runs": "tenant_id", "publish_attempts": "tenant_id",
    ]

    /// Two tenants, each with a row in every tenant-scoped table.
    func twoPopulatedTenants(_ pool: PostgresPool) async throws -> (TenantFixture, TenantFixture) {
        let a = try await TenantFixture.make(on: pool)
        let b = try await TenantFixture.make(on: pool)
        for fixture in [a, b] {
            try await pool.withTransaction { connection in
                let request: UUID = try connection.query(
                    "INSERT INTO post_requests (tenant_id, talent_id, source, prompt_text, target_account_ids) VALUES ($1, $2, 'operator', 'p', $3) RETURNING id",
                    [fixture.tenantID, fixture.talentID, [fixture.accounts[0].id]]
                ).first!.decode("id")
                let attachment: UUID = try connection.query(
                    "INSERT INTO post_request_attachments (tenant_id, post_request_id, filename, storage_path, mime, bytes, sha256) VALUES ($1, $2, 'f', 'p', 'image/png', 1, $3) RETURNING id",
                    [fixture.tenantID, request, String(repeating: "a", count: 64)]
                ).first!.decode("id")
                let content: UUID = try connection.query(
                    "INSERT INTO content (tenant_id, talent_id, hash, type, caption, generated_by) VALUES ($1, $2, 'h', 'text', 'c', 'test') RETURNING id",
                    [fixture.tenantID, fixture.talentID]
                ).first!.decode("id")
                let variant: UUID = try connection.query(
                    "INSERT INTO content_queue (tenant_id, talent_id, account_id, content_id, origin, post_request_id, state) VALUES ($1, $2, $3, $4, 'request_operator', $5, 'awaiting_owner_approval') RETURNING id",
                    [fixture.tenantID, fixture.talentID, fixture.accounts[0].id, content, request]
                ).first!.decode("id")
                try connection.query(
                    "INSERT INTO publish_attempts (tenant_id, content_queue_id, attempt_key, channel) VALUES ($1, $2, $3, 'mcp')",
                    [fixture.tenantID, variant, "rls-\(variant)"]
                )
                try connection.query(
                    "INSERT INTO talent_assets (tenant_id, talent_id, kind, storage_url) VALUES ($1, $2, 'bgm', 'x')",
                    [fixture.tenantID, fixture.talentID]
                )
                try connection.query("INSERT INTO events (tenant_id, kind) VALUES ($1, 'test')", [fixture.tenantID])
                try connection.query("INSERT INTO jobs (tenant_id, kind) VALUES ($1, 'rls-test-never-claimed')", [fixture.tenantID])
                let run: UUID = try connection.query(
                    "INSERT INTO pipeline_runs (tenant_id, post_request_id, pipeline) VALUES ($1, $2, 'x') RETURNING id",
                    [fixture.tenantID, request]
                ).first!.decode("id")
                try connection.query(
                    "INSERT INTO stage_runs (tenant_id, pipeline_run_id, stage, position, attachment_id, status) VALUES ($1, $2, 'probe', 0, $3, 'succeeded')",
                    [fixture.tenantID, run, attachment]
                )
            }
        }
        return (a, b)
    }

    @Test func everyTenantScopedTableIsCovered() async throws {
        let pool = try await TestDatabase.shared.pool()
        let forced: [String] = try await pool.withConnection { connection in
            try connection.query(
                """
                SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relrowsecurity AND c.relforcerowsecurity
                """
            ).rows.map { try $0.decode("relname") }
        }
        let withTenant: [String] = try await pool.withConnection { connection in
            try connection.query(
                "SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'tenant_id'"
            ).rows.map { try $0.decode("table_name") }
        }
        for table in withTenant + ["tenants"] {
            #expect(forced.contains(table), "RLS is not enabled and forced on \(table)")
            #expect(Self.tenantColumn[table] != nil, "the RLS test does not cover \(table)")
        }
    }

    @Test func webRoleSeesOnlyItsTenant() async throws {
        let pool = try await TestDatabase.shared.pool()
        let (a, b) = try await twoPopulatedTenants(pool)
        for (table, column) in Self.tenantColumn {
            let (own, foreign) = try await pool.withTenantTransaction(tenantID: a.tenantID) { connection in
                let own: Int = try connection.query("SELECT count(*) AS n FROM \(table) WHERE \(column) = $1", [a.tenantID]).first!.decode("n")
                let foreign: Int = try connection.query("SELECT count(*) AS n FROM \(table) WHERE \(column) = $1", [b.tenantID]).first!.decode("n")
                return (own, foreign)
            }
            #expect(own >= 1, "tenant A cannot see its own \(table)")
            #expect(foreign == 0, "tenant A sees tenant B's \(table)")
            let changed = try await pool.withTenantTransaction(tenantID: a.tenantID) { connection in
                try connection.query("UPDATE \(table) SET \(column) = \(column) WHERE \(column) = $1", [b.tenantID]).affectedRows
            }
            #expect(changed == 0, "tenant A updated tenant B's \(table)")
            let deleted = try await pool.withTenantTransaction(tenantID: a.tenantID) { connection in
                try connection.query("DELETE FROM \(table) WHERE \(column) = $1", [b.tenantID]).affectedRows
            }
            #expect(deleted == 0, "tenant A deleted tenant B's \(table)")
        }
        // The rows are all still there for tenant B.
        let stillThere: Int = try await pool.withTenantTransaction(tenantID: b.tenantID) {
            try $0.query("SELECT count(*) AS n FROM content_queue").first!.decode("n")
        }
        #expect(stillThere == 1)
    }

    @Test func webRoleCannotInsertIntoAnotherTenant() async throws {
        let pool = try await TestDatabase.shared.pool()
        let (a, b) = try await twoPopulatedTenants(pool)
        let inserts: [(String, [(any PostgresEncodable)?])] = [
            ("INSERT INTO tenants (id, name) VALUES ($1, 'evil')", [b.tenantID]),
            (
                "INSERT INTO talents (tenant_id, slug, display_name) VALUES ($1, $2, 'evil')",
                [b.tenantID, "evil-\(UUID().uuidString.prefix(8).lowercased())"]
            ),
            (
                "INSERT INTO accounts (tenant_id, talent_id, platform, handle, channel) VALUES ($1, $2, 'tiktok', 'evil', 'mcp')",
                [b.tenantID, b.talentID]
            ),
            ("INSERT INTO post_requests (tenant_id, talent_id, source) VALUES ($1, $2, 'browser')", [b.tenantID, b.talentID]),
            (
                "INSERT INTO content (tenant_id, talent_id, hash, type, caption, generated_by) VALUES ($1, $2, 'h', 'text', 'evil', 'x')",
                [b.tenantID, b.talentID]
            ),
            ("INSERT INTO events (tenant_id, kind) VALUES ($1, 'evil')", [b.tenantID]),
            ("INSERT INTO jobs (tenant_id, kind) VALUES ($1, 'evil')", [b.tenantID]),
            ("INSERT INTO tenant_users (tenant_id, supabase_user_id, role) VALUES ($1, $2, 'owner')", [b.tenantID, UUID()]),
            ("INSERT INTO talent_assets (tenant_id, talent_id, kind, storage_url) VALUES ($1, $2, 'bgm', 'x')", [b.tenantID, b.talentID]),
            ("INSERT INTO talent_profile (tenant_id, talent_id) VALUES ($1, $2)", [b.tenantID, b.talentID]),
        ]
        for (sql, parameters) in inserts {
            let error = await #expect(throws: PostgresError.self, "\(sql)") {
                try await pool.withTenantTransaction(tenantID: a.tenantID) { try $0.query(sql, parameters) }
            }
            #expect(error?.message.contains("row-level security") == true, "\(sql): \(String(describing: error))")
        }
        // Moving one of A's own rows into B is refused too.
        let moved = await #expect(throws: PostgresError.self) {
            try await pool.withTenantTransaction(tenantID: a.tenantID) {
                try $0.query("UPDATE events SET tenant_id = $2 WHERE tenant_id = $1", [a.tenantID, b.tenantID])
            }
        }
        #expect(moved?.message.contains("row-level security") == true)
    }

    @Test func webRoleIsNeitherOwnerNorSuperuser() async throws {
        let pool = try await TestDatabase.shared.pool()
        let fixture = try await TenantFixture.make(on: pool)
        let (superuser, bypass, owner): (Bool, Bool, String) = try await pool.withTenantTransaction(tenantID: fixture.tenantID) { connection in
            let row = try connection.query(
                """
                SELECT r.rolsuper, r.rolbypassrls, (SELECT tableowner FROM pg_tables WHERE tablename = 'talents') AS owner
                FROM pg_roles r WHERE r.rolname = current_user
                """
            ).first!
            return (try row.decode("rolsuper"), try row.decode("rolbypassrls"), try row.decode("owner"))
        }
        #expect(!superuser)
        #expect(!bypass)
        #expect(owner != "drsocial_web")
    }
}
