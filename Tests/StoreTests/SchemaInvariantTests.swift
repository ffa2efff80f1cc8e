import Domain
import Foundation
import Store
import TestSupport
import Testing

@Suite(.enabled(if: TestEnvironment.available(TestEnvironment.hasDatabase)))
struct SchemaInvariantTests {
    @Test func migrateIsIdempotent() async throws {
        let pool = try await TestDatabase.shared.pool()
        let applied = try await Migrator(pool: pool, logger: TestEnvironment.logger).migrate()
        #expect(applied.isEmpty)
    }

    @Test func accountChannelIsImmutable() async throws {
        let pool = try await TestDatabase.shared.pool()
        let fixture = try await TenantFixture.make(on: pool)
        let account = fixture.accounts.first { $0.channel == "device" }!
        await #expect(throws: PostgresError.self) {
            try await pool.withConnection { try $0.query("UPDATE accounts SET channel = 'mcp' WHERE id = $1", [account.id]) }
        }
        // Other columns stay editable.
        let updated = try await pool.withConnection {
            try $0.query("UPDATE accounts SET handle = 'renamed' WHERE id = $1", [account.id]).affectedRows
        }
        #expect(updated == 1)
    }

    @Test func compositeKeysRefuseCrossTenantAttachments() async throws {
        let pool = try await TestDatabase.shared.pool()
        let a = try await TenantFixture.make(on: pool)
        let b = try await TenantFixture.make(on: pool)
        // An account of tenant A attached to tenant B's talent.
        let error = await #expect(throws: PostgresError.self) {
            try await pool.withConnection {
                try $0.query(
                    "INSERT INTO accounts (tenant_id, talent_id, platform, handle, channel) VALUES ($1, $2, 'tiktok', 'x', 'mcp')",
                    [a.tenantID, b.talentID]
                )
            }
        }
        #expect(error?.isForeignKeyViolation == true)
        // A request of tenant A naming tenant B's accounts as targets.
        let targets = await #expect(throws: PostgresError.self) {
            try await pool.withConnection {
                try $0.query(
                    "INSERT INTO post_requests (tenant_id, talent_id, source, target_account_ids) VALUES ($1, $2, 'operator', $3)",
                    [a.tenantID, a.talentID, [b.accounts[0].id]]
                )
            }
        }
        #expect(targets?.isForeignKeyViolation == true)
    }

    @Test func approvalQueueRefusesAnotherTenantsContent() async throws {
        let pool = try await TestDatabase.shared.pool()
        let a = try await TenantFixture.make(on: pool)
        let b = try await TenantFixture.make(on: pool)
        await #expect(throws: PostgresError.self) {
            try await pool.withTransaction { connection in
                let contentID: UUID = try connection.query(
                    "INSERT INTO content (tenant_id, talent_id, hash, type, caption, generated_by) VALUES ($1, $2, 'h', 'text', 'c', 'test') RETURNING id",
                    [b.tenantID, b.talentID]
                ).first!.decode("id")
                try connection.query(
                    "INSERT INTO content_queue (tenant_id, talent_id, account_id, content_id, origin) VALUES ($1, $2, $3, $4, 'ai_initiated')",
                    [a.tenantID, a.talentID, a.accounts[0].id, contentID]
                )
            }
        }
    }
}
