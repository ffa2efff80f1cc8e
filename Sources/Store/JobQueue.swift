public import Foundation

/// Jobs as rows: claimed with `FOR UPDATE SKIP LOCKED`, held by a renewable lease, retried with backoff,
/// and `dead` once out of attempts. Every write after a claim is fenced by the claim's attempt number,
/// so a worker whose lease expired and whose job was claimed again cannot record a late result.
///
/// ```swift
/// let queue = JobQueue(pool: pool)
/// try await queue.enqueue(.init(kind: "pipeline", payload: ["post_request_id": id.uuidString], idempotencyKey: "pipeline:\(id)"))
/// if let job = try await queue.claim(kinds: ["pipeline"], workerID: "w1") { …; try await queue.complete(job) }
/// ```
public struct JobQueue: Sendable {
    /// Lease and retry settings.
    public struct Configuration: Sendable {
        /// How long a claim holds a job before another worker may rescue it.
        public var leaseSeconds: Double = 30
        /// The first retry's backoff ceiling.
        public var retryBaseSeconds: Double = 2
        /// The largest backoff ceiling.
        public var retryCapSeconds: Double = 300
        /// Attempts before a job is dead, unless the job says otherwise.
        public var defaultMaxAttempts = 8
        /// Claims of a job that may end with the lease expiring (the worker's daemon died or lost the database)
        /// without using up one of its attempts. A daemon killed under a job is not the job's
        /// failure: work runs in isolated children, so a daemon rarely dies of its job. The limit still buries
        /// a job that keeps killing its daemons, after this many lost leases and its attempts.
        public var lostLeaseLimit = 20

        /// The defaults above, changed by `adjust`: `.init { $0.leaseSeconds = 5 }`.
        public init(_ adjust: (inout Self) -> Void = { _ in }) { adjust(&self) }
    }

    /// A job to enqueue.
    public struct NewJob: Sendable {
        public var kind: String
        public var payload: [String: String]
        public var tenantID: UUID?
        public var idempotencyKey: String?
        public var maxAttempts: Int?
        public var runAfter: Date?
        public var priority: Int
        /// Jobs with the same serial key run one at a time, in the order they become ready; nil for none.
        public var serialKey: String?

        public init(
            kind: String,
            payload: [String: String] = [:],
            tenantID: UUID? = nil,
            idempotencyKey: String? = nil,
            maxAttempts: Int? = nil,
            runAfter: Date? = nil,
            priority: Int = 0,
            serialKey: String? = nil
        ) {
            self.serialKey = serialKey
            self.kind = kind
            self.payload = payload
            self.tenantID = tenantID
            self.idempotencyKey = idempotencyKey
            self.maxAttempts = maxAttempts
            self.runAfter = runAfter
            self.priority = priority
        }
    }

    /// A job this worker holds. `attempt` is the fencing token of this claim.
    public struct ClaimedJob: Sendable, Equatable {
        public let id: Int64
        public let kind: String
        public let payload: [String: String]
        public let tenantID: UUID?
        public let attempt: Int
        public let maxAttempts: Int
        public let workerID: String
    }

    /// What became of a failed attempt.
    public enum FailureOutcome: Sendable, Equatable {
        case retryScheduled(after: Double)
        case dead
        /// The lease was lost: another claim owns the job now, so nothing was recorded.
        case leaseLost
    }

    /// The job is no longer held by this claim.
    public struct LeaseLost: Error, CustomStringConvertible {
        public let jobID: Int64
        public var description: String { "job \(jobID) is no longer held by this worker (lease expired and re-claimed)" }
    }

    /// The NOTIFY channel new and retried jobs are announced on.
    public static let notificationChannel = "drsocial_jobs"

    public let pool: PostgresPool
    public let configuration: Configuration

    public init(pool: PostgresPool, configuration: Configuration = .init()) {
        self.pool = pool
        self.configuration = configuration
    }

    // MARK: Enqueue

