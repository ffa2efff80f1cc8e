import Foundation
import TestSupport
import Testing

@testable import Intake

/// The IMAP server `scripts/test` starts (a private Dovecot on 127.0.0.1); the suite is skipped without it.
private enum IMAPTestServer {
    static var url: String? { ProcessInfo.processInfo.environment["DRSOCIAL_TEST_IMAP_URL"] }
    static var user: String { ProcessInfo.processInfo.environment["DRSOCIAL_TEST_IMAP_USER"] ?? "intake" }
    static var password: String { ProcessInfo.processInfo.environment["DRSOCIAL_TEST_IMAP_PASSWORD"] ?? "" }
    static var isConfigured: Bool { url != nil && ProcessInfo.processInfo.environment["DRSOCIAL_TEST_IMAP_PASSWORD"] != nil }

    static func client(password: String? = nil, url: String? = nil) throws -> IMAPClient {
        try IMAPClient(
            .init(url: url ?? self.url!, user: user, password: password ?? self.password) {
                $0.connectTimeoutSeconds = 5
                $0.operationTimeoutSeconds = 30
            }
        )
    }

    /// A mailbox no other test (or test run) uses.
    static func uniqueMailbox(_ label: String = "test") -> String { "\(label)-\(UUID().uuidString.lowercased())" }

    /// A small message with LF line endings, as the fixtures have.
    static func message(_ index: Int, padding: Int = 0) -> Data {
        Data(
            """
            From: Aurora Lee <aurora@example.com>
            To: intake@example.com
            Subject: test message \(index)
            Message-ID: <\(UUID().uuidString)@example.com>
            Date: Fri, 13 Jun 2025 19:42:10 -0700

            Body of message \(index).
            \(String(repeating: "x", count: padding))

            """.utf8
        )
    }
}

@Suite(.enabled(if: TestEnvironment.available(IMAPTestServer.isConfigured)), .serialized)
struct IMAPClientTests {
    @Test func capabilitiesAfterLogin() throws {
        let capabilities = try IMAPTestServer.client().capabilities()
        #expect(capabilities.contains("IMAP4REV1"))
        // Dovecot 2.3 advertises both; the move tests rely on that.
        #expect(capabilities.contains("MOVE"))
        #expect(capabilities.contains("UIDPLUS"))
        #expect(!capabilities.contains("X-GM-EXT-1"))
    }

    @Test func appendExamineSearchFetch() throws {
        let client = try IMAPTestServer.client()
        let mailbox = IMAPTestServer.uniqueMailbox()
        try client.createMailbox(mailbox)
        defer { try? client.deleteMailbox(mailbox) }

        let messages = (1...3).map { IMAPTestServer.message($0) }
        let appended = try messages.map { try client.append($0, to: mailbox) }
        let status = try client.examine(mailbox)
        #expect(status.uidValidity > 0)
        #expect(status.exists == 3)
        #expect(status.uidNext == 4)

        let uids = try client.searchUIDs(mailbox)
        #expect(uids == [1, 2, 3])
        #expect(appended == [1, 2, 3])  // APPENDUID

        for (uid, original) in zip(uids, messages) {
            let fetched = try client.fetchMessage(mailbox, uidValidity: status.uidValidity, uid: uid, maxBytes: 1 << 20)
            // The client sends CRLF (RFC 5322); Dovecot stores it and returns exactly those bytes.
            #expect(fetched == IMAPClient.crlfNormalized(original))
            #expect(fetched.count == original.count + original.filter { $0 == 0x0A }.count)
        }
        #expect(try client.searchUIDs(mailbox, criteria: "UNSEEN").isEmpty)  // fetching BODY[] marks \Seen
        #expect(try client.gmailMessageID(mailbox, uid: 1) == nil)
    }

