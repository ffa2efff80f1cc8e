public import Domain
import Foundation

/// Platform tags in an email's subject or body: `#TT`, `#IG`, `#LI` (and the full names), any case.
public enum PlatformTags {
    /// The platforms tagged in `text`, in first-seen order, and the text with the tags taken out.
    public static func extract(from text: String) -> (platforms: [Platform], text: String) {
        var platforms: [Platform] = []
        var kept: [Substring] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var words: [Substring] = []
            for word in line.split(separator: " ", omittingEmptySubsequences: true) {
                if let platform = tag(in: word) {
                    if !platforms.contains(platform) { platforms.append(platform) }
                } else {
                    words.append(word)
                }
            }
            kept.append(Substring(words.joined(separator: " ")))
        }
        return (platforms, kept.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// The platform a word tags (`#IG`, `#tt,`), or nil.
    static func tag(in word: Substring) -> Platform? {
        guard word.hasPrefix("#") else { return nil }
        let trimmed = word.dropFirst().trimmingCharacters(in: .punctuationCharacters)
        guard !trimmed.isEmpty, trimmed.allSatisfy(\.isLetter) else { return nil }
        return Platform(tagOrName: trimmed)
    }
}
