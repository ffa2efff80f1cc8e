import Agents
import Contracts
import Domain
public import Foundation
public import LLMRouter
public import Store

/// The portal's caption edits through both moderation passes: the talent's never-say list over the caption and
/// the variant's hashtags, then, with a router, the same `submit_verdicts` call the `moderate` stage makes.
public struct CaptionModerator: CaptionModerating {
    let pool: PostgresPool
    let client: LLMRouterClient?

    public init(pool: PostgresPool, client: LLMRouterClient?) {
        self.pool = pool
        self.client = client
    }

    public func moderateEditedCaption(_ caption: String, variantID: UUID, talentID: UUID) async throws -> CaptionVerdict {
        let found = try await pool.withConnection { connection -> (DraftVariant, TalentSnapshot)? in
            guard let talent = try TalentRepository().talent(id: talentID, on: connection),
                let row = try connection.query(
                    """
                    SELECT q.account_id, a.platform, a.handle, c.hashtags, c.type FROM content_queue q
                    JOIN accounts a ON a.id = q.account_id JOIN content c ON c.id = q.content_id
                    WHERE q.id = $1 AND q.talent_id = $2
                    """,
                    [variantID, talentID]
                ).first,
                let platform = Platform(rawValue: try row.decode("platform"))
            else { return nil }
            let variant = DraftVariant(
                accountID: try row.decode("account_id"),
                platform: platform,
                handle: try row.decode("handle"),
                caption: caption,
                hashtags: try row.decode("hashtags"),
                assetAttachmentID: nil,
                type: try row.decode("type"),
                generatedBy: "talent-edit"
            )
            return (variant, talent)
        }
        // An unknown variant is the approval repository's to refuse, with its own answer.
        guard let (variant, talent) = found else { return .allowed }
        if let hit = NeverSayModerator(neverSay: talent.doNotSay).firstHit(in: caption + " " + variant.hashtags.joined(separator: " ")) {
            return .blocked("never-say list: \"\(hit)\"")
        }
        guard let client else { return .allowed }
        let prompt = ModerationPrompt(talent: talent, variants: [(variant, nil)])
        let (verdicts, _) = try await client.callValidatedTool(
            prompt.request(model: client.configuration.moderationModel),
            purpose: "moderation-edit",
            validate: prompt.validate
        )
        switch verdicts[variant.accountID]?.verdict {
        case "block": return .blocked("moderation: \(verdicts[variant.accountID]?.reason ?? "")")
        case "flag": return .flagged(verdicts[variant.accountID]?.reason ?? "")
        default: return .allowed
        }
    }
}