    /// A regression: one `UID FETCH 1:150 (RFC822.SIZE)` failed under libcurl 7.88 (`Too large response headers`),
    /// so a mailbox with 150 messages waiting was never polled (found by `HostileMailDaemonTests`).
    @Test func sizesOfAHundredAndFiftyMessages() throws {
        let client = try IMAPTestServer.client()
        let mailbox = IMAPTestServer.uniqueMailbox()
        try client.createMailbox(mailbox)
        var expected: [UInt32: Int] = [:]
        for index in 1...150 {
            let message = IMAPClient.crlfNormalized(IMAPTestServer.message(index, padding: index * 7))
            expected[try #require(try client.append(message, to: mailbox))] = message.count
        }
        #expect(try client.messageSizes(mailbox, uids: Array(expected.keys)) == expected)
    }

    @Test func crlfMessagesComeBackByteForByte() throws {
        let client = try IMAPTestServer.client()
        let mailbox = IMAPTestServer.uniqueMailbox()
        try client.createMailbox(mailbox)
        defer { try? client.deleteMailbox(mailbox) }

        var original = IMAPClient.crlfNormalized(IMAPTestServer.message(1))
        original.append(contentsOf: [0xC3, 0xA9, 0x0D, 0x0A])  // 8-bit UTF-8 in the body
        let uid = try #require(try client.append(original, to: mailbox))
        let status = try client.examine(mailbox)
        #expect(try client.fetchMessage(mailbox, uidValidity: status.uidValidity, uid: uid, maxBytes: 1 << 20) == original)
    }

    @Test func wrongUIDValidityAndMissingUIDAreDistinct() throws {
        let client = try IMAPTestServer.client()
        let mailbox = IMAPTestServer.uniqueMailbox()
        try client.createMailbox(mailbox)
        defer { try? client.deleteMailbox(mailbox) }
        let uid = try #require(try client.append(IMAPTestServer.message(1), to: mailbox))
        let status = try client.examine(mailbox)

        let changed = #expect(throws: CurlError.self) {
            try client.fetchMessage(mailbox, uidValidity: status.uidValidity &+ 1, uid: uid, maxBytes: 1 << 20)
        }
        #expect(changed == .uidValidityChanged)
        #expect(changed?.curlCode == 78)

        let missing = #expect(throws: CurlError.self) {
            try client.fetchMessage(mailbox, uidValidity: status.uidValidity, uid: uid + 100, maxBytes: 1 << 20)
        }
        #expect(missing == .noSuchMessage)

