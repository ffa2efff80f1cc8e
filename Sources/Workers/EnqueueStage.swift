public import Contracts
import Domain
import Foundation
public import Pipeline
import Store

/// `enqueue`: puts each variant that passed moderation in the shared approval queue
/// (`content_queue`, state `awaiting_owner_approval`, grouped by the request), and records each blocked one
/// as an event. One transaction, fenced on the job's claim, so a late worker writes nothing.
public struct EnqueueStage: WaitingRequestStage {
    public static let kind = "enqueue"
    public static let reads: [StageRead] = [.required(ModerationOutput.self)]

    let pool: PostgresPool
    let queue: JobQueue

    public func run(_ context: StageContext) async throws -> StageResult<EnqueueOutput> {
        guard let moderation = try context.output(ModerationOutput.self) else {
            throw StageFailure("enqueue needs the moderate stage's output")
        }
        let request = context.request
        let talent = context.talent
        let fencing = context.fencing
        let queue = self.queue
        let output = try await pool.withTransaction { connection -> EnqueueOutput in
            if let fencing { try queue.fence(jobID: fencing.jobID, attempt: fencing.attempt, on: connection) }
            let content = ContentRepository()
            try content.lockRequest(request.id, on: connection)
            // A regeneration (after a rejection) drafts for some accounts only, and adds a version after the rejected one.
            let regenerating = try PipelineRunRepository().targetAccounts(runID: context.pipelineRunID, on: connection) != nil
            func event(_ kind: String, _ payload: [String: String]) throws {
                try EventRepository().record(
                    kind: kind,
                    tenantID: request.tenantID,
                    talentID: talent.id,
                    postRequestID: request.id,
                    payload: payload,
                    on: connection
                )
            }
            var output = EnqueueOutput()
            for item in moderation.variants {
                let variant = item.variant
                guard item.passed else {
                    output.blocked += 1
                    try event(
                        "variant.blocked",
                        ["platform": variant.platform.rawValue, "handle": variant.handle, "reason": item.blockedReason ?? ""]
                    )
                    continue
                }
                let assetURL =
                    variant.assetPath
                    ?? variant.assetAttachmentID.flatMap { id in context.attachments.first { $0.id == id }?.storagePath }
                let outcome = try content.enqueueVariant(
                    .init(
                        tenantID: request.tenantID,
                        talentID: talent.id,
                        accountID: variant.accountID,
                        postRequestID: request.id,
                        origin: request.source.queueOrigin,
                        type: variant.type,
                        assetURL: assetURL,
                        caption: variant.caption,
                        hashtags: variant.hashtags,
                        generatedBy: variant.generatedBy,
                        moderated: true,
                        moderationReason: item.flagReason.map { "flagged: \($0)" }
                    ),
                    regenerating: regenerating,
                    on: connection
                )
                switch outcome {
                case .created(let id):
                    output.enqueued.append(id)
                    if regenerating {
                        try event("variant.regenerated", ["queue_id": id.uuidString.lowercased(), "platform": variant.platform.rawValue])
                    }
                case .replaced(let id):
                    output.replaced += 1
                    try event("variant.replaced", ["queue_id": id.uuidString.lowercased(), "platform": variant.platform.rawValue])
                case .unchanged: output.unchanged += 1
                case .kept: output.kept += 1
                }
            }
            return output
        }
        var parts: [String] = []
        if !output.enqueued.isEmpty { parts.append("\(output.enqueued.count) awaiting approval") }
        if output.replaced > 0 { parts.append("\(output.replaced) replaced") }
        if output.unchanged > 0 { parts.append("\(output.unchanged) unchanged") }
        if output.blocked > 0 { parts.append("\(output.blocked) blocked by moderation") }
        if output.kept > 0 { parts.append("\(output.kept) already decided and kept") }
        let summary = parts.isEmpty ? "nothing to queue" : parts.joined(separator: ", ")
        return StageResult(summary: summary, output: output)
    }
}
