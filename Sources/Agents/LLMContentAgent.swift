public import Contracts
import Domain
import Foundation
public import LLMRouter
import Pipeline

/// ContentAgent through the LLM router: one call drafts every target account's variant from the brief
/// (`DraftPrompt`), answered through the `submit_variants` tool and validated (`DraftValidator`), with one
/// repair round trip. The media each variant posts is chosen as the offline drafter chooses it.
public struct LLMContentAgent: ContentAgent {
    public static let generatorPrefix = "llm-router"
    let client: LLMRouterClient
    let model: String
    /// Pieces of the answer as they stream in (for the run page's live view); nil for a buffered call.
    let onDelta: (@Sendable (ModelStreamDelta) -> Void)?

    public init(client: LLMRouterClient, model: String? = nil, onDelta: (@Sendable (ModelStreamDelta) -> Void)? = nil) {
        self.client = client
        self.model = model ?? client.configuration.contentModel
        self.onDelta = onDelta
    }

    public func draft(_ brief: ContentBrief) async throws -> DraftOutput {
        let validator = DraftValidator(targets: brief.targets, presets: brief.presets, neverSay: brief.talent.doNotSay)
        let (drafted, calls) = try await client.callValidatedTool(
            DraftPrompt(brief: brief).request(model: model),
            purpose: "draft",
            onDelta: onDelta,
            validate: validator.validate
        )
        let generator = "\(Self.generatorPrefix)/\(calls.last?.model ?? model)"
        let variants = drafted.map { item in
            let media = brief.media(for: item.account.platform)
            return DraftVariant(
                accountID: item.account.id,
                platform: item.account.platform,
                handle: item.account.handle,
                caption: item.caption,
                hashtags: item.hashtags,
                assetAttachmentID: media.attachmentID,
                assetPath: media.path,
                type: media.type,
                generatedBy: generator
            )
        }
        return DraftOutput(variants: variants, modelCalls: calls)
    }
}
