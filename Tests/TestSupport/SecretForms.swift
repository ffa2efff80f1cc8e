import Foundation

/// The shapes in which a secret could leak into a log line or a page: as it is, base64-encoded (standard and
/// URL-safe, at each of the three alignments it can have inside a longer encoded text, such as a SASL PLAIN
/// blob or a Basic header), URL-encoded, and as the SASL PLAIN blob IMAP would send.
public enum SecretForms {
    /// One shape of a secret.
    public struct Form: Sendable {
        public let name: String
        public let text: String
    }

    /// Every shape of `secret` worth looking for; `user` adds the SASL PLAIN blob `\0user\0secret` in base64.
    public static func forms(of secret: String, user: String? = nil) -> [Form] {
        var forms = [Form(name: "as is", text: secret)]
        let bytes = Data(secret.utf8)
        for offset in 0..<3 {
            // Encode behind `offset` filler bytes; keep only the characters that depend on the secret alone.
            let encoded = (Data(repeating: 0x41, count: offset) + bytes).base64EncodedString()
            let start = offset == 0 ? 0 : 4
            let total = offset + bytes.count
            let end = encoded.count - (total % 3 == 0 ? 0 : 4)
            guard end - start >= 8 else { continue }
            let core = String(Array(encoded)[start..<end])
            forms.append(Form(name: "base64 at alignment \(offset)", text: core))
            let urlSafe = core.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            if urlSafe != core { forms.append(Form(name: "base64url at alignment \(offset)", text: urlSafe)) }
        }
        for (name, allowed) in [("URL-encoded", CharacterSet.alphanumerics), ("URL-query-encoded", CharacterSet.urlQueryAllowed)] {
            if let encoded = secret.addingPercentEncoding(withAllowedCharacters: allowed), encoded != secret {
                forms.append(Form(name: name, text: encoded))
            }
        }
        if let user {
            forms.append(Form(name: "SASL PLAIN", text: Data("\0\(user)\0\(secret)".utf8).base64EncodedString()))
        }
        return forms
    }
}
