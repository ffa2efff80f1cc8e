import Blobs
import Domain
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import S3
import Store
import TestSupport
import Testing
import Workers

@testable import Publishing

/// Approved variants published through the MCP channel against a real MCP server (the official Python SDK),
/// with real PostgreSQL: exactly once, classified failures, paused accounts, the schedule, reconciliation.
@Suite(
    .enabled(if: TestEnvironment.available(TestEnvironment.hasDatabase && ProcessInfo.processInfo.environment["DRSOCIAL_PYTHON"] != nil)),
    .serialized
)
struct PublishHandlerTests {
    struct Harness {
        let pool: PostgresPool
        let queue: JobQueue
        let blobs: LocalBlobStore
        let fixture: TenantFixture
        let server: MCPLinkedInServer
        let channel: MCPChannel
        let handler: PublishHandler

        var linkedin: AccountSnapshot { fixture.account(.linkedin) }
        var instagram: AccountSnapshot { fixture.account(.instagram) }
    }

    func harness(key: String? = nil, flows: [String: PublishFlow]? = nil) async throws -> Harness {
        let pool = try await TestDatabase.shared.pool()
        let server = try MCPLinkedInServer()
        let blobs = try LocalBlobStore(root: try TestEnvironment.temporaryDirectory("publish-blobs"))
        let loaded = try flows ?? PublishFlow.load(from: TestEnvironment.pipelinesDirectory.appending(path: "publish"))
        let channel = MCPChannel(endpoint: server.url, apiKey: key ?? server.key, flows: loaded, timeoutSeconds: 600)
        // Tests share the `publish` kind: with the default 30 s lease, one test's claimer could take over another's
        // job while a loaded machine delays its handler (the lease lapsed). No test here is about leases.
        let queue = JobQueue(pool: pool, configuration: .init { $0.leaseSeconds = 86_400 })
        return Harness(
            pool: pool,
            queue: queue,
            blobs: blobs,
            fixture: try await TenantFixture.make(on: pool),
            server: server,
            channel: channel,
            handler: PublishHandler(pool: pool, queue: queue, blobs: blobs, channels: [channel])
        )
    }

    /// An approved variant for `account` (with a picture unless `media` is false).
    func approved(_ h: Harness, account: AccountSnapshot, caption: String, scheduled: Date? = nil, media: Bool = true) async throws -> UUID {
        let asset = media ? try await h.blobs.store(data: Data("a picture".utf8), in: .talent(tenantID: h.fixture.tenantID, talentID: h.fixture.talentID)).path : nil
        return try await h.fixture.approvedVariant(on: h.pool, queue: h.queue, account: account, caption: caption, assetPath: asset, scheduled: scheduled)
    }

    /// Claims the variant's publish job and runs the handler on it, as a worker would; the error it threw, if any.
    @discardableResult
    func runJob(_ h: Harness, _ id: UUID) async throws -> (any Error)? {
        try await PublishJobRunner(pool: h.pool, queue: h.queue, handler: h.handler).run(variant: id)
    }

    func variant(_ h: Harness, _ id: UUID) async throws -> (state: String, postID: String?, url: String?, error: String?, needsCheck: Bool) {
        try await h.pool.withConnection { connection in
            let row = try connection.query(
                "SELECT state, external_post_id, external_url, publish_error, needs_check FROM content_queue WHERE id = $1",
                [id]
            ).first!
            return (
                try row.decode("state"), try row.decodeIfPresent("external_post_id"), try row.decodeIfPresent("external_url"),
                try row.decodeIfPresent("publish_error"), try row.decode("needs_check")
            )
        }
    }

    func account(_ h: Harness, _ id: UUID) async throws -> (status: String, reason: String?) {
        try await h.pool.withConnection { connection in
            let row = try connection.query("SELECT status, paused_reason FROM accounts WHERE id = $1", [id]).first!
            return (try row.decode("status"), try row.decodeIfPresent("paused_reason"))
        }
    }

