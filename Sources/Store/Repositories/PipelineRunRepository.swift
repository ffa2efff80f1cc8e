public import Foundation

/// Pipeline runs and their stage runs: what the runner records and operators read.
public struct PipelineRunRepository: Sendable {
    public init() {}

    /// A stage run already recorded in a pipeline run.
    public struct RecordedStage: Sendable, Equatable, Decodable {
        public let stage: String
        public let attachmentID: UUID?
        public let status: String
        public let attempts: Int
        public let outputJSON: String?
        public let error: String?
    }

    /// The run a pipeline job works on, or nil when there is nothing to run.
    public struct BegunRun: Sendable, Equatable {
        public let id: UUID
        /// The stages this run runs again; nil for a first (whole) run.
        public let rerunStages: [String]?
        /// True when this call promoted a queued rerun to running (the request was reopened).
        public let promoted: Bool
        /// The accounts a regeneration drafts for; nil for every target account.
        public var targetAccountIDs: [UUID]? = nil
    }

    /// The run a pipeline job for `requestID` works on: the running one (resumed after a crash); else a new run
    /// while the request is still open (its first run, or one an operator's revive reopened); else the oldest
    /// queued rerun, promoted to running, with every stage it does not run again copied from the latest earlier
    /// run as `skipped`; else nil (a finished request with no rerun waiting). Call inside a transaction that has locked the request's row.
    public func beginRun(
        requestID: UUID,
        tenantID: UUID,
        requestOpen: Bool,
        pipeline: String,
        on connection: PostgresConnection
    ) throws -> BegunRun? {
        if let running = try connection.query(
            "SELECT id, rerun_stages, target_account_ids FROM pipeline_runs WHERE post_request_id = $1 AND status = 'running'",
            [requestID]
        ).first {
            return BegunRun(
                id: try running.decode("id"),
                rerunStages: try running.decodeIfPresent("rerun_stages"),
                promoted: false,
                targetAccountIDs: try running.decodeIfPresent("target_account_ids")
            )
        }
        if requestOpen {
            let created = try connection.query(
                "INSERT INTO pipeline_runs (tenant_id, post_request_id, pipeline) VALUES ($1, $2, $3) RETURNING id",
                [tenantID, requestID, pipeline]
            ).first!
            return BegunRun(id: try created.decode("id"), rerunStages: nil, promoted: false)
        }
        if let queued = try connection.query(
            """
            UPDATE pipeline_runs SET status = 'running', started_at = now()
            WHERE id = (SELECT id FROM pipeline_runs WHERE post_request_id = $1 AND status = 'queued'
                        ORDER BY created_at, id LIMIT 1)
            RETURNING id, rerun_stages, target_account_ids
            """,
            [requestID]
        ).first {
            let id: UUID = try queued.decode("id")
            let stages: [String] = try queued.decodeIfPresent("rerun_stages") ?? []
            try copyReusedStages(into: id, requestID: requestID, except: stages, on: connection)
            return BegunRun(id: id, rerunStages: stages, promoted: true, targetAccountIDs: try queued.decodeIfPresent("target_account_ids"))
        }
        return nil
    }

    /// Copies, for every stage run not in `stages`, its latest finished record from the request's earlier runs as
    /// `skipped`, pointing at the stage run that produced it. Request stages are copied only when they succeeded
    /// (a failed one runs again); attachment stages keep their verdict either way.
    private func copyReusedStages(into runID: UUID, requestID: UUID, except stages: [String], on connection: PostgresConnection) throws {
        try connection.query(
            """
            INSERT INTO stage_runs (tenant_id, pipeline_run_id, stage, position, attachment_id, status, attempts,
                                    started_at, finished_at, duration_ms, summary, output_json, error, reused_from)
            SELECT DISTINCT ON (s.stage, s.attachment_id)
                   s.tenant_id, $1, s.stage, s.position, s.attachment_id, 'skipped', 0, now(), now(), 0,
                   s.summary, s.output_json, s.error, coalesce(s.reused_from, s.id)
            FROM stage_runs s JOIN pipeline_runs r ON r.id = s.pipeline_run_id
            WHERE r.post_request_id = $2 AND r.id <> $1 AND s.stage <> ALL($3::text[])
              AND (s.status = 'succeeded' OR (s.status = 'skipped' AND (s.output_json IS NOT NULL OR s.attachment_id IS NOT NULL))
                   OR (s.status = 'failed' AND s.attachment_id IS NOT NULL))
            ORDER BY s.stage, s.attachment_id, s.finished_at DESC NULLS LAST
            """,
            [runID, requestID, stages]
        )
    }

