import NIOConcurrencyHelpers

/// A PostgreSQL session-level advisory lock held on a connection of its own, so that one daemon among
/// many does a job at a time (polling the shared mailbox). When the holder dies, its session ends and
/// PostgreSQL frees the lock for another daemon to take.
///
/// ```swift
/// let lock = SessionAdvisoryLock(pool: pool, name: "drsocial.mail-poller")
/// if try await lock.holdOrTake() { try await pollOnce() }
/// ```
public final class SessionAdvisoryLock: Sendable {
    private let pool: PostgresPool
    public let name: String
    private let connection = NIOLockedValueBox<PostgresConnection?>(nil)

    public init(pool: PostgresPool, name: String) {
        self.pool = pool
        self.name = name
    }

    /// True when this holder has the lock: kept from before (its session checked alive) or taken now.
    /// False while another session holds it.
    public func holdOrTake() async throws -> Bool {
        if let held = connection.withLockedValue({ $0 }) {
            let alive = (try? await pool.runBlocking { try held.query("SELECT 1") }) != nil
            if alive { return true }
            connection.withLockedValue { $0 = nil }  // the session ended (a database restart): the lock went with it
        }
        let fresh = try await pool.openDedicated()
        let name = self.name
        let taken: Bool = try await pool.runBlocking {
            try fresh.query("SELECT pg_try_advisory_lock(hashtext($1)) AS taken", [name]).first?.decode("taken") ?? false
        }
        if taken { connection.withLockedValue { $0 = fresh } }
        return taken
    }

    /// Whether the lock is believed held (without asking the database).
    public var isHeld: Bool { connection.withLockedValue { $0 != nil } }

    /// Gives the lock up by ending its session.
    public func release() {
        connection.withLockedValue { $0 = nil }
    }
}
