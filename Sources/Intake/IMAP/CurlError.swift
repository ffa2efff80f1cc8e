/// An error from libcurl or the IMAP server behind it.
///
/// It carries libcurl's own message (its error buffer, or `curl_easy_strerror`), the `CURLcode`, and the
/// server's last status line when there was one. Its `description` never holds the password or message
/// contents. Two errors compare equal when they are of the same kind, so tests and callers can write
/// `error == .uidValidityChanged`.
public struct CurlError: Error, CustomStringConvertible, Sendable, Equatable {
    private enum Code: Sendable, Equatable {
        case connectionFailed, tlsFailed, loginDenied, timedOut, noSuchMailbox, uidValidityChanged, noSuchMessage
        case tooLarge, commandFailed, invalidRequest, transferFailed
    }

    private let code: Code
    /// The `CURLcode`, or nil when the request was refused before libcurl ran.
    public let curlCode: Int?
    /// libcurl's message (or ours, for a request refused before libcurl ran).
    public let message: String
    /// The server's last status line without its tag, when the server sent one (`NO [ALREADYEXISTS] …`).
    public let serverResponse: String?

    private init(code: Code, curlCode: Int? = nil, message: String = "", serverResponse: String? = nil) {
        self.code = code
        self.curlCode = curlCode
        self.message = message
        self.serverResponse = serverResponse
    }

    // MARK: Kinds

    /// The server could not be reached, or the connection broke.
    public static let connectionFailed = CurlError(code: .connectionFailed)
    /// The TLS handshake or certificate check failed.
    public static let tlsFailed = CurlError(code: .tlsFailed)
    /// The server refused the user name or password.
    public static let loginDenied = CurlError(code: .loginDenied)
    /// The connection or the operation took longer than its timeout.
    public static let timedOut = CurlError(code: .timedOut)
    /// The mailbox does not exist or cannot be selected.
    public static let noSuchMailbox = CurlError(code: .noSuchMailbox)
    /// The mailbox's UIDVALIDITY is not the one asked for: every UID known for it is void.
    public static let uidValidityChanged = CurlError(code: .uidValidityChanged)
    /// No message has the UID asked for.
    public static let noSuchMessage = CurlError(code: .noSuchMessage)
    /// More bytes arrived than the caller allowed.
    public static let tooLarge = CurlError(code: .tooLarge)
    /// The server answered a command with NO or BAD.
    public static let commandFailed = CurlError(code: .commandFailed)
    /// The request was malformed (a line break in a mailbox name, a bad URL …).
    public static let invalidRequest = CurlError(code: .invalidRequest)
    /// Any other libcurl failure.
    public static let transferFailed = CurlError(code: .transferFailed)

    public static func == (lhs: CurlError, rhs: CurlError) -> Bool { lhs.code == rhs.code }

    /// Whether trying again later may help (the server was unreachable, slow, or dropped the connection).
    public var isTransient: Bool { code == .connectionFailed || code == .timedOut }

    // MARK: Construction

    /// Classifies a failed `curl_easy_perform`.
    /// - Parameters:
    ///   - curlCode: the `CURLcode`'s raw value.
    ///   - message: libcurl's error buffer, or `curl_easy_strerror` when the buffer is empty.
    ///   - serverResponse: the server's last status line, already stripped of secrets.
    ///   - limit: the byte limit, when the write callback refused data.
    static func curl(code curlCode: Int, message: String, serverResponse: String?, exceededLimit limit: Int?) -> CurlError {
        let kind: Code
        switch curlCode {
        case 5, 6, 7, 8, 16, 52, 55, 56:  // resolve, connect, weird reply, HTTP/2, got nothing, send, receive
            kind = .connectionFailed
        case 35, 53, 54, 58, 59, 60, 64, 66, 77, 80, 82, 83, 90, 91, 98:
            kind = .tlsFailed
        case 28:
            kind = .timedOut
        case 67:
            // libcurl reports a refused SELECT as CURLE_LOGIN_DENIED ("Select failed").
            kind = message.lowercased().contains("select") ? .noSuchMailbox : .loginDenied
        case 78:
            kind = message.uppercased().contains("UIDVALIDITY") ? .uidValidityChanged : .noSuchMessage
        case 23 where limit != nil:
            kind = .tooLarge
        case 21, 25:  // quote (custom command) error, upload (APPEND) refused
            kind = .commandFailed
        case 1, 3, 4, 43, 48:
            kind = .invalidRequest
        default:
            kind = .transferFailed
        }
        var text = message
        if kind == .tooLarge, let limit { text = "the message is larger than the \(limit)-byte limit" }
        return CurlError(code: kind, curlCode: curlCode, message: text, serverResponse: serverResponse)
    }

    /// A request refused before libcurl ran; `reason` must not contain secrets.
    static func invalidRequest(_ reason: String) -> CurlError {
        CurlError(code: .invalidRequest, message: reason)
    }

    /// A server reply we could not understand.
    static func unexpectedReply(_ what: String) -> CurlError {
        CurlError(code: .transferFailed, message: "unexpected IMAP reply: \(what)")
    }

    /// The same details under another kind (a `commandFailed` the server explained as a missing mailbox).
    func reclassified(as kind: CurlError) -> CurlError {
        CurlError(code: kind.code, curlCode: curlCode, message: message, serverResponse: serverResponse)
    }

    // MARK: Description

    public var description: String {
        var text = "IMAP \(kindName): \(message)"
        if let curlCode { text += " (curl error \(curlCode))" }
        if let serverResponse, !serverResponse.isEmpty { text += "; server said: \(serverResponse)" }
        return text
    }

    private var kindName: String {
        switch code {
        case .connectionFailed: "connection failed"
        case .tlsFailed: "TLS failed"
        case .loginDenied: "login denied"
        case .timedOut: "timed out"
        case .noSuchMailbox: "no such mailbox"
        case .uidValidityChanged: "UIDVALIDITY changed"
        case .noSuchMessage: "no such message"
        case .tooLarge: "message too large"
        case .commandFailed: "command failed"
        case .invalidRequest: "invalid request"
        case .transferFailed: "transfer failed"
        }
    }
}
