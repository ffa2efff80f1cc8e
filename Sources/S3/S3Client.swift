public import AsyncHTTPClient
import Crypto
import Foundation
public import Logging
public import NIOCore
import NIOHTTP1

/// A client for one bucket of an S3-compatible store (AWS S3, MinIO, Ceph, R2…), signing every request with
/// our own `SigV4Signer` and sending it over one shared `HTTPClient`.
///
/// Keys given to it are relative to the configured prefix. Every call is retried on the errors
/// `S3Error.isRetryable` accepts (5xx, throttling, `SlowDown`, `RequestTimeout`, dropped connections), with
/// exponential backoff and jitter, up to `retry.maximumAttempts`; other errors fail at once with the store's
/// own code and message. Bodies are signed (`x-amz-content-sha256` is their SHA-256), uploads also carry
/// `x-amz-checksum-sha256` so that the store checks what it received.
///
/// ```swift
/// let client = S3Client(configuration: try S3Configuration.fromEnvironment(env)!)
/// try await client.checkBucket()
/// _ = try await client.putObject(key: "a/b", body: ByteBuffer(string: "hello"))
/// let first = try await client.getObject(key: "a/b", range: 0...1)
/// ```
public struct S3Client: Sendable {
    public let configuration: S3Configuration
    public let retry: S3RetryPolicy
    let http: HTTPClient
    let signer: SigV4Signer
    /// The longest one HTTP exchange may take (a part of several MiB on a slow link included).
    let requestTimeout: TimeAmount
    let logger: Logger

    /// - Parameters:
    ///   - http: the HTTP client (default `S3Client.defaultHTTPClient`); the caller owns its lifecycle.
    ///   - requestTimeout: the deadline of one HTTP exchange, before any retry; default 300 s.
    public init(
        configuration: S3Configuration,
        http: HTTPClient = S3Client.defaultHTTPClient,
        retry: S3RetryPolicy = S3RetryPolicy(),
        requestTimeout: TimeAmount = .seconds(300),
        logger: Logger = Logger(label: "drsocial.s3")
    ) {
        self.configuration = configuration
        self.http = http
        self.retry = retry
        self.requestTimeout = requestTimeout
        self.logger = logger
        signer = SigV4Signer(credentials: configuration.credentials, region: configuration.region)
    }

    /// The HTTP client calls go through unless one is given: async-http-client's shared configuration without
    /// its 90 s read timeout. A store may send nothing for minutes while it assembles a large object
    /// (`CompleteMultipartUpload`; AWS says several minutes), and a read timeout then fires while the work is
    /// being done: moto took longer than 90 s for 2 GiB on a loaded machine, our retry found the upload busy
    /// (500) five times, and the upload failed (CI, 2026-12-05). Each exchange keeps its own deadline
    /// (`requestTimeout`, longer for a completion).
    public static let defaultHTTPClient: HTTPClient = {
        var configuration = HTTPClient.Configuration.singletonConfiguration
        configuration.timeout.read = nil
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    /// The least deadline of a `CompleteMultipartUpload` exchange, whatever `requestTimeout` is.
    static let completionTimeout = TimeAmount.minutes(15)

    // MARK: Addressing

    /// The key as the store names it: the configured prefix, then `key`.
    func storeKey(_ key: String) -> String { configuration.keyPrefix + key }

    /// The unsigned request for an object (`key`, already prefixed) or for the bucket itself (nil).
    func makeRequest(
        _ method: HTTPMethod,
        storeKey key: String?,
        query: [(name: String, value: String)] = [],
        headers: [(name: String, value: String)] = []
    ) -> SigV4Request {
        let base = configuration.baseURL
        let scheme = base.scheme?.lowercased() ?? "https"
        var host = base.host ?? ""
        if host.contains(":") { host = "[\(host)]" }  // an IPv6 literal
        let basePath = base.path.hasSuffix("/") ? String(base.path.dropLast()) : base.path
        var path: String
        if configuration.usesPathStyle {
            path = "\(basePath)/\(configuration.bucket)"
            if let key { path += "/\(key)" }
        } else {
            host = "\(configuration.bucket).\(host)"
            path = "\(basePath)/\(key ?? "")"
        }
        if let port = base.port, port != (scheme == "https" ? 443 : 80) { host += ":\(port)" }
        return SigV4Request(method: method.rawValue, scheme: scheme, host: host, path: path, query: query, headers: headers)
    }

    // MARK: Sending

    /// What came back from one exchange.
    struct Response: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: ByteBuffer
    }

