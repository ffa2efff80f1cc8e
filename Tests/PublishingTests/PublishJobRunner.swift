import Foundation
import Store
import TestSupport
import Workers

/// Runs one variant's publish job the way a worker would, with no worker running: claims it, hands it to the
/// handler, and records the ending (a `JobNotYet` postpones it). Other publish jobs waiting in the same
/// database are set an hour aside.
struct PublishJobRunner {
    let pool: PostgresPool
    let queue: JobQueue
    let handler: PublishHandler

    /// The error the handler threw, if any (`JobNotYet` included).
    @discardableResult
    func run(variant id: UUID) async throws -> (any Error)? {
        try await pool.withConnection { connection in
            try connection.query(
                "UPDATE jobs SET run_after = now() WHERE kind = 'publish' AND status = 'pending' AND payload_json->>'content_queue_id' = $1",
                [id.uuidString.lowercased()]
            )
        }
        while let job = try await queue.claim(kinds: ["publish"], workerID: "test") {
            guard job.payload["content_queue_id"] == id.uuidString.lowercased() else {
                try await queue.postpone(job, until: Date().addingTimeInterval(3600))
                continue
            }
            do {
                try await handler.handle(job, logger: TestEnvironment.logger)
                _ = try await queue.complete(job)
                return nil
            } catch let later as JobNotYet {
                try await queue.postpone(job, until: later.date)
                return later
            } catch {
                _ = try await queue.fail(job, error: "\(error)")
                return error
            }
        }
        return nil
    }
}
