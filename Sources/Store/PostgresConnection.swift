import CLibPQ
import Foundation

/// One libpq connection. Confined to one thread at a time: the pool hands it to exactly one caller,
/// and every call on it blocks, so callers reach it only through `PostgresPool` (off the cooperative pool).
public final class PostgresConnection: @unchecked Sendable {
    private let handle: OpaquePointer
    /// Statements sent on this connection (each a round trip): a test counts them with it.
    public private(set) var statementsSent = 0

    /// Opens a connection (`postgresql://user:pass@host:port/db` or a key/value string).
    ///
    /// Every session runs in UTC so timestamps read back without offsets to interpret.
    public init(url: String, applicationName: String = "drsocial-intake", connectTimeoutSeconds: Int = 5) throws {
        let keywords = ["dbname", "application_name", "connect_timeout", "options"]
        let values = [url, applicationName, String(connectTimeoutSeconds), "-c TimeZone=UTC"]
        let connection = withCStringArray(keywords) { keywordPointers in
            withCStringArray(values) { valuePointers in
                PQconnectdbParams(keywordPointers, valuePointers, 1)
            }
        }
        guard let connection else { throw PostgresError.connectionFailed("out of memory") }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = Self.trimmed(PQerrorMessage(connection))
            PQfinish(connection)
            throw PostgresError.connectionFailed(message)
        }
        // Server notices (such as "relation already exists, skipping") are not errors: keep them off stderr.
        PQsetNoticeProcessor(connection, { _, _ in }, nil)
        self.handle = connection
    }

    deinit { PQfinish(handle) }

    /// Whether the connection is still usable.
    public var isHealthy: Bool { PQstatus(handle) == CONNECTION_OK }

    /// Whether an idle connection is still alive, without a round trip.
    ///
    /// libpq keeps its socket non-blocking, so `PQconsumeInput` only reads what has already arrived. A server
    /// that shut down sent a FATAL message (libpq treats it as a notice while idle) and closed the socket:
    /// the first read takes the message, the second sees the end of the stream and the status turns bad.
    var isAliveWhileIdle: Bool {
        for _ in 0..<2 {
            guard PQstatus(handle) == CONNECTION_OK, PQconsumeInput(handle) == 1 else { return false }
        }
        return PQstatus(handle) == CONNECTION_OK
    }

    /// Whether the session is idle, outside any transaction.
    var isIdle: Bool { PQtransactionStatus(handle) == PQTRANS_IDLE }

    // MARK: Statements

    /// Runs one statement with bound parameters (`$1`, `$2` …) and returns its rows.
    @discardableResult
    public func query(_ sql: String, _ parameters: [(any PostgresEncodable)?] = []) throws -> PostgresResult {
        statementsSent += 1
        let texts = parameters.map { $0?.postgresText }
        let result = withOptionalCStringArray(texts) { pointers in
            PQexecParams(handle, sql, Int32(texts.count), nil, pointers, nil, nil, 0)
        }
        return try consume(result)
    }

    /// Runs a script of several statements with no parameters (migrations only).
    public func executeScript(_ sql: String) throws {
        statementsSent += 1
        _ = try consume(PQexec(handle, sql))
    }

    private func consume(_ result: OpaquePointer?) throws -> PostgresResult {
        guard let result else {
            throw PostgresError.connectionFailed(Self.trimmed(PQerrorMessage(handle)))
        }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            break
        default:
            let sqlState = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
            let primary = PQresultErrorField(result, Int32(UInt8(ascii: "M"))).map { String(cString: $0) }
            let detail = PQresultErrorField(result, Int32(UInt8(ascii: "D"))).map { String(cString: $0) }
            if sqlState == nil, !isHealthy {
                throw PostgresError.connectionFailed(Self.trimmed(PQerrorMessage(handle)))
            }
            throw PostgresError.queryFailed(
                sqlState: sqlState,
                message: primary ?? Self.trimmed(PQresultErrorMessage(result)),
                detail: detail
            )
        }
        let rowCount = Int(PQntuples(result))
        let columnCount = Int(PQnfields(result))
        let columns = PostgresColumns(
            names: (0..<columnCount).map { String(cString: PQfname(result, Int32($0))) }
        )
        var rows: [PostgresRow] = []
        rows.reserveCapacity(rowCount)
        for row in 0..<rowCount {
            var values: [String?] = []
            values.reserveCapacity(columnCount)
            for column in 0..<columnCount {
                if PQgetisnull(result, Int32(row), Int32(column)) == 1 {
                    values.append(nil)
                } else {
                    values.append(String(cString: PQgetvalue(result, Int32(row), Int32(column))))
                }
            }
            rows.append(PostgresRow(columns: columns, values: values))
        }
        let affected = Int(String(cString: PQcmdTuples(result))) ?? 0
        return PostgresResult(rows: rows, affectedRows: affected)
    }

    // MARK: Notifications

    /// Waits up to `timeoutMillis` for notifications on channels this session LISTENs to.
    func waitForNotifications(timeoutMillis: Int32) throws -> [PostgresNotification] {
        var notifications = try drainNotifications()
        if !notifications.isEmpty { return notifications }
        let ready = drsocial_pq_wait_readable(handle, timeoutMillis)
        if ready < 0 { throw PostgresError.notificationFailed("waiting on the socket failed") }
        if ready == 0 { return [] }
        notifications = try drainNotifications()
        return notifications
    }

    private func drainNotifications() throws -> [PostgresNotification] {
        guard PQconsumeInput(handle) == 1 else {
            throw PostgresError.connectionFailed(Self.trimmed(PQerrorMessage(handle)))
        }
        var notifications: [PostgresNotification] = []
        while let notify = PQnotifies(handle) {
            notifications.append(
                PostgresNotification(
                    channel: String(cString: notify.pointee.relname),
                    payload: String(cString: notify.pointee.extra)
                )
            )
            PQfreemem(notify)
        }
        return notifications
    }

    // MARK: Helpers

    private static func trimmed(_ message: UnsafePointer<CChar>?) -> String {
        guard let message else { return "unknown libpq error" }
        return String(cString: message).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// A NOTIFY received on a LISTENing session.
public struct PostgresNotification: Sendable, Equatable {
    public let channel: String
    public let payload: String
}

private func withCStringArray<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    withOptionalCStringArray(strings.map { Optional($0) }, body)
}

/// Passes `strings` to C as a NULL-terminated array of C strings, valid only inside `body`.
private func withOptionalCStringArray<R>(
    _ strings: [String?],
    _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R
) -> R {
    let duplicated: [UnsafeMutablePointer<CChar>?] = strings.map { $0.flatMap { strdup($0) } }
    defer { duplicated.forEach { free($0) } }
    let constPointers: [UnsafePointer<CChar>?] = duplicated.map { $0.map { UnsafePointer($0) } } + [nil]
    return constPointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}
