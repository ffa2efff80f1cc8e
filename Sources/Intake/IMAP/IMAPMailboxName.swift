/// Turns a UTF-8 mailbox name (`drsocial/ingested`, `Reçus`) into what goes on the wire and into a URL.
///
/// IMAP4rev1 names are modified UTF-7 (RFC 3501 §5.1.3); `/` stays the hierarchy separator.
enum IMAPMailboxName {
    /// Refuses names that could smuggle a second command or that the server cannot store.
    static func validate(_ name: String) throws(CurlError) {
        if name.isEmpty { throw .invalidRequest("the mailbox name is empty") }
        if name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            throw .invalidRequest("the mailbox name contains a control character")
        }
    }

    /// The name as an IMAP quoted string: `"drsocial/ingested"`.
    static func quoted(_ name: String) throws(CurlError) -> String {
        try validate(name)
        var result = "\""
        for character in modifiedUTF7(name) {
            if character == "\"" || character == "\\" { result.append("\\") }
            result.append(character)
        }
        return result + "\""
    }

    /// The name as a URL path, each byte outside the unreserved set percent-encoded, `/` kept.
    static func urlPath(_ name: String) throws(CurlError) -> String {
        try validate(name)
        var result = ""
        for byte in modifiedUTF7(name).utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"), UInt8(ascii: "/"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                result += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return result
    }

    /// RFC 3501 modified UTF-7: printable ASCII stays, `&` becomes `&-`, other runs become `&<base64 of UTF-16BE>-`.
    static func modifiedUTF7(_ name: String) -> String {
        var result = ""
        var pending: [UInt16] = []
        func flush() {
            guard !pending.isEmpty else { return }
            var bytes: [UInt8] = []
            for unit in pending { bytes += [UInt8(unit >> 8), UInt8(unit & 0xFF)] }
            result += "&" + modifiedBase64(bytes) + "-"
            pending.removeAll()
        }
        for scalar in name.unicodeScalars {
            if scalar.value >= 0x20 && scalar.value <= 0x7E {
                flush()
                result += scalar == "&" ? "&-" : String(scalar)
            } else {
                pending += Array(String(scalar).utf16)
            }
        }
        flush()
        return result
    }

    /// Base64 with `,` for `/` and no padding.
    private static func modifiedBase64(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,")
        var result = ""
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            let value = chunk.enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (16 - 8 * UInt32($1.offset)) }
            let characters = chunk.count + 1
            for position in 0..<characters {
                result.append(alphabet[Int((value >> (18 - 6 * UInt32(position))) & 0x3F)])
            }
            index += 3
        }
        return result
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
