public import Foundation

/// Hostile variants of the mail fixtures (`testmedia/mail/*.eml`), made by a seeded generator: the same seed
/// gives the same bytes, so a message that breaks something replays exactly.
///
/// Each message gets one mutation, taken in turn from `Mutation.allCases`, so every kind appears at least
/// `count / 9` times; what the mutation does in detail (how many bits, where the cut falls, which header is
/// repeated) is drawn from the seed and named in `Message.detail`.
///
/// ```swift
/// let fixtures = try HostileMail.fixtures(slug: fixture.slug, domain: "hostile.test")
/// for message in HostileMail.generate(count: 150, seed: 0x5EED, fixtures: fixtures, domain: "hostile.test") {
///     try client.append(message.bytes, to: inbox)
/// }
/// ```
public enum HostileMail {
    /// The seed the tests use: fixed, so a failure replays with the same bytes.
    public static let seed: UInt64 = 0x686F_7374_696C_6531

    /// One way of breaking a message.
    public enum Mutation: String, CaseIterable, Sendable, Codable {
        /// Random bits flipped, in the header block or anywhere.
        case bitFlips
        /// Cut short: inside the headers, at their end, or inside the body.
        case truncation
        /// Thousands of copies of one header (Received, To, Cc of unknown talents, Content-Type, …).
        case repeatedHeaders
        /// One header line of about 900 KB (a filler, a subject, an address list, references).
        case hugeHeaderLine
        /// Multipart boundaries that do not match, are missing, unclosed, empty or 5,000 characters long.
        case brokenBoundaries
        /// About 400 levels of nested multiparts or attached messages.
        case deepNesting
        /// NUL bytes in the headers, the body, the subject or the address.
        case nulBytes
        /// Two messages cut and joined, or one inside the other.
        case spliced
        /// Malformed RFC 2047 encoded words (and RFC 2231 parameters) in the subject, the sender and a filename.
        case garbageEncodedWords
    }

    /// A message to start from.
    public struct Fixture: Sendable {
        public let name: String
        public let bytes: Data
        public init(name: String, bytes: Data) {
            self.name = name
            self.bytes = bytes
        }
    }

    /// One mutated message.
    public struct Message: Sendable, CustomStringConvertible {
        /// Its place in the generated sequence (0-based).
        public let index: Int
        public let mutation: Mutation
        /// The fixture it was made from.
        public let fixture: String
        /// What exactly was done, to name the message in a failure (`"4,211 × Received"`).
        public let detail: String
        public let bytes: Data

        public var description: String { "#\(index) \(mutation.rawValue) of \(fixture) (\(detail), \(bytes.count) bytes)" }
    }

    /// The mail fixtures, addressed to `slug+post@domain`.
    public static func fixtures(slug: String, domain: String) throws -> [Fixture] {
        try ["photo-ig-tt.eml", "voice-memo.eml", "short-video.eml"].map {
            Fixture(name: $0, bytes: try TestEmail.fixture($0, slug: slug, domain: domain))
        }
    }

    /// `count` mutated messages from `fixtures` (the first two are picked most often, the third, the 1 MB video
    /// in the shipped set, one time in ten). `domain` is the intake domain, used by mutations that add recipients.
    public static func generate(count: Int, seed: UInt64, fixtures: [Fixture], domain: String) -> [Message] {
        precondition(!fixtures.isEmpty, "no fixture to mutate")
        var random = Generator(seed: seed)
        return (0..<count).map { index in
            let mutation = Mutation.allCases[index % Mutation.allCases.count]
            let fixture = pick(fixtures, using: &random)
            var bytes = [UInt8](fixture.bytes)
            // Splicing a message with itself could give back the fixture unchanged: the others only.
            let others = fixtures.count > 1 ? fixtures.filter { $0.name != fixture.name } : fixtures
            let detail = apply(mutation, to: &bytes, others: others, domain: domain, using: &random)
            return Message(index: index, mutation: mutation, fixture: fixture.name, detail: detail, bytes: Data(bytes))
        }
    }

