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

    public func rerun(requestID: UUID, stage: String, requestedBy: String) async throws -> RerunReceipt {
        guard stageNames.contains(stage) else { throw RerunError.unknownStage(stage, known: stageNames) }
        let stages = pipeline.stagesAffected(byRerunning: [stage])
        let pipelineName = pipeline.name
        return try await pool.withTransaction { connection in
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
                pipeline: pipelineName,
                stages: stages,
                requestedBy: requestedBy,
                on: connection
            )
            try JobQueue(pool: pool).enqueue(
                .init(
                    kind: PostRequestIntake.pipelineJobKind,
                    payload: ["post_request_id": requestID.uuidString],
                    tenantID: request.tenantID,
                    idempotencyKey: "pipeline-rerun:\(runID.uuidString.lowercased())",
                    serialKey: PostRequestIntake.pipelineSerialKey(requestID)
                ),
                on: connection
            )
            try EventRepository().record(
                kind: "pipeline.rerun_requested",
                tenantID: request.tenantID,
                talentID: request.talentID,
                postRequestID: requestID,
                payload: [
                    "run_id": runID.uuidString.lowercased(), "stage": stage, "stages": stages.joined(separator: ","),
                    "requested_by": requestedBy,
                ],
                on: connection
            )
            return RerunReceipt(runID: runID, requestID: requestID, stages: stages, waiting: waiting)
        }
    }
}
