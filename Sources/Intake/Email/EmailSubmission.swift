public import Domain
import Foundation

/// What an email asks for, read from its parsed form: prompt, platforms, attachments and what was left out.
public struct EmailSubmission: Sendable {
    public var prompt: String?
    /// Empty: no tag, so the talent's last selection (else all accounts).
    public var platforms: [Platform]
    public var files: [PostRequestIntake.LocalFile]
    /// What intake left out and why (over the size limit, empty files).
    public var notes: [String]

    /// Reads `email`: the body is the prompt unless it is empty, then the subject; tags in either choose platforms.
    public init(email: ParsedEmail, maxAttachmentBytes: Int) {
        let subject = PlatformTags.extract(from: Self.withoutReplyPrefixes(email.subject))
        let body = PlatformTags.extract(from: EmailBodyCleaner.clean(email.textBody))
        var platforms = body.platforms
        for platform in subject.platforms where !platforms.contains(platform) { platforms.append(platform) }
        self.platforms = platforms
        let prompt = body.text.isEmpty ? subject.text : body.text
        self.prompt = prompt.isEmpty ? nil : prompt

        var notes = email.omitted.map { "\($0.filename) was left out: \($0.reason)" }
        var files: [PostRequestIntake.LocalFile] = []
        for attachment in email.attachments {
            if attachment.data.isEmpty {
                notes.append("\(attachment.filename) was left out: it is empty (0 bytes)")
                continue
            }
            if attachment.data.count > maxAttachmentBytes {
                notes.append("\(attachment.filename) was left out: larger than the \(maxAttachmentBytes >> 20) MiB limit")
                continue
            }
            let kind = MediaSniffer.sniff(attachment.data.prefix(MediaSniffer.headerLength)).kind
            // A voice memo may carry the prompt: the transcription stage reads it. A video is the post's media even
            // when the email has no words (its speech is transcribed for the brief all the same).
            let role: AttachmentRole = kind == .audio ? .voiceMemo : .media
            files.append(.init(bytes: attachment.data, filename: attachment.filename, role: role))
        }
        if self.prompt == nil && files.isEmpty {
            notes.append("the email had no subject, no text and no attachment: drafts come from the talent's content pillars")
        }
        self.files = files
        self.notes = notes
    }

    /// `Re: Fwd: Idea` → `Idea`.
    static func withoutReplyPrefixes(_ subject: String) -> String {
        var text = subject.trimmingCharacters(in: .whitespaces)
        while let colon = text.firstIndex(of: ":"),
            ["re", "fw", "fwd", "aw", "wg", "tr"].contains(text[..<colon].lowercased().trimmingCharacters(in: .whitespaces))
        {
            text = text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return text
    }
}
