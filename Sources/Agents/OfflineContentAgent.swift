public import Contracts
import Domain
import Foundation
import Pipeline

/// The offline drafter: deterministic captions from the prompt (or the talent's pillars) and what probing
/// found, with the talent's preferred hashtags, inside each platform's limits. No network, no model.
public struct OfflineContentAgent: ContentAgent {
    public static let generatorName = "offline-drafter/1"

    public init() {}

    public func draft(_ brief: ContentBrief) async throws -> [DraftVariant] {
        brief.targets.map { account in
            let preset = brief.presets[account.platform]
            let asset = Self.pickAsset(for: account.platform, from: brief.media)
            let hashtags = Array(Self.normalisedHashtags(brief.talent.hashtagPreferences).prefix(preset.hashtagLimit))
            let body = Self.body(brief: brief, platform: account.platform, asset: asset)
            let caption = Self.fit(body: body, hashtags: hashtags, limit: preset.captionLimit)
            if let reel = brief.reels[account.platform] {
                // A composed reel beats the raw media it was made from.
                return DraftVariant(
                    accountID: account.id,
                    platform: account.platform,
                    handle: account.handle,
                    caption: caption,
                    hashtags: hashtags,
                    assetAttachmentID: nil,
                    assetPath: reel.path,
                    type: "reel",
                    generatedBy: Self.generatorName
                )
            }
            return DraftVariant(
                accountID: account.id,
                platform: account.platform,
                handle: account.handle,
                caption: caption,
                hashtags: hashtags,
                assetAttachmentID: asset?.attachmentID,
                type: asset.map { $0.kind == "video" ? "video" : "image" } ?? "text",
                generatedBy: Self.generatorName
            )
        }
    }

    // MARK: Pieces

    /// Video platforms prefer a clip; the others a picture; any usable media beats none.
    static func pickAsset(for platform: Platform, from media: [ContentBrief.Media]) -> ContentBrief.Media? {
        let usable = media.filter { $0.kind == "image" || $0.kind == "video" }
        let preferred = platform == .tiktok ? "video" : "image"
        if platform == .tiktok {
            return usable.first { $0.kind == preferred }
        }
        return usable.first { $0.kind == preferred } ?? usable.first
    }

    static func body(brief: ContentBrief, platform: Platform, asset: ContentBrief.Media?) -> String {
        let prompt = brief.prompt?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        var text: String
        if prompt.isEmpty {
            let pillars = brief.talent.contentPillars
            if pillars.isEmpty {
                text = "A new post from \(brief.talent.displayName)."
            } else {
                // Stable per request, so retries draft the same words.
                let index = Int(brief.requestID.uuidString.utf8.reduce(0) { ($0 &* 31 &+ Int($1)) & 0x7FFF_FFFF }) % pillars.count
                text = "Today: \(pillars[index])."
            }
        } else {
            text = sentenceCased(prompt)
        }
        if let asset, asset.kind == "video", let duration = asset.durationSeconds, duration > 0 {
            text += " (\(Int(duration.rounded())) s video)"
        }
        switch platform {
        case .linkedin: text += "\n\nWhat do you think? Let me know in the comments."
        case .instagram: text += "\n\nLink in bio."
        case .tiktok: break
        }
        return text
    }

    static func sentenceCased(_ text: String) -> String {
        guard let first = text.first else { return text }
        var result = first.uppercased() + text.dropFirst()
        if let last = result.last, !".!?…".contains(last) { result += "." }
        return result
    }

    /// `#tag` form, no spaces or duplicates (case-insensitively), in the talent's order.
    static func normalisedHashtags(_ raw: [String]) -> [String] {
        var seen = Set<String>()
        var tags: [String] = []
        for entry in raw {
            let word = entry.trimmingCharacters(in: .whitespaces).drop { $0 == "#" }
                .filter { $0.isLetter || $0.isNumber || $0 == "_" }
            guard !word.isEmpty, seen.insert(word.lowercased()).inserted else { continue }
            tags.append("#" + word)
        }
        return tags
    }

    /// The caption with its hashtags, cut at a word boundary so the whole stays within `limit` characters.
    static func fit(body: String, hashtags: [String], limit: Int) -> String {
        let tagLine = hashtags.isEmpty ? "" : "\n\n" + hashtags.joined(separator: " ")
        if body.count + tagLine.count <= limit { return body + tagLine }
        let budget = max(0, limit - tagLine.count - 1)
        var cut = String(body.prefix(budget))
        if let space = cut.lastIndex(where: { $0 == " " || $0 == "\n" }), cut.distance(from: cut.startIndex, to: space) > budget / 2 {
            cut = String(cut[..<space])
        }
        let shortened = cut.trimmingCharacters(in: .whitespacesAndNewlines) + "…"
        if shortened.count + tagLine.count <= limit { return shortened + tagLine }
        return String((shortened + tagLine).prefix(limit))
    }
}
