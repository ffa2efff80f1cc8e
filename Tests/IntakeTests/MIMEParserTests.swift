import Foundation
import TestSupport
import Testing

@testable import Intake

/// Builds e-mails in code: headers, then a body, with LF line endings.
private enum Mail {
    static func message(headers: [String], body: String) -> Data {
        Data((headers.joined(separator: "\n") + "\n\n" + body).utf8)
    }

    static let standardHeaders = [
        "From: Aurora Lee <aurora@example.com>", "To: aurora-lee+post@dr-social.app", "Subject: test",
        "Date: Fri, 13 Jun 2025 19:42:10 -0700", "Message-ID: <test.1@example.com>", "MIME-Version: 1.0",
    ]

    static func multipart(_ subtype: String = "mixed", boundary: String, parts: [String]) -> String {
        parts.map { "--\(boundary)\n\($0)\n" }.joined() + "--\(boundary)--\n"
    }

    static func base64Part(_ data: Data, type: String, filename: String?, disposition: String = "attachment", extra: String = "") -> String {
        var headers = "Content-Type: \(type)\nContent-Transfer-Encoding: base64\n"
        if let filename { headers += "Content-Disposition: \(disposition); filename=\"\(filename)\"\n" }
        return headers + extra + "\n" + data.base64EncodedString(options: [.lineLength76Characters, .endLineWithLineFeed])
    }

    static func bytes(_ count: Int, seed: UInt8 = 7) -> Data {
        var value = UInt32(seed)
        return Data(
            (0..<count).map { _ in
                value = value &* 1_664_525 &+ 1_013_904_223
                return UInt8(truncatingIfNeeded: value >> 24)
            }
        )
    }
}

@Suite struct MIMEParserTests {
    // MARK: Headers

    @Test func encodedSubjects() throws {
        let utf8 = try MIMEParser.parse(Mail.message(headers: ["Subject: =?UTF-8?B?Q2Fmw6kg4piVICNJRw==?="], body: "x"))
        #expect(utf8.subject == "Café ☕ #IG")
        let latin1 = try MIMEParser.parse(Mail.message(headers: ["Subject: =?ISO-8859-1?Q?Caf=E9?="], body: "x"))
        #expect(latin1.subject == "Café")
        let split = try MIMEParser.parse(Mail.message(headers: ["Subject: =?UTF-8?Q?Sunset_?=\n =?UTF-8?Q?shoot?= #IG"], body: "x"))
        #expect(split.subject == "Sunset shoot #IG")
    }

    @Test func rawLatin1SubjectBecomesUTF8() throws {
        var raw = Data("Subject: Caf".utf8) + Data([0xE9]) + Data(" cr".utf8) + Data([0xE8]) + Data("me\nFrom: ".utf8)
        raw += Data("Ren".utf8) + Data([0xE9]) + Data(" <rene@example.com>\n\nbody\n".utf8)
        let email = try MIMEParser.parse(raw)
        #expect(email.subject == "Café crème")
        #expect(email.from == EmailAddress(name: "René", address: "rene@example.com"))
    }

