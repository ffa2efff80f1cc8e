import Blobs
import Contracts
import Domain
import Foundation
import Pipeline
import Store
import Telemetry

/// Records pipeline runs in PostgreSQL and resolves attachments through the blob store.
struct StorePipelineRecorder: PipelineRecorder {
    let pool: PostgresPool
    let blobs: any BlobStore

    func loadInput(requestID: UUID) async throws -> PipelineInput? {
        try await pool.withConnection { connection in
            let requests = PostRequestRepository()
            let talents = TalentRepository()
            guard let request = try requests.snapshot(id: requestID, on: connection),
                let talent = try talents.talent(id: request.talentID, on: connection)
            else { return nil }
            let accounts = try talents.accounts(talentID: talent.id, on: connection)
            let targets = request.targetAccountIDs.compactMap { id in accounts.first { $0.id == id } }
            return PipelineInput(
                request: request,
                talent: talent,
                targets: targets,
                attachments: try requests.attachments(requestID: requestID, on: connection)
            )
        }
    }

    func beginRun(
        input: PipelineInput,
        pipeline: String,
        fencing: FencingToken?
    ) async throws -> BegunPipelineRun? {
        let queue = JobQueue(pool: pool)
        return try await pool.withTransaction { connection in
            if let fencing { try queue.fence(jobID: fencing.jobID, attempt: fencing.attempt, on: connection) }
            let requests = PostRequestRepository()
            let request = input.request
            guard let status = try requests.lockStatus(requestID: request.id, on: connection) else { return nil }
            let runs = PipelineRunRepository()
            guard
                let run = try runs.beginRun(
                    requestID: request.id,
                    tenantID: request.tenantID,
                    requestOpen: !status.isFinal,
                    pipeline: pipeline,
                    on: connection
                )
            else { return nil }
            if run.promoted {
                try requests.reopen(requestID: request.id, on: connection)
                try EventRepository().record(
                    kind: "pipeline.rerun_started",
                    tenantID: request.tenantID,
                    talentID: request.talentID,
                    postRequestID: request.id,
                    payload: ["run_id": run.id.uuidString.lowercased(), "stages": (run.rerunStages ?? []).joined(separator: ",")],
                    on: connection
                )
            }
            let recorded = try runs.stages(runID: run.id, on: connection).map {
                RecordedStageRun(stage: $0.stage, attachmentID: $0.attachmentID, status: $0.status, outputJSON: $0.outputJSON)
            }
            return BegunPipelineRun(runID: run.id, recorded: recorded, targetAccountIDs: run.targetAccountIDs)
        }
    }

    func setRequestStatus(_ status: PostRequestStatus, reason: String?, requestID: UUID) async throws {
        try await pool.withConnection { connection in
            try PostRequestRepository().setStatus(status, failureReason: reason, requestID: requestID, on: connection)
        }
    }

    func stageStarted(runID: UUID, input: PipelineInput, stage: String, position: Int, attachmentID: UUID?) async throws {
        try await pool.withConnection { connection in
            try PipelineRunRepository().stageStarted(
                runID: runID,
                tenantID: input.request.tenantID,
                stage: stage,
                position: position,
                attachmentID: attachmentID,
                on: connection
            )
        }
    }

    func stageFinished(runID: UUID, input: PipelineInput, stage: String, attachmentID: UUID?, outcome: StageOutcome) async throws {
        try await recordStageFinished(runID: runID, input: input, stage: stage, attachmentID: attachmentID, outcome: outcome)
        // Counted once the row is committed, so this daemon's counts match what `stage_runs` holds.
        DaemonMetrics.stageFinished(stage, outcome: outcome.result == nil ? .failed : .succeeded, seconds: outcome.durationMs / 1000)
    }

    private func recordStageFinished(
        runID: UUID,
        input: PipelineInput,
        stage: String,
        attachmentID: UUID?,
        outcome: StageOutcome
    ) async throws {
        try await pool.withTransaction { connection in
            let result = outcome.result
            try PipelineRunRepository().stageFinished(
                runID: runID,
                stage: stage,
                attachmentID: attachmentID,
                status: result == nil ? "failed" : "succeeded",
                durationMs: outcome.durationMs,
                summary: result?.summary,
                outputJSON: result?.outputJSON,
                error: outcome.error,
                on: connection
            )
            guard let attachmentID else { return }
            let requests = PostRequestRepository()
            switch outcome {
            case .failed(let error, _):
                try requests.mergeAnalysis(attachmentID: attachmentID, key: stage, json: try PostgresJSON(["error": error]).text, on: connection)
            case .succeeded(let result, _):
                try requests.mergeAnalysis(
                    attachmentID: attachmentID,
                    key: stage,
                    json: result.outputJSON,
                    durationSeconds: Self.duration(stage: stage, in: result.outputJSON),
                    transcript: result.transcript,
                    on: connection
                )
                // A voice memo speaks the prompt when the request came without one.
                if let transcript = result.transcript, input.attachments.first(where: { $0.id == attachmentID })?.role == .voiceMemo {
                    try requests.fillPromptIfEmpty(transcript, requestID: input.request.id, on: connection)
                }
            }
        }
    }

    func finishRun(runID: UUID, requestID: UUID, status: PostRequestStatus, error: String?) async throws {
        try await pool.withTransaction { connection in
            try PipelineRunRepository().finishRun(
                runID: runID,
                status: status == .complete ? "succeeded" : "failed",
                error: error,
                on: connection
            )
            try PostRequestRepository().setStatus(status, failureReason: error, requestID: requestID, on: connection)
        }
    }

    func localFile(for attachment: AttachmentSnapshot) async throws -> URL {
        try await blobs.localFile(for: attachment.storagePath)
    }

    func stageProgress(runID: UUID, stage: String, attachmentID: UUID?, text: String) async throws {
        try await pool.withConnection { connection in
            try PipelineRunRepository().stageProgress(runID: runID, stage: stage, attachmentID: attachmentID, text: text, on: connection)
        }
    }

    /// A probe's duration, kept in the attachment's `duration_s` column too.
    private static func duration(stage: String, in json: String) -> Double? {
        guard stage == ProbeResult.producer else { return nil }
        return (try? JSONDecoder().decode(ProbeResult.self, from: Data(json.utf8)))?.durationSeconds
    }
}
