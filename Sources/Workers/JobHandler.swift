public import Foundation
public import Logging
public import Store

/// Runs one kind of job. Throwing records a failed attempt (retried with backoff, then dead).
///
/// ```swift
/// struct PingHandler: JobHandler {
///     let kind = "ping"
///     func handle(_ job: JobQueue.ClaimedJob, logger: Logger) async throws { logger.info("pong") }
/// }
/// ```
public protocol JobHandler: Sendable {
    var kind: String { get }
    func handle(_ job: JobQueue.ClaimedJob, logger: Logger) async throws
    /// Called once a job of this kind is dead (out of attempts, or its last worker died), with the last error.
    func jobDied(id: Int64, payload: [String: String], error: String, logger: Logger) async
    /// Called when an operator revives a dead job of this kind, inside the revive's transaction: undoes what
    /// `jobDied` did. Returns the request it reopened, if any.
    func jobRevived(id: Int64, payload: [String: String], on connection: PostgresConnection) throws -> UUID?
}

extension JobHandler {
    public func jobDied(id: Int64, payload: [String: String], error: String, logger: Logger) async {}
    public func jobRevived(id: Int64, payload: [String: String], on connection: PostgresConnection) throws -> UUID? { nil }
}

/// A failure no retry can fix: the job goes straight to `dead`.
public struct PermanentJobError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Not yet: the job goes back to the queue to run at `date`, its attempt not counted (a publish whose
/// `scheduled_for` moved later, or whose account waits out its posting spacing).
public struct JobNotYet: Error, CustomStringConvertible {
    public let date: Date
    public let reason: String
    public init(until date: Date, _ reason: String) {
        self.date = date
        self.reason = reason
    }
    public var description: String { "not before \(date): \(reason)" }
}
