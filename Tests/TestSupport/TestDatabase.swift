public import Domain
public import Foundation
import Logging
public import Store

/// A pool on the test database, migrated once per process, and tenants made for one test.
public actor TestDatabase {
    public static let shared = TestDatabase()
    private var pool: PostgresPool?

    /// The migrated test database's pool.
    public func pool() async throws -> PostgresPool {
        if let pool { return pool }
        guard let url = TestEnvironment.databaseURL else { throw MissingService(name: "DRSOCIAL_TEST_DATABASE_URL") }
        let pool = PostgresPool(configuration: .init(url: url, maximumConnections: 12), logger: TestEnvironment.logger)
        try await Migrator(pool: pool, logger: TestEnvironment.logger).migrate()
        self.pool = pool
        return pool
    }
}

/// A tenant with one talent and its accounts, unique to one test.
public struct TenantFixture: Sendable {
    public let tenantID: UUID
    public let talentID: UUID
    public let slug: String
    public let accounts: [AccountSnapshot]

    /// Creates a tenant and a talent with a random slug, Instagram, TikTok and LinkedIn accounts.
    public static func make(
        on pool: PostgresPool, doNotSay: [String] = ["fast fashion"], hashtags: [String] = ["#Studio", "#Morning"],
        pillars: [String] = ["studio life"]
    ) async throws -> TenantFixture {
        let slug = "t-" + UUID().uuidString.prefix(12).lowercased()
        return try await pool.withTransaction { connection in
            let seeder = TenantSeeder()
            let tenantID = try seeder.createTenant(name: "Tenant \(slug)", on: connection)
            let talentID = try seeder.createTalent(
                .init(slug: slug, displayName: "Talent \(slug)", contentPillars: pillars, hashtagPreferences: hashtags,
                      doNotSay: doNotSay,
                      accounts: [(.instagram, "\(slug).ig", "device"), (.tiktok, "\(slug).tt", "device"), (.linkedin, "\(slug).li", "mcp")]),
                tenantID: tenantID, on: connection)
            let accounts = try TalentRepository().accounts(talentID: talentID, on: connection)
            return TenantFixture(tenantID: tenantID, talentID: talentID, slug: slug, accounts: accounts)
        }
    }
}

/// A service the test needs was not started (run through `scripts/test`).
public struct MissingService: Error, CustomStringConvertible {
    public init(name: String) { self.name = name }
    public let name: String
    public var description: String { "\(name) is not set: run the tests through scripts/test" }
}
