import Foundation

/// What is true of the whole cluster right now, read from PostgreSQL for `GET /metrics`.
///
/// Every query reads open rows only, through partial indexes (`jobs_ready`, `jobs_leases`, `jobs_dead`,
/// `post_requests_open`, `content_queue_open`), so a scrape costs the same after a million finished jobs.
public struct ClusterStateRepository: Sendable {
    public init() {}

    public struct Snapshot: Sendable, Equatable {
        /// Jobs by kind and status, for `pending`, `running` and `dead` (finished jobs are not counted).
        public var jobs: [JobCount] = []
        /// For each kind with a job due now, how long the oldest one has waited past its `run_after`.
        public var oldestDueSeconds: [String: Double] = [:]
        /// Requests not yet finished, by status.
        public var openRequests: [String: Int] = [:]
        /// Variants in the approval queue by state, for the states that are not final.
        public var openVariants: [String: Int] = [:]
        /// Accounts paused (a hard block from their backend, or an operator): their publishes wait.
        public var pausedAccounts = 0
        /// Publishes whose outcome nobody knows, waiting for an operator to check the platform.
        public var publishesNeedingCheck = 0
        public init() {}
    }

    public struct JobCount: Sendable, Equatable {
        public var kind: String
        public var status: String
        public var count: Int
    }

    /// The job statuses counted (the open ones, and the dead that operators must see).
    public static let jobStatuses = ["pending", "running", "dead"]
    public static let openRequestStatuses = ["received", "analyzing", "drafting"]
    public static let openVariantStates = ["draft", "awaiting_owner_approval", "approved", "queued", "failed"]

    public func snapshot(on connection: PostgresConnection) throws -> Snapshot {
        var snapshot = Snapshot()
        snapshot.jobs = try connection.query(
            """
            SELECT kind, status, count(*)::bigint AS n FROM jobs WHERE status IN ('pending', 'running', 'dead')
            GROUP BY kind, status ORDER BY kind, status
            """
        ).rows.map { JobCount(kind: try $0.decode("kind"), status: try $0.decode("status"), count: Int(try $0.decode("n", as: Int64.self))) }
        for row in try connection.query(
            """
            SELECT kind, extract(epoch FROM now() - min(run_after))::float8 AS waited FROM jobs
            WHERE status = 'pending' AND run_after <= now() GROUP BY kind
            """
        ).rows {
            snapshot.oldestDueSeconds[try row.decode("kind")] = max(0, try row.decode("waited", as: Double.self))
        }
        for row in try connection.query(
            """
            SELECT status, count(*)::bigint AS n FROM post_requests
            WHERE status IN ('received', 'analyzing', 'drafting') GROUP BY status
            """
        ).rows {
            snapshot.openRequests[try row.decode("status")] = Int(try row.decode("n", as: Int64.self))
        }
        for row in try connection.query(
            """
            SELECT state, count(*)::bigint AS n FROM content_queue
            WHERE state IN ('draft', 'awaiting_owner_approval', 'approved', 'queued', 'failed') GROUP BY state
            """
        ).rows {
            snapshot.openVariants[try row.decode("state")] = Int(try row.decode("n", as: Int64.self))
        }
        let publisher = try connection.query(
            """
            SELECT (SELECT count(*)::int FROM accounts WHERE status = 'paused') AS paused,
                   (SELECT count(*)::int FROM content_queue WHERE needs_check AND state = 'queued') AS checks
            """
        ).first
        snapshot.pausedAccounts = try publisher?.decode("paused") ?? 0
        snapshot.publishesNeedingCheck = try publisher?.decode("checks") ?? 0
        return snapshot
    }
}
