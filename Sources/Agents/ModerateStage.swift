public import Contracts
import Domain
public import Pipeline

/// `moderate`: blocks any variant that says something on the talent's never-say list, with the reason.
public struct ModerateStage: Stage {
    public typealias Configuration = NoOptions
    public static let kind = "moderate"
    public static let scope = StageScope.request
    public static let reads: [StageRead] = [.required(DraftOutput.self)]

    public init() {}

    public func run(_ context: StageContext) async throws -> StageResult<ModerationOutput> {
        guard let draft = try context.output(DraftOutput.self) else {
            throw StageFailure("moderate needs the draft stage's output")
        }
        let moderator = NeverSayModerator(neverSay: context.talent.doNotSay)
        let moderated = draft.variants.map { variant in
            let text = variant.caption + " " + variant.hashtags.joined(separator: " ")
            let hit = moderator.firstHit(in: text)
            return ModerationOutput.Verdict(variant: variant, blockedReason: hit.map { "never-say list: \"\($0)\"" })
        }
        let blocked = moderated.filter { !$0.passed }.count
        return StageResult(
            summary: blocked == 0 ? "\(moderated.count) passed" : "\(moderated.count - blocked) passed, \(blocked) blocked",
            output: ModerationOutput(variants: moderated)
        )
    }
}
