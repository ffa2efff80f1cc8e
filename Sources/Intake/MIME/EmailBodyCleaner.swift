/// Keeps what the sender wrote in a reply: drops quoted text, the quoted message's header block,
/// signatures and mobile footers.
///
/// ```swift
/// EmailBodyCleaner.clean("Post this!\n\nOn Mon, 16 Jun 2025, Dr Social wrote:\n> Which photo?")
/// // "Post this!"
/// ```
///
/// Pure string logic; the rules are heuristics tuned for what mail clients write, so they err on the
/// side of keeping text: only whole lines are removed, and only lines in known shapes.
public enum EmailBodyCleaner {
    /// The sender's own text from a plain-text body.
    public static func clean(_ text: String) -> String {
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
            .map(String.init)
        var kept: [String] = []
        var index = 0
        while index < lines.count {
            let line = lines[index]
            if isSignatureDelimiter(line) || isMobileFooter(line) || isOriginalMessageMarker(line)
                || isAttribution(lines, at: index) || isQuotedHeaderBlock(lines, at: index)
                || (isRule(line) && index + 1 < lines.count && isQuotedHeaderBlock(lines, at: index + 1))
            {
                break
            }
            if !line.trimmingPrefix(while: { $0 == " " }).hasPrefix(">") { kept.append(line) }
            index += 1
        }
        return trimmed(kept.joined(separator: "\n"))
    }

    // MARK: Line shapes

    /// `-- ` (the RFC 3676 delimiter) or `--`.
    static func isSignatureDelimiter(_ line: String) -> Bool { line == "-- " || line == "--" }

    private static let footerPrefixes = [
        "sent from my ", "sent from mail for windows", "sent from outlook", "sent from yahoo mail", "get outlook for ",
        "sent with proton mail", "sent from proton mail", "sent via ", "envoyé de mon ", "enviado desde mi ", "inviato da ",
        "von meinem ",
    ]

    /// `Sent from my iPhone`, `Get Outlook for Android`, …
    static func isMobileFooter(_ line: String) -> Bool {
        let lowered = normalized(line).lowercased()
        guard lowered.count <= 80 else { return false }
        return footerPrefixes.contains { lowered.hasPrefix($0) }
    }

    /// `-----Original Message-----` and its translations, or Outlook's underscore rule before a header block.
    static func isOriginalMessageMarker(_ line: String) -> Bool {
        let lowered = normalized(line).lowercased()
        guard lowered.hasPrefix("--") || lowered.hasPrefix("__") else { return false }
        let words = lowered.trimmingAll(of: ["-", "_", " "])
        return ["original message", "ursprüngliche nachricht", "message d'origine", "mensaje original", "messaggio originale"]
            .contains(words)
    }

    /// Outlook's `________________________________` above a quoted header block.
    static func isRule(_ line: String) -> Bool {
        let trimmed = normalized(line)
        return trimmed.count >= 10 && trimmed.allSatisfy { $0 == "_" }
    }

    private static let attributionStarts = ["on ", "le ", "am ", "el ", "il ", "op "]
    private static let attributionEnds = ["wrote:", "a écrit :", "a écrit:", "schrieb:", "escribió:", "ha scritto:", "schreef:"]

    /// `On Mon, 16 Jun 2025 at 10:00, Dr Social <hi@dr-social.app> wrote:` — possibly wrapped over three lines.
    static func isAttribution(_ lines: [String], at index: Int) -> Bool {
        let first = normalized(lines[index]).lowercased()
        guard attributionStarts.contains(where: { first.hasPrefix($0) }) else { return false }
        var joined = ""
        for line in lines[index..<min(index + 3, lines.count)] {
            joined += (joined.isEmpty ? "" : " ") + normalized(line).lowercased()
            if attributionEnds.contains(where: { joined.hasSuffix($0) }) { return true }
            if line.trimmingAll(of: [" "]).isEmpty { return false }
        }
        return false
    }

    /// Outlook's `From: …` followed within four lines by `Sent: …` / `Date: …` and `To:` / `Subject:`.
    static func isQuotedHeaderBlock(_ lines: [String], at index: Int) -> Bool {
        let first = normalized(lines[index]).lowercased()
        guard first.hasPrefix("from:") || first.hasPrefix("de :") || first.hasPrefix("von:") else { return false }
        let following = lines[(index + 1)..<min(index + 5, lines.count)].map { normalized($0).lowercased() }
        let hasDate = following.contains { $0.hasPrefix("sent:") || $0.hasPrefix("date:") || $0.hasPrefix("gesendet:") || $0.hasPrefix("envoyé :") }
        let hasRecipientOrSubject = following.contains {
            $0.hasPrefix("to:") || $0.hasPrefix("subject:") || $0.hasPrefix("an:") || $0.hasPrefix("à :")
        }
        return hasDate && hasRecipientOrSubject
    }

    // MARK: Helpers

    /// The line without leading and trailing spaces and tabs (and non-breaking spaces).
    private static func normalized(_ line: String) -> String {
        line.trimmingAll(of: [" ", "\t", "\u{00A0}", "*"])
    }

    /// No leading or trailing blank lines or spaces.
    private static func trimmed(_ text: String) -> String {
        text.trimmingAll(of: [" ", "\t", "\n", "\u{00A0}"])
    }
}

extension String {
    /// The string without the given characters at either end (Foundation-free).
    fileprivate func trimmingAll(of set: Set<Character>) -> String {
        guard let start = firstIndex(where: { !set.contains($0) }) else { return "" }
        let end = lastIndex(where: { !set.contains($0) })!
        return String(self[start...end])
    }
}
