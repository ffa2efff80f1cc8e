import Foundation
public import Logging
public import Store

/// Drafts a replacement for a variant the talent rejected with a reason (`variant.regenerate` jobs, queued by
/// the rejection): a rerun of drafting for that account alone, whose brief reads the reason from the style
/// guide. The rejected version stays, with its reason, under the same post idea.
public struct VariantRegenerationHandler: JobHandler {
    public let kind = ApprovalRepository.regenerateJobKind
    let rerunner: PipelineRerunner

    public init(rerunner: PipelineRerunner) {
        self.rerunner = rerunner
    }

    public func handle(_ job: JobQueue.ClaimedJob, logger: Logger) async throws {
        guard let text = job.payload["content_queue_id"], let id = UUID(uuidString: text) else {
            throw PermanentJobError("the job names no variant")
        }
        if let receipt = try await rerunner.regenerate(rejectedVariant: id) {
            logger.info("replacement draft queued", metadata: ["content_queue_id": "\(id)", "run_id": "\(receipt.runID)"])
        } else {
            logger.info("nothing to regenerate: the variant is not the latest rejected version", metadata: ["content_queue_id": "\(id)"])
        }
    }
}
