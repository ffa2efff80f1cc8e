import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Store
import TestSupport
import Testing

@testable import Web

/// The rate limits on the daemon's routes: sign-in attempts per client address (over real sockets from two
/// loopback addresses), API calls per token, portal uploads per talent. Each limit is one request an hour past
/// its burst, so nothing refills while a test runs, however slow the machine.
@Suite(.enabled(if: TestEnvironment.available(TestEnvironment.hasDatabase)))
struct RateLimitRoutesTests {
    static let opsToken = "rate-limit-test-operator-token"

    /// `burst` requests at once, then one an hour.
    static func hourly(burst: Int) -> RateLimiter.Configuration { .init(perMinute: 1.0 / 60, burst: burst) }

    func configuration(_ limits: WebConfiguration.RateLimits) -> WebConfiguration {
        .init(opsToken: Self.opsToken) {
            $0.port = 0
            $0.jwtSecret = PortalRoutesTests.secret
            $0.uploadLimits = PortalRoutesTests.limits
            $0.rateLimits = limits
        }
    }

    @Test func signInAttemptsPastTheLimitAreRefusedPerClientAddress() async throws {
        let h = try await PortalRoutesTests().harness()
        let token = try await h.token()
        let limits = WebConfiguration.RateLimits(signIn: Self.hourly(burst: 2), uploads: nil, api: nil)
        try await withRunningServer({ onRunning in
            try await buildApplication(pool: h.pool, configuration: configuration(limits), blobs: h.blobs, logger: Logger(label: "rate-limit-test"), onServerRunning: onRunning)
        }) { port in
            for _ in 0..<2 {
                #expect(try await exchange(port: port, "POST /ops/login HTTP/1.1", body: "token=a-wrong-guess").status == 401)
            }
            let refused = try await exchange(port: port, "POST /ops/login HTTP/1.1", body: "token=a-wrong-guess")
            #expect(refused.status == 429)
            let retryAfter = try #require(refused.fields["retry-after"].flatMap { Int($0) })
            #expect(retryAfter > 60 && retryAfter <= 3600, "one attempt an hour: \(retryAfter) s")
            // The sign-in link is counted in the same bucket, even with a good token.
            #expect(try await exchange(port: port, "GET /me/sign-in?token=\(token) HTTP/1.1").status == 429)
            // Reading the form is not an attempt.
            #expect(try await exchange(port: port, "GET /ops/login HTTP/1.1").status == 200)
            // Another client address has its own attempts.
            #expect(try await exchange(port: port, from: "127.0.0.2", "POST /ops/login HTTP/1.1", body: "token=\(Self.opsToken)").status == 303)
            #expect(try await exchange(port: port, from: "127.0.0.2", "GET /me/sign-in?token=\(token) HTTP/1.1").status == 303)
            #expect(try await exchange(port: port, from: "127.0.0.2", "GET /me/sign-in?token=\(token) HTTP/1.1").status == 429)
        }
    }

    @Test func apiCallsPastTheLimitAreRefusedPerTokenAndGuessesPerAddress() async throws {
        let pool = try await TestDatabase.shared.pool()
        let limits = WebConfiguration.RateLimits(signIn: Self.hourly(burst: 2), uploads: nil, api: Self.hourly(burst: 3))
        let router = try await buildRouter(pool: pool, configuration: configuration(limits))
        let bearer: HTTPFields = [.authorization: "Bearer \(Self.opsToken)"]
        try await Application(router: router).test(.router) { client in
            for _ in 0..<3 {
                try await client.execute(uri: "/api/runs", method: .get, headers: bearer) { #expect($0.status == .ok) }
            }
            try await client.execute(uri: "/api/jobs/troubled", method: .get, headers: bearer) { response in
                #expect(response.status == .tooManyRequests)
                #expect(response.headers[.retryAfter].flatMap { Int($0) }.map { $0 > 60 } == true)
                #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
                #expect(String(buffer: response.body).contains("too many requests"))
                #expect(!String(buffer: response.body).contains(Self.opsToken))
            }
            // Operator pages are not API calls.
            try await client.execute(uri: "/ops/runs", method: .get, headers: bearer) { #expect($0.status == .ok) }
            // A wrong token is a guess: counted against the address, not the operators' token.
            for _ in 0..<2 {
                try await client.execute(uri: "/api/runs", method: .get, headers: [.authorization: "Bearer not-the-token"]) {
                    #expect($0.status == .unauthorized)
                }
            }
            try await client.execute(uri: "/api/runs", method: .get, headers: [.authorization: "Bearer not-the-token"]) {
                #expect($0.status == .tooManyRequests)
            }
        }
    }

    @Test func portalUploadsPastTheLimitAreRefusedPerTalent() async throws {
        let portal = PortalRoutesTests()
        let h = try await portal.harness()
        // A second talent with its own owner, in its own tenant.
        let other = try await TenantFixture.make(on: h.pool)
        let otherOwner = try await h.pool.withConnection { try other.owner(on: $0) }
        let otherToken = try await h.tokens.mint(userID: otherOwner, tenantID: other.tenantID, role: "authenticated", lifetime: 600, notBefore: nil)

        let limits = WebConfiguration.RateLimits(signIn: nil, uploads: Self.hourly(burst: 1), api: nil)
        let router = try await buildRouter(pool: h.pool, configuration: configuration(limits), blobs: h.blobs)
        var first = try await h.headers(try await h.token())
        first[.contentType] = "multipart/form-data; boundary=XyZ"
        var second = try await h.headers(otherToken)
        second[.contentType] = "multipart/form-data; boundary=XyZ"
        let body = PortalRoutesTests.multipart(parts: [("prompt", nil, Data("A morning in the studio".utf8))])
        let (talentA, talentB) = (first, second)
        try await Application(router: router).test(.router) { client in
            try await client.execute(uri: "/me/requests", method: .post, headers: talentA, body: body) {
                #expect($0.status == .created, "\(String(buffer: $0.body))")
            }
            try await client.execute(uri: "/me/requests", method: .post, headers: talentA, body: body) { response in
                #expect(response.status == .tooManyRequests)
                #expect(response.headers[.retryAfter].flatMap { Int($0) }.map { $0 > 60 } == true)
            }
            try await client.execute(uri: "/me/requests", method: .post, headers: talentB, body: body) {
                #expect($0.status == .created, "another talent has its own uploads: \(String(buffer: $0.body))")
            }
        }
        #expect(try await portal.requestCount(h) == 1, "the refused upload filed nothing")
    }
}
