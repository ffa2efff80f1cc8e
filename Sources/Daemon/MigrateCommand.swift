import ArgumentParser
import Store

/// `migrate`: applies pending migrations; running it again does nothing.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Apply pending database migrations.")

    func run() async throws {
        let runtime = try await Runtime.start(label: "drsocial.migrate")
        let applied = try await runtime.closingPool { try await Migrator(pool: runtime.pool, logger: runtime.logger).migrate() }
        print(applied.isEmpty ? "database is up to date" : "applied: \(applied.joined(separator: ", "))")
    }
}
