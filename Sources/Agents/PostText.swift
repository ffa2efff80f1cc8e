import Foundation

/// How a variant's caption and hashtags become the text a platform counts: the caption, a blank line, and
/// the hashtags separated by spaces. The caption itself never repeats them (they are shown once).
public enum PostText {
    /// The text as posted.
    public static func joined(caption: String, hashtags: [String]) -> String {
        hashtags.isEmpty ? caption : caption + "\n\n" + hashtags.joined(separator: " ")
    }

    /// Characters the platform counts against its caption limit.
    public static func length(caption: String, hashtags: [String]) -> Int {
        joined(caption: caption, hashtags: hashtags).count
    }

    /// `#tag` form: letters, digits and underscores after one `#`; nil when nothing is left.
    public static func normalisedHashtag(_ raw: String) -> String? {
        let word = raw.trimmingCharacters(in: .whitespaces).drop { $0 == "#" }.filter { $0.isLetter || $0.isNumber || $0 == "_" }
        return word.isEmpty ? nil : "#" + word
    }

    /// Whether a hashtag is already well formed: one `#` then letters, digits or underscores only.
    public static func isWellFormedHashtag(_ tag: String) -> Bool {
        guard tag.hasPrefix("#") else { return false }
        let word = tag.dropFirst()
        return !word.isEmpty && word.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
    }
}
