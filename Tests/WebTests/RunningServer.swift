import Foundation
import Hummingbird

/// Runs an HTTP application until `body` returns, handing `body` the port it listens on. `make` builds the
/// application with the callback it must call once listening (on 127.0.0.1 and a free port).
func withRunningServer<App: ApplicationProtocol>(
    _ make: (_ onRunning: @escaping @Sendable (Int) async -> Void) async throws -> App,
    _ body: (Int) async throws -> Void
) async throws {
    let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
    let app = try await make { continuation.yield($0) }
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask {
            defer { continuation.finish() }
            try await app.runService(gracefulShutdownSignals: [])
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            try await group.waitForAll()
            throw RawConnectionError("the server stopped before it listened")
        }
        try await body(port)
        group.cancelAll()
    }
}

/// One HTTP/1.1 exchange on a fresh connection (`Connection: close` is added): the status and the head's
/// fields, lower-cased names.
func exchange(port: Int, from source: String = "127.0.0.1", _ request: String, body: String = "") async throws -> (status: Int, fields: [String: String]) {
    let connection = try RawConnection(port: port, from: source)
    var head = request + "\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
    if !body.isEmpty { head += "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: \(body.utf8.count)\r\n" }
    try connection.send(Data((head + "\r\n" + body).utf8))
    // Generous: it ends at the answer; only a server that never answers meets it.
    let answer = try await connection.receive(until: "\r\n\r\n", timeoutSeconds: 600)
    let lines = answer.components(separatedBy: "\r\n")
    let status = Int(lines.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
    var fields: [String: String] = [:]
    for line in lines.dropFirst() {
        guard let colon = line.firstIndex(of: ":") else { continue }
        fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }
    return (status, fields)
}