    /// Mostly the small fixtures: 45 %, 45 %, then 10 % for the third.
    private static func pick(_ fixtures: [Fixture], using random: inout Generator) -> Fixture {
        guard fixtures.count >= 3 else { return fixtures[random.int(0..<fixtures.count)] }
        let roll = random.int(0..<100)
        return roll < 45 ? fixtures[0] : roll < 90 ? fixtures[1] : fixtures[2 + random.int(0..<(fixtures.count - 2))]
    }

    // MARK: Mutations

    /// Applies `mutation` to `bytes` in place; returns what it did.
    static func apply(_ mutation: Mutation, to bytes: inout [UInt8], others: [Fixture], domain: String, using random: inout Generator) -> String {
        switch mutation {
        case .bitFlips: return flipBits(&bytes, using: &random)
        case .truncation: return truncate(&bytes, using: &random)
        case .repeatedHeaders: return repeatHeader(&bytes, domain: domain, using: &random)
        case .hugeHeaderLine: return addHugeHeader(&bytes, domain: domain, using: &random)
        case .brokenBoundaries: return breakBoundaries(&bytes, using: &random)
        case .deepNesting: return nest(&bytes, using: &random)
        case .nulBytes: return addNULs(&bytes, using: &random)
        case .spliced: return splice(&bytes, others: others, using: &random)
        case .garbageEncodedWords: return garble(&bytes, using: &random)
        }
    }

    private static func flipBits(_ bytes: inout [UInt8], using random: inout Generator) -> String {
        let flips = random.int(1...200)
        let inHeaders = random.bool()
        let end = inHeaders ? max(1, headerEnd(bytes)) : bytes.count
        for _ in 0..<flips { bytes[random.int(0..<end)] ^= UInt8(1) << UInt8(random.int(0..<8)) }
        return "\(flips) bits \(inHeaders ? "in the headers" : "anywhere")"
    }

    private static func truncate(_ bytes: inout [UInt8], using random: inout Generator) -> String {
        let end = headerEnd(bytes)
        let cut: Int
        let place: String
        switch random.int(0..<3) {
        case 0: (cut, place) = (random.int(1..<max(2, end)), "in the headers")
        case 1: (cut, place) = (min(bytes.count - 1, end + 1), "at the end of the headers")
        default: (cut, place) = (random.int(min(end + 2, bytes.count - 1)..<bytes.count), "in the body")
        }
        bytes.removeSubrange(cut...)
        return "cut to \(cut) bytes \(place)"
    }

    private static func repeatHeader(_ bytes: inout [UInt8], domain: String, using random: inout Generator) -> String {
        let copies = random.int(2_000...6_000)
        let recipient = headerValue("To", in: bytes) ?? "nobody@\(domain)"
        let (name, line): (String, (Int) -> String) =
            switch random.int(0..<6) {
            case 0: ("Received", { "Received: from relay\($0).example.net ([192.0.2.\($0 % 250)]) by mx.example.net; Fri, 13 Jun 2025 19:42:10 -0700" })
            case 1: ("To (the same address)", { _ in "To: \(recipient)" })
            case 2: ("Cc (unknown talents)", { "Cc: fan-\($0)+post@\(domain)" })
            case 3: ("Content-Type", { "Content-Type: multipart/mixed; boundary=\"repeat-\($0)\"" })
            case 4: ("Subject", { "Subject: Subject number \($0) #IG" })
            default: ("Delivered-To", { "Delivered-To: other-\($0)@\(domain)" })
            }
        var block: [UInt8] = []
        for index in 0..<copies { block += Array((line(index) + "\r\n").utf8) }
        bytes.insert(contentsOf: block, at: 0)
        return "\(copies) × \(name)"
    }

