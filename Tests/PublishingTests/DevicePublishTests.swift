import Blobs
import Domain
import Foundation
import Publishing
import Store
import TestSupport
import Testing
import Workers

/// Instagram and TikTok variants published by the `PublishHandler` through the device channel, against a real
/// W3C WebDriver server (chromedriver driving headless chromium on the test's imitation of the apps' upload
/// screens) and a database of its own: the post id kept, and a broken step's screenshot kept on its attempt
/// for the run page.
@Suite(
    .enabled(
        if: TestEnvironment.available(TestEnvironment.hasDatabase && FileManager.default.isExecutableFile(atPath: ChromeDriverProcess.executable))
    ),
    .serialized
)
struct DevicePublishTests {
    struct Harness {
        let database: IsolatedDatabase
        let fixture: TenantFixture
        let blobs: LocalBlobStore
        let page: DevicePlatformServer
        let runner: PublishJobRunner

        /// An approved variant of the talent's `platform` account with `testmedia/<media>` as its media.
        func approved(_ platform: Platform, caption: String, media: String) async throws -> UUID {
            let blob = try await blobs.store(file: TestEnvironment.testmedia(media), in: .talent(tenantID: fixture.tenantID, talentID: fixture.talentID))
            return try await fixture.approvedVariant(
                on: database.pool, queue: JobQueue(pool: database.pool), account: fixture.account(platform), caption: caption, assetPath: blob.path
            )
        }

        func variant(_ id: UUID) async throws -> (state: String, postID: String?, error: String?) {
            try await database.pool.withConnection { connection in
                let row = try connection.query("SELECT state, external_post_id, publish_error FROM content_queue WHERE id = $1", [id]).first!
                return (try row.decode("state"), try row.decodeIfPresent("external_post_id"), try row.decodeIfPresent("publish_error"))
            }
        }
    }

    func withHarness(_ body: (Harness) async throws -> Void) async throws {
        let page = try DevicePlatformServer()
        defer { page.stop() }
        let driver = try await ChromeDriverProcess.start()
        defer { driver.stop() }
        let database = try await IsolatedDatabase.make("device_publish")
        let hub = try #require(
            try DeviceHubConfiguration.fromEnvironment([
                "DEVICE_HUB_URL": driver.url.absoluteString, "DEVICE_HUB_CAPABILITIES": ChromeDriverProcess.capabilitiesJSON, "DEVICE_APP_URL": page.appURL,
            ])
        )
        let channel = DeviceChannel(configuration: hub, flows: try DeviceFlow.load(from: TestEnvironment.pipelinesDirectory.appending(path: "publish")))
        let blobs = try LocalBlobStore(root: try TestEnvironment.temporaryDirectory("device-publish-blobs"))
        // Tests share the `publish` kind: with the default 30 s lease, one test's claimer could take over another's
        // job while a loaded machine delays its handler (the lease lapsed). No test here is about leases.
        let queue = JobQueue(pool: database.pool, configuration: .init { $0.leaseSeconds = 86_400 })
        let handler = PublishHandler(pool: database.pool, queue: queue, blobs: blobs, channels: [channel])
        try await body(
            Harness(
                database: database, fixture: try await TenantFixture.make(on: database.pool), blobs: blobs, page: page,
                runner: PublishJobRunner(pool: database.pool, queue: queue, handler: handler)
            )
        )
        await database.pool.close()
    }

    @Test func anInstagramVariantIsPostedOnceThroughTheDeviceHubAndItsPostIDKept() async throws {
        try await withHarness { h in
            let id = try await h.approved(.instagram, caption: "Studio morning \(UUID().uuidString.prefix(6))", media: "photo.jpg")
            #expect(try await h.runner.run(variant: id) == nil)
            let posts = try await h.page.posts()
            #expect(posts.count == 1 && (posts.first?["caption"] as? String)?.hasSuffix("\n\n#Studio") == true, "\(posts)")
            let after = try await h.variant(id)
            #expect(after.state == "published" && after.postID == posts.first?["id"] as? String, "\(after)")
            // A second job for the variant posts nothing more.
            try await h.database.pool.withConnection { connection in
                try JobQueue(pool: h.database.pool).enqueue(.init(kind: "publish", payload: ["content_queue_id": id.uuidString.lowercased()], tenantID: h.fixture.tenantID), on: connection)
            }
            #expect(try await h.runner.run(variant: id) == nil)
            #expect(try await h.page.posts().count == 1)
        }
    }

    @Test func aBrokenStepFailsTheVariantAndLeavesItsScreenshotForTheRunPage() async throws {
        try await withHarness { h in
            let id = try await h.approved(.tiktok, caption: "Behind the scenes [broken]", media: "short.mp4")
            #expect(try await h.runner.run(variant: id) == nil, "a failed step settles the variant")
            let after = try await h.variant(id)
            #expect(after.state == "failed" && after.error?.hasPrefix("step ") == true, "\(after)")
            #expect(try await h.page.posts().isEmpty)
            let attempts = try await h.database.pool.withConnection { try OpsQueries().publishAttempts(queueID: id, on: $0) }
            let attempt = try #require(attempts.first)
            #expect(attempts.count == 1 && attempt.outcome == "failed" && attempt.channel == "device")
            #expect(attempt.hasScreenshot && attempt.failedStep?.isEmpty == false, "\(attempt)")
            let path = try #require(
                try await h.database.pool.withConnection { try OpsQueries().publishScreenshotBlob(attemptID: attempt.id, on: $0) }
            )
            #expect(try await h.blobs.read(path).prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]), "a PNG of the screen")
        }
    }
}