    /// Enqueues a job inside the caller's transaction; a known idempotency key returns the existing job's id.
    @discardableResult
    public func enqueue(_ job: NewJob, on connection: PostgresConnection) throws -> Int64 {
        let inserted = try connection.query(
            """
            INSERT INTO jobs (kind, payload_json, tenant_id, idempotency_key, max_attempts, run_after, priority, serial_key)
            VALUES ($1, $2::jsonb, $3, $4, $5, coalesce($6::timestamptz, now()), $7, $8)
            ON CONFLICT (idempotency_key) DO NOTHING
            RETURNING id
            """,
            [
                job.kind, try PostgresJSON(job.payload), job.tenantID, job.idempotencyKey,
                job.maxAttempts ?? configuration.defaultMaxAttempts, job.runAfter, job.priority, job.serialKey,
            ]
        )
        if let row = inserted.first { return try row.decode("id") }
        guard let key = job.idempotencyKey,
            let existing = try connection.query("SELECT id FROM jobs WHERE idempotency_key = $1", [key]).first
        else { throw PostgresError.decodingFailed("job insert returned no id") }
        return try existing.decode("id")
    }

    /// Enqueues a job in its own transaction.
    @discardableResult
    public func enqueue(_ job: NewJob) async throws -> Int64 {
        try await pool.withConnection { try self.enqueue(job, on: $0) }
    }

    // MARK: Claim and lease

    /// Claims the most urgent ready job of the given kinds, or a running job whose lease expired. A pending job
    /// whose serial key a running job holds waits; two claims racing for one key are settled by a unique index,
    /// and the loser claims nothing this time.
    public func claim(kinds: [String], workerID: String) async throws -> ClaimedJob? {
        do {
            return try await claimOnce(kinds: kinds, workerID: workerID)
        } catch let error as PostgresError where error.sqlState == "23505" {
            return nil
        }
    }

    /// Seconds until the soonest pending job of these kinds becomes due (by the database's clock), or nil
    /// when none waits. Idle workers sleep until then rather than a whole poll interval, so a job scheduled for
    /// a moment starts at that moment.
    public func secondsUntilNextDue(kinds: [String]) async throws -> Double? {
        try await pool.withConnection { connection in
            try connection.query(
                "SELECT extract(epoch FROM min(run_after) - now())::float8 AS wait FROM jobs WHERE kind = ANY($1::text[]) AND status = 'pending'",
                [kinds]
            ).first?.decodeIfPresent("wait")
        }
    }

    private func claimOnce(kinds: [String], workerID: String) async throws -> ClaimedJob? {
        let lease = configuration.leaseSeconds
        let lostLeaseLimit = configuration.lostLeaseLimit
        return try await pool.withConnection { connection in
            let result = try connection.query(
                """
                -- The two kinds of claimable job are looked up apart, each through its own partial index, and the
                -- better of the two is taken: one query with an OR of both had to read and sort every waiting job
                -- on each claim, a cost that grew with the backlog (bench/queue: 7.8 ms of PostgreSQL per claim
                -- with 10,000 jobs waiting). When both find one, the other stays locked only until this statement
                -- commits, so another claimer skips it for that moment at most.
                WITH ready AS (
                    SELECT id, priority, run_after FROM jobs j
                    WHERE status = 'pending' AND run_after <= now() AND kind = ANY($1::text[])
                      AND (serial_key IS NULL OR NOT EXISTS (
                          SELECT 1 FROM jobs r WHERE r.serial_key = j.serial_key AND r.status = 'running'))
                    ORDER BY priority DESC, run_after, id
                    LIMIT 1
                    FOR UPDATE SKIP LOCKED
                ), lapsed AS (
                    SELECT id, priority, run_after FROM jobs
                    WHERE status = 'running' AND lease_expires_at < now() AND kind = ANY($1::text[])
                      AND (attempts < max_attempts OR lost_leases < $4)
                    ORDER BY priority DESC, run_after, id
                    LIMIT 1
                    FOR UPDATE SKIP LOCKED
                ), next AS (
                    SELECT id FROM (SELECT * FROM ready UNION ALL SELECT * FROM lapsed) candidates
                    ORDER BY priority DESC, run_after, id
                    LIMIT 1
                )
                -- Taking over an expired lease counts a lost lease and, below the limit, gives the lost attempt back.
                UPDATE jobs SET status = 'running', attempts = jobs.attempts + 1, lease_owner = $2,
                       lost_leases = jobs.lost_leases + (jobs.status = 'running')::int,
                       max_attempts = jobs.max_attempts + (jobs.status = 'running' AND jobs.lost_leases < $4)::int,
                       lease_expires_at = now() + make_interval(secs => $3), updated_at = now()
                FROM next WHERE jobs.id = next.id
                RETURNING jobs.id, jobs.kind, jobs.payload_json, jobs.tenant_id, jobs.attempts, jobs.max_attempts
                """,
                [kinds, workerID, lease, lostLeaseLimit]
            )
            guard let row = result.first else { return nil }
            return ClaimedJob(
                id: try row.decode("id"),
                kind: try row.decode("kind"),
                payload: try row.decodeJSON("payload_json"),
                tenantID: try row.decodeIfPresent("tenant_id"),
                attempt: try row.decode("attempts"),
                maxAttempts: try row.decode("max_attempts"),
                workerID: workerID
            )
        }
    }