    @Test func anApprovedVariantIsPostedOnceWithItsCaptionAndMediaAndItsPostIDIsKept() async throws {
        let h = try await harness()
        defer { h.server.stop() }
        let id = try await approved(h, account: h.linkedin, caption: "Open studio this Sunday")
        #expect(try await runJob(h, id) == nil)
        let after = try await variant(h, id)
        #expect(after.state == "published")
        let posts = try h.server.posts()
        #expect(posts.count == 1)
        #expect(posts.first?["commentary"] as? String == "Open studio this Sunday\n\n#Studio")
        #expect(posts.first?["author"] as? String == "urn:li:person:\(h.linkedin.handle)")
        #expect((posts.first?["images"] as? [String])?.first?.hasPrefix("/") == true, "the media's local file")
        #expect(after.postID == posts.first?["id"] as? String && after.url?.contains("linkedin.com") == true)
        // Another publish job for the same variant posts nothing more.
        try await h.pool.withConnection { connection in
            try h.queue.enqueue(.init(kind: "publish", payload: ["content_queue_id": id.uuidString.lowercased()], tenantID: h.fixture.tenantID), on: connection)
        }
        #expect(try await runJob(h, id) == nil)
        #expect(try h.server.posts().count == 1)
    }

    @Test func aWrongKeyIsAHardBlockThatPausesTheAccount() async throws {
        let h = try await harness(key: "not-the-key")
        defer { h.server.stop() }
        let id = try await approved(h, account: h.linkedin, caption: "Hello")
        let waited = try await runJob(h, id)
        #expect(waited is JobNotYet, "a hard block is not retried: the publish waits for the account: \(String(describing: waited))")
        let after = try await variant(h, id)
        #expect(after.state == "queued" && after.error?.contains("waiting: the account was paused") == true, "\(after)")
        let paused = try await account(h, h.linkedin.id)
        #expect(paused.status == "paused" && paused.reason?.lowercased().contains("authentication required") == true, "\(paused)")
        #expect(try h.server.posts().isEmpty)
        let attempts: [String] = try await h.pool.withConnection { connection in
            try connection.query("SELECT outcome FROM publish_attempts WHERE content_queue_id = $1", [id]).rows.map { try $0.decode("outcome") }
        }
        #expect(attempts == ["hard_failure"])
    }

    @Test func aRateLimitedAnswerIsRetriedAndPostsOnce() async throws {
        let h = try await harness()
        defer { h.server.stop() }
        let id = try await approved(h, account: h.linkedin, caption: "Busy day [rate-limit]")
        let first = try await runJob(h, id)
        #expect((first as? PublishError).map { if case .soft = $0 { true } else { false } } == true, "\(String(describing: first))")
        #expect(try await variant(h, id).state == "queued")
        #expect(try await runJob(h, id) == nil)
        #expect(try await variant(h, id).state == "published")
        #expect(try h.server.posts().count == 1)
    }

    @Test func aRestrictedAccountIsPausedAndNothingMoreIsPostedForIt() async throws {
        let h = try await harness()
        defer { h.server.stop() }
        let blocked = try await approved(h, account: h.linkedin, caption: "First [restricted]")
        #expect(try await runJob(h, blocked) is JobNotYet)
        #expect(try await account(h, h.linkedin.id).status == "paused")
        let next = try await approved(h, account: h.linkedin, caption: "Second, fine")
        let waited = try await runJob(h, next)
        #expect(waited is JobNotYet, "its other publishes wait: \(String(describing: waited))")
        #expect(try await variant(h, next).state == "approved")
        #expect(try h.server.posts().isEmpty)
    }

    @Test func aScheduledVariantWaitsForItsTime() async throws {
        let h = try await harness()
        defer { h.server.stop() }
        let at = Date().addingTimeInterval(3600)
        let id = try await approved(h, account: h.linkedin, caption: "Later", scheduled: at)
        let job: Date? = try await h.pool.withConnection { connection in
            try connection.query("SELECT run_after FROM jobs WHERE kind = 'publish' AND payload_json->>'content_queue_id' = $1", [id.uuidString.lowercased()])
                .first?.decode("run_after")
        }
        #expect(abs((job ?? .distantPast).timeIntervalSince(at)) < 1, "the job runs at the variant's time")
        let early = try await runJob(h, id)
        #expect((early as? JobNotYet).map { abs($0.date.timeIntervalSince(at)) < 1 } == true, "claimed early, it goes back to wait")
        #expect(try h.server.posts().isEmpty)
    }

