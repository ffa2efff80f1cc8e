import Foundation
import Testing

@testable import Web

/// The streaming multipart parser: parts come back byte for byte however the body is cut into chunks,
/// and broken framing is an error, not a guess.
struct MultipartStreamParserTests {
    struct Part: Equatable {
        var headers: [String] = []
        var content: [UInt8] = []
    }

    /// Feeds `body` in chunks of the given sizes (cycled) and collects the parts.
    static func parse(_ body: [UInt8], boundary: String, chunkSizes: [Int]) throws -> (parts: [Part], complete: Bool) {
        var parser = MultipartStreamParser(boundary: boundary)
        final class Collector {
            var parts: [Part] = []
            var current = Part()
        }
        let collector = Collector()
        parser.onPartBegin = { headers in collector.current.headers = headers.map { "\($0.name): \($0.value)" } }
        parser.onBody = { bytes in collector.current.content.append(contentsOf: bytes) }
        parser.onPartComplete = {
            collector.parts.append(collector.current)
            collector.current = Part()
        }
        var position = 0
        var turn = 0
        while position < body.count {
            let size = max(1, chunkSizes[turn % chunkSizes.count])
            turn += 1
            let end = min(body.count, position + size)
            try body[position..<end].withUnsafeBytes { try parser.execute($0) }
            position = end
        }
        return (collector.parts, parser.isComplete)
    }

    static func encode(_ parts: [Part], boundary: String, preamble: String = "", epilogue: String = "") -> [UInt8] {
        var body = Array(preamble.utf8)
        for part in parts {
            body += Array("--\(boundary)\r\n".utf8)
            for header in part.headers { body += Array("\(header)\r\n".utf8) }
            body += Array("\r\n".utf8) + part.content + Array("\r\n".utf8)
        }
        body += Array("--\(boundary)--\r\n\(epilogue)".utf8)
        return body
    }

    /// Content built to tease the search: CRs, CRLFs, dashes and every prefix of the delimiter.
    static func awkwardContent(boundary: String, using generator: inout some RandomNumberGenerator) -> [UInt8] {
        let delimiter = Array("\r\n--\(boundary)".utf8)
        var content: [UInt8] = []
        for _ in 0..<Int.random(in: 0...40, using: &generator) {
            switch Int.random(in: 0..<5, using: &generator) {
            case 0: content += (0..<Int.random(in: 1...300, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            // A partial delimiter, then "!" (no boundary character), so what follows cannot complete it.
            case 1: content += Array(delimiter.prefix(Int.random(in: 1..<delimiter.count, using: &generator))) + [UInt8(ascii: "!")]
            case 2: content += [13, 10, 13]
            case 3: content += Array("x--\(boundary)".utf8)  // not after CRLF: content
            default: content += Array(delimiter.dropLast()) + [UInt8(ascii: "!")]
            }
        }
        return content
    }

    @Test func partsSurviveAnyChunkingByteForByte() throws {
        var generator = SystemRandomNumberGenerator()
        for round in 0..<60 {
            let boundary = round % 2 == 0 ? "XyZ" : "----WebKitFormBoundary7MA4YWxkTrZu0gW"
            let parts = (0..<Int.random(in: 1...5, using: &generator)).map { index in
                Part(
                    headers: [
                        "Content-Disposition: form-data; name=\"f\(index)\"; filename=\"a\(index).bin\"",
                        "Content-Type: application/octet-stream",
                    ],
                    content: Self.awkwardContent(boundary: boundary, using: &generator)
                )
            }
            let body = Self.encode(
                parts,
                boundary: boundary,
                preamble: round % 3 == 0 ? "ignored preamble\r\n" : "",
                epilogue: "trailing epilogue"
            )
            let sizes = [[1], [2, 3], [7], [body.count], (0..<8).map { _ in Int.random(in: 1...200, using: &generator) }][round % 5]
            let result = try Self.parse(body, boundary: boundary, chunkSizes: sizes)
            #expect(result.parts == parts, "round \(round), chunks \(sizes)")
            #expect(result.complete)
        }
    }

    @Test func anEmptyPartAndAPartWithoutHeadersAreParts() throws {
        let body = Array("--b\r\nName: x\r\n\r\n\r\n--b\r\n\r\nhello\r\n--b--".utf8)
        let result = try Self.parse(body, boundary: "b", chunkSizes: [1])
        #expect(result.parts == [Part(headers: ["Name: x"], content: []), Part(headers: [], content: Array("hello".utf8))])
        #expect(result.complete)
    }

    @Test func aBodyCutShortIsNotComplete() throws {
        let body = Self.encode([Part(headers: ["A: b"], content: Array(repeating: 7, count: 1000))], boundary: "XyZ")
        for cut in [1, 10, 500, body.count - 4] {
            let result = try Self.parse(Array(body.prefix(cut)), boundary: "XyZ", chunkSizes: [64])
            #expect(!result.complete, "cut at \(cut)")
        }
    }

    @Test(arguments: [
        ("--b garbage\r\n\r\nx\r\n--b--", "a boundary is not followed by CRLF or --"),
        ("--b\r\nno colon here\r\n\r\nx\r\n--b--", "a part has a malformed header line"),
        ("--b\r\nBad Name: v\r\n\r\nx\r\n--b--", "a part has a malformed header line"),
        ("--b\r\n: empty name\r\n\r\nx\r\n--b--", "a part has a malformed header line"),
    ])
    func brokenFramingIsAnError(body: String, message: String) {
        #expect(throws: MultipartStreamParser.SyntaxError.self) {
            _ = try Self.parse(Array(body.utf8), boundary: "b", chunkSizes: [3])
        }
        do {
            _ = try Self.parse(Array(body.utf8), boundary: "b", chunkSizes: [100])
        } catch let error as MultipartStreamParser.SyntaxError {
            #expect(error.description == message)
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func endlessHeadersAreCutOff() {
        let body = Array("--b\r\nX-Long: ".utf8) + Array(repeating: UInt8(ascii: "a"), count: MultipartStreamParser.maxHeaderBytes + 10)
        #expect(throws: MultipartStreamParser.SyntaxError.self) { _ = try Self.parse(body, boundary: "b", chunkSizes: [4096]) }
    }

    @Test func contentIsHandedOverInLargeSpansNotPerCarriageReturn() throws {
        // Random bytes hold a CR about every 256 bytes; the parser should still report a 1 MiB part in a
        // few spans per chunk, not one per CR.
        var generator = SystemRandomNumberGenerator()
        let content = (0..<(1 << 20)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let body = Self.encode([Part(headers: ["A: b"], content: content)], boundary: "XyZ")
        var parser = MultipartStreamParser(boundary: "XyZ")
        final class Counter {
            var spans = 0
            var bytes = 0
        }
        let counter = Counter()
        parser.onBody = {
            counter.spans += 1
            counter.bytes += $0.count
        }
        let chunk = 64 << 10
        var position = 0
        while position < body.count {
            let end = min(body.count, position + chunk)
            try body[position..<end].withUnsafeBytes { try parser.execute($0) }
            position = end
        }
        #expect(counter.bytes == content.count)
        #expect(counter.spans <= 2 * (body.count / chunk + 1), "\(counter.spans) spans")
    }
}
