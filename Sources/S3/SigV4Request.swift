/// One HTTP request as AWS Signature Version 4 sees it: the method, the host, the path and query in plain
/// (decoded) text, and the headers to sign. The signer adds its headers to it; `url` is what goes on the wire,
/// encoded exactly as it was signed.
///
/// ```swift
/// var request = SigV4Request(method: "GET", host: "bucket.s3.eu-west-1.amazonaws.com", path: "/photos/a b.jpg")
/// request.headers.append((name: "range", value: "bytes=0-9"))
/// signer.sign(&request, payloadHash: SigV4Signer.emptyPayloadHash, date: Date())
/// ```
public struct SigV4Request: Sendable {
    /// `GET`, `PUT`, `POST`, `HEAD` or `DELETE`.
    public var method: String
    /// `https` (default) or `http`.
    public var scheme: String = "https"
    /// The `Host` header: the host name, with `:port` when the port is not the scheme's default.
    public var host: String
    /// The path, decoded (`/bucket/a b+c.txt`); each segment is encoded the S3 way on the wire and when signed.
    public var path: String
    /// Query parameters, decoded; a parameter without a value has an empty one (`uploads`).
    public var query: [(name: String, value: String)] = []
    /// Headers to send and sign, besides `host`. The signer appends `x-amz-date`, `x-amz-content-sha256`,
    /// `x-amz-security-token` (with a session token) and `authorization`.
    public var headers: [(name: String, value: String)] = []

    /// The path as sent and signed: every byte but the unreserved ones (`A-Z a-z 0-9 - . _ ~`) and `/`
    /// percent-encoded, and nothing normalised (S3 keys may hold `//` or `.`).
    public var encodedPath: String { SigV4Signer.uriEncode(path.isEmpty ? "/" : path, encodeSlash: false) }

    /// The query as sent and signed: names and values percent-encoded (`/` too), sorted by name, then value.
    public var encodedQuery: String {
        query.map { (SigV4Signer.uriEncode($0.name, encodeSlash: true), SigV4Signer.uriEncode($0.value, encodeSlash: true)) }
            .sorted { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }
            .map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
    }

    /// The whole URL, as it goes on the wire.
    public var url: String {
        let query = encodedQuery
        return "\(scheme)://\(host)\(encodedPath)\(query.isEmpty ? "" : "?\(query)")"
    }

    /// The value of a header, by case-insensitive name (several values joined with `,`).
    public func header(_ name: String) -> String? {
        let values = headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
        return values.isEmpty ? nil : values.joined(separator: ",")
    }
}