    private static func addHugeHeader(_ bytes: inout [UInt8], domain: String, using random: inout Generator) -> String {
        let length = 900 * 1024 + random.int(0..<1024)
        let recipient = headerValue("To", in: bytes) ?? "nobody@\(domain)"
        var line: [UInt8]
        let what: String
        switch random.int(0..<4) {
        case 0:
            line = Array("X-Filler: ".utf8) + [UInt8](repeating: UInt8(ascii: "a"), count: length)
            what = "X-Filler of one word"
        case 1:
            line = Array("Subject: ".utf8)
            while line.count < length { line += Array("Sunset shoot at the pier #IG ".utf8) }
            removeHeader("Subject", from: &bytes)
            what = "Subject of words"
        case 2:
            line = Array("To: ".utf8)
            var index = 0
            while line.count < length {
                line += Array("person\(index)@elsewhere.example, ".utf8)
                index += 1
            }
            line += Array(recipient.utf8)
            removeHeader("To", from: &bytes)
            what = "To of \(index + 1) addresses"
        default:
            line = Array("References: ".utf8)
            var index = 0
            while line.count < length {
                line += Array("<ref\(index)@example.net> ".utf8)
                index += 1
            }
            what = "References of \(index) ids"
        }
        line += Array("\r\n".utf8)
        bytes.insert(contentsOf: line, at: 0)
        return "\(line.count) bytes: \(what)"
    }

    private static func breakBoundaries(_ bytes: inout [UInt8], using random: inout Generator) -> String {
        guard let boundary = boundary(of: bytes) else { return "no boundary to break" }
        let delimiter = Array("--\(boundary)".utf8)
        let declared = Array("boundary=\"\(boundary)\"".utf8)
        switch random.int(0..<7) {
        case 0:
            replaceAll(declared, with: Array("boundary=\"\(boundary)-declared-but-absent\"".utf8), in: &bytes)
            return "declared boundary absent from the body"
        case 1:
            replaceAll(Array("--\(boundary)--".utf8), with: [], in: &bytes)
            return "closing delimiter removed"
        case 2:
            let lines = occurrences(of: delimiter, in: bytes)
            for position in lines.dropFirst().reversed() { bytes.insert(contentsOf: Array("x-".utf8), at: position + 2) }
            return "every delimiter after the first misspelt"
        case 3:
            replaceAll(Array("; \(String(decoding: declared, as: UTF8.self))".utf8), with: [], in: &bytes)
            return "boundary parameter removed"
        case 4:
            let long = boundary + String(repeating: "L", count: 5_000)
            replaceAll(Array(boundary.utf8), with: Array(long.utf8), in: &bytes)
            return "boundary 5,000 characters long"
        case 5:
            replaceAll(declared, with: Array("boundary=\"\"".utf8), in: &bytes)
            replaceAll(delimiter, with: Array("--".utf8), in: &bytes)
            return "empty boundary"
        default:
            // A delimiter inside the base64 of the attachment: the attachment is split in two.
            let end = headerEnd(bytes)
            let position = random.int(min(bytes.count - 1, end + (bytes.count - end) / 2)..<bytes.count)
            let lineStart = (bytes[..<position].lastIndex(of: 0x0A) ?? position) + 1
            bytes.insert(contentsOf: delimiter + Array("\r\nContent-Type: text/plain\r\n\r\n".utf8), at: lineStart)
            return "a delimiter inside the attachment at byte \(lineStart)"
        }
    }

    private static func nest(_ bytes: inout [UInt8], using random: inout Generator) -> String {
        let depth = random.int(380...420)
        let asMessages = random.bool()
        var headers = Array(bytes[..<headerEnd(bytes)])
        removeHeader("Content-Type", from: &headers)
        var text = String(decoding: headers, as: UTF8.self).trimmingCharacters(in: .newlines) + "\r\nMIME-Version: 1.0\r\n"
        if asMessages {
            for level in 0..<depth {
                text += "Content-Type: message/rfc822\r\n\r\nFrom: level\(level)@example.net\r\nSubject: level \(level)\r\nMIME-Version: 1.0\r\n"
            }
            text += "Content-Type: text/plain\r\n\r\nThe bottom of \(depth) attached messages.\r\n"
        } else {
            text += "Content-Type: multipart/mixed; boundary=\"n0\"\r\n\r\n"
            for level in 1..<depth {
                text += "--n\(level - 1)\r\nContent-Type: multipart/mixed; boundary=\"n\(level)\"\r\n\r\n"
            }
            text += "--n\(depth - 1)\r\nContent-Type: text/plain\r\n\r\nThe bottom of \(depth) multiparts.\r\n"
            for level in (0..<depth).reversed() { text += "--n\(level)--\r\n" }
        }
        bytes = Array(text.utf8)
        return "\(depth) levels of \(asMessages ? "message/rfc822" : "multipart/mixed")"
    }