    @Test func addressHeaders() throws {
        let raw = Mail.message(
            headers: [
                "Delivered-To: Intake@Dr-Social.app", "X-Original-To: aurora-lee+post@dr-social.app",
                "Delivered-To: aurora-lee+post@dr-social.app", "X-Forwarded-To: ops@dr-social.app",
                "From: =?UTF-8?Q?Aurora_L=C3=A9e?= <Aurora@Example.com>",
                "To: aurora-lee+post@dr-social.app, \"Second, Person\" <second@example.com>",
                "Cc: Team: one@example.com, two@example.com;", "Subject: hi",
            ],
            body: "body"
        )
        let email = try MIMEParser.parse(raw)
        #expect(email.from == EmailAddress(name: "Aurora Lée", address: "Aurora@Example.com"))
        #expect(email.from?.normalized == "aurora@example.com")
        #expect(
            email.to == [EmailAddress(address: "aurora-lee+post@dr-social.app"), EmailAddress(name: "Second, Person", address: "second@example.com")]
        )
        #expect(email.cc.map(\.address) == ["one@example.com", "two@example.com"])
        #expect(email.deliveredTo.map(\.address) == ["Intake@Dr-Social.app", "aurora-lee+post@dr-social.app"])
        #expect(email.originalTo.map(\.address) == ["aurora-lee+post@dr-social.app"])
        #expect(email.forwardedTo.map(\.address) == ["ops@dr-social.app"])
        #expect(
            email.allRecipients == [
                "aurora-lee+post@dr-social.app", "second@example.com", "one@example.com", "two@example.com",
                "intake@dr-social.app", "ops@dr-social.app",
            ]
        )
        #expect(email.messageID == nil)
        #expect(email.date == nil)
    }

    // MARK: Structure

    @Test func nestedAlternativeWithAttachment() throws {
        let photo = Mail.bytes(3_000)
        let alternative =
            "Content-Type: multipart/alternative; boundary=\"alt\"\n\n"
            + Mail.multipart(
                boundary: "alt",
                parts: [
                    "Content-Type: text/plain; charset=utf-8\n\nPost this at 6pm #IG",
                    "Content-Type: text/html; charset=utf-8\n\n<p>Post this at <b>6pm</b> #IG</p>",
                ]
            )
        let body = Mail.multipart(
            boundary: "outer",
            parts: [
                alternative, Mail.base64Part(photo, type: "image/jpeg", filename: "photo.jpg"),
            ]
        )
        let email = try MIMEParser.parse(
            Mail.message(
                headers: Mail.standardHeaders + ["Content-Type: multipart/mixed; boundary=\"outer\""],
                body: body
            )
        )
        #expect(email.textBody == "Post this at 6pm #IG")
        #expect(email.attachments == [EmailAttachment(filename: "photo.jpg", contentType: "image/jpeg", data: photo, isInline: false)])
        #expect(email.omitted.isEmpty)
        #expect(email.partCount == 5)
        #expect(email.messageID == "test.1@example.com")
        #expect(email.date == Date(timeIntervalSince1970: 1_749_868_930))
    }

    @Test func rfc2231FilenameAndInlineImage() throws {
        let image = Mail.bytes(500)
        let body = Mail.multipart(
            boundary: "b",
            parts: [
                "Content-Type: text/plain\n\nsee photo",
                "Content-Type: image/jpeg\nContent-Transfer-Encoding: base64\nContent-Disposition: attachment; filename*=UTF-8''na%C3%AFve%20photo.jpg\n\n"
                    + image.base64EncodedString(),
                "Content-Type: image/png; name=\"=?UTF-8?Q?logo_=C3=A9t=C3=A9.png?=\"\nContent-Transfer-Encoding: base64\nContent-ID: <logo@x>\n\n"
                    + image.base64EncodedString(),
            ]
        )
        let email = try MIMEParser.parse(Mail.message(headers: ["Content-Type: multipart/related; boundary=b"], body: body))
        #expect(email.attachments.map(\.filename) == ["naïve photo.jpg", "logo été.png"])
        #expect(email.attachments.map(\.isInline) == [false, true])
        #expect(email.attachments.allSatisfy { $0.data == image })
    }

    @Test func quotedPrintableBody() throws {
        let raw = Mail.message(
            headers: ["Content-Type: text/plain; charset=UTF-8", "Content-Transfer-Encoding: quoted-printable"],
            body: "Caf=C3=A9 au lait, a very long line that =\nwraps softly =3D fine\n"
        )
        #expect(try MIMEParser.parse(raw).textBody == "Café au lait, a very long line that wraps softly = fine")
    }

    @Test func latin1BodyIsConverted() throws {
        let raw = Data("Content-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: 8bit\n\nCaf".utf8) + Data([0xE9, 0x0A])
        #expect(try MIMEParser.parse(raw).textBody == "Café")
        let undeclared = Data("Content-Type: text/plain\n\nCaf".utf8) + Data([0xE9, 0x0A])
        #expect(try MIMEParser.parse(undeclared).textBody == "Café")
    }

    @Test func base64AttachmentIsExact() throws {
        let data = Mail.bytes(100_003, seed: 42)
        let body = Mail.multipart(
            boundary: "b",
            parts: ["Content-Type: text/plain\n\nhi", Mail.base64Part(data, type: "video/mp4", filename: "clip.mp4")]
        )
        let email = try MIMEParser.parse(Mail.message(headers: ["Content-Type: multipart/mixed; boundary=b"], body: body))
        #expect(email.attachments.count == 1)
        #expect(email.attachments.first?.data == data)
        #expect(email.attachments.first?.contentType == "video/mp4")
    }

    @Test func textPlainWithFilenameIsAnAttachment() throws {
        let body = Mail.multipart(
            boundary: "b",
            parts: [
                "Content-Type: text/plain\n\nthe body",
                "Content-Type: text/plain; name=notes.txt\nContent-Disposition: attachment\n\n-- a comment line\n-- another",
            ]
        )
        let email = try MIMEParser.parse(Mail.message(headers: ["Content-Type: multipart/mixed; boundary=b"], body: body))
        #expect(email.textBody == "the body")
        #expect(email.attachments.map(\.filename) == ["notes.txt"])
        #expect(email.attachments.first.map { String(decoding: $0.data, as: UTF8.self) } == "-- a comment line\n-- another")
    }

    @Test func htmlOnlyBodyIsReducedToText() throws {
        let html = """
            <html><head><title>T</title><style>p { color: red }</style></head><body>
            <script>alert("x")</script><p>Golden&nbsp;hour &amp; pier</p><div>Line<br>two &#233;&#x263A;</div>
            <!-- hidden --><ul><li>one</li><li>two</li></ul></body></html>
            """
        let email = try MIMEParser.parse(Mail.message(headers: ["Content-Type: text/html; charset=utf-8"], body: html))
        #expect(email.textBody == "Golden hour & pier\n\nLine\ntwo é☺\n\none\ntwo")
    }

    // MARK: Damaged input

    @Test func invalidBase64DoesNotCrash() throws {
        let body = Mail.multipart(
            boundary: "b",
            parts: [
                "Content-Type: image/jpeg\nContent-Transfer-Encoding: base64\nContent-Disposition: attachment; filename=a.jpg\n\n!!!!****@@@@",
                "Content-Type: image/jpeg\nContent-Transfer-Encoding: base64\nContent-Disposition: attachment; filename=b.jpg\n\nQUJD!!!!\n",
            ]
        )
        let email = try MIMEParser.parse(Mail.message(headers: ["Content-Type: multipart/mixed; boundary=b"], body: body))
        #expect(email.omitted.map(\.filename) == ["a.jpg"])
        #expect(email.omitted.first?.reason == "could not be decoded")
        #expect(email.omitted.first?.bytes ?? 0 > 0)
        #expect(email.attachments.map(\.filename) == ["b.jpg"])  // whatever GMime could decode is kept
        #expect(email.attachments.first?.data.starts(with: Data("ABC".utf8)) == true)
    }

    @Test func missingBoundaryDoesNotCrash() throws {
        let raw = Mail.message(
            headers: ["Content-Type: multipart/mixed"],
            body: "--x\nContent-Type: text/plain\n\nhello\n--x--\n"
        )
        let email = try MIMEParser.parse(raw)
        #expect(email.attachments.isEmpty)
        #expect(email.textBody.contains("hello"))  // GMime keeps it all as the prologue, offered as text
    }

    @Test func emptyAndOversizedAttachmentsAreOmitted() throws {
        let big = Mail.bytes(5_000)
        let body = Mail.multipart(
            boundary: "b",
            parts: [
                "Content-Type: text/plain\n\nhi",
                "Content-Type: image/png\nContent-Transfer-Encoding: base64\nContent-Disposition: attachment; filename=empty.png\n",
                Mail.base64Part(big, type: "video/mp4", filename: "big.mp4"),
                Mail.base64Part(Mail.bytes(900), type: "image/jpeg", filename: "small.jpg"),
            ]
        )
        let email = try MIMEParser.parse(
            Mail.message(headers: ["Content-Type: multipart/mixed; boundary=b"], body: body),
            limits: MIMELimits { $0.maxAttachmentBytes = 1_000 }
        )
        #expect(
            email.omitted == [
                OmittedAttachment(filename: "empty.png", contentType: "image/png", bytes: 0, reason: "empty"),
                OmittedAttachment(filename: "big.mp4", contentType: "video/mp4", bytes: 5_000, reason: "larger than the 1000-byte limit"),
            ]
        )
        #expect(email.attachments.map(\.filename) == ["small.jpg"])
    }

    @Test func hostileFilenamesAreSanitized() throws {
        let body = Mail.multipart(
            boundary: "b",
            parts: [
                Mail.base64Part(Data("x".utf8), type: "application/octet-stream", filename: "../../etc/passwd"),
                "Content-Type: image/jpeg\nContent-Transfer-Encoding: base64\n\n" + Data("y".utf8).base64EncodedString(),
            ]
        )
        let email = try MIMEParser.parse(Mail.message(headers: ["Content-Type: multipart/mixed; boundary=b"], body: body))
        #expect(email.attachments.map(\.filename) == ["passwd", "attachment.jpg"])
    }

    @Test func attachedMessageIsWalked() throws {
        let inner =
            "Content-Type: message/rfc822\n\nSubject: inner\nContent-Type: multipart/mixed; boundary=in\n\n"
            + Mail.multipart(boundary: "in", parts: [Mail.base64Part(Data("pic".utf8), type: "image/gif", filename: "inner.gif")])
        let body = Mail.multipart(boundary: "b", parts: ["Content-Type: text/plain\n\nforwarding", inner])
        let email = try MIMEParser.parse(Mail.message(headers: ["Subject: outer", "Content-Type: multipart/mixed; boundary=b"], body: body))
        #expect(email.subject == "outer")
        #expect(email.textBody == "forwarding")
        #expect(email.attachments.map(\.filename) == ["inner.gif"])
        #expect(email.partCount == 5)
    }

    @Test func emptyInputIsUnparseable() {
        #expect(throws: MIMEError.unparseable) { try MIMEParser.parse(Data()) }
    }

    // MARK: Limits

    @Test func deepNestingIsRefusedQuickly() {
        var body = "Content-Type: text/plain\n\ndeep\n"
        for level in (0..<200).reversed() {
            body = "Content-Type: multipart/mixed; boundary=\"l\(level)\"\n\n--l\(level)\n\(body)--l\(level)--\n"
        }
        let raw = Data(("Subject: deep\n" + body).utf8)
        let start = ThreadCPUTime.seconds()
        #expect(throws: MIMEError.tooDeep(30)) { try MIMEParser.parse(raw) }
        #expect(ThreadCPUTime.seconds() - start < 2)
        #expect(MIMEError.tooDeep(30).description == "the e-mail nests MIME parts more than 30 levels deep")
    }

    @Test func manyPartsAreRefusedQuickly() {
        let parts = (0..<5_000).map { "Content-Type: text/plain\n\npart \($0)" }
        let raw = Mail.message(headers: ["Content-Type: multipart/mixed; boundary=b"], body: Mail.multipart(boundary: "b", parts: parts))
        let start = ThreadCPUTime.seconds()
        #expect(throws: MIMEError.tooManyParts(500)) { try MIMEParser.parse(raw) }
        #expect(ThreadCPUTime.seconds() - start < 2)
    }

    @Test func manyPartsAreAlsoCaughtByTheWalk() throws {
        // The prescan counts boundary lines; the walk enforces the exact limit.
        let parts = (0..<20).map { "Content-Type: text/plain\n\npart \($0)" }
        let raw = Mail.message(headers: ["Content-Type: multipart/mixed; boundary=b"], body: Mail.multipart(boundary: "b", parts: parts))
        #expect(try MIMEParser.parse(raw, limits: MIMELimits { $0.maxParts = 21 }).partCount == 21)
        #expect(throws: MIMEError.tooManyParts(20)) { try MIMEParser.parse(raw, limits: MIMELimits { $0.maxParts = 20 }) }
        #expect(throws: MIMEError.tooDeep(0)) { try MIMEParser.parse(raw, limits: MIMELimits { $0.maxDepth = 0 }) }
    }

    @Test func prescanCountsOnlyRealBoundaries() {
        let text = "Content-Type: multipart/mixed;\n boundary=\"Outer\"\n\n--Outer\n-- sql comment\n--outer\n--Outer--\n"
        let counted = Data(text.utf8).withUnsafeBytes { MIMEPrescan.count($0, maxParts: 500) }
        #expect(counted.containers == 1)
        #expect(counted.delimiters == 2)
    }

    // MARK: Fixtures

    @Test func parsesConcurrently() async throws {
        let raw = try Data(contentsOf: TestEnvironment.testmedia("mail/photo-ig-tt.eml"))
        let expected = try MIMEParser.parse(raw)
        let results = try await withThrowingTaskGroup(of: ParsedEmail.self) { group in
            for _ in 0..<16 { group.addTask { try MIMEParser.parse(raw) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 16)
        #expect(results.allSatisfy { $0 == expected })
    }

    @Test(arguments: ["mail/photo-ig-tt.eml", "mail/short-video.eml", "mail/voice-memo.eml"])
    func fixtureMatchesTruth(name: String) throws {
        let truthFile = try Data(contentsOf: TestEnvironment.testmedia("truth.json"))
        let allTruth = try #require(try JSONSerialization.jsonObject(with: truthFile) as? [String: Any])
        let truth = try #require(allTruth[name] as? [String: Any])
        let email = try MIMEParser.parse(try Data(contentsOf: TestEnvironment.testmedia(name)))

        #expect(email.subject == truth["subject"] as? String)
        #expect(email.from?.address == truth["from_address"] as? String)
        #expect(email.from.map(String.init(describing:)) == truth["from"] as? String)
        #expect(email.to.map(\.address) == [truth["to_address"] as? String])
        #expect(email.messageID.map { "<\($0)>" } == truth["message_id"] as? String)
        #expect(email.textBody == truth["body_text"] as? String)
        #expect(email.omitted.isEmpty)
        let expected = try #require(truth["attachments"] as? [[String: Any]])
        #expect(email.attachments.count == expected.count)
        for (attachment, truth) in zip(email.attachments, expected) {
            #expect(attachment.filename == truth["filename"] as? String)
            #expect(attachment.contentType == truth["content_type"] as? String)
            #expect(attachment.data.count == truth["bytes"] as? Int)
            #expect(SHA256Digest.hex(attachment.data) == truth["sha256"] as? String)
            if let original = truth["same_as"] as? String {
                #expect(attachment.data == (try Data(contentsOf: TestEnvironment.testmedia(original))))
            }
        }
    }
}

@Suite struct HTMLTextTests {
    @Test func blocksAndBreaks() {
        #expect(HTMLText.plainText("<p>Hi&nbsp;there</p><p>Post <b>this</b></p>") == "Hi there\n\nPost this")
        #expect(HTMLText.plainText("one<br>two<br><br>three") == "one\ntwo\n\nthree")
        #expect(HTMLText.plainText("<div><div>nested</div></div><div>next</div>") == "nested\nnext")
        #expect(HTMLText.plainText("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>") == "a b\nc")
    }

    @Test func hostileMarkup() {
        #expect(HTMLText.plainText("a < b and c > d") == "a < b and c > d")
        #expect(HTMLText.plainText("x <script>never closed") == "x")
        #expect(HTMLText.plainText("<STYLE>p{}</STYLE>kept<!-- unterminated") == "kept")
        #expect(HTMLText.plainText(String(repeating: "<", count: 20_000)).count == 20_000)
    }

    @Test func entities() {
        #expect(HTMLText.decodeEntities("&lt;b&gt; &amp;amp; &#x1F600; &#233; &unknown; & alone") == "<b> &amp; 😀 é &unknown; & alone")
        #expect(HTMLText.decodeEntities("&#0; &#xD800; &#99999999;") == "&#0; &#xD800; &#99999999;")
    }
}

/// A small SHA-256 for comparing with `truth.json` (the test target has no crypto library).
private enum SHA256Digest {
    private static let k: [UInt32] = [
        0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5, 0xd807_aa98,
        0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174, 0xe49b_69c1, 0xefbe_4786,
        0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da, 0x983e_5152, 0xa831_c66d, 0xb003_27c8,
        0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967, 0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13,
        0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85, 0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819,
        0xd699_0624, 0xf40e_3585, 0x106a_a070, 0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a,
        0x5b9c_ca4f, 0x682e_6ff3, 0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7,
        0xc671_78f2,
    ]

    static func hex(_ data: Data) -> String {
        var h: [UInt32] = [0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19]
        var message = [UInt8](data)
        let bitLength = UInt64(message.count) * 8
        message.append(0x80)
        while message.count % 64 != 56 { message.append(0) }
        for shift in stride(from: 56, through: 0, by: -8) { message.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift))) }
        func rotate(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }
        var w = [UInt32](repeating: 0, count: 64)
        for chunk in stride(from: 0, to: message.count, by: 64) {
            for i in 0..<16 {
                w[i] = (0..<4).reduce(UInt32(0)) { $0 << 8 | UInt32(message[chunk + i * 4 + $1]) }
            }
            for i in 16..<64 {
                let s0 = rotate(w[i - 15], 7) ^ rotate(w[i - 15], 18) ^ (w[i - 15] >> 3)
                let s1 = rotate(w[i - 2], 17) ^ rotate(w[i - 2], 19) ^ (w[i - 2] >> 10)
                w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
            }
            var (a, b, c, d, e, f, g, hh) = (h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7])
            for i in 0..<64 {
                let t1 = hh &+ (rotate(e, 6) ^ rotate(e, 11) ^ rotate(e, 25)) &+ ((e & f) ^ (~e & g)) &+ k[i] &+ w[i]
                let t2 = (rotate(a, 2) ^ rotate(a, 13) ^ rotate(a, 22)) &+ ((a & b) ^ (a & c) ^ (b & c))
                (hh, g, f, e, d, c, b, a) = (g, f, e, d &+ t1, c, b, a, t1 &+ t2)
            }
            for (i, value) in [a, b, c, d, e, f, g, hh].enumerated() { h[i] = h[i] &+ value }
        }
        return h.map { String($0, radix: 16).leftPadded(8) }.joined()
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
