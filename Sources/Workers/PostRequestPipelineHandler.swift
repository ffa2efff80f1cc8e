import Domain
public import Foundation
public import Logging
public import Pipeline
public import Store

/// Runs the post-request pipeline for the request a job names.
public struct PostRequestPipelineHandler: JobHandler {
    public let kind: String
    let runner: PipelineRunner
    let pool: PostgresPool

    public init(kind: String, runner: PipelineRunner, pool: PostgresPool) {
        self.kind = kind
        self.runner = runner
        self.pool = pool
    }

    public func handle(_ job: JobQueue.ClaimedJob, logger: Logger) async throws {
        guard let text = job.payload["post_request_id"], let requestID = UUID(uuidString: text) else {
            throw PermanentJobError("the job names no post request")
        }
        let outcome = try await runner.run(
            requestID: requestID,
            fencing: FencingToken(jobID: job.id, attempt: job.attempt),
            logger: logger
        )
        switch outcome {
        case .complete: logger.info("post request complete", metadata: ["post_request_id": "\(requestID)"])
        case .failed(let reason): logger.warning("post request failed", metadata: ["post_request_id": "\(requestID)", "reason": "\(reason)"])
        case .nothingToDo: logger.debug("post request already final or gone", metadata: ["post_request_id": "\(requestID)"])
        }
    }

    /// The request a revived job had failed goes back to `received`; its pipeline resumes its run.
    public func jobRevived(id: Int64, payload: [String: String], on connection: PostgresConnection) throws -> UUID? {
        guard let text = payload["post_request_id"], let requestID = UUID(uuidString: text) else { return nil }
        return try PostRequestRepository().reopenFailed(requestID: requestID, on: connection) ? requestID : nil
    }

    /// A request whose pipeline job died is failed with the job's last error, so it never hangs in `analyzing`.
    public func jobDied(id: Int64, payload: [String: String], error: String, logger: Logger) async {
        guard let text = payload["post_request_id"], let requestID = UUID(uuidString: text) else { return }
        do {
            try await pool.withConnection { connection in
                try PostRequestRepository().setStatus(
                    .failed,
                    failureReason: "pipeline job \(id) is dead: \(error)",
                    requestID: requestID,
                    on: connection
                )
            }
        } catch {
            logger.error("could not mark the request failed", metadata: ["post_request_id": "\(requestID)", "error": "\(error)"])
        }
    }
}
