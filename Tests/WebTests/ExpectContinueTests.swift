import Foundation
import Glibc
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Store
import TestSupport
import Testing

@testable import Web

/// `Expect: 100-continue` over a real socket to the daemon's HTTP server: the interim `100 Continue`
/// comes before the body is sent, and the upload then completes as usual. The waits are long (600 s) only
/// so that a suite sharing two cores with every other suite cannot time them out; they end at the answer.
@Suite(.enabled(if: TestEnvironment.available(TestEnvironment.hasDatabase)))
struct ExpectContinueTests {
    /// The daemon's own HTTP application over a portal test harness.
    func application(_ h: PortalRoutesTests.Harness) async throws -> some ApplicationProtocol {
        try await buildApplication(
            pool: h.pool,
            configuration: .init(opsToken: "portal-test-operator-token") {
                $0.jwtSecret = PortalRoutesTests.secret
                $0.uploadLimits = PortalRoutesTests.limits
            },
            blobs: h.blobs,
            logger: .init(label: "expect-continue-test")
        )
    }

    /// The head of a signed-in upload of `length` bytes that expects `100 Continue`.
    func uploadHead(_ h: PortalRoutesTests.Harness, length: Int64) async throws -> Data {
        var head = "POST /me/requests HTTP/1.1\r\nHost: localhost\r\nExpect: 100-continue\r\n"
        head += "Content-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: \(length)\r\n"
        for field in try await h.headers(try await h.token()) { head += "\(field.name.rawName): \(field.value)\r\n" }
        head += "Connection: close\r\n\r\n"
        return Data(head.utf8)
    }

    @Test func anUploadThatExpectsContinueIsToldToGoOn() async throws {
        let portal = PortalRoutesTests()
        let h = try await portal.harness()
        let photo = try Data(contentsOf: TestEnvironment.testmedia("caption-plain.png"))
        let body = Data(PortalRoutesTests.multipart(parts: [("prompt", nil, Data("Sent by curl".utf8)), ("file", "a.png", photo)]).readableBytesView)
        let head = try await uploadHead(h, length: Int64(body.count))

        try await application(h).test(.live) { client in
            let connection = try RawConnection(port: try #require(client.port))
            try connection.send(head)
            // Nothing of the body has been sent: only the server's interim answer can arrive now.
            let interim = try await connection.receive(until: "\r\n\r\n", timeoutSeconds: 600)
            #expect(interim.hasPrefix("HTTP/1.1 100 Continue"), "got: \(interim)")
            try connection.send(body)
            let final = try await connection.receive(until: "\r\n\r\n", timeoutSeconds: 600)
            #expect(final.hasPrefix("HTTP/1.1 201"), "got: \(final)")
        }
        #expect(try await portal.requestCount(h) == 1)
    }

    @Test func aRefusedUploadIsRefusedBeforeItsBodyIsRead() async throws {
        let portal = PortalRoutesTests()
        let h = try await portal.harness()
        let head = try await uploadHead(h, length: PortalRoutesTests.limits.maxRequestBytes + 1)

        try await application(h).test(.live) { client in
            let connection = try RawConnection(port: try #require(client.port))
            try connection.send(head)
            var answer = try await connection.receive(until: "\r\n\r\n", timeoutSeconds: 600)
            if answer.hasPrefix("HTTP/1.1 100") {
                answer = try await connection.receive(until: "\r\n\r\n", timeoutSeconds: 600)
            }
            #expect(answer.hasPrefix("HTTP/1.1 413"), "too large by its Content-Length alone, got: \(answer)")
        }
        #expect(try await portal.requestCount(h) == 0)
    }
}