    /// Extends the lease; false when the claim was lost.
    public func renewLease(_ job: ClaimedJob) async throws -> Bool {
        let lease = configuration.leaseSeconds
        return try await pool.withConnection { connection in
            try connection.query(
                """
                UPDATE jobs SET lease_expires_at = now() + make_interval(secs => $3), updated_at = now()
                WHERE id = $1 AND attempts = $2 AND status = 'running'
                """,
                [job.id, job.attempt, lease]
            ).affectedRows == 1
        }
    }

    /// Locks the job row inside the caller's transaction and throws `LeaseLost` unless this claim still holds it.
    /// Call it in the same transaction as a job's side effects so a late worker's writes roll back.
    public func fence(jobID: Int64, attempt: Int, on connection: PostgresConnection) throws {
        let held = try connection.query(
            "SELECT 1 FROM jobs WHERE id = $1 AND attempts = $2 AND status = 'running' FOR UPDATE",
            [jobID, attempt]
        )
        if held.rows.isEmpty { throw LeaseLost(jobID: jobID) }
    }

    // MARK: Outcomes

    /// Marks the job done; false when the claim was lost (the result is not recorded).
    @discardableResult
    public func complete(_ job: ClaimedJob) async throws -> Bool {
        try await pool.withConnection { connection in
            try connection.query(
                """
                UPDATE jobs SET status = 'succeeded', finished_at = now(), updated_at = now(),
                       lease_owner = NULL, lease_expires_at = NULL
                WHERE id = $1 AND attempts = $2 AND status = 'running'
                """,
                [job.id, job.attempt]
            ).affectedRows == 1
        }
    }

    /// Records a failed attempt: a retry after exponential backoff with jitter, or `dead` when out of attempts.
    /// `permanent` failures go straight to `dead`.
    public func fail(_ job: ClaimedJob, error: String, permanent: Bool = false) async throws -> FailureOutcome {
        let exhausted = permanent || job.attempt >= job.maxAttempts
        let ceiling = Backoff.ceiling(attempt: job.attempt - 1, base: configuration.retryBaseSeconds, cap: configuration.retryCapSeconds)
        let delay = exhausted ? 0 : Double.random(in: (ceiling / 2)...ceiling)
        let message = String(error.prefix(4000))
        let updated = try await pool.withConnection { connection in
            try connection.query(
                """
                UPDATE jobs SET status = CASE WHEN $3 THEN 'dead' ELSE 'pending' END,
                       run_after = now() + make_interval(secs => $4), last_error = $5,
                       lease_owner = NULL, lease_expires_at = NULL, updated_at = now(),
                       finished_at = CASE WHEN $3 THEN now() ELSE NULL END
                WHERE id = $1 AND attempts = $2 AND status = 'running'
                """,
                [job.id, job.attempt, exhausted, delay, message]
            ).affectedRows
        }
        if updated == 0 { return .leaseLost }
        return exhausted ? .dead : .retryScheduled(after: delay)
    }

