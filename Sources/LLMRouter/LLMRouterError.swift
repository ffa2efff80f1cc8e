/// Why a call to the LLM router failed. Its description carries the router's own message, never the key.
public struct LLMRouterError: Error, Sendable, Equatable, CustomStringConvertible {
    enum Code: Sendable, Equatable {
        case configuration
        /// The router answered with an error status (`type` is its error type, as `rate_limit_error`).
        case status(Int, type: String?)
        /// The connection failed or was cut.
        case transport
        /// The per-call deadline passed.
        case deadline
        /// The answer could not be read.
        case malformed
        /// A streamed answer carried an `error` event.
        case streamError(type: String?)
    }

    let code: Code
    public let message: String
    /// How many attempts were made before giving up.
    public internal(set) var attempts: Int = 1
    /// The router's `retry-after`, in seconds, when it gave one.
    var retryAfter: Double?

    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    static func configuration(_ message: String) -> LLMRouterError { LLMRouterError(.configuration, message) }

    /// The HTTP status, when the router answered with one.
    public var status: Int? {
        if case .status(let status, _) = code { return status }
        return nil
    }

    /// Whether trying again could help: 408, 409, 429, 5xx (529 "overloaded" among them), `overloaded_error`
    /// and `api_error` events, dropped connections and unreadable answers. Other 4xx fail at once.
    public var isRetryable: Bool {
        switch code {
        case .configuration, .deadline: false
        case .status(let status, _): status == 408 || status == 409 || status == 429 || status >= 500
        case .transport, .malformed: true
        case .streamError(let type): type == "overloaded_error" || type == "api_error" || type == "rate_limit_error"
        }
    }

    public var description: String {
        let tried = attempts > 1 ? " (after \(attempts) attempts)" : ""
        switch code {
        case .configuration: return message
        case .status(let status, let type):
            return "the LLM router answered \(status)\(type.map { " \($0)" } ?? ""): \(message)\(tried)"
        case .transport: return "the LLM router could not be reached: \(message)\(tried)"
        case .deadline: return "the LLM router did not answer in time: \(message)\(tried)"
        case .malformed: return "the LLM router's answer could not be read: \(message)\(tried)"
        case .streamError(let type):
            return "the LLM router's stream ended with an error\(type.map { " (\($0))" } ?? ""): \(message)\(tried)"
        }
    }
}