    /// Queues a rerun of `stages` for a request: it starts when no other run of the request is running.
    /// - Parameter accounts: the accounts it drafts for (a regeneration); nil for all the request's targets.
    public func queueRerun(
        requestID: UUID,
        tenantID: UUID,
        pipeline: String,
        stages: [String],
        requestedBy: String,
        accounts: [UUID]? = nil,
        on connection: PostgresConnection
    ) throws -> UUID {
        try connection.query(
            """
            INSERT INTO pipeline_runs (tenant_id, post_request_id, pipeline, status, rerun_stages, requested_by, target_account_ids)
            VALUES ($1, $2, $3, 'queued', $4, $5, $6) RETURNING id
            """,
            [tenantID, requestID, pipeline, stages, requestedBy, accounts]
        ).first!.decode("id")
    }

    /// The accounts a run drafts for, when it is a regeneration; nil for every target account.
    public func targetAccounts(runID: UUID, on connection: PostgresConnection) throws -> [UUID]? {
        try connection.query("SELECT target_account_ids FROM pipeline_runs WHERE id = $1", [runID]).first?.decodeIfPresent("target_account_ids")
    }

    /// Whether the request has a run that is running or waiting its turn.
    public func hasUnfinishedRun(requestID: UUID, on connection: PostgresConnection) throws -> Bool {
        !(try connection.query(
            "SELECT 1 FROM pipeline_runs WHERE post_request_id = $1 AND status IN ('running', 'queued') LIMIT 1",
            [requestID]
        ).rows.isEmpty)
    }

    /// Every stage run recorded so far in a run.
    public func stages(runID: UUID, on connection: PostgresConnection) throws -> [RecordedStage] {
        try connection.query(
            "SELECT stage, attachment_id, status, attempts, output_json::text AS output_json, error FROM stage_runs WHERE pipeline_run_id = $1",
            [runID]
        ).rows.map { try $0.decode(as: RecordedStage.self) }
    }

    /// Records that a stage started (again, when a crash interrupted it).
    public func stageStarted(
        runID: UUID,
        tenantID: UUID,
        stage: String,
        position: Int,
        attachmentID: UUID?,
        on connection: PostgresConnection
    ) throws {
        try connection.query(
            """
            INSERT INTO stage_runs (tenant_id, pipeline_run_id, stage, position, attachment_id, status)
            VALUES ($1, $2, $3, $4, $5, 'running')
            ON CONFLICT (pipeline_run_id, stage, attachment_id) DO UPDATE
            SET status = 'running', attempts = stage_runs.attempts + 1, started_at = now(), finished_at = NULL,
                duration_ms = NULL, error = NULL, summary = NULL, output_json = NULL
            """,
            [tenantID, runID, stage, position, attachmentID]
        )
    }

    /// Shows how far a running stage has got (a draft growing as the model writes it) as its summary until it ends.
    public func stageProgress(runID: UUID, stage: String, attachmentID: UUID?, text: String, on connection: PostgresConnection) throws {
        try connection.query(
            """
            UPDATE stage_runs SET summary = $4
            WHERE pipeline_run_id = $1 AND stage = $2 AND attachment_id IS NOT DISTINCT FROM $3 AND status = 'running'
            """,
            [runID, stage, attachmentID, text]
        )
    }

    /// Records how a stage ended.
    public func stageFinished(
        runID: UUID,
        stage: String,
        attachmentID: UUID?,
        status: String,
        durationMs: Double,
        summary: String?,
        outputJSON: String?,
        error: String?,
        on connection: PostgresConnection
    ) throws {
        try connection.query(
            """
            UPDATE stage_runs SET status = $4, finished_at = now(), duration_ms = $5, summary = $6,
                   output_json = $7::jsonb, error = $8
            WHERE pipeline_run_id = $1 AND stage = $2 AND attachment_id IS NOT DISTINCT FROM $3
            """,
            [runID, stage, attachmentID, status, durationMs, summary, outputJSON.map { PostgresJSON(text: $0) }, error]
        )
    }

    /// Closes a run.
    public func finishRun(runID: UUID, status: String, error: String?, on connection: PostgresConnection) throws {
        try connection.query(
            "UPDATE pipeline_runs SET status = $2, error = $3, finished_at = now() WHERE id = $1 AND status = 'running'",
            [runID, status, error]
        )
    }
}
