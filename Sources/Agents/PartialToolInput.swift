/// Reads string fields out of a tool input that is still streaming (JSON cut anywhere), for the live view:
/// `{"variants":[{"account_id":"a","caption":"Morning ru` gives `[("account_id", "a"), ("caption", "Morning ru")]`.
/// The whole input is parsed and validated once it is complete; this only shows progress.
enum PartialToolInput {
    /// Every value of the named string fields, in order of appearance; the last may be cut short.
    static func strings(named names: Set<String>, in json: String) -> [(String, String)] {
        var found: [(String, String)] = []
        var index = json.startIndex
        var lastKey: String?
        while index < json.endIndex {
            guard json[index] == "\"" else {
                index = json.index(after: index)
                continue
            }
            let (text, end, closed) = readString(json, from: json.index(after: index))
            index = end
            // A key is a string followed by a colon; a value follows a key's colon.
            var after = index
            while after < json.endIndex, json[after].isWhitespace { after = json.index(after: after) }
            if closed, after < json.endIndex, json[after] == ":" {
                lastKey = text
                index = json.index(after: after)
            } else {
                if let key = lastKey, names.contains(key) { found.append((key, text)) }
                lastKey = nil
            }
        }
        return found
    }

    /// The string starting after an opening quote: its text (escapes decoded), where it ended, and whether its
    /// closing quote came.
    private static func readString(_ json: String, from start: String.Index) -> (String, String.Index, Bool) {
        var text = ""
        var index = start
        while index < json.endIndex {
            let character = json[index]
            if character == "\"" { return (text, json.index(after: index), true) }
            if character == "\\" {
                let next = json.index(after: index)
                guard next < json.endIndex else { return (text, json.endIndex, false) }
                switch json[next] {
                case "n": text.append("\n")
                case "t": text.append("\t")
                case "u":
                    let hex = json[json.index(after: next)...].prefix(4)
                    guard hex.count == 4, let value = UInt32(hex, radix: 16) else { return (text, json.endIndex, false) }
                    if let scalar = Unicode.Scalar(value) { text.unicodeScalars.append(scalar) }
                    index = json.index(next, offsetBy: 5)
                    continue
                default: text.append(json[next])
                }
                index = json.index(after: next)
                continue
            }
            text.append(character)
            index = json.index(after: index)
        }
        return (text, json.endIndex, false)
    }
}
