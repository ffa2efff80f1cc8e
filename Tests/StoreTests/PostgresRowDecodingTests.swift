import Domain
import Foundation
import Store
import TestSupport
import Testing

/// Rows decoded as `Decodable` values by column name, against the real server's text format.
@Suite(.enabled(if: TestEnvironment.available(TestEnvironment.hasDatabase)))
struct PostgresRowDecodingTests {
    struct Kit: Codable, Equatable { var colour: String }

    struct Everything: Decodable, Equatable {
        var id: UUID
        var tenantID: UUID
        var displayName: String
        var count: Int
        var bytes: Int64
        var ratio: Double
        var isLive: Bool
        var tags: [String]
        var accountIDs: [UUID]
        var createdAt: Date
        var platform: Platform
        var kit: Kit
        var analysisJSON: String
        var note: String?
        var absent: Int?
    }

    @Test func eachPropertyReadsTheColumnOfItsSnakeCaseName() async throws {
        let pool = try await TestDatabase.shared.pool()
        let (id, tenant, account) = (UUID(), UUID(), UUID())
        let decoded = try await pool.withConnection { connection in
            try connection.query(
                """
                SELECT $1::uuid AS id, $2::uuid AS tenant_id, 'Aurora Lee' AS display_name, 3 AS count,
                       5000000000::bigint AS bytes, 0.25::float8 AS ratio, true AS is_live, ARRAY['a', 'b c'] AS tags,
                       ARRAY[$3::uuid] AS account_ids, timestamptz '2026-12-06 01:02:03.5+00' AS created_at,
                       'tiktok' AS platform, '{"colour": "#FFFFFF"}'::jsonb::text AS kit, '{"a": 1}' AS analysis_json,
                       NULL::text AS note
                """,
                [id, tenant, account]
            ).first!.decode(as: Everything.self)
        }
        #expect(decoded.id == id && decoded.tenantID == tenant && decoded.accountIDs == [account])
        #expect(decoded.displayName == "Aurora Lee" && decoded.count == 3 && decoded.bytes == 5_000_000_000)
        #expect(decoded.ratio == 0.25 && decoded.isLive && decoded.tags == ["a", "b c"])
        #expect(decoded.createdAt == Date(timeIntervalSince1970: 1_796_518_923.5))
        #expect(decoded.platform == .tiktok && decoded.kit == Kit(colour: "#FFFFFF") && decoded.analysisJSON == "{\"a\": 1}")
        #expect(decoded.note == nil && decoded.absent == nil)
    }

    @Test func aNullOrUnreadableColumnFailsNamingTheColumn() async throws {
        let pool = try await TestDatabase.shared.pool()
        struct Named: Decodable { var displayName: String }
        struct Counted: Decodable { var itemCount: Int }
        struct Placed: Decodable { var platform: Platform }
        let cases: [(String, (PostgresRow) throws -> Void, String)] = [
            ("SELECT NULL::text AS display_name", { _ = try $0.decode(as: Named.self) }, "display_name"),
            ("SELECT 'x' AS other", { _ = try $0.decode(as: Named.self) }, "display_name"),
            ("SELECT 'many' AS item_count", { _ = try $0.decode(as: Counted.self) }, "item_count"),
            ("SELECT 'myspace' AS platform", { _ = try $0.decode(as: Placed.self) }, "platform"),
        ]
        for (sql, decode, column) in cases {
            let row = try await pool.withConnection { try $0.query(sql).first! }
            let error = #expect(throws: PostgresError.self) { try decode(row) }
            #expect(String(describing: error).contains(column), "\(sql): \(String(describing: error))")
        }
    }

    @Test func aRowListsTheKeysOfItsColumnsInCamelCase() async throws {
        /// A type that reads whichever of its keys the row holds, as a decoder of optional fields does.
        struct Listed: Decodable {
            enum CodingKeys: String, CodingKey { case tenantID, accountIDs, analysisJSON, displayName, itemCount, absent }
            var keys: Set<String>
            init(from decoder: any Decoder) throws {
                keys = Set(try decoder.container(keyedBy: CodingKeys.self).allKeys.map(\.stringValue))
            }
        }
        let pool = try await TestDatabase.shared.pool()
        let row = try await pool.withConnection { connection in
            try connection.query(
                "SELECT 1 AS tenant_id, 2 AS account_ids, 3 AS analysis_json, 4 AS display_name, 5 AS item_count, 6 AS not_a_key"
            ).first!
        }
        #expect(try row.decode(as: Listed.self).keys == ["tenantID", "accountIDs", "analysisJSON", "displayName", "itemCount"])
    }

    @Test func aTalentsRowIsItsSnapshot() async throws {
        let pool = try await TestDatabase.shared.pool()
        let fixture = try await TenantFixture.make(on: pool)
        let talent = try #require(try await pool.withConnection { try TalentRepository().talent(id: fixture.talentID, on: $0) })
        #expect(talent.id == fixture.talentID && talent.slug == fixture.slug)
        #expect(talent.brandKit.map { $0.background == nil && $0.text == nil && $0.font == nil } == true)
        let accounts = try await pool.withConnection { try TalentRepository().accounts(talentID: fixture.talentID, on: $0) }
        #expect(Set(accounts.map(\.id)) == Set(fixture.accounts.map(\.id)))
        #expect(accounts.allSatisfy { $0.status == "active" })
    }

    @Test func aBrandKitKeyOfTheWrongTypeIsLeftOutAndTheOthersKept() async throws {
        let pool = try await TestDatabase.shared.pool()
        let fixture = try await TenantFixture.make(on: pool)
        func brandKit(_ json: String) async throws -> BrandKit? {
            try await pool.withConnection { connection in
                try connection.query(
                    """
                    INSERT INTO talent_profile (talent_id, tenant_id, brand_kit_json) VALUES ($1, $2, $3::jsonb)
                    ON CONFLICT (talent_id) DO UPDATE SET brand_kit_json = excluded.brand_kit_json
                    """,
                    [fixture.talentID, fixture.tenantID, json]
                )
                return try TalentRepository().talent(id: fixture.talentID, on: connection)?.brandKit
            }
        }
        let kit = try #require(try await brandKit(##"{"background": 5, "text": "#FFFFFF", "font": "DejaVu Sans"}"##))
        #expect(kit.background == nil && kit.text == "#FFFFFF" && kit.font == "DejaVu Sans")
        let notAnObject = try #require(try await brandKit(##"["#000000"]"##))
        #expect(notAnObject.background == nil && notAnObject.text == nil && notAnObject.font == nil)
    }
}
