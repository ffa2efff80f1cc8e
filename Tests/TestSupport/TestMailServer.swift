public import Foundation
public import Intake

/// A private Dovecot `scripts/test` starts on 127.0.0.1; tests that need it are skipped without it.
public struct TestMailServer: Sendable {
    public let url: String?
    public let user: String
    public let password: String
    public var isConfigured: Bool { url != nil }

    init(prefix: String) {
        let environment = ProcessInfo.processInfo.environment
        url = environment["\(prefix)_IMAP_PASSWORD"] == nil ? nil : environment["\(prefix)_IMAP_URL"]
        user = environment["\(prefix)_IMAP_USER"] ?? "intake"
        password = environment["\(prefix)_IMAP_PASSWORD"] ?? ""
    }

    /// The server most tests share.
    public static let shared = TestMailServer(prefix: "DRSOCIAL_TEST")
    /// A server of its own for the crash test, which restarts it.
    public static let crash = TestMailServer(prefix: "DRSOCIAL_CRASH")

    public static var url: String? { shared.url }
    public static var user: String { shared.user }
    public static var password: String { shared.password }
    public static var isConfigured: Bool { shared.isConfigured }
    public static func url(mailbox: String) -> String { shared.url(mailbox: mailbox) }
    public static func client(mailbox: String = "INBOX") throws -> IMAPClient { try shared.client(mailbox: mailbox) }
    public static func freshMailbox() throws -> (inbox: String, ingested: String, refused: String) { try shared.freshMailbox() }
    public static func count(_ mailbox: String) throws -> Int { try shared.count(mailbox) }

    /// `imap://host:port/<mailbox>`.
    public func url(mailbox: String) -> String {
        let base = url!.split(separator: "/", omittingEmptySubsequences: false).prefix(3).joined(separator: "/")
        return "\(base)/\(mailbox)"
    }

    /// A client whose default mailbox is `mailbox`.
    public func client(mailbox: String = "INBOX") throws -> IMAPClient {
        try IMAPClient(.init(url: url(mailbox: mailbox), user: user, password: password) { $0.connectTimeoutSeconds = 5 })
    }

    /// A fresh mailbox (created) with processed folders under it that no other test uses.
    public func freshMailbox() throws -> (inbox: String, ingested: String, refused: String) {
        let name = "t-\(UUID().uuidString.prefix(12).lowercased())"
        try client().createMailbox(name)
        return (name, "\(name)/ingested", "\(name)/refused")
    }

    /// How many messages `mailbox` holds (0 when it does not exist).
    public func count(_ mailbox: String) throws -> Int {
        let client = try client()
        guard try client.mailboxExists(mailbox) else { return 0 }
        return try client.searchUIDs(mailbox, criteria: "UNDELETED").count
    }
}

/// RFC 5322 messages built for tests.
public enum TestEmail {
    public struct Part: Sendable {
        public var filename: String
        public var contentType: String
        public var data: Data
        public init(filename: String, contentType: String, data: Data) {
            self.filename = filename
            self.contentType = contentType
            self.data = data
        }
    }

    /// A message with a text body and base64 attachments; `headers` go first, as given.
    public static func build(
        to: String,
        subject: String?,
        body: String,
        attachments: [Part] = [],
        from: String = "Aurora Lee <aurora@example.com>",
        messageID: String = "<\(UUID().uuidString)@example.com>",
        headers: [String] = []
    ) -> Data {
        var lines = headers
        lines += ["From: \(from)", "To: \(to)", "Date: Fri, 13 Jun 2025 19:42:10 -0700", "Message-ID: \(messageID)", "MIME-Version: 1.0"]
        if let subject { lines.append("Subject: \(subject)") }
        let boundary = "=_test_\(UUID().uuidString.prefix(8))"
        if attachments.isEmpty {
            lines += ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit", "", body]
        } else {
            lines += [
                "Content-Type: multipart/mixed; boundary=\"\(boundary)\"", "", "--\(boundary)",
                "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit", "", body,
            ]
            for part in attachments {
                lines += [
                    "--\(boundary)", "Content-Type: \(part.contentType)", "Content-Transfer-Encoding: base64",
                    "Content-Disposition: attachment; filename=\"\(part.filename)\"", "",
                    part.data.base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed]),
                ]
            }
            lines.append("--\(boundary)--")
        }
        return Data((lines.joined(separator: "\r\n") + "\r\n").utf8)
    }

    /// A fixture from `testmedia/mail/`, readdressed from aurora-lee to `slug` at `domain`.
    public static func fixture(_ name: String, slug: String, domain: String) throws -> Data {
        let raw = try Data(contentsOf: TestEnvironment.testmedia("mail/\(name)"))
        let text = String(decoding: raw, as: UTF8.self)
        return Data(text.replacingOccurrences(of: "aurora-lee+post@dr-social.app", with: "\(slug)+post@\(domain)").utf8)
    }
}
