import Domain
public import Foundation
import Intake
public import Pipeline
public import Store

/// Queues reruns of a pipeline's stages: a `queued` pipeline run naming the stages to run again (the chosen one
/// and every stage that needs it, directly or not) and a pipeline job under the request's serial key, so it runs
/// once no other run of the request is running. One transaction, with an event.
public struct PipelineRerunner: StageRerunning {
    let pool: PostgresPool
    let pipeline: PipelineDefinition

    public init(pool: PostgresPool, pipeline: PipelineDefinition) {
        self.pool = pool
        self.pipeline = pipeline
    }

    public var stageNames: [String] { pipeline.stages.map(\.name) }

    public func rerun(requestID: UUID, stage: String, requestedBy: String, scope: DataScope) async throws -> RerunReceipt {
        guard stageNames.contains(stage) else { throw RerunError.unknownStage(stage, known: stageNames) }
        return try await pool.scoped(scope).withTransaction { connection in
            try queueRerun(requestID: requestID, stage: stage, requestedBy: requestedBy, accounts: nil, on: connection)
        }
    }

    /// Drafts a replacement for a rejected variant: a rerun of `draft` (and what needs it) for that account only,
    /// which adds a new version after the rejected one. Nil when the variant is not the rejected latest version
    /// of a request, or its replacement is already queued (a retried job), or it is not from a request.
    public func regenerate(rejectedVariant queueID: UUID) async throws -> RerunReceipt? {
        guard let draft = pipeline.stages.first(where: { $0.kind == "draft" })?.name else { return nil }
        return try await pool.withTransaction { connection -> RerunReceipt? in
            guard
                let row = try connection.query(
                    """
                    SELECT q.post_request_id, q.account_id FROM content_queue q
                    WHERE q.id = $1 AND q.state = 'rejected' AND q.post_request_id IS NOT NULL
                      AND NOT EXISTS (SELECT 1 FROM content_queue n WHERE n.post_request_id = q.post_request_id
                                      AND n.account_id = q.account_id AND n.version > q.version)
                      AND NOT EXISTS (SELECT 1 FROM pipeline_runs r WHERE r.post_request_id = q.post_request_id
                                      AND r.status IN ('queued', 'running') AND q.account_id = ANY(r.target_account_ids))
                    """,
                    [queueID]
                ).first
            else { return nil }
            return try queueRerun(
                requestID: try row.decode("post_request_id"),
                stage: draft,
                requestedBy: "rejection",
                accounts: [try row.decode("account_id")],
                on: connection
            )
        }
    }

    /// Queues the run and its pipeline job, with an event; inside the caller's transaction.
    private func queueRerun(requestID: UUID, stage: String, requestedBy: String, accounts: [UUID]?, on connection: PostgresConnection) throws -> RerunReceipt {
        let stages = pipeline.stagesAffected(byRerunning: [stage])
        let requests = PostRequestRepository()
        guard let status = try requests.lockStatus(requestID: requestID, on: connection),
            let request = try requests.snapshot(id: requestID, on: connection)
        else { throw RerunError.noRequest(requestID) }
        let runs = PipelineRunRepository()
        // An open request's pipeline has yet to finish (or start): the rerun follows it.
        let waiting = try !status.isFinal || runs.hasUnfinishedRun(requestID: requestID, on: connection)
        let runID = try runs.queueRerun(
            requestID: requestID,
            tenantID: request.tenantID,
            pipeline: pipeline.name,
            stages: stages,
            requestedBy: requestedBy,
            accounts: accounts,
            on: connection
        )
        try JobQueue(pool: pool).enqueue(
            PostRequestIntake.pipelineJob(requestID: requestID, tenantID: request.tenantID, idempotencyKey: "pipeline-rerun:\(runID.uuidString.lowercased())"),
            on: connection
        )
        var payload = [
            "run_id": runID.uuidString.lowercased(), "stage": stage, "stages": stages.joined(separator: ","), "requested_by": requestedBy,
        ]
        if let accounts { payload["accounts"] = accounts.map { $0.uuidString.lowercased() }.joined(separator: ",") }
        try EventRepository().record(
            kind: "pipeline.rerun_requested",
            tenantID: request.tenantID,
            talentID: request.talentID,
            postRequestID: requestID,
            payload: payload,
            on: connection
        )
        return RerunReceipt(runID: runID, requestID: requestID, stages: stages, waiting: waiting)
    }
}