    /// Gives a job back untouched (shutdown): the attempt is not counted and the job is ready at once.
    public func release(_ job: ClaimedJob) async throws {
        try await pool.withConnection { connection in
            try connection.query(
                """
                UPDATE jobs SET status = 'pending', attempts = attempts - 1, run_after = now(),
                       lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
                WHERE id = $1 AND attempts = $2 AND status = 'running'
                """,
                [job.id, job.attempt]
            )
        }
    }

    /// Gives a job back to run at `date` (a publish before its `scheduled_for`): the attempt is not counted.
    public func postpone(_ job: ClaimedJob, until date: Date) async throws {
        try await pool.withConnection { connection in
            try connection.query(
                """
                UPDATE jobs SET status = 'pending', attempts = attempts - 1, run_after = $3,
                       lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
                WHERE id = $1 AND attempts = $2 AND status = 'running'
                """,
                [job.id, job.attempt, date]
            )
        }
    }

    /// A dead job an operator gave another chance.
    public struct RevivedJob: Sendable, Equatable, Encodable {
        public let id: Int64
        public let kind: String
        public let attemptsAdded: Int
        /// The request the job had failed, now back to `received` (what the job's handler reopened).
        public let reopenedRequestID: UUID?
    }

    /// Gives a dead job a fresh budget of `defaultMaxAttempts` (an operator's retry, once the cause is
    /// fixed) and wakes the workers. `attempts` keeps counting up, so a claim from before the death can
    /// never match the job again (fencing). `undoDeath` runs in the same transaction with the job's kind
    /// and payload: the job's handler undoes what it did when the job died (reopening a failed request)
    /// and returns the request it reopened. Returns nil when no dead job has the id (already revived, or
    /// not dead).
    public func revive(
        jobID: Int64,
        undoDeath: @escaping @Sendable (_ kind: String, _ payload: [String: String], PostgresConnection) throws -> UUID? = { _, _, _ in nil }
    ) async throws -> RevivedJob? {
        let budget = configuration.defaultMaxAttempts
        return try await pool.withTransaction { connection in
            guard
                let row = try connection.query(
                    """
                    UPDATE jobs SET status = 'pending', max_attempts = attempts + $2, run_after = now(), finished_at = NULL,
                           updated_at = now()
                    WHERE id = $1 AND status = 'dead'
                    RETURNING kind, tenant_id, payload_json
                    """,
                    [jobID, budget]
                ).first
            else { return nil }
            let kind: String = try row.decode("kind")
            let tenantID: UUID? = try row.decodeIfPresent("tenant_id")
            let reopened = try undoDeath(kind, try row.decodeJSON("payload_json"), connection)
            try EventRepository().record(
                kind: "job.revived",
                tenantID: tenantID,
                postRequestID: reopened,
                payload: ["job_id": String(jobID), "kind": kind, "attempts_added": String(budget)],
                on: connection
            )
            return RevivedJob(id: jobID, kind: kind, attemptsAdded: budget, reopenedRequestID: reopened)
        }
    }

    /// A job that died without its worker recording the failure.
    public struct DeadJob: Sendable, Equatable {
        public let id: Int64
        public let kind: String
        public let payload: [String: String]
        public let lastError: String
    }

    /// Marks `dead` the running jobs whose lease expired on their last attempt (their worker died or hung) once
    /// they have also lost `lostLeaseLimit` leases.
    @discardableResult
    public func buryExpired() async throws -> [DeadJob] {
        let lostLeaseLimit = configuration.lostLeaseLimit
        return try await pool.withConnection { connection in
            try connection.query(
                """
                UPDATE jobs SET status = 'dead', finished_at = now(), updated_at = now(),
                       last_error = coalesce(last_error || E'\\n', '')
                           || 'lease expired on the last attempt (worker died or hung), ' || lost_leases || ' leases lost in all',
                       lease_owner = NULL, lease_expires_at = NULL
                WHERE status = 'running' AND lease_expires_at < now() AND attempts >= max_attempts AND lost_leases >= $1
                RETURNING id, kind, payload_json, last_error
                """,
                [lostLeaseLimit]
            ).rows.map { row in
                DeadJob(
                    id: try row.decode("id"),
                    kind: try row.decode("kind"),
                    payload: try row.decodeJSON("payload_json"),
                    lastError: try row.decode("last_error")
                )
            }
        }
    }
}
