import Foundation
public import Logging

/// Applies the plain `.sql` files in `Migrations/` in name order, each once, each in its own transaction.
///
/// Safe to run from several daemons at once: an advisory lock serialises them, and applied versions are
/// recorded (with a checksum, so an edited migration is reported rather than silently skipped).
public struct Migrator: Sendable {
    /// A migration file: `0001_name.sql`.
    public struct Migration: Sendable {
        public let version: String
        public let sql: String
        var checksum: String { String(sql.utf8.reduce(UInt64(14_695_981_039_346_656_037)) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 }, radix: 16) }
    }

    let pool: PostgresPool
    let logger: Logger

    public init(pool: PostgresPool, logger: Logger) {
        self.pool = pool
        self.logger = logger
    }

    /// The migrations shipped with this build, in order.
    public static func bundledMigrations() throws -> [Migration] {
        guard let folder = Bundle.module.url(forResource: "Migrations", withExtension: nil) else {
            throw MigrationError("the Migrations folder is missing from the Store bundle")
        }
        let files = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "sql" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        return try files.map { url in
            Migration(version: url.deletingPathExtension().lastPathComponent, sql: try String(contentsOf: url, encoding: .utf8))
        }
    }

    /// Applies what is missing; returns the versions applied by this call.
    @discardableResult
    public func migrate(_ migrations: [Migration]? = nil) async throws -> [String] {
        let migrations = try migrations ?? Self.bundledMigrations()
        let logger = self.logger
        return try await pool.withConnection { connection in
            // A session-level advisory lock: one migrator at a time across every daemon.
            try connection.query("SELECT pg_advisory_lock(hashtext('drsocial.migrate'))")
            defer { _ = try? connection.query("SELECT pg_advisory_unlock(hashtext('drsocial.migrate'))") }
            try connection.query(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())
                """
            )
            var recorded: [String: String] = [:]
            for row in try connection.query("SELECT version, checksum FROM schema_migrations").rows {
                recorded[try row.decode("version")] = try row.decode("checksum")
            }
            var applied: [String] = []
            for migration in migrations {
                if let checksum = recorded[migration.version] {
                    if checksum != migration.checksum {
                        logger.warning("migration \(migration.version) changed after it was applied; not re-running it")
                    }
                    continue
                }
                try connection.transaction {
                    do {
                        try connection.executeScript(migration.sql)
                    } catch {
                        throw MigrationError("migration \(migration.version) failed: \(error)")
                    }
                    try connection.query(
                        "INSERT INTO schema_migrations (version, checksum) VALUES ($1, $2)",
                        [migration.version, migration.checksum]
                    )
                }
                logger.info("applied migration \(migration.version)")
                applied.append(migration.version)
            }
            return applied
        }
    }
}

/// A migration could not be read or applied.
public struct MigrationError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
