import Foundation
import Hummingbird
import Logging
import Testing

@testable import Web

/// Slowloris and slow-body clients over real sockets against the daemon's HTTP server (its channel handlers,
/// a small router). Nothing here races a clock: the first test's server timeouts are an hour, so its slow
/// clients are provably still held while others are served; the second waits, however long it takes, until the
/// server has closed every slow client (its timeouts are 1 s; the 600 s bound only stops a broken server from
/// hanging the suite).
struct SlowClientTests {
    /// Slow connections held at once: far more than the event loops (one per core), the cooperative pool's
    /// threads or the database pool (8), so a server that gave each one a worker would stall.
    static let slowHeads = 100
    static let slowBodies = 20

    /// The daemon's HTTP/1.1 server with `slowClients`, serving `GET /hello` and `POST /sink` (reads the whole
    /// body, answers its length).
    func application(_ slowClients: WebConfiguration.SlowClients, onRunning: @escaping @Sendable (Int) async -> Void) -> some ApplicationProtocol {
        let router = Router()
        router.get("/hello") { _, _ in "hello" }
        router.post("/sink") { request, _ -> String in
            var count = 0
            for try await chunk in request.body { count += chunk.readableBytes }
            return "received \(count)"
        }
        return httpApplication(
            router: router,
            host: "127.0.0.1",
            port: 0,
            slowClients: slowClients,
            logger: Logger(label: "slow-client-test"),
            onServerRunning: onRunning
        )
    }

    /// A normal request on its own connection: its answer.
    func hello(_ port: Int) async throws -> String {
        let connection = try RawConnection(port: port, from: "127.0.0.1")
        try connection.send(Data("GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8))
        return try await connection.receive(until: "hello", timeoutSeconds: 600)
    }

    static let slowHead = "GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: "
    static func slowBodyHead(length: Int) -> String {
        "POST /sink HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: \(length)\r\n\r\n"
    }

    @Test func manySlowClientsDoNotKeepOthersWaiting() async throws {
        let hour = WebConfiguration.SlowClients(headerTimeout: .seconds(3600), bodyTimeout: .seconds(3600), minimumBodyBytesPerSecond: 0)
        try await withRunningServer({ application(hour, onRunning: $0) }) { port in
            var heads: [RawConnection] = []
            var bodies: [RawConnection] = []
            for _ in 0..<Self.slowHeads {
                let connection = try RawConnection(port: port, from: "127.0.0.1")
                try connection.send(Data(Self.slowHead.utf8))
                heads.append(connection)
            }
            for _ in 0..<Self.slowBodies {
                let connection = try RawConnection(port: port, from: "127.0.0.1")
                try connection.send(Data((Self.slowBodyHead(length: 100) + "0123456789").utf8))
                bodies.append(connection)
            }
            // Normal clients are served while every slow one trickles a byte between their requests.
            for _ in 0..<20 {
                #expect(try await hello(port).hasPrefix("HTTP/1.1 200"))
                for connection in heads { try connection.send(Data("a".utf8)) }
                for connection in bodies { try connection.send(Data("a".utf8)) }
            }
            // Each slow request was held by the server all along: finished now, each is answered.
            for connection in heads {
                try connection.send(Data("\r\nConnection: close\r\n\r\n".utf8))
                #expect(try await connection.receive(until: "hello", timeoutSeconds: 600).hasPrefix("HTTP/1.1 200"))
            }
            for connection in bodies {
                try connection.send(Data(String(repeating: "b", count: 100 - 10 - 20).utf8))
                #expect(try await connection.receive(until: "received 100", timeoutSeconds: 600).hasPrefix("HTTP/1.1 200"))
            }
        }
    }

    @Test func slowClientsAreClosedByTheServerAndMovingUploadsAreNot() async throws {
        let tight = WebConfiguration.SlowClients(headerTimeout: .seconds(1), bodyTimeout: .seconds(1), minimumBodyBytesPerSecond: 1024)
        try await withRunningServer({ application(tight, onRunning: $0) }) { port in
            // Trickling heads, trickling bodies (a byte a round, far below 1 KiB/s), silent bodies, silent connections.
            var trickling: [RawConnection] = []
            var silent: [RawConnection] = []
            // The server may already have closed a connection the test was slow to write to (a loaded machine can
            // stall this process past the 1 s timeouts): that is the server doing its job, so a refused write is fine.
            for _ in 0..<Self.slowHeads {
                let connection = try RawConnection(port: port, from: "127.0.0.1")
                try? connection.send(Data(Self.slowHead.utf8))
                trickling.append(connection)
            }
            for index in 0..<Self.slowBodies {
                let connection = try RawConnection(port: port, from: "127.0.0.1")
                try? connection.send(Data(Self.slowBodyHead(length: 1 << 20).utf8))
                if index.isMultiple(of: 2) { trickling.append(connection) } else { silent.append(connection) }
            }
            for _ in 0..<10 { silent.append(try RawConnection(port: port, from: "127.0.0.1")) }
            let all = trickling + silent
            var closed = Set<Int>()
            let started = Date()
            while closed.count < all.count {
                for (index, connection) in all.enumerated() where !closed.contains(index) {
                    if connection.isClosedByPeer() {
                        closed.insert(index)
                    } else if index < trickling.count {
                        try? connection.send(Data("a".utf8))
                    }
                }
                guard Date().timeIntervalSince(started) < 600 else {
                    Issue.record("the server closed only \(closed.count) of \(all.count) slow connections in 600 s")
                    break
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(closed.count == all.count)
            // Others are still served.
            let request = Data("GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
            let hello = try await Self.answer(to: request, until: "hello", port: port, timeout: .seconds(1))
            #expect(hello.hasPrefix("HTTP/1.1 200"))
            // A body that moves is not cut: 2.5 MiB written as fast as the server reads it. (That an upload lasting
            // many windows is never cut is `SlowClientTimerTests.aLongUploadThatKeepsMovingIsNeverCut`, on a clock
            // the test moves: paced writes here would depend on this process never stalling for a 1 s window.)
            let body = Data(repeating: 0x61, count: 40 * (64 << 10))
            let upload = Data(Self.slowBodyHead(length: body.count).utf8) + body
            let received = try await Self.answer(to: upload, until: "received \(body.count)", port: port, timeout: .seconds(1))
            #expect(received.hasPrefix("HTTP/1.1 200"))
        }
    }

    /// Sends `request` on a new connection and reads its answer up to `marker`. A connection the server closed
    /// unanswered fails the test, unless this process took `timeout` or longer to connect and write it: a loaded
    /// machine can stall the test past the server's 1 s timeouts (seen in CI: a plain `GET` closed unanswered), and
    /// the server closing such a client is it doing its job. The request then goes again on a new connection.
    static func answer(to request: Data, until marker: String, port: Int, timeout: Duration) async throws -> String {
        let clock = ContinuousClock()
        let given = clock.now
        while true {
            let start = clock.now
            let connection = try RawConnection(port: port, from: "127.0.0.1")
            let sent = Result { try connection.send(request) }
            let stalled = clock.now - start >= timeout
            do {
                try sent.get()
                return try await connection.receive(until: marker, timeoutSeconds: 600)
            } catch {
                guard stalled, clock.now - given < .seconds(600) else { throw error }
            }
        }
    }
}
