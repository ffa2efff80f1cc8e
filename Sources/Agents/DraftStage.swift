public import Contracts
import Domain
public import Pipeline

/// `draft`: ContentAgent writes one variant per target account.
public struct DraftStage: WaitingRequestStage {
    public static let kind = "draft"
    public static let reads = ContentBrief.reads

    let agent: any ContentAgent

    public init(agent: any ContentAgent) {
        self.agent = agent
    }

    public func run(_ context: StageContext) async throws -> StageResult<DraftOutput> {
        guard !context.targets.isEmpty else { throw StageFailure("the request targets no account") }
        let output = try await agent.draft(ContentBrief(context: context), progress: context.progress)
        let platforms = output.variants.map(\.platform.tag).joined(separator: ", ")
        var summary = "\(output.variants.count) variants (\(platforms))"
        if let calls = output.modelCalls, !calls.isEmpty { summary += " by " + ModelCall.summary(calls) }
        return StageResult(summary: summary, output: output)
    }
}
