import Foundation

extension S3Configuration {
    /// The configuration the environment asks for, or nil when blobs stay on the local disk.
    ///
    /// - `BLOB_STORE_URL`: `s3://bucket` or `s3://bucket/prefix`; unset, empty or `file://…` means the local
    ///   store (nil).
    /// - `S3_ENDPOINT`: an `http` or `https` base URL; unset means AWS.
    /// - `S3_REGION`: default `us-east-1`.
    /// - `S3_FORCE_PATH_STYLE`: `1`/`true` or `0`/`false`; default false.
    /// - `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` (both required), `AWS_SESSION_TOKEN` (optional).
    /// - Throws: `S3Error` of kind `.configuration` naming the variable at fault; never its value when it is a
    ///   secret.
    public static func fromEnvironment(_ environment: [String: String]) throws(S3Error) -> S3Configuration? {
        func value(_ name: String) -> String? {
            guard let text = environment[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else { return nil }
            return text
        }
        guard let location = value("BLOB_STORE_URL"), !location.lowercased().hasPrefix("file:") else { return nil }
        // The value is never repeated in an error: a mistaken paste could hold a key.
        guard location.lowercased().hasPrefix("s3://") else {
            throw .configuration("BLOB_STORE_URL must be s3://bucket[/prefix] or file://…")
        }
        let rest = location.dropFirst("s3://".count)
        let bucket = String(rest.prefix { $0 != "/" })
        let prefix = String(rest.dropFirst(bucket.count))
        guard !bucket.isEmpty else { throw .configuration("BLOB_STORE_URL names no bucket (s3://bucket[/prefix])") }
        guard bucket.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_") }) else {
            throw .configuration("BLOB_STORE_URL's bucket name may hold only letters, digits, '.', '-' and '_' (s3://bucket[/prefix])")
        }

        var endpoint: URL?
        if let text = value("S3_ENDPOINT") {
            guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
                url.host?.isEmpty == false
            else { throw .configuration("S3_ENDPOINT must be an http:// or https:// URL with a host") }
            endpoint = url
        }

        var forcePathStyle = false
        if let text = value("S3_FORCE_PATH_STYLE") {
            switch text.lowercased() {
            case "1", "true", "yes": forcePathStyle = true
            case "0", "false", "no": forcePathStyle = false
            default: throw .configuration("S3_FORCE_PATH_STYLE must be 1/true or 0/false, not \(text)")
            }
        }

        let missing = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"].filter { value($0) == nil }
        guard missing.isEmpty, let accessKeyID = value("AWS_ACCESS_KEY_ID"), let secret = value("AWS_SECRET_ACCESS_KEY") else {
            throw .configuration(
                "BLOB_STORE_URL=s3://\(bucket) needs credentials: set \(missing.joined(separator: " and ")) (and AWS_SESSION_TOKEN for temporary ones)"
            )
        }
        return S3Configuration(
            endpoint: endpoint,
            region: value("S3_REGION") ?? "us-east-1",
            forcePathStyle: forcePathStyle,
            bucket: bucket,
            keyPrefix: prefix,
            credentials: S3Credentials(accessKeyID: accessKeyID, secretAccessKey: secret, sessionToken: value("AWS_SESSION_TOKEN"))
        )
    }
}
