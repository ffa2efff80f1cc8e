/// An error from PostgreSQL or libpq, carrying the server's SQLSTATE and primary message.
///
/// Its `description` holds the server's message, never the statement's parameters.
public struct PostgresError: Error, CustomStringConvertible, Sendable {
    private enum Code: Sendable {
        case connectionFailed, queryFailed, decodingFailed, poolClosed, notificationFailed, outOfScope
    }

    private let code: Code
    /// The five-character SQLSTATE, when the server sent one.
    public let sqlState: String?
    /// The server's (or libpq's) primary message.
    public let message: String
    /// The server's detail line, when it sent one.
    public let detail: String?

    private init(code: Code, sqlState: String? = nil, message: String, detail: String? = nil) {
        self.code = code
        self.sqlState = sqlState
        self.message = message
        self.detail = detail
    }

    static func connectionFailed(_ message: String) -> PostgresError {
        PostgresError(code: .connectionFailed, message: message)
    }
    static func queryFailed(sqlState: String?, message: String, detail: String?) -> PostgresError {
        PostgresError(code: .queryFailed, sqlState: sqlState, message: message, detail: detail)
    }
    static func decodingFailed(_ message: String) -> PostgresError {
        PostgresError(code: .decodingFailed, message: message)
    }
    static let poolClosed = PostgresError(code: .poolClosed, message: "the connection pool is closed")
    /// A tenant-scoped pool was asked for work outside its tenant (a programming error, refused, never run).
    static let outOfScope = PostgresError(code: .outOfScope, message: "this pool is scoped to one tenant and cannot act outside it")
    static func notificationFailed(_ message: String) -> PostgresError {
        PostgresError(code: .notificationFailed, message: message)
    }

    /// A unique constraint refused the row (SQLSTATE 23505).
    public var isUniqueViolation: Bool { sqlState == "23505" }
    /// A foreign key refused the row (SQLSTATE 23503).
    public var isForeignKeyViolation: Bool { sqlState == "23503" }
    /// A CHECK constraint (or a trigger raising `check_violation`) refused the row.
    public var isCheckViolation: Bool { sqlState == "23514" }
    /// Row-level security refused the row (SQLSTATE 42501, insufficient privilege).
    public var isInsufficientPrivilege: Bool { sqlState == "42501" }
    /// The connection is gone or could not be made: worth retrying later.
    public var isConnectionProblem: Bool {
        code == .connectionFailed || (sqlState.map { $0.hasPrefix("08") || $0 == "57P01" || $0 == "57P03" } ?? false)
    }

    public var description: String {
        var text = "PostgreSQL: \(message)"
        if let sqlState { text += " (SQLSTATE \(sqlState))" }
        if let detail, !detail.isEmpty { text += " — \(detail)" }
        return text
    }
}