        // The connection is still usable after both failures.
        #expect(try client.fetchMessage(mailbox, uidValidity: status.uidValidity, uid: uid, maxBytes: 1 << 20).count > 0)
    }

    @Test func missingMailbox() throws {
        let client = try IMAPTestServer.client()
        let mailbox = IMAPTestServer.uniqueMailbox("missing")
        #expect(try client.mailboxExists(mailbox) == false)
        let examine = #expect(throws: CurlError.self) { try client.examine(mailbox) }
        #expect(examine == .noSuchMailbox)
        let search = #expect(throws: CurlError.self) { try client.searchUIDs(mailbox) }
        #expect(search == .noSuchMailbox)
        let fetch = #expect(throws: CurlError.self) { try client.fetchMessage(mailbox, uidValidity: 1, uid: 1, maxBytes: 100) }
        #expect(fetch == .noSuchMailbox)
        let append = #expect(throws: CurlError.self) { try client.append(IMAPTestServer.message(1), to: mailbox) }
        #expect(append == .commandFailed)
        #expect(append?.serverResponse?.contains("TRYCREATE") == true)
    }

    @Test func createMailboxTwiceAndNested() throws {
        let client = try IMAPTestServer.client()
        let parent = IMAPTestServer.uniqueMailbox()
        let mailbox = "\(parent)/ingested"
        try client.createMailbox(mailbox)
        defer {
            try? client.deleteMailbox(mailbox)
            try? client.deleteMailbox(parent)
        }
        try client.createMailbox(mailbox)  // NO [ALREADYEXISTS] counts as success
        #expect(try client.mailboxExists(mailbox))
        #expect(try client.examine(mailbox).exists == 0)
    }

    @Test func nonASCIIMailboxName() throws {
        let client = try IMAPTestServer.client()
        let mailbox = IMAPTestServer.uniqueMailbox("Reçus & envoyés")
        try client.createMailbox(mailbox)
        defer { try? client.deleteMailbox(mailbox) }
        #expect(try client.mailboxExists(mailbox))
        try client.append(IMAPTestServer.message(1), to: mailbox)
        let status = try client.examine(mailbox)
        #expect(status.exists == 1)
        #expect(try client.fetchMessage(mailbox, uidValidity: status.uidValidity, uid: 1, maxBytes: 1 << 20).count > 0)
    }

    @Test(arguments: [true, false])
    func moveLeavesMessageOnlyInDestination(preferMove: Bool) throws {
        let client = try IMAPTestServer.client()
        let source = IMAPTestServer.uniqueMailbox()
        let destination = "\(source)-done"
        try client.createMailbox(source)
        try client.createMailbox(destination)
        defer {
            try? client.deleteMailbox(source)
            try? client.deleteMailbox(destination)
        }
        for index in 1...3 { try client.append(IMAPTestServer.message(index), to: source) }
        let sourceStatus = try client.examine(source)
        let original = try client.fetchMessage(source, uidValidity: sourceStatus.uidValidity, uid: 2, maxBytes: 1 << 20)

        try client.move(uid: 2, from: source, to: destination, preferMove: preferMove)

        #expect(try client.searchUIDs(source) == [1, 3])
        #expect(try client.examine(source).exists == 2)
        let destinationStatus = try client.examine(destination)
        #expect(destinationStatus.exists == 1)
        let moved = try #require(try client.searchUIDs(destination).first)
        #expect(try client.fetchMessage(destination, uidValidity: destinationStatus.uidValidity, uid: moved, maxBytes: 1 << 20) == original)

        // A UID that is already gone moves nothing and is not an error.
        try client.move(uid: 2, from: source, to: destination, preferMove: preferMove)
        #expect(try client.examine(destination).exists == 1)
    }

    @Test func moveToMissingMailboxFails() throws {
        let client = try IMAPTestServer.client()
        let source = IMAPTestServer.uniqueMailbox()
        try client.createMailbox(source)
        defer { try? client.deleteMailbox(source) }
        try client.append(IMAPTestServer.message(1), to: source)
        for preferMove in [true, false] {
            let error = #expect(throws: CurlError.self) {
                try client.move(uid: 1, from: source, to: "\(source)-nowhere", preferMove: preferMove)
            }
            #expect(error == .commandFailed)
        }
        #expect(try client.searchUIDs(source) == [1])
    }

    @Test func maxBytesIsEnforced() throws {
        let client = try IMAPTestServer.client()
        let mailbox = IMAPTestServer.uniqueMailbox()
        try client.createMailbox(mailbox)
        defer { try? client.deleteMailbox(mailbox) }
        let uid = try #require(try client.append(IMAPTestServer.message(1, padding: 200_000), to: mailbox))
        let status = try client.examine(mailbox)
        let error = #expect(throws: CurlError.self) {
            try client.fetchMessage(mailbox, uidValidity: status.uidValidity, uid: uid, maxBytes: 100_000)
        }
        #expect(error == .tooLarge)
        #expect(error?.description.contains("100000-byte limit") == true)
        // The aborted transfer does not poison the handle.
        #expect(try client.fetchMessage(mailbox, uidValidity: status.uidValidity, uid: uid, maxBytes: 300_000).count > 200_000)
    }

    @Test func mailArrivingDuringAFetchDoesNotPoisonTheConnection() throws {
        // Another client appends while this one has the mailbox selected: the server announces the new mail
        // (`* 2 EXISTS`) ahead of the FETCH reply. The fetch must still return the right bytes, and the
        // connection must not be left with half a message in it.
        let client = try IMAPTestServer.client()
        let mailbox = IMAPTestServer.uniqueMailbox()
        try client.createMailbox(mailbox)
        defer { try? client.deleteMailbox(mailbox) }
        let big = IMAPClient.crlfNormalized(IMAPTestServer.message(1, padding: 1_500_000))
        let uid = try #require(try client.append(big, to: mailbox))
        let status = try client.examine(mailbox)
        #expect(try client.searchUIDs(mailbox) == [uid])
        for round in 0..<3 {
            try IMAPTestServer.client().append(IMAPTestServer.message(10 + round), to: mailbox)
            #expect(try client.fetchMessage(mailbox, uidValidity: status.uidValidity, uid: uid, maxBytes: 4 << 20) == big)
        }
        #expect(try client.searchUIDs(mailbox).count == 4)
    }

    @Test func wrongPasswordIsLoginDeniedWithoutThePassword() throws {
        let password = "wrong-\(UUID().uuidString)"
        let client = try IMAPTestServer.client(password: password)
        let error = #expect(throws: CurlError.self) { try client.capabilities() }
        #expect(error == .loginDenied)
        #expect(error?.curlCode == 67)
        let description = try #require(error?.description)
        #expect(description.contains("login denied"))
        #expect(!description.contains(password))
        #expect(!description.contains(IMAPTestServer.password))
    }

    @Test func closedPortFailsFast() throws {
        let client = try IMAPTestServer.client(url: "imap://127.0.0.1:1/INBOX")
        let error = #expect(throws: CurlError.self) { try client.capabilities() }
        // Refused, not timed out: `connectionFailed` is curl's "couldn't connect", which a timeout is not. (No
        // wall-clock check: other suites keep both cores busy while this runs.)
        #expect(error == .connectionFailed)
        #expect(error?.isTransient == true)
    }
}