    /// Sends a request, retrying as `retry` allows, and returns a 2xx answer; any other status becomes an
    /// `S3Error` carrying the store's code and message.
    /// - Parameters:
    ///   - payloadHash: the body's hex SHA-256 when the caller already has it (nil: computed here).
    ///   - answerLimit: the largest answer body read.
    ///   - errorInBody: whether a 200 answer may carry an `<Error>` document (`CompleteMultipartUpload`).
    ///   - timeout: the deadline of each exchange (nil: `requestTimeout`).
    func send(
        _ method: HTTPMethod,
        storeKey key: String?,
        query: [(name: String, value: String)] = [],
        headers: [(name: String, value: String)] = [],
        body: ByteBuffer? = nil,
        payloadHash: String? = nil,
        operation: String,
        answerLimit: Int = 1 << 20,
        errorInBody: Bool = false,
        timeout: TimeAmount? = nil
    ) async throws(S3Error) -> Response {
        let hash = payloadHash ?? body.map { Self.sha256Hex($0) } ?? SigV4Signer.emptyPayloadHash
        let timeout = timeout ?? requestTimeout
        return try await retry.run(operation, logger: logger) { () async throws(S3Error) -> Response in
            try await sendOnce(
                method,
                storeKey: key,
                query: query,
                headers: headers,
                body: body,
                payloadHash: hash,
                answerLimit: answerLimit,
                errorInBody: errorInBody,
                timeout: timeout
            )
        }
    }

    private func sendOnce(
        _ method: HTTPMethod,
        storeKey key: String?,
        query: [(name: String, value: String)],
        headers: [(name: String, value: String)],
        body: ByteBuffer?,
        payloadHash: String,
        answerLimit: Int,
        errorInBody: Bool,
        timeout: TimeAmount
    ) async throws(S3Error) -> Response {
        if Task.isCancelled { throw S3Error(.cancelled, "cancelled") }
        var signable = makeRequest(method, storeKey: key, query: query, headers: headers)
        signer.sign(&signable, payloadHash: payloadHash, date: Date())
        var request = HTTPClientRequest(url: signable.url)
        request.method = method
        // The Host header is signed: send exactly the one that was signed.
        request.headers.add(name: "host", value: signable.host)
        for (name, value) in signable.headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(body) }

        let answer: Response
        do {
            let response = try await http.execute(request, timeout: timeout)
            let bytes = try await response.body.collect(upTo: answerLimit)
            answer = Response(status: Int(response.status.code), headers: response.headers, body: bytes)
        } catch is NIOTooManyBytesError {
            throw S3Error(.tooLarge, "the answer is larger than \(answerLimit) bytes")
        } catch {
            throw Self.transportError(error)
        }
        logger.debug("object store answered", metadata: ["method": "\(method.rawValue)", "key": "\(key ?? "")", "status": "\(answer.status)"])

        guard (200..<300).contains(answer.status) else {
            let data = Data(answer.body.readableBytesView)
            let parsed = S3ErrorAnswer(parsing: data)
            throw S3Error(
                .service,
                status: answer.status,
                code: parsed.flatMap { $0.code.isEmpty ? nil : $0.code },
                parsed?.message ?? HTTPResponseStatus(statusCode: answer.status).reasonPhrase
            )
        }
        if errorInBody {
            let data = Data(answer.body.readableBytesView)
            if S3ErrorAnswer.looksLikeError(data) {
                let parsed = S3ErrorAnswer(parsing: data)
                throw S3Error(.service, status: answer.status, code: parsed?.code ?? "InternalError", parsed?.message ?? "an <Error> answer with status 200")
            }
        }
        return answer
    }

    /// A failure below HTTP: cancellation stops, anything else (refused or dropped connection, timeout) is a
    /// transport error worth retrying.
    static func transportError(_ error: any Error) -> S3Error {
        if error is CancellationError || (error as? HTTPClientError) == .cancelled {
            return S3Error(.cancelled, "cancelled")
        }
        return S3Error(.transport, String(describing: error))
    }

    /// The hex SHA-256 of a buffer's readable bytes.
    static func sha256Hex(_ buffer: ByteBuffer) -> String { SigV4Signer.hex(sha256(buffer)) }

    static func sha256(_ buffer: ByteBuffer) -> SHA256Digest {
        buffer.withUnsafeReadableBytes { SHA256.hash(data: $0) }
    }
}

extension S3Client: CustomStringConvertible {
    /// The bucket, prefix, endpoint and access key id; never the secret.
    public var description: String { "S3Client(\(configuration))" }
}
