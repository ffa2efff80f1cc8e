import Foundation
import Testing

@testable import Isolation

/// A child's answer carries its `Data` values as raw bytes after the JSON: they come back byte for byte, in
/// any number and nesting, and an answer whose offsets point past its end is refused.
struct AnswerCodingTests {
    struct Attachment: Codable, Equatable {
        var name: String
        var bytes: Data
    }

    struct Email: Codable, Equatable {
        var subject: String
        var attachments: [Attachment]
        var thumbnail: Data?
    }

    @Test func everyByteComesBackAndNoneIsBase64() throws {
        let everyByte = Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        let email = Email(
            subject: "Bytes / slashes \"and\" quotes",
            attachments: [Attachment(name: "a.bin", bytes: everyByte), Attachment(name: "empty", bytes: Data()), Attachment(name: "b", bytes: Data([0, 255]))],
            thumbnail: Data([1, 2, 3])
        )
        let body = try AnswerCoding.encode(email)
        #expect(try AnswerCoding.decode(Email.self, from: body) == email)
        // Raw bytes cost their size; base64 inside the JSON would cost a third more.
        #expect(body.count < everyByte.count + 400, "\(body.count) bytes")
        // A slice of a larger buffer (how a frame may arrive) decodes the same.
        let framed = Data([9, 9, 9]) + body
        #expect(try AnswerCoding.decode(Email.self, from: framed[3...]) == email)
    }

    @Test func offsetsPastTheEndAreRefused() throws {
        let body = try AnswerCoding.encode(Attachment(name: "a", bytes: Data(repeating: 7, count: 100)))
        #expect(throws: DecodingError.self) { try AnswerCoding.decode(Attachment.self, from: body.prefix(body.count - 1)) }
        #expect(throws: DecodingError.self) { try AnswerCoding.decode(Attachment.self, from: Data([0, 0])) }
        let json = Data(#"{"name":"a","bytes":[0,5]}"#.utf8)
        #expect(throws: DecodingError.self) { try AnswerCoding.decode(Attachment.self, from: AnswerCoding.frame(json: json, tail: Data([1, 2]))) }
        #expect(try AnswerCoding.decode(Attachment.self, from: AnswerCoding.frame(json: json, tail: Data([1, 2, 3, 4, 5]))).bytes == Data([1, 2, 3, 4, 5]))
    }
}
