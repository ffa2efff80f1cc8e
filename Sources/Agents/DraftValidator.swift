public import Domain
import Foundation
import LLMRouter
public import Pipeline
public import JSON

/// Checks a `submit_variants` answer against the brief: every target account exactly once, captions within
/// the platform's limit with their hashtags, hashtags well formed, within count and not repeated in the
/// caption, and nothing from the never-say list. Each problem is a sentence the model can act on.
public struct DraftValidator: Sendable {
    /// One checked variant.
    public struct Drafted: Sendable, Equatable {
        public var account: AccountSnapshot
        public var caption: String
        public var hashtags: [String]
    }

    let targets: [AccountSnapshot]
    let presets: PlatformPresets
    let neverSay: NeverSayModerator

    public init(targets: [AccountSnapshot], presets: PlatformPresets, neverSay: [String]) {
        self.targets = targets
        self.presets = presets
        self.neverSay = NeverSayModerator(neverSay: neverSay)
    }

    /// The variants in target order, or every problem found.
    public func validate(_ input: JSONValue) -> Result<[Drafted], DraftProblems> {
        var problems: [String] = []
        guard let entries = input["variants"]?.arrayValue else {
            return .failure(DraftProblems(["the input needs a \"variants\" array"]))
        }
        var drafted: [UUID: Drafted] = [:]
        for (index, entry) in entries.enumerated() {
            let label = "variants[\(index)]"
            guard let idText = entry["account_id"]?.stringValue, let id = UUID(uuidString: idText),
                let account = targets.first(where: { $0.id == id })
            else {
                problems.append("\(label): account_id \(entry["account_id"]?.jsonText ?? "is missing") is not one of the target accounts")
                continue
            }
            guard drafted[id] == nil else {
                problems.append("\(label): account \(idText) has a variant already; give each account exactly one")
                continue
            }
            let name = "\(label) (\(account.platform.rawValue) \(account.handle))"
            guard let caption = entry["caption"]?.stringValue?.trimmingCharacters(in: .whitespacesAndNewlines), !caption.isEmpty else {
                problems.append("\(name): caption is missing or empty")
                continue
            }
            guard let rawTags = entry["hashtags"]?.arrayValue else {
                problems.append("\(name): hashtags must be an array of strings")
                continue
            }
            let preset = presets[account.platform]
            var hashtags: [String] = []
            var seen = Set<String>()
            for raw in rawTags {
                guard let text = raw.stringValue?.trimmingCharacters(in: .whitespaces) else {
                    problems.append("\(name): hashtag \(raw.jsonText) is not a string")
                    continue
                }
                let tag = text.hasPrefix("#") ? text : "#" + text
                guard PostText.isWellFormedHashtag(tag) else {
                    problems.append("\(name): hashtag \"\(text)\" may hold only letters, digits and underscores after one #")
                    continue
                }
                guard seen.insert(tag.lowercased()).inserted else {
                    problems.append("\(name): hashtag \(tag) is given twice")
                    continue
                }
                hashtags.append(tag)
            }
            if hashtags.count > preset.hashtagLimit {
                problems.append("\(name): \(hashtags.count) hashtags, at most \(preset.hashtagLimit) on \(account.platform.rawValue)")
            }
            let repeated = hashtags.filter { caption.localizedCaseInsensitiveContains($0) }
            if !repeated.isEmpty {
                problems.append("\(name): the caption repeats \(repeated.joined(separator: " ")); hashtags belong only in \"hashtags\"")
            }
            let length = PostText.length(caption: caption, hashtags: hashtags)
            if length > preset.captionLimit {
                problems.append("\(name): caption and hashtags are \(length) characters, at most \(preset.captionLimit) on \(account.platform.rawValue)")
            }
            if let hit = neverSay.firstHit(in: caption + " " + hashtags.joined(separator: " ")) {
                problems.append("\(name): uses \"\(hit)\" from the talent's never-say list")
            }
            drafted[id] = Drafted(account: account, caption: caption, hashtags: hashtags)
        }
        for account in targets where drafted[account.id] == nil && !problems.contains(where: { $0.contains(account.handle) }) {
            problems.append("no variant for account \(account.id.uuidString.lowercased()) (\(account.platform.rawValue) \(account.handle))")
        }
        guard problems.isEmpty else { return .failure(DraftProblems(problems)) }
        return .success(targets.compactMap { drafted[$0.id] })
    }
}

/// What was wrong with an answer, one sentence a problem.
public struct DraftProblems: Error, Sendable, Equatable, CustomStringConvertible {
    public var problems: [String]

    public init(_ problems: [String]) { self.problems = problems }

    public var description: String { problems.joined(separator: "; ") }
}
