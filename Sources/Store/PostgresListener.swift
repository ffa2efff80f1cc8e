public import Logging

/// Streams NOTIFY payloads from one channel over a dedicated session, reconnecting when it drops.
///
/// ```swift
/// for await note in PostgresListener(pool: pool, channel: "drsocial_jobs").notifications() { wake() }
/// ```
public struct PostgresListener: Sendable {
    let pool: PostgresPool
    let channel: String
    let logger: Logger

    public init(pool: PostgresPool, channel: String, logger: Logger) {
        precondition(channel.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }, "channel must be an identifier")
        self.pool = pool
        self.channel = channel
        self.logger = logger
    }

    /// Notifications until the consuming task is cancelled. Connection losses are logged and retried.
    public func notifications() -> AsyncStream<PostgresNotification> {
        let (stream, continuation) = AsyncStream.makeStream(of: PostgresNotification.self, bufferingPolicy: .bufferingNewest(256))
        let task = Task {
            var backoff = Backoff(base: 0.2, cap: 5)
            while !Task.isCancelled {
                do {
                    let connection = try await pool.openDedicated()
                    try await pool.runBlocking { try connection.query("LISTEN \(channel)") }
                    backoff.reset()
                    while !Task.isCancelled {
                        let notes = try await pool.runBlocking { try connection.waitForNotifications(timeoutMillis: 250) }
                        notes.forEach { continuation.yield($0) }
                    }
                } catch {
                    if Task.isCancelled { break }
                    logger.warning("LISTEN \(channel) lost its connection; retrying", metadata: ["error": "\(error)"])
                    try? await Task.sleep(for: .seconds(backoff.next()))
                }
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }
}