    private static func addNULs(_ bytes: inout [UInt8], using random: inout Generator) -> String {
        let end = headerEnd(bytes)
        switch random.int(0..<5) {
        case 0:
            let count = random.int(1...50)
            for _ in 0..<count { bytes.insert(0, at: random.int(0..<max(1, end))) }
            return "\(count) NULs in the headers"
        case 1:
            let count = random.int(1...50)
            for _ in 0..<count { bytes.insert(0, at: random.int(min(end, bytes.count - 1)..<bytes.count)) }
            return "\(count) NULs in the body"
        case 2:
            let run = random.int(1...4_096)
            bytes.insert(contentsOf: [UInt8](repeating: 0, count: run), at: min(end + 2, bytes.count))
            return "\(run) NULs after the headers"
        case 3:
            removeHeader("Subject", from: &bytes)
            bytes.insert(contentsOf: Array("Subject: Sunset\0shoot\0at the pier #IG\r\n".utf8), at: 0)
            return "NULs in the subject"
        default:
            guard let to = headerValue("To", in: bytes), let plus = to.firstIndex(of: "+") else { return "no recipient to break" }
            removeHeader("To", from: &bytes)
            bytes.insert(contentsOf: Array("To: \(to[..<plus])\0\(to[plus...])\r\n".utf8), at: 0)
            return "a NUL inside the recipient address"
        }
    }

    private static func splice(_ bytes: inout [UInt8], others: [Fixture], using random: inout Generator) -> String {
        let other = [UInt8](others[random.int(0..<others.count)].bytes)
        switch random.int(0..<4) {
        case 0:
            let cut = random.int(1..<bytes.count)
            let from = random.int(0..<other.count)
            bytes = Array(bytes[..<cut]) + Array(other[from...])
            return "the first \(cut) bytes, then another message from byte \(from)"
        case 1:
            bytes += Array("\r\n".utf8) + other
            return "two whole messages, one after the other"
        case 2:
            bytes = Array(bytes[..<headerEnd(bytes)]) + Array(other[headerEnd(other)...])
            return "these headers over another message's body"
        default:
            let position = random.int(headerEnd(bytes)..<bytes.count)
            bytes.insert(contentsOf: other, at: position)
            return "another whole message inside this one at byte \(position)"
        }
    }

    /// Encoded words no decoder should choke on: bad base64, bad quoted-printable, unknown charsets and
    /// encodings, unterminated words, truncated ISO-2022 escapes, NUL and invalid UTF-8 once decoded.
    static let garbageWords = [
        "=?utf-8?B?@@@@!!!!?=", "=?utf-8?Q?=ZZ=G0=?=", "=?x-no-such-charset?B?w6k=?=", "=?utf-8?X?abc?=", "=??B??=",
        "=?utf-8?Q?unterminated", "=?iso-2022-jp?B?GyRC?=", "=?utf-8?Q?a=00b?=", "=?utf-8?B?/w==?=", "=?utf-8*en?Q?lang?=",
        "=?utf-7?B?K0FHRS0=?=", "=?utf-8?B?" + String(repeating: "QUFB", count: 4_000) + "?=", "=?=?=?=?=?=?", "=?utf-8?q?=E2=82?=",
        "=?gb18030?B?gTCBMA==?=", "=?utf-16?B?2D3YPQ==?=",
    ]

