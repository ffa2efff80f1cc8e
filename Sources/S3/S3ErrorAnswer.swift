import Foundation

/// The `<Error>` document the store sends with a failed request, and with some failures it answers 200 to
/// (a `CompleteMultipartUpload` that fails after it started).
struct S3ErrorAnswer: Sendable, Equatable {
    /// `NoSuchBucket`, `SlowDown`, `InternalError`…
    var code: String
    var message: String

    /// The error in `body`, when its root element is `<Error>`.
    init?(parsing body: Data) {
        guard let root = S3XMLElement.parse(body), root.name == "Error" else { return nil }
        code = root.value("Code") ?? ""
        message = root.value("Message") ?? ""
    }

    /// Whether `body` starts like an `<Error>` document (cheap check before parsing a 200 answer).
    static func looksLikeError(_ body: Data) -> Bool {
        guard let start = String(data: body.prefix(512), encoding: .utf8) else { return false }
        var rest = Substring(start)
        rest = rest.drop { $0.isWhitespace }
        if rest.hasPrefix("<?xml"), let end = rest.range(of: "?>") { rest = rest[end.upperBound...].drop { $0.isWhitespace } }
        return rest.hasPrefix("<Error>") || rest.hasPrefix("<Error ")
    }
}
