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

/// A database of its own on the test cluster, for a test that runs a whole daemon: the daemon's workers
/// claim every pipeline job they see, so on the shared database they would take other tests' requests.
public struct IsolatedDatabase: Sendable {
    public let url: String
    public let pool: PostgresPool

    /// Creates an empty database owned by `drsocial` (through `DRSOCIAL_TEST_ADMIN_URL`) and migrates it: with
    /// every bundled migration, or only `migrations` (a schema as an older release left it).
    public static func make(_ label: String, migrations: [Migrator.Migration]? = nil) async throws -> IsolatedDatabase {
        guard let sharedURL = TestEnvironment.databaseURL else { throw MissingService(name: "DRSOCIAL_TEST_DATABASE_URL") }
        guard let adminURL = ProcessInfo.processInfo.environment["DRSOCIAL_TEST_ADMIN_URL"] else {
            throw MissingService(name: "DRSOCIAL_TEST_ADMIN_URL")
        }
        let name = "drsocial_\(label)_\(UUID().uuidString.prefix(8).lowercased())"
        let admin = PostgresPool(configuration: .init(url: adminURL, maximumConnections: 1), logger: TestEnvironment.logger)
        try await admin.withConnection { try $0.executeScript("CREATE DATABASE \(name) OWNER drsocial") }
        await admin.close()
        guard let slash = sharedURL.lastIndex(of: "/") else { throw MissingService(name: "a database URL ending in /NAME") }
        let url = sharedURL[..<slash] + "/" + name
        let pool = PostgresPool(configuration: .init(url: url, maximumConnections: 4), logger: TestEnvironment.logger)
        try await Migrator(pool: pool, logger: TestEnvironment.logger).migrate(migrations)
        return IsolatedDatabase(url: url, pool: pool)
    }

    /// A URL that reaches this database as a login role of its own, with `password` (letters and digits), a
    /// member of `drsocial` and so with its rights: for a test that must see a database password go unprinted.
    public func login(password: String) async throws -> String {
        precondition(password.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }, "letters and digits only")
        guard let adminURL = ProcessInfo.processInfo.environment["DRSOCIAL_TEST_ADMIN_URL"] else {
            throw MissingService(name: "DRSOCIAL_TEST_ADMIN_URL")
        }
        guard let scheme = url.range(of: "://"), let at = url.range(of: "@", range: scheme.upperBound..<url.endIndex) else {
            throw MissingService(name: "a database URL with user:password@")
        }
        let role = "drsocial_login_\(UUID().uuidString.prefix(8).lowercased())"
        let admin = PostgresPool(configuration: .init(url: adminURL, maximumConnections: 1), logger: TestEnvironment.logger)
        // DDL takes no parameters; the role is ours and the password letters and digits.
        try await admin.withConnection { try $0.executeScript("CREATE ROLE \(role) LOGIN NOSUPERUSER PASSWORD '\(password)' IN ROLE drsocial") }
        await admin.close()
        return url[..<scheme.upperBound] + "\(role):\(password)" + url[at.lowerBound...]
    }
}

/// A tenant with one talent and its accounts, unique to one test.
public struct TenantFixture: Sendable {
    public let tenantID: UUID
    public let talentID: UUID
    public let slug: String
    public let accounts: [AccountSnapshot]

    /// A fixture for rows a test made itself (a second talent of one tenant).
    public init(tenantID: UUID, talentID: UUID, slug: String, accounts: [AccountSnapshot]) {
        self.tenantID = tenantID
        self.talentID = talentID
        self.slug = slug
        self.accounts = accounts
    }

    /// Creates a tenant and a talent with a random slug, Instagram, TikTok and LinkedIn accounts.
    public static func make(
        on pool: PostgresPool,
        doNotSay: [String] = ["fast fashion"],
        hashtags: [String] = ["#Studio", "#Morning"],
        pillars: [String] = ["studio life"]
    ) async throws -> TenantFixture {
        let slug = "t-" + UUID().uuidString.prefix(12).lowercased()
        return try await pool.withTransaction { connection in
            let seeder = TenantSeeder()
            let tenantID = try seeder.createTenant(name: "Tenant \(slug)", on: connection)
            let talentID = try seeder.createTalent(
                .init(
                    slug: slug,
                    displayName: "Talent \(slug)",
                    contentPillars: pillars,
                    hashtagPreferences: hashtags,
                    doNotSay: doNotSay,
                    accounts: [(.instagram, "\(slug).ig", "device"), (.tiktok, "\(slug).tt", "device"), (.linkedin, "\(slug).li", "mcp")]
                ),
                tenantID: tenantID,
                on: connection
            )
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
