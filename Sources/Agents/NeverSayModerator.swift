import Foundation

/// The rules-based first pass of moderation: the talent's never-say list, matched case-insensitively and
/// on word boundaries (so "ass" does not block "class"), in captions and hashtags.
public struct NeverSayModerator: Sendable {
    let phrases: [String]

    public init(neverSay: [String]) {
        phrases = neverSay.map { Self.fold($0.trimmingCharacters(in: .whitespacesAndNewlines)) }.filter { !$0.isEmpty }
    }

    /// The first never-say phrase found in `text`, or nil.
    public func firstHit(in text: String) -> String? {
        let folded = Self.fold(text)
        for phrase in phrases where Self.containsWord(phrase, in: folded) { return phrase }
        return nil
    }

    static func fold(_ text: String) -> String {
        text.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
    }

    /// Whether `phrase` occurs in `text` with no letter or digit touching either end.
    static func containsWord(_ phrase: String, in text: String) -> Bool {
        var searchStart = text.startIndex
        while let range = text.range(of: phrase, range: searchStart..<text.endIndex) {
            let before = range.lowerBound == text.startIndex ? nil : text[text.index(before: range.lowerBound)]
            let after = range.upperBound == text.endIndex ? nil : text[range.upperBound]
            let touches = { (character: Character?) in character.map { $0.isLetter || $0.isNumber } ?? false }
            if !touches(before) && !touches(after) { return true }
            searchStart = text.index(after: range.lowerBound)
        }
        return false
    }
}
