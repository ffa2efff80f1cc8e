import Crypto
public import Foundation

/// AWS Signature Version 4 for S3: the `Authorization` header, and presigned URLs (query authentication).
///
/// Pure functions: the date is a parameter, so the same request and date always give the same signature (the
/// tests compare them with botocore's). The secret only enters the HMAC chain; the signer's `description`
/// names the access key id, region and service, nothing else.
///
/// ```swift
/// let signer = SigV4Signer(credentials: credentials, region: "eu-west-1")
/// var request = SigV4Request(method: "PUT", host: host, path: "/bucket/key")
/// signer.sign(&request, payloadHash: SigV4Signer.hexSHA256(body), date: Date())
/// let link = signer.presignedURL(for: SigV4Request(method: "GET", host: host, path: "/bucket/key"), expires: 300, date: Date())
/// ```
public struct SigV4Signer: Sendable, CustomStringConvertible {
    public let credentials: S3Credentials
    public let region: String
    /// The service in the credential scope: `s3` for S3.
    public let service: String

    /// `x-amz-content-sha256` for a payload that is not hashed (presigned URLs use it too).
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"
    /// `x-amz-content-sha256` of an empty body: the SHA-256 of nothing.
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    static let algorithm = "AWS4-HMAC-SHA256"

    public init(credentials: S3Credentials, region: String, service: String = "s3") {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    public var description: String { "SigV4Signer(accessKeyID: \(credentials.accessKeyID), region: \(region), service: \(service))" }

    // MARK: Authorization header

    /// Signs `request` in place: appends `x-amz-date`, `x-amz-content-sha256`, `x-amz-security-token` (with a
    /// session token) and `authorization`, after removing any earlier copies of them (a retry re-signs).
    /// - Parameters:
    ///   - payloadHash: the lowercase hex SHA-256 of the body, `emptyPayloadHash`, or `unsignedPayload`.
    ///   - date: the signing time; the store refuses a request more than 15 minutes away from its clock.
    public func sign(_ request: inout SigV4Request, payloadHash: String, date: Date) {
        let timestamp = AmzDate(date)
        let added: Set<String> = ["authorization", "x-amz-date", "x-amz-content-sha256", "x-amz-security-token"]
        request.headers.removeAll { added.contains($0.name.lowercased()) }
        request.headers.append((name: "x-amz-date", value: timestamp.dateTime))
        request.headers.append((name: "x-amz-content-sha256", value: payloadHash))
        if let token = credentials.sessionToken { request.headers.append((name: "x-amz-security-token", value: token)) }
        let (canonical, signedHeaders) = canonicalRequest(request, payloadHash: payloadHash)
        let signature = self.signature(stringToSign(canonical, timestamp), timestamp)
        request.headers.append(
            (
                name: "authorization",
                value: "\(Self.algorithm) Credential=\(credentials.accessKeyID)/\(scope(timestamp)), SignedHeaders=\(signedHeaders), Signature=\(signature)"
            )
        )
    }

    // MARK: Presigned URLs

    /// A URL that performs `request` without credentials until `expires` seconds after `date`: the
    /// authentication travels in the query (`X-Amz-Algorithm`, `X-Amz-Credential`, `X-Amz-Date`,
    /// `X-Amz-Expires`, `X-Amz-SignedHeaders`, `X-Amz-Security-Token` with a session token, then
    /// `X-Amz-Signature`), the payload is `UNSIGNED-PAYLOAD`, and the signed headers are `host` plus any in
    /// `request.headers` (which whoever uses the URL must then send).
    /// - Parameter expires: seconds, 1 to 604 800 (7 days) for S3.
    public func presignedURL(for request: SigV4Request, expires: Int, date: Date) -> String {
        let timestamp = AmzDate(date)
        var request = request
        let signedHeaders = Self.canonicalHeaders(request).signed
        request.query.append((name: "X-Amz-Algorithm", value: Self.algorithm))
        request.query.append((name: "X-Amz-Credential", value: "\(credentials.accessKeyID)/\(scope(timestamp))"))
        request.query.append((name: "X-Amz-Date", value: timestamp.dateTime))
        request.query.append((name: "X-Amz-Expires", value: String(expires)))
        request.query.append((name: "X-Amz-SignedHeaders", value: signedHeaders))
        if let token = credentials.sessionToken { request.query.append((name: "X-Amz-Security-Token", value: token)) }
        let (canonical, _) = canonicalRequest(request, payloadHash: Self.unsignedPayload)
        let signature = self.signature(stringToSign(canonical, timestamp), timestamp)
        return "\(request.url)&X-Amz-Signature=\(signature)"
    }

    // MARK: Steps

    /// The canonical request and the signed header list (`host;x-amz-date;…`).
    func canonicalRequest(_ request: SigV4Request, payloadHash: String) -> (String, String) {
        let headers = Self.canonicalHeaders(request)
        let text = [request.method.uppercased(), request.encodedPath, request.encodedQuery, headers.text, headers.signed, payloadHash]
            .joined(separator: "\n")
        return (text, headers.signed)
    }

    /// The credential scope: `20130524/us-east-1/s3/aws4_request`.
    func scope(_ timestamp: AmzDate) -> String { "\(timestamp.date)/\(region)/\(service)/aws4_request" }

    func stringToSign(_ canonicalRequest: String, _ timestamp: AmzDate) -> String {
        [Self.algorithm, timestamp.dateTime, scope(timestamp), Self.hexSHA256(Data(canonicalRequest.utf8))].joined(separator: "\n")
    }

    /// The signature: HMAC of the string to sign with the key derived from the secret, date, region and service.
    func signature(_ stringToSign: String, _ timestamp: AmzDate) -> String {
        var key = SymmetricKey(data: Data("AWS4\(credentials.secretAccessKey)".utf8))
        for part in [timestamp.date, region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        return Self.hex(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: key))
    }

    /// The canonical headers block (`name:value\n` each, lowercase names, sorted, values trimmed with inner runs
    /// of spaces collapsed, repeated names joined with `,`), and the signed header list.
    static func canonicalHeaders(_ request: SigV4Request) -> (text: String, signed: String) {
        var values: [String: [String]] = [:]
        for (name, value) in request.headers {
            values[name.lowercased().trimmingCharacters(in: .whitespaces), default: []].append(trimAll(value))
        }
        if values["host"] == nil { values["host"] = [request.host] }
        let names = values.keys.sorted()
        let text = names.map { "\($0):\(values[$0]!.joined(separator: ","))\n" }.joined()
        return (text, names.joined(separator: ";"))
    }

    /// Trims a header value and collapses each run of whitespace inside it to one space.
    static func trimAll(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }).joined(separator: " ")
    }
}
