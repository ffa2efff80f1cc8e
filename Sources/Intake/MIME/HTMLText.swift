/// Reduces an HTML body to plain text: drops scripts, styles and comments, breaks lines at block
/// elements, strips the remaining tags and decodes entities.
///
/// ```swift
/// HTMLText.plainText("<p>Hi&nbsp;there</p><p>Post <b>this</b></p>") // "Hi there\n\nPost this"
/// ```
///
/// Works on UTF-8 bytes in one linear pass (tags and entities are ASCII), so a multi-megabyte body stays cheap.
enum HTMLText {
    /// Elements whose whole content is dropped.
    private static let hiddenElements: Set<[UInt8]> = Set(["script", "style", "head", "title", "template", "noscript"].map { Array($0.utf8) })
    /// Elements that sit on their own line.
    private static let lineElements: Set<[UInt8]> = Set(
        ["div", "li", "tr", "dd", "dt", "section", "article", "header", "footer", "address", "center", "figure"].map { Array($0.utf8) }
    )
    /// Elements that sit in their own paragraph (a blank line around them).
    private static let paragraphElements: Set<[UInt8]> = Set(
        ["p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "dl", "table", "blockquote", "pre", "hr"].map { Array($0.utf8) }
    )

    /// Markers for block edges; a run of them becomes one line break, or one blank line if a paragraph edge is in it.
    private static let lineEdge: UInt8 = 0x01
    private static let paragraphEdge: UInt8 = 0x02

    private static let space: UInt8 = 0x20, newline: UInt8 = 0x0A, less: UInt8 = 0x3C, greater: UInt8 = 0x3E
    private static let slash: UInt8 = 0x2F, ampersand: UInt8 = 0x26, semicolon: UInt8 = 0x3B

    static func plainText(_ html: String) -> String {
        let bytes = Array(html.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count / 2)
        bytes.withUnsafeBufferPointer { input in
            var index = 0
            while index < input.count {
                let byte = input[index]
                if byte == ampersand {
                    index = appendEntity(input, at: index, to: &output)
                    continue
                }
                guard byte == less, index + 1 < input.count, startsTag(input[index + 1]) else {
                    // Like a browser, `<` starts a tag only before a letter, `/`, `!` or `?` ("a < b" is text).
                    output.append(byte < 0x20 || byte == 0x7F ? space : byte)
                    index += 1
                    continue
                }
                if starts(input, at: index, with: "<!--") {
                    index = find(input, "-->", from: index + 4).map { $0 + 3 } ?? input.count
                    continue
                }
                guard let close = firstIndex(of: greater, in: input, from: index) else {
                    // No tag ends after this point: the rest is text.
                    for rest in input[index...] { output.append(rest < 0x20 || rest == 0x7F ? space : rest) }
                    break
                }
                let isClosing = input[index + 1] == slash
                let name = tagName(input, from: index + 1, to: close)
                index = close + 1
                if !isClosing && hiddenElements.contains(name) {
                    index = findClosingTag(input, name: name, from: index) ?? input.count
                    continue
                }
                if name == Array("br".utf8) {
                    output.append(newline)
                } else if name == Array("td".utf8) || name == Array("th".utf8) {
                    output.append(space)
                } else if paragraphElements.contains(name) {
                    output.append(paragraphEdge)
                } else if lineElements.contains(name) {
                    output.append(lineEdge)
                }
            }
        }
        return tidy(resolveEdges(output))
    }

    // MARK: Entities

    private static let namedEntities: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ", "copy": "©", "reg": "®",
        "trade": "™", "hellip": "…", "mdash": "—", "ndash": "–", "lsquo": "‘", "rsquo": "’", "ldquo": "“",
        "rdquo": "”", "laquo": "«", "raquo": "»", "euro": "€", "pound": "£", "yen": "¥", "cent": "¢",
        "deg": "°", "middot": "·", "bull": "•", "times": "×", "eacute": "é", "egrave": "è", "ecirc": "ê",
        "aacute": "á", "agrave": "à", "acirc": "â", "auml": "ä", "ouml": "ö", "uuml": "ü", "oacute": "ó",
        "iacute": "í", "uacute": "ú", "ntilde": "ñ", "ccedil": "ç", "szlig": "ß", "Eacute": "É", "Auml": "Ä",
        "Ouml": "Ö", "Uuml": "Ü", "zwnj": "", "zwj": "", "shy": "",
    ]