// MARK: Pure logic (no server)

@Suite struct IMAPResponseTests {
    @Test func capabilityLine() {
        let text = "* CAPABILITY IMAP4rev1 SASL-IR MOVE UIDPLUS X-GM-EXT-1 AUTH=PLAIN\r\n"
        #expect(IMAPResponse.capabilities(text) == ["IMAP4REV1", "SASL-IR", "MOVE", "UIDPLUS", "X-GM-EXT-1", "AUTH=PLAIN"])
        #expect(IMAPResponse.capabilities("* OK ready\r\n").isEmpty)
    }

    @Test func searchLine() {
        #expect(IMAPResponse.searchUIDs("* SEARCH 3 1 2\r\n") == [1, 2, 3])
        #expect(IMAPResponse.searchUIDs("* SEARCH\r\n") == [])
        #expect(IMAPResponse.searchUIDs("* SEARCH 4 5 (MODSEQ 917162500)\r\n") == [4, 5])
        #expect(IMAPResponse.searchUIDs("* 1 EXISTS\r\n* SEARCH 7\r\n") == [7])
    }

    @Test func statusLine() {
        let text = "* STATUS \"Reçus (old)\" (MESSAGES 2 UIDNEXT 3 UIDVALIDITY 1795396918)\r\n"
        #expect(IMAPResponse.status(text) == MailboxStatus(uidValidity: 1_795_396_918, uidNext: 3, exists: 2))
        #expect(IMAPResponse.status("* STATUS INBOX (MESSAGES 2)\r\n") == nil)
    }

    @Test func gmailMessageID() {
        let text = "* 12 FETCH (X-GM-MSGID 1278455344230334865 UID 7)\r\n"
        #expect(IMAPResponse.gmailMessageID(text, uid: 7) == "1278455344230334865")
        #expect(IMAPResponse.gmailMessageID(text, uid: 8) == nil)
        #expect(IMAPResponse.gmailMessageID("* 3 FETCH (UID 9 X-GM-MSGID 42)\r\n", uid: 9) == "42")
        #expect(IMAPResponse.gmailMessageID("* 3 FETCH (UID 9 FLAGS (\\Seen))\r\n", uid: 9) == nil)
    }

    @Test func tagIsStripped() {
        #expect(IMAPResponse.withoutTag("A005 NO [ALREADYEXISTS] Mailbox already exists") == "NO [ALREADYEXISTS] Mailbox already exists")
        #expect(IMAPResponse.withoutTag("* BYE shutting down") == "* BYE shutting down")
    }

