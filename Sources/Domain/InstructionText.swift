import Foundation

/// What a talent's instruction (a prompt, a voice memo's transcript) is about, as text for a post: the
/// instruction's opening taken off ("Please tell us about my morning by the river" → "my morning by the
/// river"), and its key line for a text card.
public enum InstructionText {
    static let openings = [
        "please", "can you", "could you", "would you", "i want you to", "i'd like you to", "make a post about", "write a post about",
        "post about", "write about", "tell us about", "tell them about", "tell people about", "tell everyone about", "talk about",
        "make a post", "write a post", "a post about",
    ]

    /// The instruction without its opening words; the text itself when nothing is left.
    public static func subject(of text: String) -> String {
        var rest = text.trimmingCharacters(in: .whitespacesAndNewlines)
        var changed = true
        while changed {
            changed = false
            for opening in openings where rest.lowercased().hasPrefix(opening + " ") || rest.lowercased().hasPrefix(opening + ",") {
                rest = String(rest.dropFirst(opening.count)).trimmingCharacters(in: CharacterSet(charactersIn: " ,:"))
                changed = true
            }
        }
        return rest.isEmpty ? text.trimmingCharacters(in: .whitespacesAndNewlines) : rest
    }

    /// The first sentence of the subject, capitalised, at most `limit` characters (cut at a word).
    public static func keyLine(of text: String, limit: Int = 90) -> String {
        let subject = Self.subject(of: text)
        let sentence = subject.split(whereSeparator: { ".!?\n".contains($0) }).first.map(String.init) ?? subject
        var line = sentence.trimmingCharacters(in: .whitespaces)
        if line.count > limit {
            line = String(line.prefix(limit))
            if let space = line.lastIndex(of: " ") { line = String(line[..<space]) }
            line += "…"
        }
        guard let first = line.first else { return line }
        return first.uppercased() + line.dropFirst()
    }
}
