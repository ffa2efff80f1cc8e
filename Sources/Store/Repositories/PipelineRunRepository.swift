public import Foundation

/// Pipeline runs and their stage runs: what the runner records and operators read.
public struct PipelineRunRepository: Sendable {
    public init() {}

    /// A stage run already recorded in a pipeline run.
    public struct RecordedStage: Sendable, Equatable {
        public let stage: String
        public let attachmentID: UUID?
        public let status: String
        public let attempts: Int
        public let outputJSON: String?
        public let error: String?
    }

    /// The running pipeline run for a request, created when there is none (one at most, by a unique index).
    public func currentRun(
        requestID: UUID, tenantID: UUID, pipeline: String, on connection: PostgresConnection
    ) throws -> UUID {
        if let created = try connection.query(
            """
            INSERT INTO pipeline_runs (tenant_id, post_request_id, pipeline) VALUES ($1, $2, $3)
            ON CONFLICT (post_request_id) WHERE status = 'running' DO NOTHING
            RETURNING id
            """, [tenantID, requestID, pipeline]
        ).first {
            return try created.decode("id")
        }
        guard let running = try connection.query(
            "SELECT id FROM pipeline_runs WHERE post_request_id = $1 AND status = 'running'", [requestID]
        ).first else {
            throw PostgresError.decodingFailed("the running pipeline run of request \(requestID) vanished; try again")
        }
        return try running.decode("id")
    }

    /// Every stage run recorded so far in a run.
    public func stages(runID: UUID, on connection: PostgresConnection) throws -> [RecordedStage] {
        try connection.query(
            "SELECT stage, attachment_id, status, attempts, output_json, error FROM stage_runs WHERE pipeline_run_id = $1",
            [runID]
        ).rows.map { row in
            RecordedStage(
                stage: try row.decode("stage"), attachmentID: try row.decodeIfPresent("attachment_id"),
                status: try row.decode("status"), attempts: try row.decode("attempts"),
                outputJSON: try row.decodeIfPresent("output_json"), error: try row.decodeIfPresent("error"))
        }
    }

    /// Records that a stage started (again, when a crash interrupted it).
    public func stageStarted(
        runID: UUID, tenantID: UUID, stage: String, position: Int, attachmentID: UUID?, on connection: PostgresConnection
    ) throws {
        try connection.query(
            """
            INSERT INTO stage_runs (tenant_id, pipeline_run_id, stage, position, attachment_id, status)
            VALUES ($1, $2, $3, $4, $5, 'running')
            ON CONFLICT (pipeline_run_id, stage, attachment_id) DO UPDATE
            SET status = 'running', attempts = stage_runs.attempts + 1, started_at = now(), finished_at = NULL,
                duration_ms = NULL, error = NULL, summary = NULL, output_json = NULL
            """, [tenantID, runID, stage, position, attachmentID])
    }

    /// Records how a stage ended.
    public func stageFinished(
        runID: UUID, stage: String, attachmentID: UUID?, status: String, durationMs: Double, summary: String?,
        outputJSON: String?, error: String?, on connection: PostgresConnection
    ) throws {
        try connection.query(
            """
            UPDATE stage_runs SET status = $4, finished_at = now(), duration_ms = $5, summary = $6,
                   output_json = $7::jsonb, error = $8
            WHERE pipeline_run_id = $1 AND stage = $2 AND attachment_id IS NOT DISTINCT FROM $3
            """,
            [runID, stage, attachmentID, status, durationMs, summary, outputJSON.map { PostgresJSON(text: $0) }, error])
    }

    /// Closes a run.
    public func finishRun(runID: UUID, status: String, error: String?, on connection: PostgresConnection) throws {
        try connection.query(
            "UPDATE pipeline_runs SET status = $2, error = $3, finished_at = now() WHERE id = $1 AND status = 'running'",
            [runID, status, error])
    }
}