    @Test func aDeviceAccountWithNoDeviceHubFailsWithThatReasonAndNeverReachesTheMCPServer() async throws {
        let h = try await harness()
        defer { h.server.stop() }
        let id = try await approved(h, account: h.instagram, caption: "Reel time")
        #expect(try await runJob(h, id) == nil)
        let after = try await variant(h, id)
        #expect(after.state == "failed" && after.error?.contains("no device backend is configured") == true, "\(after)")
        #expect(try h.server.posts().isEmpty)
    }

    @Test func theDatabaseRefusesAnIllegalMoveEvenFromTheOwner() async throws {
        let h = try await harness()
        defer { h.server.stop() }
        let id = try await approved(h, account: h.linkedin, caption: "Approved")
        await #expect(throws: (any Error).self) {
            try await h.pool.withConnection { try $0.query("UPDATE content_queue SET state = 'published' WHERE id = $1", [id]) }
        }
        try await h.pool.withConnection { try $0.query("UPDATE content_queue SET state = 'awaiting_owner_approval' WHERE id = $1", [id]) }
        await #expect(throws: (any Error).self) {
            try await h.pool.withConnection { try $0.query("UPDATE content_queue SET state = 'published' WHERE id = $1", [id]) }
        }
    }

    /// What a daemon that died mid-publish leaves: an attempt started, no outcome, the variant queued.
    func leaveAttemptOpen(_ h: Harness, _ id: UUID) async throws {
        try await h.pool.withConnection { connection in
            try connection.query(
                "INSERT INTO publish_attempts (tenant_id, content_queue_id, attempt_key, channel) VALUES ($1, $2, $3, 'mcp')",
                [h.fixture.tenantID, id, "lost-\(id)"]
            )
            try connection.query("UPDATE content_queue SET state = 'queued' WHERE id = $1", [id])
        }
    }

    @Test func anAttemptWhoseAnswerWasLostIsReconciledNotPostedAgain() async throws {
        let h = try await harness()
        defer { h.server.stop() }
        let id = try await approved(h, account: h.linkedin, caption: "Posted before the crash")
        // A first attempt posted and its daemon died before recording the answer: the post exists at the backend
        // and the attempt is open.
        let flows = try PublishFlow.load(from: TestEnvironment.pipelinesDirectory.appending(path: "publish"))
        let direct = MCPChannel(endpoint: h.server.url, apiKey: h.server.key, flows: flows)
        let request = PublishRequest(
            variantID: id, platform: "linkedin", handle: h.linkedin.handle, vaultRef: nil, caption: "Posted before the crash", hashtags: ["#Studio"],
            media: [], attemptKey: "lost-\(id)"
        )
        let earlier = try await direct.publish(request)
        try await leaveAttemptOpen(h, id)
        #expect(try await runJob(h, id) == nil)
        let after = try await variant(h, id)
        #expect(after.state == "published" && after.postID == earlier.postID, "\(after)")
        #expect(try h.server.posts().count == 1, "never posted twice")
    }

    @Test func withoutALookupALostAnswerWaitsForAnOperator() async throws {
        var flows = try PublishFlow.load(from: TestEnvironment.pipelinesDirectory.appending(path: "publish"))
        flows["linkedin"]?.lookupTool = nil
        let h = try await harness(flows: flows)
        defer { h.server.stop() }
        let id = try await approved(h, account: h.linkedin, caption: "Unknown fate")
        try await leaveAttemptOpen(h, id)
        #expect(try await runJob(h, id) == nil)
        let after = try await variant(h, id)
        #expect(after.needsCheck && after.state == "queued", "\(after)")
        #expect(try h.server.posts().isEmpty)
        let event: Int = try await h.pool.withConnection { connection in
            try connection.query("SELECT count(*)::int AS n FROM events WHERE kind = 'publish.needs_check' AND payload_json->>'content_queue_id' = $1", [id.uuidString.lowercased()])
                .first!.decode("n")
        }
        #expect(event == 1)
    }

    // MARK: Cadence

    func setSchedule(_ h: Harness, _ json: String) async throws {
        try await h.pool.withConnection { try $0.query("UPDATE accounts SET posting_schedule_json = $2::jsonb WHERE id = $1", [h.linkedin.id, json]) }
    }

    @Test func theDailyCapHoldsTheNextPublishUntilADayAfterTheOldest() async throws {
        let h = try await harness()
        defer { h.server.stop() }
        try await setSchedule(h, #"{"max_per_day": 2}"#)
        let first = try await approved(h, account: h.linkedin, caption: "One")
        let second = try await approved(h, account: h.linkedin, caption: "Two")
        let third = try await approved(h, account: h.linkedin, caption: "Three")
        #expect(try await runJob(h, first) == nil)
        #expect(try await runJob(h, second) == nil)
        let held = try await runJob(h, third)
        let started: Date = try await h.pool.withConnection { connection in
            try connection.query("SELECT min(started_at) AS t FROM publish_attempts WHERE account_id = $1", [h.linkedin.id]).first!.decode("t")
        }
        #expect((held as? JobNotYet).map { abs($0.date.timeIntervalSince(started.addingTimeInterval(86400))) < 1 } == true, "\(String(describing: held))")
        #expect(try await variant(h, third).state == "approved")
        #expect(try h.server.posts().count == 2)
    }

    @Test func theMinimumGapSpacesTwoPublishesOfOneAccount() async throws {
        let h = try await harness()
        defer { h.server.stop() }
        try await setSchedule(h, #"{"min_gap_minutes": 30}"#)
        let first = try await approved(h, account: h.linkedin, caption: "Morning")
        let second = try await approved(h, account: h.linkedin, caption: "Right after")
        #expect(try await runJob(h, first) == nil)
        let held = try await runJob(h, second)
        let wait = (held as? JobNotYet)?.date.timeIntervalSinceNow ?? 0
        #expect(wait > 29 * 60 && wait <= 30 * 60, "held for the gap: \(String(describing: held))")
        #expect(try h.server.posts().count == 1)
        // Without a gap in the schedule it goes at once.
        try await h.pool.withConnection { try $0.query("UPDATE accounts SET posting_schedule_json = '{}' WHERE id = $1", [h.linkedin.id]) }
        #expect(try await runJob(h, second) == nil)
        #expect(try h.server.posts().count == 2)
    }

    // MARK: Operators

    @Test func anOperatorPausesAndResumesAnAccountAndItsPublishGoesOutOnResume() async throws {
        let h = try await harness()
        defer { h.server.stop() }
        let operations = PublishOperations(pool: h.pool, queue: h.queue)
        _ = try await operations.pause(accountID: h.linkedin.id, reason: "brand review")
        await #expect(throws: PublishOperations.Refusal.self) { try await operations.pause(accountID: h.linkedin.id, reason: "again") }
        let id = try await approved(h, account: h.linkedin, caption: "After the review")
        #expect(try await runJob(h, id) is JobNotYet)
        #expect(try h.server.posts().isEmpty)
        let listed = try await operations.accounts(handle: h.linkedin.handle)
        #expect(listed.first?.pausedReason == "paused by an operator: brand review" && listed.first?.waiting == 1)
        _ = try await operations.resume(accountID: h.linkedin.id)
        let due: Bool = try await h.pool.withConnection { connection in
            try connection.query(
                "SELECT run_after <= now() AS due FROM jobs WHERE kind = 'publish' AND status = 'pending' AND payload_json->>'content_queue_id' = $1",
                [id.uuidString.lowercased()]
            ).first!.decode("due")
        }
        #expect(due, "resuming wakes the account's waiting publishes")
        #expect(try await runJob(h, id) == nil)
        #expect(try await variant(h, id).state == "published")
    }

    @Test func anOperatorRetriesAFailedPublish() async throws {
        let h = try await harness()
        defer { h.server.stop() }
        let operations = PublishOperations(pool: h.pool, queue: h.queue)
        let id = try await approved(h, account: h.linkedin, caption: "Malformed [tool-error]")
        #expect(try await runJob(h, id) == nil)
        #expect(try await variant(h, id).state == "failed")
        await #expect(throws: PublishOperations.Refusal.self) { try await operations.settleCheck(variantID: id, foundPostID: nil) }
        #expect(try await operations.troubles().contains { $0.id == id && $0.state == "failed" })
        _ = try await operations.retry(variantID: id)
        #expect(try await variant(h, id).state == "queued")
        await #expect(throws: PublishOperations.Refusal.self) { try await operations.retry(variantID: id) }
        #expect(try await runJob(h, id) == nil, "the retry ran")
        let attempts: Int = try await h.pool.withConnection { connection in
            try connection.query("SELECT count(*)::int AS n FROM publish_attempts WHERE content_queue_id = $1", [id]).first!.decode("n")
        }
        #expect(attempts == 2)
    }

    @Test func anOperatorSettlesAPublishNobodyKnewTheOutcomeOf() async throws {
        var flows = try PublishFlow.load(from: TestEnvironment.pipelinesDirectory.appending(path: "publish"))
        flows["linkedin"]?.lookupTool = nil
        let h = try await harness(flows: flows)
        defer { h.server.stop() }
        let operations = PublishOperations(pool: h.pool, queue: h.queue)
        let posted = try await approved(h, account: h.linkedin, caption: "It did go out")
        let lost = try await approved(h, account: h.linkedin, caption: "It did not")
        for id in [posted, lost] {
            try await leaveAttemptOpen(h, id)
            #expect(try await runJob(h, id) == nil)
            #expect(try await variant(h, id).needsCheck)
        }
        _ = try await operations.settleCheck(variantID: posted, foundPostID: "urn:li:share:42", url: "https://www.linkedin.com/feed/update/urn:li:share:42")
        let settled = try await variant(h, posted)
        #expect(settled.state == "published" && settled.postID == "urn:li:share:42" && !settled.needsCheck, "\(settled)")
        _ = try await operations.settleCheck(variantID: lost, foundPostID: nil)
        #expect(try await runJob(h, lost) == nil)
        #expect(try await variant(h, lost).state == "published")
        #expect(try h.server.posts().map { $0["commentary"] as? String } == ["It did not\n\n#Studio"], "only the one nobody had posted")
    }

    /// A backend whose publishing tap went through and whose answer never came (a device flow failing after
    /// `confirm`): the outcome cannot be known from here.
    struct TapThenSilence: PublishChannel {
        let name = "mcp"
        let takesMediaURLs = false
        func publish(_ post: PublishRequest) async throws -> PublishReceipt {
            throw PublishStepFailure(
                error: .cannotReconcile("6: read post_id: did not appear (after the publishing tap, so the post may be out)"),
                step: "6: read post_id",
                screenshotPNG: Data([0x89, 0x50, 0x4E, 0x47])
            )
        }
        func find(_ post: PublishRequest) async throws -> PublishReceipt? { throw PublishError.cannotReconcile("no lookup") }
    }

    @Test func aStepThatFailsAfterThePublishingTapWaitsForAnOperatorNotARetry() async throws {
        let h = try await harness()
        defer { h.server.stop() }
        let handler = PublishHandler(pool: h.pool, queue: h.queue, blobs: h.blobs, channels: [TapThenSilence()])
        let id = try await approved(h, account: h.linkedin, caption: "Maybe out")
        #expect(try await PublishJobRunner(pool: h.pool, queue: h.queue, handler: handler).run(variant: id) == nil, "not retried")
        let after = try await variant(h, id)
        #expect(after.needsCheck && after.state == "queued", "\(after)")
        let attempt = try #require(try await h.pool.withConnection { try OpsQueries().publishAttempts(queueID: id, on: $0) }.first)
        #expect(attempt.outcome == "needs_check" && attempt.hasScreenshot && attempt.failedStep == "6: read post_id", "\(attempt)")
        #expect(try await PublishOperations(pool: h.pool, queue: h.queue).troubles().contains { $0.id == id && $0.needsCheck })
    }

    // MARK: Per-account credentials

    @Test func anAccountsOwnCredentialFromItsVaultRefIsSentInsteadOfTheDaemonsKey() async throws {
        let h = try await harness(key: "the-daemon-wide-key-is-wrong")
        defer { h.server.stop() }
        let secrets = EnvironmentSecretProvider(environment: ["LINKEDIN_TOKEN_TEST": h.server.key])
        let handler = PublishHandler(pool: h.pool, queue: h.queue, blobs: h.blobs, channels: [h.channel], secrets: secrets)
        try await h.pool.withConnection { try $0.query("UPDATE accounts SET vault_ref = 'env:LINKEDIN_TOKEN_TEST' WHERE id = $1", [h.linkedin.id]) }
        let id = try await approved(h, account: h.linkedin, caption: "With its own token")
        #expect(try await PublishJobRunner(pool: h.pool, queue: h.queue, handler: handler).run(variant: id) == nil)
        #expect(try await variant(h, id).state == "published")
        #expect(try h.server.posts().first?["author"] as? String == "urn:li:person:\(h.linkedin.handle)", "the author is the account, not its vault_ref")
    }

    @Test func anAccountWhoseCredentialIsMissingIsPausedWithThatReason() async throws {
        let h = try await harness()
        defer { h.server.stop() }
        let handler = PublishHandler(pool: h.pool, queue: h.queue, blobs: h.blobs, channels: [h.channel], secrets: EnvironmentSecretProvider(environment: [:]))
        try await h.pool.withConnection { try $0.query("UPDATE accounts SET vault_ref = 'env:LINKEDIN_TOKEN_GONE' WHERE id = $1", [h.linkedin.id]) }
        let id = try await approved(h, account: h.linkedin, caption: "No token")
        #expect(try await PublishJobRunner(pool: h.pool, queue: h.queue, handler: handler).run(variant: id) is JobNotYet)
        let paused = try await account(h, h.linkedin.id)
        #expect(paused.status == "paused" && paused.reason?.contains("LINKEDIN_TOKEN_GONE") == true, "\(paused)")
        #expect(try h.server.posts().isEmpty)
    }

    // MARK: Media by URL

    @Test func anObjectStoresMediaReachesTheMCPServerAsAPresignedURL() async throws {
        guard MotoServer.isInstalled else { throw MissingService(name: "moto (scripts/lib/venv.sh installs it)") }
        let moto = try await MotoServer.start(authenticated: false)
        defer { moto.stop() }
        let h = try await harness()
        defer { h.server.stop() }
        let store = S3BlobStore(
            client: moto.client(keyPrefix: "publish/"),
            scratch: try ScratchCache(directory: try TestEnvironment.temporaryDirectory("publish-scratch"), maxBytes: 1 << 30)
        )
        let picture = Data("the picture's bytes".utf8)
        let asset = try await store.store(data: picture, in: .talent(tenantID: h.fixture.tenantID, talentID: h.fixture.talentID)).path
        let handler = PublishHandler(pool: h.pool, queue: h.queue, blobs: store, channels: [h.channel])
        let id = try await h.fixture.approvedVariant(on: h.pool, queue: h.queue, account: h.linkedin, caption: "From the bucket", assetPath: asset)
        #expect(try await PublishJobRunner(pool: h.pool, queue: h.queue, handler: handler).run(variant: id) == nil)
        let image = try #require((try h.server.posts().first?["images"] as? [String])?.first)
        #expect(image.hasPrefix(moto.endpoint.absoluteString) && image.contains("X-Amz-Signature="), "\(image)")
        let (fetched, _) = try await URLSession.shared.data(from: try #require(URL(string: image)))
        #expect(fetched == picture, "the backend can fetch the media with the URL alone")
    }
}
