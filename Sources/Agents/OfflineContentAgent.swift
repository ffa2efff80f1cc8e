public import Contracts
import Domain
import Foundation
import Pipeline

/// The offline drafter: deterministic captions from the prompt (or the talent's pillars) and what analysis
/// found (the words heard and read in the media), with the talent's preferred hashtags and the media's key
/// words, inside each platform's limits. No network, no model. The default without `LLM_ROUTER_URL`.
public struct OfflineContentAgent: ContentAgent {
    public static let generatorName = "offline-drafter/2"

    public init() {}

    public func draft(_ brief: ContentBrief, progress: @escaping @Sendable (String) -> Void) async throws -> DraftOutput {
        let keywords = Self.keywords(in: brief)
        let variants = brief.targets.map { account in
            let preset = brief.presets[account.platform]
            let media = brief.media(for: account.platform)
            let preferred = Self.normalisedHashtags(brief.talent.hashtagPreferences + keywords)
            let hashtags = Array(preferred.prefix(preset.hashtagLimit))
            let asset = media.attachmentID.flatMap { id in brief.media.first { $0.attachmentID == id } }
            let body = Self.body(brief: brief, platform: account.platform, asset: asset)
            return DraftVariant(
                accountID: account.id,
                platform: account.platform,
                handle: account.handle,
                caption: Self.fit(body: body, hashtags: hashtags, limit: preset.captionLimit),
                hashtags: hashtags,
                assetAttachmentID: media.attachmentID,
                assetPath: media.path,
                type: media.type,
                generatedBy: Self.generatorName
            )
        }
        return DraftOutput(variants: variants)
    }

    // MARK: Pieces

    static func body(brief: ContentBrief, platform: Platform, asset: ContentBrief.Media?) -> String {
        var prompt = brief.prompt?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        // A voice memo is an instruction ("please tell them about my morning…"): keep what it is about.
        if brief.promptFromVoiceMemo { prompt = InstructionText.subject(of: prompt) }
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
        // The words shown in the media say what it is about: quote the first line read, once.
        if let shown = brief.media.lazy.compactMap({ $0.onScreenText ?? $0.sceneTexts.first?.text }).first {
            let line = shown.split(whereSeparator: \.isNewline).first.map { String($0).trimmingCharacters(in: .whitespaces) } ?? ""
            if line.count >= 4, !text.localizedCaseInsensitiveContains(line) { text += " “\(sentenceCased(line))”" }
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
        if let last = result.last, !".!?…\"”".contains(last) { result += "." }
        return result
    }

    /// Words heard or read in the media, most frequent first: at least five letters, not a common word.
    static func keywords(in brief: ContentBrief) -> [String] {
        let texts: [String] = brief.media.flatMap { item -> [String] in
            [item.transcript, item.onScreenText].compactMap { $0 } + item.sceneTexts.map(\.text)
        }
        var counts: [String: (count: Int, first: Int)] = [:]
        var position = 0
        for text in texts {
            for word in text.lowercased().split(whereSeparator: { !$0.isLetter }) where word.count >= 5 && !stopWords.contains(String(word)) {
                position += 1
                counts[String(word), default: (0, position)].count += 1
            }
        }
        return counts.sorted { $0.value.count != $1.value.count ? $0.value.count > $1.value.count : $0.value.first < $1.value.first }
            .prefix(3).map(\.key)
    }

    static let stopWords: Set<String> = [
        "about", "after", "again", "being", "could", "every", "first", "going", "great", "other", "really", "should", "their",
        "there", "these", "thing", "things", "think", "those", "through", "today", "where", "which", "while", "would", "thanks",
        "watching", "please", "video", "people",
    ]

    /// `#tag` form, no spaces or duplicates (case-insensitively), in the talent's order.
    static func normalisedHashtags(_ raw: [String]) -> [String] {
        var seen = Set<String>()
        var tags: [String] = []
        for entry in raw {
            guard let tag = PostText.normalisedHashtag(entry), seen.insert(tag.lowercased()).inserted else { continue }
            tags.append(tag)
        }
        return tags
    }

    /// The caption, cut at a word boundary so that with its hashtags it stays within `limit` characters.
    static func fit(body: String, hashtags: [String], limit: Int) -> String {
        let room = limit - (PostText.length(caption: "", hashtags: hashtags))
        if body.count <= room { return body }
        let budget = max(0, room - 1)
        var cut = String(body.prefix(budget))
        if let space = cut.lastIndex(where: { $0 == " " || $0 == "\n" }), cut.distance(from: cut.startIndex, to: space) > budget / 2 {
            cut = String(cut[..<space])
        }
        return String((cut.trimmingCharacters(in: .whitespacesAndNewlines) + "…").prefix(max(0, room)))
    }
}
