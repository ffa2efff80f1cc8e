public import Contracts
import Domain
import Foundation
public import LLMRouter
public import Pipeline

/// `moderate`: the never-say list first, over each variant's caption, hashtags and the text burned into or
/// spoken in its reel; then, with a router, an LLM pass (`ModerationPrompt`) over the variants that passed:
/// `block` keeps a variant out of the approval queue with the reason, `flag` queues it with the reason shown.
public struct ModerateStage: WaitingRequestStage {
    public static let kind = "moderate"
    public static let reads: [StageRead] = [.required(DraftOutput.self), .optional(ComposedReels.self)]

    let client: LLMRouterClient?

    /// - Parameter client: the router for the second pass; nil runs the never-say list alone.
    public init(client: LLMRouterClient? = nil) {
        self.client = client
    }

    public func run(_ context: StageContext) async throws -> StageResult<ModerationOutput> {
        guard let draft = try context.output(DraftOutput.self) else {
            throw StageFailure("moderate needs the draft stage's output")
        }
        let reels = try context.output(ComposedReels.self)?.reels ?? []
        func mediaText(_ variant: DraftVariant) -> String? {
            guard let path = variant.assetPath, let reel = reels.first(where: { $0.path == path })?.reel else { return nil }
            let lines = reel.subtitles.map(\.text)
            return lines.isEmpty ? nil : lines.joined(separator: " ")
        }
        let literal = NeverSayModerator(neverSay: context.talent.doNotSay)
        var verdicts = draft.variants.map { variant in
            let text = [variant.caption, variant.hashtags.joined(separator: " "), mediaText(variant) ?? ""].joined(separator: " ")
            return ModerationOutput.Verdict(variant: variant, blockedReason: literal.firstHit(in: text).map { "never-say list: \"\($0)\"" })
        }
        var calls: [ModelCall]?
        let passed = verdicts.filter(\.passed).map(\.variant)
        if let client, !passed.isEmpty {
            let prompt = ModerationPrompt(talent: context.talent, variants: passed.map { ($0, mediaText($0)) })
            let (judged, made) = try await client.callValidatedTool(
                prompt.request(model: client.configuration.moderationModel),
                purpose: "moderation",
                validate: prompt.validate
            )
            calls = made
            for index in verdicts.indices where verdicts[index].passed {
                guard let verdict = judged[verdicts[index].variant.accountID] else { continue }
                switch verdict.verdict {
                case "block": verdicts[index].blockedReason = "moderation: \(verdict.reason)"
                case "flag": verdicts[index].flagReason = verdict.reason
                default: break
                }
            }
        }
        let blocked = verdicts.filter { !$0.passed }.count
        let flagged = verdicts.filter { $0.passed && $0.flagReason != nil }.count
        var summary = blocked == 0 ? "\(verdicts.count) passed" : "\(verdicts.count - blocked) passed, \(blocked) blocked"
        if flagged > 0 {
            let reasons = verdicts.compactMap { verdict in verdict.flagReason.map { "\(verdict.variant.platform.rawValue): \($0)" } }
            summary += ", \(flagged) flagged (" + reasons.joined(separator: "; ") + ")"
        }
        let blockedReasons = verdicts.compactMap { verdict in verdict.blockedReason.map { "\(verdict.variant.platform.rawValue): \($0)" } }
        if !blockedReasons.isEmpty { summary += " — blocked " + blockedReasons.joined(separator: "; ") }
        if let calls, !calls.isEmpty { summary += " by " + ModelCall.summary(calls) }
        return StageResult(summary: summary, output: ModerationOutput(variants: verdicts, modelCalls: calls))
    }
}
