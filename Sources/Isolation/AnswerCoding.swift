import Foundation

/// How a child's answer travels: JSON, with every `Data` in it (an email's attachments) carried after the
/// JSON as raw bytes rather than as base64 inside it. In JSON a 1 MB photo became 1.4 MB of base64 that the
/// child wrote and escaped and the daemon scanned and decoded: about a sixth of the CPU the daemon and its
/// children spent taking in emails with photos (`perf`, `bench/intake`, 2026-12-06).
///
/// A frame's body: the JSON's length (4 bytes, big-endian), the JSON, then the bytes, each `Data` in the
/// JSON standing as `[offset, count]` into them.
enum AnswerCoding {
    /// The bytes the encoder set aside, in order (one encoding at a time, on one thread).
    private final class Tail: @unchecked Sendable {
        var bytes = Data()
    }

    static func encode<T: Encodable>(_ value: T) throws -> Data {
        let tail = Tail()
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        encoder.dataEncodingStrategy = .custom { data, encoder in
            var container = encoder.unkeyedContainer()
            try container.encode(tail.bytes.count)
            try container.encode(data.count)
            tail.bytes.append(data)
        }
        return frame(json: try encoder.encode(value), tail: tail.bytes)
    }

    /// A body from JSON written by hand (an error answer) and the bytes it points into.
    static func frame(json: Data, tail: Data = Data()) -> Data {
        let length = UInt32(json.count)
        var body = Data([UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)])
        body.reserveCapacity(4 + json.count + tail.count)
        body.append(json)
        body.append(tail)
        return body
    }

    static func decode<T: Decodable>(_ type: T.Type, from body: Data) throws -> T {
        let bytes = [UInt8](body.prefix(4))
        guard bytes.count == 4 else { throw malformed("the answer is shorter than its header") }
        let length = bytes.reduce(0) { $0 << 8 | Int($1) }
        guard length <= body.count - 4 else { throw malformed("the answer's JSON runs past its end") }
        let jsonStart = body.startIndex + 4
        let json = body[jsonStart..<jsonStart + length]
        let tail = body[(jsonStart + length)...]
        let decoder = JSONDecoder()
        decoder.dataDecodingStrategy = .custom { decoder in
            var container = try decoder.unkeyedContainer()
            let offset = try container.decode(Int.self)
            let count = try container.decode(Int.self)
            guard offset >= 0, count >= 0, offset <= tail.count - count else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "bytes \(offset)+\(count) are past the answer's end"))
            }
            let start = tail.startIndex + offset
            return Data(tail[start..<start + count])
        }
        return try decoder.decode(T.self, from: Data(json))
    }

    private static func malformed(_ why: String) -> DecodingError {
        DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: why))
    }
}
