import Foundation

/// A push parser for `multipart/form-data` bodies (RFC 7578 over RFC 2046 §5.1), fed chunks of any size as
/// they arrive. It reports each part's start with its headers, then its content as spans of the chunks
/// themselves (no copy), then the part's end.
///
/// The delimiter (`CRLF--boundary`) is searched over whole chunks (`memchr` to each CR, then a compare), so
/// content costs a fast scan wherever its bytes fall. multipart-kit's byte-wise parser, which this replaces, copied the content
/// into a new buffer and called back at every CR byte: about every 256 bytes of a compressed media file.
struct MultipartStreamParser {
    /// Malformed framing: the message says where.
    struct SyntaxError: Error, CustomStringConvertible {
        let description: String
    }

    /// Longest header block a part may have.
    static let maxHeaderBytes = 16 << 10

    /// A part begins: its headers, names as sent, values trimmed.
    var onPartBegin: ([(name: String, value: String)]) throws -> Void = { _ in }
    var onBody: (UnsafeRawBufferPointer) throws -> Void = { _ in }
    var onPartComplete: () throws -> Void = {}

    private enum State {
        /// Before the first delimiter: skipped.
        case preamble
        /// Just after a delimiter: `--` ends the body, optional padding then CRLF starts a part.
        case afterDelimiter(sawDash: Bool, sawCR: Bool)
        case headers
        case content
        /// After the closing delimiter: ignored.
        case epilogue
    }

    private let delimiter: [UInt8]
    private var state = State.preamble
    /// Bytes at the end of the last chunk that may begin a delimiter; always shorter than the delimiter.
    /// Starts as CRLF so a body that opens with `--boundary` matches the same search.
    private var held: [UInt8] = [13, 10]
    private var headerBytes: [UInt8] = []

    init(boundary: String) {
        delimiter = Array("\r\n--\(boundary)".utf8)
    }

    /// True once the closing delimiter has been read.
    var isComplete: Bool {
        if case .epilogue = state { return true }
        return false
    }

    mutating func execute(_ chunk: UnsafeRawBufferPointer) throws {
        var position = 0
        while position < chunk.count {
            switch state {
            case .preamble, .content:
                position = try scanForDelimiter(chunk, from: position)
            case .afterDelimiter(let sawDash, let sawCR):
                let byte = chunk[position]
                position += 1
                switch (sawDash, sawCR, byte) {
                case (false, false, UInt8(ascii: "-")): state = .afterDelimiter(sawDash: true, sawCR: false)
                case (true, _, UInt8(ascii: "-")): state = .epilogue
                case (false, false, UInt8(ascii: " ")), (false, false, UInt8(ascii: "\t")): break  // transport padding
                case (false, false, 13): state = .afterDelimiter(sawDash: false, sawCR: true)
                case (false, true, 10):
                    headerBytes.removeAll(keepingCapacity: true)
                    state = .headers
                default: throw SyntaxError(description: "a boundary is not followed by CRLF or --")
                }
            case .headers:
                position = try readHeaders(chunk, from: position)
            case .epilogue:
                return
            }
        }
    }

    // MARK: Content

    /// Scans from `start` for the delimiter, reporting content before it (in `.content`), and returns where
    /// scanning stopped: after the delimiter, or at the chunk's end with a possible delimiter start held back.
    private mutating func scanForDelimiter(_ chunk: UnsafeRawBufferPointer, from start: Int) throws -> Int {
        let length = delimiter.count
        if !held.isEmpty {
            // A delimiter may begin in the held bytes: look in them plus the chunk's first length - 1 bytes.
            let borrowed = min(length - 1, chunk.count - start)
            var window = held
            window.append(contentsOf: chunk[start..<(start + borrowed)])
            if let match = Self.find(delimiter, in: window) {
                try emit(window, upTo: match)
                held = []
                try delimiterFound()
                return start + (match + length - (window.count - borrowed))
            }
            if borrowed == length - 1 {
                // No delimiter starts in the held bytes: they were content.
                try emit(held, upTo: held.count)
                held = []
            } else {
                // The chunk is too short to decide: hold its bytes too, keeping only the tail that may matter.
                held = window
                let keep = Self.heldTail(of: held, delimiterLength: length)
                try emit(held, upTo: held.count - keep)
                held.removeFirst(held.count - keep)
                return chunk.count
            }
        }
        let rest = UnsafeRawBufferPointer(rebasing: chunk[start...])
        if let match = delimiter.withUnsafeBytes({ Self.find($0, in: rest) }) {
            try emitContent(UnsafeRawBufferPointer(rebasing: rest[..<match]))
            try delimiterFound()
            return start + match + length
        }
        // No whole delimiter here; one may start in the last length - 1 bytes, at a CR.
        let keep = Self.heldTail(of: rest, delimiterLength: length)
        try emitContent(UnsafeRawBufferPointer(rebasing: rest[..<(rest.count - keep)]))
        held = Array(rest[(rest.count - keep)...])
        return chunk.count
    }