    private static func garble(_ bytes: inout [UInt8], using random: inout Generator) -> String {
        func words(_ count: Int) -> [String] { (0..<count).map { _ in garbageWords[random.int(0..<garbageWords.count)] } }
        let many = random.int(0..<4) == 0
        let subject = words(many ? random.int(500...2_000) : random.int(1...6))
        let sender = words(random.int(1...3))
        removeHeader("Subject", from: &bytes)
        removeHeader("From", from: &bytes)
        var headers = "Subject: \(subject.joined(separator: " ")) #IG\r\nFrom: \(sender.joined(separator: " ")) <aurora@example.com>\r\n"
        if random.bool() { headers += "Reply-To: \(words(2).joined()) <=?utf-8?B?%%%?=@example.com>\r\n" }
        bytes.insert(contentsOf: Array(headers.utf8), at: 0)
        // The attachment's name too, as an encoded word or a broken RFC 2231 parameter.
        let filename = random.bool() ? "filename=\"\(words(1)[0]).jpg\"" : "filename*=utf-8''%FF%00%2F..%2F..%2Fetc%2Fpasswd%ZZ"
        let named = occurrences(of: Array("filename=\"".utf8), in: bytes)
        if let first = named.first, let close = bytes[(first + 10)...].firstIndex(of: UInt8(ascii: "\"")) {
            bytes.replaceSubrange(first...close, with: Array(filename.utf8))
        }
        return "\(subject.count) encoded words in the subject, \(sender.count) in the sender, \(filename.prefix(12))…"
    }

    // MARK: Bytes

    /// The index just past the header block's last line (before the blank line); the whole length without one.
    static func headerEnd(_ bytes: [UInt8]) -> Int {
        for index in 0..<max(0, bytes.count - 1) where bytes[index] == 0x0A {
            if bytes[index + 1] == 0x0A { return index }
            if bytes[index + 1] == 0x0D, index + 2 < bytes.count, bytes[index + 2] == 0x0A { return index }
        }
        return bytes.count
    }

    /// The first value of header `name` in the header block (unfolded lines only).
    static func headerValue(_ name: String, in bytes: [UInt8]) -> String? {
        let headers = String(decoding: bytes[..<headerEnd(bytes)], as: UTF8.self)
        for line in headers.split(separator: "\n") where line.lowercased().hasPrefix(name.lowercased() + ":") {
            return line.dropFirst(name.count + 1).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return nil
    }

    /// Removes every line of header `name` (and its folded continuation lines) from the header block.
    static func removeHeader(_ name: String, from bytes: inout [UInt8]) {
        let end = headerEnd(bytes)
        let prefix = Array((name.lowercased() + ":").utf8)
        var kept: [UInt8] = []
        var index = 0
        var dropping = false
        while index < end {
            let lineEnd = bytes[index..<end].firstIndex(of: 0x0A).map { $0 + 1 } ?? end
            let line = bytes[index..<lineEnd]
            let continuation = line.first == 0x20 || line.first == 0x09
            if !continuation { dropping = line.count >= prefix.count && zip(line, prefix).allSatisfy { lower($0) == $1 } }
            if !dropping { kept += line }
            index = lineEnd
        }
        bytes.replaceSubrange(0..<end, with: kept)
    }

    /// The top-level `boundary="…"` parameter.
    static func boundary(of bytes: [UInt8]) -> String? {
        let headers = String(decoding: bytes[..<headerEnd(bytes)], as: UTF8.self)
        guard let start = headers.range(of: "boundary=\"") else { return nil }
        guard let end = headers[start.upperBound...].firstIndex(of: "\"") else { return nil }
        return String(headers[start.upperBound..<end])
    }

    static func occurrences(of needle: [UInt8], in bytes: [UInt8]) -> [Int] {
        guard !needle.isEmpty, needle.count <= bytes.count else { return [] }
        var found: [Int] = []
        var index = 0
        while index <= bytes.count - needle.count {
            if bytes[index] == needle[0], bytes[index..<(index + needle.count)].elementsEqual(needle) {
                found.append(index)
                index += needle.count
            } else {
                index += 1
            }
        }
        return found
    }

    static func replaceAll(_ needle: [UInt8], with replacement: [UInt8], in bytes: inout [UInt8]) {
        for position in occurrences(of: needle, in: bytes).reversed() {
            bytes.replaceSubrange(position..<(position + needle.count), with: replacement)
        }
    }

    private static func lower(_ byte: UInt8) -> UInt8 { (0x41...0x5A).contains(byte) ? byte + 0x20 : byte }
}
