/// A WebDriver command that failed: the remote end's W3C error (`{"value": {"error", "message"}}` with its HTTP
/// status), a hub that could not be reached, or an answer that is not WebDriver's.
///
/// ```swift
/// do { _ = try await session.findElement(locator) } catch let error as WebDriverError where error.code == .noSuchElement { … }
/// ```
public struct WebDriverError: Error, Sendable, CustomStringConvertible {
    /// What went wrong; compare with the static cases.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            /// A W3C error code (the `error` member of the answer).
            case w3c(String)
            case transport
            case malformedAnswer
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A W3C error code as the remote end spelled it (`no such element`, `invalid session id`, …).
        public static func w3c(_ code: String) -> Code { Code(.w3c(code)) }

        public static let noSuchElement = w3c("no such element")
        public static let staleElementReference = w3c("stale element reference")
        public static let elementNotInteractable = w3c("element not interactable")
        public static let elementClickIntercepted = w3c("element click intercepted")
        public static let invalidSessionID = w3c("invalid session id")
        public static let sessionNotCreated = w3c("session not created")
        public static let timeout = w3c("timeout")
        /// The hub could not be reached or did not answer in time (connection refused, reset, timed out).
        public static let transport = Code(.transport)
        /// The hub answered what is not a WebDriver answer.
        public static let malformedAnswer = Code(.malformedAnswer)

        public var description: String {
            switch base {
            case .w3c(let code): code
            case .transport: "hub unreachable"
            case .malformedAnswer: "malformed answer"
            }
        }
    }

    public let code: Code
    /// The remote end's message, or what failed on the way to it.
    public let message: String
    /// The HTTP status of the answer, when there was one.
    public let status: Int?
    /// The command, as `POST /session/{id}/element` (identifiers left out: they say nothing to a reader).
    public let command: String

    public init(code: Code, message: String, status: Int? = nil, command: String) {
        self.code = code
        self.message = message
        self.status = status
        self.command = command
    }

    public var description: String {
        let status = status.map { " (HTTP \($0))" } ?? ""
        return "\(command): \(code)\(status): \(message.prefix(300))"
    }
}
