import Foundation

extension HostileMail {
    /// Why `reason` is not something an operator can read in the mail page's table, or nil when it is: it must be
    /// words (at least three), at most 1,000 characters, with no control characters, no raw pointer
    /// (`0x7f3a…`) and no Swift value dump (`Optional(`, `Error Domain=`, a type's field list).
    public static func unreadableReason(_ reason: String) -> String? {
        let text = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty { return "empty" }
        if text.count > 1_000 { return "\(text.count) characters long" }
        let words = text.split { !$0.isLetter }.filter { $0.count >= 2 }
        if words.count < 3 { return "fewer than three words" }
        if text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) { return "control characters" }
        if text.range(of: "0x[0-9a-fA-F]{6,}", options: .regularExpression) != nil { return "a raw pointer" }
        for dump in ["Optional(", "Error Domain=", "(code:", "(description:", "Swift.", "Foundation.", "<unknown>"] where text.contains(dump) {
            return "a value dump (\(dump))"
        }
        return nil
    }

    /// `text` as swift-mustache escapes it in a page (`{{value}}`).
    public static func htmlEscaped(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
