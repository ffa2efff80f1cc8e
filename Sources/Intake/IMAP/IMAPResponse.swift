/// Parsers for the untagged IMAP responses libcurl hands to the write callback.
///
/// Pure functions over text, so they can be tested without a server.
enum IMAPResponse {
    /// The lines of a response, without their line endings.
    static func lines(_ text: String) -> [Substring] {
        text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" })
    }

    /// The words after `* CAPABILITY`, upper-cased (`IMAP4REV1`, `MOVE`, `AUTH=PLAIN` …).
    static func capabilities(_ text: String) -> Set<String> {
        var result = Set<String>()
        for line in lines(text) {
            guard let rest = untagged(line, keyword: "CAPABILITY") else { continue }
            for word in rest.split(separator: " ") { result.insert(word.uppercased()) }
        }
        return result
    }

    /// The UIDs of `* SEARCH 1 2 3`, ascending; ignores a trailing `(MODSEQ n)`.
    static func searchUIDs(_ text: String) -> [UInt32] {
        var result: [UInt32] = []
        for line in lines(text) {
            guard let rest = untagged(line, keyword: "SEARCH") else { continue }
            for word in rest.split(separator: " ") {
                if let uid = UInt32(word) { result.append(uid) }
            }
        }
        return result.sorted()
    }

    /// `* STATUS name (MESSAGES 2 UIDNEXT 3 UIDVALIDITY 17)` as a `MailboxStatus`; nil without UIDVALIDITY.
    static func status(_ text: String) -> MailboxStatus? {
        for line in lines(text) {
            guard untagged(line, keyword: "STATUS") != nil,
                let open = line.lastIndex(of: "("), let close = line.lastIndex(of: ")"), open < close
            else { continue }
            let words = line[line.index(after: open)..<close].split(separator: " ").map { $0.uppercased() }
            var values: [String: String] = [:]
            var index = 0
            while index + 1 < words.count {
                values[words[index]] = words[index + 1]
                index += 2
            }
            guard let validity = values["UIDVALIDITY"].flatMap({ UInt32($0) }) else { continue }
            return MailboxStatus(
                uidValidity: validity,
                uidNext: values["UIDNEXT"].flatMap { UInt32($0) },
                exists: values["MESSAGES"].flatMap { Int($0) } ?? 0
            )
        }
        return nil
    }

    /// The `X-GM-MSGID` of `* n FETCH (X-GM-MSGID 1278455344230334865 UID 7)` for `uid`.
    ///
    /// A FETCH line naming another UID is skipped (servers may send unsolicited FETCH responses).
    static func gmailMessageID(_ text: String, uid: UInt32) -> String? {
        fetchItems(text).lazy.filter { $0.uid == nil || $0.uid == uid }.compactMap { line in
            line.items["X-GM-MSGID"].flatMap { $0.allSatisfy(\.isASCIIDigitCharacter) ? $0 : nil }
        }.first
    }

    /// Each message's size from `UID FETCH … (RFC822.SIZE)` lines, by UID.
    static func messageSizes(_ text: String) -> [UInt32: Int] {
        var sizes: [UInt32: Int] = [:]
        for line in fetchItems(text) {
            if let uid = line.uid, let size = line.items["RFC822.SIZE"].flatMap({ Int($0) }) { sizes[uid] = size }
        }
        return sizes
    }

    /// The simple items (a name and one atom) of each `* n FETCH (…)` line, names upper-cased, and its UID.
    static func fetchItems(_ text: String) -> [(uid: UInt32?, items: [String: String])] {
        lines(text).compactMap { line in
            let words = line.split(whereSeparator: { $0 == " " || $0 == "(" || $0 == ")" })
            guard words.count >= 3, words[0] == "*", words[2].uppercased() == "FETCH" else { return nil }
            var items: [String: String] = [:]
            var index = 3
            while index + 1 < words.count {
                items[words[index].uppercased()] = items[words[index].uppercased()] ?? String(words[index + 1])
                index += 1
            }
            return (items["UID"].flatMap { UInt32($0) }, items)
        }
    }

    /// How many `* LIST` lines the response holds.
    static func listCount(_ text: String) -> Int {
        lines(text).filter { untagged($0, keyword: "LIST") != nil }.count
    }

    /// A server line without its command tag (`A005 NO [ALREADYEXISTS] …` → `NO [ALREADYEXISTS] …`).
    static func withoutTag(_ line: Substring) -> String {
        let trimmed = line.trimmingPrefix(while: { $0 == " " })
        if let space = trimmed.firstIndex(of: " ") {
            let tag = trimmed[..<space]
            if tag.first?.isLetter == true, tag.contains(where: \.isASCIIDigitCharacter), tag.allSatisfy({ $0.isLetter || $0.isNumber }) {
                return String(trimmed[trimmed.index(after: space)...])
            }
        }
        return String(trimmed)
    }

    /// The rest of `* KEYWORD rest`, or nil when the line is not that untagged response.
    private static func untagged(_ line: Substring, keyword: String) -> Substring? {
        let prefix = "* \(keyword)"
        guard line.count >= prefix.count, line.prefix(prefix.count).uppercased() == prefix else { return nil }
        let rest = line.dropFirst(prefix.count)
        guard rest.isEmpty || rest.first == " " else { return nil }
        return rest.dropFirst()
    }
}

extension Character {
    /// `0`–`9` only (not other scripts' digits, which `isNumber` accepts).
    fileprivate var isASCIIDigitCharacter: Bool { ("0"..."9").contains(self) }
}
