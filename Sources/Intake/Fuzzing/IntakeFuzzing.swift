import Domain
import Foundation

/// The intake parsers' fuzz entry points, shared by `bench/fuzz` and the regression tests that replay what it
/// found (`IntakeFuzzRegressionTests`).
///
/// Each takes raw bytes and must return, whatever they are: a trap, a sanitizer report or a hang is a bug.
package enum IntakeFuzzing {
    /// The intake domain routing is checked against.
    static let intakeDomain = "in.drsocial.test"

    /// `mime`: one raw email through GMime (`MIMEParser.parse`, in-process rather than in a media worker),
    /// then routing (`MailRouting`) and prompt, tag and attachment extraction (`EmailSubmission`), the way
    /// `MailIntake` reads a message.
    package static func mime(_ bytes: [UInt8]) {
        // Smaller limits than the defaults so a fuzzed input cannot allocate 100 MiB attachments.
        let limits = MIMELimits { ($0.maxParts, $0.maxDepth, $0.maxAttachmentBytes) = (200, 30, 1 << 20) }
        guard let email = try? MIMEParser.parse(Data(bytes), limits: limits) else { return }
        _ = MailRouting.routes(for: email, intakeDomain: intakeDomain)
        // The media worker sends the parsed email back as JSON.
        _ = try? JSONEncoder().encode(email)
        let submission = EmailSubmission(email: email, maxAttachmentBytes: 512 << 10)
        if let prompt = submission.prompt {
            _ = InstructionText.subject(of: prompt)
            _ = InstructionText.keyLine(of: prompt)
        }
    }

    /// `imap-response`: one server reply (untagged lines and a tagged status) through every
    /// `IMAPResponse` reader the client uses, and each line through `withoutTag`.
    package static func imapResponse(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        _ = IMAPResponse.capabilities(text)
        _ = IMAPResponse.searchUIDs(text)
        _ = IMAPResponse.status(text)
        _ = IMAPResponse.messageSizes(text)
        _ = IMAPResponse.listCount(text)
        let items = IMAPResponse.fetchItems(text)
        _ = IMAPResponse.gmailMessageID(text, uid: items.first?.uid ?? 1)
        for line in IMAPResponse.lines(text) { _ = IMAPResponse.withoutTag(line) }
    }
}
