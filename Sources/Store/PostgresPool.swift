public import Foundation
public import Logging
import NIOConcurrencyHelpers
import NIOPosix

/// A pool of libpq connections whose blocking calls run on the pool's own threads,
/// never on Swift's cooperative pool.
///
/// A pool has a `DataScope`. `scoped(_:)` gives a view of the same connections limited to one tenant: every
/// `withConnection` and `withTransaction` of that view runs in a transaction as the web role under
/// row-level security, so code written against a pool needs no change to run for one tenant only.
///
/// ```swift
/// let pool = PostgresPool(configuration: .init(url: databaseURL), logger: logger)
/// let count = try await pool.withConnection { try $0.query("SELECT count(*) AS n FROM talents").first!.decode("n", as: Int.self) }
/// let theirs = try await pool.scoped(.tenant(tenantID)).withConnection { try $0.query("SELECT count(*) AS n FROM talents") }
/// ```
public final class PostgresPool: Sendable {
    /// How the pool connects and how large it grows.
    public struct Configuration: Sendable {
        /// The libpq connection URL (`DATABASE_URL`).
        public var url: String
        /// Most connections open at once. Default 8.
        public var maximumConnections: Int
        /// Seconds libpq waits for a new connection. Default 5.
        public var connectTimeoutSeconds: Int
        /// The `application_name` shown in `pg_stat_activity`. Default `drsocial-intake`.
        public var applicationName: String

        public init(
            url: String,
            maximumConnections: Int = 8,
            connectTimeoutSeconds: Int = 5,
            applicationName: String = "drsocial-intake"
        ) {
            self.url = url
            self.maximumConnections = max(1, maximumConnections)
            self.connectTimeoutSeconds = connectTimeoutSeconds
            self.applicationName = applicationName
        }
    }

    private struct State {
        var idle: [PostgresConnection] = []
        var open = 0
        var waiters: [CheckedContinuation<PostgresConnection?, any Error>] = []
        var closed = false
    }

    /// The connections and waiters every scoped view of one pool shares.
    private final class Shared: Sendable {
        let state = NIOLockedValueBox(State())
    }

    public let configuration: Configuration
    let logger: Logger
    /// Whose rows this pool's work sees: `.platform` for a pool made with `init`, a tenant for a `scoped` view.
    public let scope: DataScope
    private let threads: NIOThreadPool
    private let shared: Shared

    public init(configuration: Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.scope = .platform
        // One thread per connection plus one for LISTEN sessions, so a slow query never queues behind another.
        self.threads = NIOThreadPool(numberOfThreads: configuration.maximumConnections + 2)
        self.shared = Shared()
        threads.start()
    }

    private init(sharing pool: PostgresPool, scope: DataScope) {
        self.configuration = pool.configuration
        self.logger = pool.logger
        self.threads = pool.threads
        self.shared = pool.shared
        self.scope = scope
    }

    /// The same connections, limited to `scope`: `.tenant(id)` runs every unit of work as `drsocial_web` for that
    /// tenant; `.platform` on the platform's pool changes nothing. A tenant view cannot be widened again: scoping it
    /// to the platform or to another tenant gives a view of no tenant at all, which sees and changes nothing.
    public func scoped(_ scope: DataScope) -> PostgresPool {
        switch (self.scope, scope) {
        case (.platform, _): PostgresPool(sharing: self, scope: scope)
        case (.tenant(let mine), .tenant(let asked)) where mine == asked: self
        case (.tenant, _): PostgresPool(sharing: self, scope: .tenant(Self.noTenant))
        }
    }