    @Test func listLines() {
        #expect(IMAPResponse.listCount("* LIST (\\HasNoChildren) \"/\" INBOX\r\n* LIST () \"/\" a\r\n") == 2)
        #expect(IMAPResponse.listCount("") == 0)
    }
}

@Suite struct IMAPMailboxNameTests {
    @Test func modifiedUTF7() {
        #expect(IMAPMailboxName.modifiedUTF7("drsocial/ingested") == "drsocial/ingested")
        #expect(IMAPMailboxName.modifiedUTF7("Reçus") == "Re&AOc-us")
        #expect(IMAPMailboxName.modifiedUTF7("A&B") == "A&-B")
        // RFC 3501's example: "~peter/mail/台北/日本語".
        #expect(IMAPMailboxName.modifiedUTF7("~peter/mail/台北/日本語") == "~peter/mail/&U,BTFw-/&ZeVnLIqe-")
    }

    @Test func quotedAndURLForms() throws {
        #expect(try IMAPMailboxName.quoted("a \"b\" \\c") == "\"a \\\"b\\\" \\\\c\"")
        #expect(try IMAPMailboxName.urlPath("drsocial/in box;x") == "drsocial/in%20box%3Bx")
        #expect(try IMAPMailboxName.urlPath("Reçus") == "Re%26AOc-us")
    }

    @Test func lineBreaksAreRefused() {
        #expect(throws: CurlError.invalidRequest) { try IMAPMailboxName.quoted("INBOX\r\nA1 DELETE INBOX") }
        #expect(throws: CurlError.invalidRequest) { try IMAPMailboxName.urlPath("") }
    }
}

@Suite struct IMAPClientConfigurationTests {
    @Test func endpointFromURL() throws {
        let plain = try IMAPEndpoint("imap://127.0.0.1:1143/INBOX")
        #expect(plain == IMAPEndpoint.testValue(base: "imap://127.0.0.1:1143", implicitTLS: false, isLoopback: true, mailbox: "INBOX"))
        let tls = try IMAPEndpoint("imaps://imap.example.com/drsocial%2Fincoming")
        #expect(
            tls == IMAPEndpoint.testValue(base: "imaps://imap.example.com:993", implicitTLS: true, isLoopback: false, mailbox: "drsocial/incoming")
        )
        #expect(try IMAPEndpoint("imap://localhost").defaultMailbox == "INBOX")
    }

    @Test func badURLsAreRefused() {
        #expect(throws: CurlError.invalidRequest) { try IMAPEndpoint("http://127.0.0.1/INBOX") }
        #expect(throws: CurlError.invalidRequest) { try IMAPEndpoint("imap://user:secret@127.0.0.1/INBOX") }
        #expect(throws: CurlError.invalidRequest) { try IMAPClient(.init(url: "pop3://127.0.0.1", user: "u", password: "p")) }
    }

    @Test func descriptionHidesPassword() {
        let configuration = IMAPClient.Configuration(url: "imap://127.0.0.1/INBOX", user: "intake", password: "s3cret-pass")
        #expect(!String(describing: configuration).contains("s3cret-pass"))
    }

    @Test func crlfNormalization() {
        #expect(IMAPClient.crlfNormalized(Data("a\nb\r\nc\rd\n".utf8)) == Data("a\r\nb\r\nc\r\nd\r\n".utf8))
        #expect(IMAPClient.crlfNormalized(Data()) == Data())
    }
}

extension IMAPEndpoint {
    fileprivate static func testValue(base: String, implicitTLS: Bool, isLoopback: Bool, mailbox: String) -> IMAPEndpoint {
        var endpoint = try! IMAPEndpoint("imap://127.0.0.1")
        endpoint.base = base
        endpoint.implicitTLS = implicitTLS
        endpoint.isLoopback = isLoopback
        endpoint.defaultMailbox = mailbox
        return endpoint
    }
}