    /// A delimiter ends the part being read (if any); what follows it says whether another part comes.
    private mutating func delimiterFound() throws {
        if case .content = state { try onPartComplete() }
        state = .afterDelimiter(sawDash: false, sawCR: false)
    }

    /// How many bytes at the end of `bytes` must be held: from the last CR among the final
    /// `delimiterLength - 1` bytes, or none. The delimiter holds one CR, its first byte (a boundary has no
    /// CR), so only the last CR there can begin one.
    private static func heldTail<Bytes: RandomAccessCollection>(of bytes: Bytes, delimiterLength: Int) -> Int
    where Bytes.Element == UInt8, Bytes.Index == Int {
        let lowest = max(bytes.startIndex, bytes.endIndex - (delimiterLength - 1))
        var index = bytes.endIndex - 1
        while index >= lowest {
            if bytes[index] == 13 { return bytes.endIndex - index }
            index -= 1
        }
        return 0
    }

    private func emit(_ bytes: [UInt8], upTo end: Int) throws {
        guard end > 0 else { return }
        try bytes.withUnsafeBytes { try emitContent(UnsafeRawBufferPointer(rebasing: $0[..<end])) }
    }

    private func emitContent(_ bytes: UnsafeRawBufferPointer) throws {
        guard case .content = state, !bytes.isEmpty else { return }
        try onBody(bytes)
    }

    // MARK: Headers

    /// Gathers a part's header block up to its empty line, then begins the part and moves to its content.
    private mutating func readHeaders(_ chunk: UnsafeRawBufferPointer, from start: Int) throws -> Int {
        var position = start
        while position < chunk.count {
            headerBytes.append(chunk[position])
            position += 1
            guard headerBytes.count <= Self.maxHeaderBytes else {
                throw SyntaxError(description: "a part's headers are longer than \(Self.maxHeaderBytes) bytes")
            }
            let count = headerBytes.count
            guard count >= 2, headerBytes[count - 2] == 13, headerBytes[count - 1] == 10 else { continue }
            // A line ended; an empty one (at the block's start or after another line) ends the block.
            if count == 2 || (count >= 4 && headerBytes[count - 4] == 13 && headerBytes[count - 3] == 10) {
                try onPartBegin(try parsedHeaders())
                state = .content
                return position
            }
        }
        return position
    }

    private func parsedHeaders() throws -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = []
        var lineStart = 0
        let bytes = headerBytes
        while lineStart < bytes.count - 2 {
            var lineEnd = lineStart
            while !(bytes[lineEnd] == 13 && bytes[lineEnd + 1] == 10) { lineEnd += 1 }
            let line = bytes[lineStart..<lineEnd]
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > lineStart,
                line[lineStart..<colon].allSatisfy(Self.isTokenByte)
            else {
                throw SyntaxError(description: "a part has a malformed header line")
            }
            let name = String(decoding: line[lineStart..<colon], as: UTF8.self)
            let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingCharacters(in: .whitespaces)
            headers.append((name, value))
            lineStart = lineEnd + 2
        }
        return headers
    }

    /// RFC 9110 token characters (header names).
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
        }
    }

    // MARK: Search

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        needle.withUnsafeBytes { needle in haystack.withUnsafeBytes { find(needle, in: $0) } }
    }

    /// The first occurrence of `needle` in `haystack`: `memchr` (vectorised in libc) to each candidate first
    /// byte, then a compare. (glibc's `memmem` is a GNU extension Swift's Glibc module does not export.)
    private static func find(_ needle: UnsafeRawBufferPointer, in haystack: UnsafeRawBufferPointer) -> Int? {
        guard let first = needle.first, haystack.count >= needle.count, let base = haystack.baseAddress,
            let needleBase = needle.baseAddress
        else { return nil }
        let lastStart = haystack.count - needle.count
        var offset = 0
        while offset <= lastStart {
            guard let hit = memchr(base + offset, Int32(first), lastStart - offset + 1) else { return nil }
            let position = base.distance(to: UnsafeRawPointer(hit))
            if memcmp(base + position, needleBase, needle.count) == 0 { return position }
            offset = position + 1
        }
        return nil
    }
}
