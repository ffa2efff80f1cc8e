/// Why a call to the object store failed. Its description carries the store's own error code and message,
/// never a secret.
///
/// ```swift
/// do { try await client.checkBucket() } catch {
///     if error.isNoSuchBucket { … } else if error.isAccessDenied { … }
/// }
/// ```
public struct S3Error: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure this is.
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        private enum Base: Sendable, Hashable {
            case configuration, service, transport, malformedAnswer, checksumMismatch, tooLarge, cancelled
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The settings are incomplete or wrong (a missing variable, a bad URL, a part size out of range).
        public static let configuration = Kind(.configuration)
        /// The store answered with an error (`status` and, when it sent one, `code` say which).
        public static let service = Kind(.service)
        /// The store could not be reached, or the connection failed or timed out.
        public static let transport = Kind(.transport)
        /// The store's answer could not be read.
        public static let malformedAnswer = Kind(.malformedAnswer)
        /// The checksum the store computed from the bytes it received is not the one the client declared.
        public static let checksumMismatch = Kind(.checksumMismatch)
        /// An answer was larger than the caller allowed.
        public static let tooLarge = Kind(.tooLarge)
        /// The task was cancelled.
        public static let cancelled = Kind(.cancelled)

        public var description: String {
            switch base {
            case .configuration: "configuration"
            case .service: "service"
            case .transport: "transport"
            case .malformedAnswer: "malformed answer"
            case .checksumMismatch: "checksum mismatch"
            case .tooLarge: "too large"
            case .cancelled: "cancelled"
            }
        }
    }

    public let kind: Kind
    /// The HTTP status of the store's answer, when there was one.
    public let status: Int?
    /// The store's error code (`NoSuchBucket`, `SlowDown`, `InternalError`…), when it sent one.
    public let code: String?
    /// The store's message, or ours.
    public let message: String
    /// What was being done (`PUT object`, `complete multipart upload`…).
    public var operation: String?
    /// How many attempts were made before giving up.
    public internal(set) var attempts: Int = 1

    init(_ kind: Kind, status: Int? = nil, code: String? = nil, _ message: String, operation: String? = nil) {
        self.kind = kind
        self.status = status
        self.code = code
        self.message = message
        self.operation = operation
    }

    static func configuration(_ message: String) -> S3Error { S3Error(.configuration, message) }

    /// Error codes S3 documents as worth retrying, whatever their status.
    static let retryableCodes: Set<String> = [
        "SlowDown", "RequestTimeout", "InternalError", "ServiceUnavailable", "Throttling", "ThrottlingException",
        "RequestThrottled", "TooManyRequests", "OperationAborted",
    ]

    /// Whether trying again could help: 5xx (503 throttling among them), 429, the codes `SlowDown`,
    /// `RequestTimeout`, `InternalError` (which S3 may send inside a 200 answer) and their kin, and failed
    /// connections. Other answers fail at once.
    public var isRetryable: Bool {
        switch kind {
        case .transport: return true
        case .service:
            if let code, Self.retryableCodes.contains(code) { return true }
            guard let status else { return false }
            return status >= 500 || status == 429
        default: return false
        }
    }

    /// The bucket does not exist (404 on the bucket, or `NoSuchBucket`).
    public var isNoSuchBucket: Bool { kind == .service && code == "NoSuchBucket" }

    /// The store refused the credentials or their permissions (403: `AccessDenied`, `InvalidAccessKeyId`,
    /// `SignatureDoesNotMatch`…).
    public var isAccessDenied: Bool { kind == .service && status == 403 }

    /// The object or upload does not exist (404).
    public var isNotFound: Bool { kind == .service && status == 404 }

    public var description: String {
        let what = operation.map { "\($0): " } ?? ""
        let tried = attempts > 1 ? " (after \(attempts) attempts)" : ""
        switch kind {
        case .service:
            let status = status.map { " \($0)" } ?? ""
            let code = code.map { " \($0)" } ?? ""
            return "\(what)the object store answered\(status)\(code): \(message)\(tried)"
        case .transport: return "\(what)the object store could not be reached: \(message)\(tried)"
        case .malformedAnswer: return "\(what)the object store's answer could not be read: \(message)\(tried)"
        default: return "\(what)\(message)\(tried)"
        }
    }
}
