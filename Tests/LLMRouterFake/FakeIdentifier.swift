/// Identifiers in the style of the real APIs (`msg_…`, `toolu_…`, `chatcmpl-…`, `call_…`, `req_…`).
enum FakeIdentifier {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")

    /// `prefix` followed by 24 random letters and digits.
    static func make(_ prefix: String) -> String {
        prefix + String((0..<24).map { _ in alphabet.randomElement()! })
    }
}
