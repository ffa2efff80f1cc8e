import Foundation

/// A cheap look at the raw bytes before GMime builds the MIME tree.
///
/// GMime's parser recurses once per nested multipart and allocates an object per part, with no limit of
/// its own. Counting container headers and boundary lines first bounds both: a message with more of
/// either than `maxParts` is refused before GMime sees it. (The tree walk checks the exact limits after.)
enum MIMEPrescan {
    /// Throws `MIMEError.tooManyParts` when the message cannot fit in `limits.maxParts`.
    static func check(_ raw: Data, limits: MIMELimits) throws(MIMEError) {
        let result = raw.withUnsafeBytes { count($0, maxParts: limits.maxParts) }
        if result.containers > limits.maxParts || result.delimiters > limits.maxParts {
            throw .tooManyParts(limits.maxParts)
        }
    }

    /// How many `Content-Type: multipart/…` / `message/…` headers and opening boundary lines `bytes` holds.
    /// Stops counting containers once past `maxParts`.
    static func count(_ bytes: UnsafeRawBufferPointer, maxParts: Int) -> (containers: Int, delimiters: Int) {
        let lines = lineStarts(bytes)
        var containers = 0
        var boundaries = Set<[UInt8]>()
        for start in lines where hasPrefix(bytes, at: start, "content-type:") {
            let value = headerValue(bytes, from: start + 13)
            guard contains(value, "multipart/") || contains(value, "message/") else { continue }
            containers += 1
            if containers > maxParts { return (containers, 0) }
            if let boundary = boundaryParameter(value) { boundaries.insert(boundary) }
        }
        guard !boundaries.isEmpty else { return (containers, 0) }
        var delimiters = 0
        for start in lines where start + 2 < bytes.count && bytes[start] == 0x2D && bytes[start + 1] == 0x2D {
            var end = start + 2
            while end < bytes.count && bytes[end] != 0x0A { end += 1 }
            while end > start + 2 && (bytes[end - 1] == 0x0D || bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09) { end -= 1 }
            let candidate = bytes[(start + 2)..<end].map(lower)  // boundaries are compared lower-cased
            // `--boundary` opens a part; `--boundary--` closes the multipart and is not counted.
            if boundaries.contains(candidate) { delimiters += 1 }
        }
        return (containers, delimiters)
    }

    // MARK: Bytes

    private static func lineStarts(_ bytes: UnsafeRawBufferPointer) -> [Int] {
        var starts = bytes.isEmpty ? [] : [0]
        guard let base = bytes.baseAddress else { return starts }
        var offset = 0
        while offset < bytes.count, let found = memchr(base + offset, 0x0A, bytes.count - offset) {
            offset = base.distance(to: UnsafeRawPointer(found)) + 1
            if offset < bytes.count { starts.append(offset) }
        }
        return starts
    }

    /// Case-insensitive ASCII prefix test (`prefix` is lower-case).
    private static func hasPrefix(_ bytes: UnsafeRawBufferPointer, at start: Int, _ prefix: StaticString) -> Bool {
        guard start + prefix.utf8CodeUnitCount <= bytes.count else { return false }
        for index in 0..<prefix.utf8CodeUnitCount where lower(bytes[start + index]) != prefix.utf8Start[index] { return false }
        return true
    }

    /// The header value from `start` through its folded continuation lines, lower-cased, at most 2,000 bytes.
    private static func headerValue(_ bytes: UnsafeRawBufferPointer, from start: Int) -> [UInt8] {
        var value: [UInt8] = []
        var index = start
        while index < bytes.count && value.count < 2_000 {
            let byte = bytes[index]
            if byte == 0x0A {
                guard index + 1 < bytes.count, bytes[index + 1] == 0x20 || bytes[index + 1] == 0x09 else { break }
            }
            value.append(lower(byte))
            index += 1
        }
        return value
    }

    /// The `boundary=` parameter's value, unquoted (lower-cased, like everything `headerValue` returns).
    private static func boundaryParameter(_ value: [UInt8]) -> [UInt8]? {
        let key = Array("boundary=".utf8)
        guard let position = firstRange(of: key, in: value) else { return nil }
        var index = position + key.count
        var boundary: [UInt8] = []
        if index < value.count && value[index] == 0x22 {
            index += 1
            while index < value.count && value[index] != 0x22 {
                if value[index] != 0x0D && value[index] != 0x0A { boundary.append(value[index]) }
                index += 1
            }
        } else {
            while index < value.count, ![0x3B, 0x20, 0x09, 0x0D, 0x0A].contains(value[index]) {
                boundary.append(value[index])
                index += 1
            }
        }
        return boundary.isEmpty ? nil : boundary
    }

    private static func contains(_ value: [UInt8], _ needle: String) -> Bool {
        firstRange(of: Array(needle.utf8), in: value) != nil
    }

    private static func firstRange(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard needle.count <= haystack.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start..<(start + needle.count)].elementsEqual(needle) {
            return start
        }
        return nil
    }

    private static func lower(_ byte: UInt8) -> UInt8 { (0x41...0x5A).contains(byte) ? byte + 0x20 : byte }
}