    /// Replaces `&name;`, `&#123;` and `&#x1F600;`; unknown or malformed references stay as written.
    static func decodeEntities(_ text: String) -> String {
        let bytes = Array(text.utf8)
        var output: [UInt8] = []
        bytes.withUnsafeBufferPointer { input in
            var index = 0
            while index < input.count {
                if input[index] == ampersand {
                    index = appendEntity(input, at: index, to: &output)
                } else {
                    output.append(input[index])
                    index += 1
                }
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Appends the character `&…;` at `index` stands for (or a literal `&`); returns the index after it.
    private static func appendEntity(_ input: UnsafeBufferPointer<UInt8>, at index: Int, to output: inout [UInt8]) -> Int {
        let end = min(index + 14, input.count)
        guard let semicolon = (index + 1..<end).first(where: { input[$0] == semicolon }),
            let replacement = entity(String(decoding: input[(index + 1)..<semicolon], as: UTF8.self))
        else {
            output.append(ampersand)
            return index + 1
        }
        output += replacement.utf8
        return semicolon + 1
    }

    private static func entity(_ reference: String) -> String? {
        if reference.hasPrefix("#") {
            let digits = reference.dropFirst()
            let value = digits.first == "x" || digits.first == "X" ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits)
            guard let value, value != 0, let scalar = Unicode.Scalar(value) else { return nil }
            // Control characters (which would also collide with the edge markers) and NBSP become spaces.
            return value < 0x20 || (0x7F...0xA0).contains(value) ? " " : String(scalar)
        }
        return namedEntities[reference]
    }

    // MARK: Scanning

    private static func startsTag(_ byte: UInt8) -> Bool {
        (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || byte == slash || byte == 0x21 || byte == 0x3F
    }

    private static func starts(_ input: UnsafeBufferPointer<UInt8>, at index: Int, with prefix: StaticString) -> Bool {
        let count = prefix.utf8CodeUnitCount
        guard index + count <= input.count else { return false }
        for offset in 0..<count where input[index + offset] != prefix.utf8Start[offset] { return false }
        return true
    }

    private static func find(_ input: UnsafeBufferPointer<UInt8>, _ needle: StaticString, from start: Int) -> Int? {
        var index = start
        while let candidate = firstIndex(of: needle.utf8Start[0], in: input, from: index) {
            if starts(input, at: candidate, with: needle) { return candidate }
            index = candidate + 1
        }
        return nil
    }

    private static func firstIndex(of byte: UInt8, in input: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        var index = start
        while index < input.count {
            if input[index] == byte { return index }
            index += 1
        }
        return nil
    }

    /// The lower-cased element name between `<` and `>` (`/p class=x` → `p`).
    private static func tagName(_ input: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> [UInt8] {
        var index = start
        while index < end && input[index] == slash { index += 1 }
        var name: [UInt8] = []
        while index < end, name.count < 16 {
            let byte = input[index]
            if (0x41...0x5A).contains(byte) {
                name.append(byte + 0x20)
            } else if (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte) {
                name.append(byte)
            } else {
                break
            }
            index += 1
        }
        return name
    }

    /// The index just past `</name …>`.
    private static func findClosingTag(_ input: UnsafeBufferPointer<UInt8>, name: [UInt8], from start: Int) -> Int? {
        var index = start
        while let open = firstIndex(of: less, in: input, from: index) {
            guard let close = firstIndex(of: greater, in: input, from: open) else { return nil }
            if input[open + 1] == slash, tagName(input, from: open + 1, to: close) == name { return close + 1 }
            index = open + 1
        }
        return nil
    }

    // MARK: Layout

    /// Turns each run of block-edge markers (with only spaces between) into `\n` or `\n\n`.
    private static func resolveEdges(_ bytes: [UInt8]) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var pendingBreak = 0  // 0 none, 1 line, 2 paragraph
        var pendingSpace = false
        for byte in bytes {
            if byte == lineEdge || byte == paragraphEdge {
                pendingBreak = max(pendingBreak, byte == paragraphEdge ? 2 : 1)
                pendingSpace = false
            } else if byte == space {
                pendingSpace = true
            } else {
                if pendingBreak > 0 {
                    result += pendingBreak == 2 ? [newline, newline] : [newline]
                } else if pendingSpace {
                    result.append(space)
                }
                pendingBreak = 0
                pendingSpace = false
                result.append(byte)
            }
        }
        return result
    }

    /// One space between words, no spaces at line ends, at most one blank line in a row, no blank edges.
    private static func tidy(_ bytes: [UInt8]) -> String {
        var lines: [[UInt8]] = []
        for line in bytes.split(separator: newline, omittingEmptySubsequences: false) {
            let words = line.split(separator: space)
            let collapsed = Array(words.joined(separator: [space]))
            if collapsed.isEmpty && (lines.last?.isEmpty ?? true) { continue }
            lines.append(collapsed)
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        return String(decoding: Array(lines.joined(separator: [newline])), as: UTF8.self)
    }
}
