import Blobs
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Intake
import Store
import TestSupport
import Testing
import Web

/// The publisher's operator pages and API over a real database: paused accounts in a banner, pause and resume,
/// retry and settle, and a failing device step's screenshot on the run page.
@Suite(.enabled(if: TestEnvironment.available(TestEnvironment.hasDatabase)))
struct PublishingRoutesTests {
    let token = "publishing-test-operator-token"
    var bearer: HTTPFields { [.authorization: "Bearer \(token)"] }

    func app() async throws -> (some ApplicationProtocol, PostgresPool, LocalBlobStore) {
        let pool = try await TestDatabase.shared.pool()
        let blobs = try LocalBlobStore(root: try TestEnvironment.temporaryDirectory("publishing-web-blobs"))
        let router = try await buildRouter(pool: pool, configuration: .init(opsToken: token), blobs: blobs)
        return (Application(router: router), pool, blobs)
    }

    @Test func pausingAnAccountShowsABannerAndResumingWakesItsPublishes() async throws {
        let (app, pool, _) = try await app()
        let fixture = try await TenantFixture.make(on: pool)
        let linkedin = fixture.account(.linkedin)
        let variant = try await fixture.approvedVariant(
            on: pool, queue: JobQueue(pool: pool), account: linkedin, caption: "Waits", scheduled: Date().addingTimeInterval(-1)
        )
        try await app.test(.router) { client in
            try await client.execute(
                uri: "/api/accounts/\(linkedin.id)/pause", method: .post, headers: bearer, body: ByteBuffer(string: #"{"reason": "brand <b>review</b>"}"#)
            ) { #expect($0.status == .ok) }
            try await client.execute(uri: "/api/accounts/\(linkedin.id)/pause", method: .post, headers: bearer) {
                #expect($0.status == .conflict, "already paused")
            }
            try await client.execute(uri: "/ops/publishing", method: .get, headers: bearer) { response in
                let html = String(buffer: response.body)
                #expect(response.status == .ok)
                #expect(html.contains("Paused accounts") && html.contains("@\(linkedin.handle)"))
                #expect(html.contains("brand &lt;b&gt;review&lt;/b&gt;"), "the reason is escaped")
                #expect(html.contains("/ops/accounts/\(linkedin.id.uuidString.lowercased())/resume"))
            }
            try await client.execute(uri: "/ops/runs", method: .get, headers: bearer) { response in
                #expect(String(buffer: response.body).contains("paused: see Publishing") || String(buffer: response.body).contains("accounts paused"))
            }
            try await client.execute(uri: "/api/accounts", method: .get, headers: bearer) { response in
                let accounts = try JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8)) as? [[String: Any]] ?? []
                let ours = accounts.first { $0["id"] as? String == linkedin.id.uuidString }
                #expect(ours?["status"] as? String == "paused" && ours?["waiting"] as? Int == 1, "\(String(describing: ours))")
            }
            try await client.execute(uri: "/api/accounts/\(linkedin.id)/resume", method: .post, headers: bearer) { #expect($0.status == .ok) }
            try await client.execute(uri: "/api/accounts/\(UUID())/resume", method: .post, headers: bearer) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/api/variants/\(variant)/retry-publish", method: .post, headers: bearer) {
                #expect($0.status == .conflict, "an approved variant has not failed")
            }
        }
        let status: String = try await pool.withConnection { try $0.query("SELECT status FROM accounts WHERE id = $1", [linkedin.id]).first!.decode("status") }
        #expect(status == "active")
    }

    @Test func aFailingStepsScreenshotIsOnTheRunPage() async throws {
        let (app, pool, blobs) = try await app()
        let fixture = try await TenantFixture.make(on: pool)
        let intake = PostRequestIntake(pool: pool, blobs: blobs, queue: JobQueue(pool: pool), logger: TestEnvironment.logger)
        let request = try await intake.submit(.init(talent: .slug(fixture.slug), source: .operator, prompt: "Reel", platforms: [.instagram], files: []))
        let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) + Data("the screen".utf8)
        let shot = try await blobs.store(data: png, in: .talent(tenantID: fixture.tenantID, talentID: fixture.talentID)).path
        let variant = try await fixture.approvedVariant(on: pool, queue: JobQueue(pool: pool), account: fixture.account(.instagram), caption: "Broken")
        let attemptID: Int64 = try await pool.withConnection { connection in
            try connection.query("UPDATE content_queue SET post_request_id = $2, origin = 'request_operator' WHERE id = $1", [variant, request.requestID])
            return try connection.query(
                """
                INSERT INTO publish_attempts (tenant_id, content_queue_id, account_id, attempt_key, channel, finished_at, outcome, detail,
                                              screenshot_path, failed_step)
                VALUES ($1, $2, $3, $4, 'device', now(), 'failed', 'no such element', $5, '4: tap //*[@content-desc=''Share'']') RETURNING id
                """,
                [fixture.tenantID, variant, fixture.account(.instagram).id, "k-\(UUID())", shot]
            ).first!.decode("id")
        }
        try await app.test(.router) { client in
            try await client.execute(uri: "/ops/runs/\(request.requestID.uuidString.lowercased())", method: .get, headers: bearer) { response in
                let html = String(buffer: response.body)
                #expect(html.contains("/ops/publish-attempts/\(attemptID)/screenshot"), "\(html.suffix(1500))")
                #expect(html.contains("failing step: <code>4: tap //*[@content-desc="), "the step is named")
            }
            try await client.execute(uri: "/ops/publish-attempts/\(attemptID)/screenshot", method: .get, headers: bearer) { response in
                #expect(response.status == .ok && response.headers[.contentType] == "image/png")
                #expect(response.body.getBytes(at: response.body.readerIndex, length: response.body.readableBytes) == Array(png))
            }
            try await client.execute(uri: "/api/runs/\(request.requestID)", method: .get, headers: bearer) { response in
                #expect(String(buffer: response.body).contains(#""hasScreenshot" : true"#))
            }
        }
    }
}
