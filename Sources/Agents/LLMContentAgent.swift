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

    public init(client: LLMRouterClient, model: String? = nil) {
        self.client = client
        self.model = model ?? client.configuration.contentModel
    }

    /// The call is streamed, so the run page shows the captions growing as the model writes them.
    public func draft(_ brief: ContentBrief, progress: @escaping @Sendable (String) -> Void) async throws -> DraftOutput {
        let validator = DraftValidator(targets: brief.targets, presets: brief.presets, neverSay: brief.talent.doNotSay)
        let handles = Dictionary(brief.targets.map { ($0.id.uuidString.lowercased(), "\($0.platform.rawValue) @\($0.handle)") }, uniquingKeysWith: { a, _ in a })
        let (drafted, calls) = try await client.callValidatedTool(
            DraftPrompt(brief: brief).request(model: model),
            purpose: "draft",
            onDelta: { delta in
                guard delta.isToolInput else { return }
                // Each variant object holds one account_id and one caption, in whichever order the model wrote them.
                var lines: [String] = []
                var current: [String: String] = [:]
                func flush() {
                    if let caption = current["caption"] {
                        let account = current["account_id"].flatMap { handles[$0] }
                        lines.append((account.map { $0 + ": " } ?? "") + caption)
                    }
                    current = [:]
                }
                for (key, value) in PartialToolInput.strings(named: ["account_id", "caption"], in: delta.soFar) {
                    if current[key] != nil { flush() }
                    current[key] = value
                }
                flush()
                if !lines.isEmpty { progress("drafting… " + lines.joined(separator: " | ")) }
            },
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