    /// A tenant id no row has: the scope of a view that was asked to widen itself.
    private static let noTenant = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))

    /// Closes idle connections and stops the pool's threads (those every scoped view shares); later calls throw.
    public func close() async {
        let (idle, waiters) = shared.state.withLockedValue { state -> ([PostgresConnection], [CheckedContinuation<PostgresConnection?, any Error>]) in
            state.closed = true
            defer {
                state.idle = []
                state.waiters = []
            }
            return (state.idle, state.waiters)
        }
        waiters.forEach { $0.resume(throwing: PostgresError.poolClosed) }
        _ = idle
        try? await threads.shutdownGracefully()
    }

    // MARK: Running work

    /// Runs blocking work on the pool's threads.
    @discardableResult
    func runBlocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await threads.runIfActive(body)
    }

    /// Lends a connection to `body`, run on a pool thread. A broken connection is dropped, not reused.
    ///
    /// In a tenant-scoped view, `body` runs inside a transaction as the web role for that tenant.
    @discardableResult
    public func withConnection<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) throws -> T) async throws -> T {
        switch scope {
        case .platform: return try await withPooledConnection(body)
        case .tenant(let tenantID):
            return try await withPooledConnection { connection in
                try connection.transaction {
                    try Self.enter(tenantID, on: connection)
                    return try body(connection)
                }
            }
        }
    }

    /// Lends a connection as it is, whatever the scope.
    private func withPooledConnection<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) throws -> T) async throws -> T {
        let connection = try await acquire()
        do {
            let value = try await runBlocking { try body(connection) }
            release(connection)
            return value
        } catch {
            release(connection)
            throw error
        }
    }

    /// Runs `body` inside `BEGIN … COMMIT`, rolling back when it throws; as the web role in a tenant-scoped view.
    @discardableResult
    public func withTransaction<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) throws -> T) async throws -> T {
        switch scope {
        case .platform: return try await withPooledConnection { connection in try connection.transaction { try body(connection) } }
        case .tenant(let tenantID): return try await withTenantTransaction(tenantID: tenantID, body)
        }
    }

    /// Runs `body` in a transaction as the restricted web role, scoped to one tenant.
    ///
    /// Row-level security then refuses every other tenant's rows, whatever `body` asks for:
    /// the session switches (`SET LOCAL ROLE drsocial_web`) to a role that is neither owner nor superuser.
    /// A view scoped to another tenant refuses (`PostgresError.outOfScope`).
    @discardableResult
    public func withTenantTransaction<T: Sendable>(
        tenantID: UUID,
        _ body: @escaping @Sendable (PostgresConnection) throws -> T
    ) async throws -> T {
        if let mine = scope.tenantID, mine != tenantID { throw PostgresError.outOfScope }
        return try await withPooledConnection { connection in
            try connection.transaction {
                try Self.enter(tenantID, on: connection)
                return try body(connection)
            }
        }
    }

    /// Switches the current transaction to the web role for one tenant.
    private static func enter(_ tenantID: UUID, on connection: PostgresConnection) throws {
        try connection.query("SET LOCAL ROLE drsocial_web")
        try connection.query("SELECT set_config('app.tenant_id', $1, true)", [tenantID])
    }

    // MARK: Leasing

    private func acquire() async throws -> PostgresConnection {
        enum Next {
            case use(PostgresConnection)
            case open, wait
        }
        let next: Next = try shared.state.withLockedValue { state in
            if state.closed { throw PostgresError.poolClosed }
            if let connection = state.idle.popLast() { return .use(connection) }
            if state.open < configuration.maximumConnections {
                state.open += 1
                return .open
            }
            return .wait
        }
        switch next {
        case .use(let connection):
            // An idle connection may have outlived its server (a restart); drop it and take another.
            if connection.isAliveWhileIdle { return connection }
            logger.info("dropping an idle PostgreSQL connection the server closed")
            freeSlot()
            return try await acquire()
        case .open:
            return try await openCounted()
        case .wait:
            let handed: PostgresConnection? = try await withCheckedThrowingContinuation { continuation in
                let closed = shared.state.withLockedValue { state -> Bool in
                    if state.closed { return true }
                    state.waiters.append(continuation)
                    return false
                }
                if closed { continuation.resume(throwing: PostgresError.poolClosed) }
            }
            // nil: a slot was freed for us to open a fresh connection.
            if let handed { return handed }
            return try await openCounted()
        }
    }

    /// Opens a connection for a slot already counted in `open`, giving the slot back on failure.
    private func openCounted() async throws -> PostgresConnection {
        let configuration = self.configuration
        do {
            return try await runBlocking {
                try PostgresConnection(
                    url: configuration.url,
                    applicationName: configuration.applicationName,
                    connectTimeoutSeconds: configuration.connectTimeoutSeconds
                )
            }
        } catch {
            freeSlot()
            throw error
        }
    }

    private func release(_ connection: PostgresConnection) {
        let reusable = connection.isHealthy && connection.isIdle
        if !reusable {
            logger.debug("dropping a broken PostgreSQL connection")
            freeSlot()
            return
        }
        let waiter = shared.state.withLockedValue { state -> CheckedContinuation<PostgresConnection?, any Error>? in
            if state.closed {
                state.open -= 1
                return nil
            }
            if !state.waiters.isEmpty { return state.waiters.removeFirst() }
            state.idle.append(connection)
            return nil
        }
        waiter?.resume(returning: connection)
    }

    private func freeSlot() {
        let waiter = shared.state.withLockedValue { state -> CheckedContinuation<PostgresConnection?, any Error>? in
            if !state.waiters.isEmpty { return state.waiters.removeFirst() }  // the slot passes to the waiter
            state.open -= 1
            return nil
        }
        waiter?.resume(returning: nil)
    }

    /// Opens a dedicated connection outside the pool's count (LISTEN sessions). Such a session is never scoped:
    /// only the platform's pool opens one.
    func openDedicated() async throws -> PostgresConnection {
        guard scope == .platform else { throw PostgresError.outOfScope }
        let configuration = self.configuration
        return try await runBlocking {
            try PostgresConnection(
                url: configuration.url,
                applicationName: configuration.applicationName + "-listen",
                connectTimeoutSeconds: configuration.connectTimeoutSeconds
            )
        }
    }
}

extension PostgresConnection {
    /// Runs `body` between `BEGIN` and `COMMIT`, rolling back if it throws.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try query("BEGIN")
        do {
            let value = try body()
            try query("COMMIT")
            return value
        } catch {
            if isHealthy { _ = try? query("ROLLBACK") }
            throw error
        }
    }
}
