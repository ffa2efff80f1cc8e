import Blobs
import Domain
import Foundation
import Store
import TestSupport
import Testing

/// `serve` publishing through the MCP channel against a real MCP server (the official Python SDK): SIGKILLed
/// at random moments while it publishes and restarted, it never posts a variant twice; a variant scheduled
/// ahead goes out at its time, not before.
@Suite(
    .enabled(
        if: TestEnvironment.available(
            TestEnvironment.hasDatabase && TestEnvironment.executable != nil && ProcessInfo.processInfo.environment["DRSOCIAL_PYTHON"] != nil
        )
    ),
    .serialized
)
struct PublisherDaemonTests {
    struct Setup {
        let server: MCPLinkedInServer
        let database: IsolatedDatabase
        let fixture: TenantFixture
        let blobs: LocalBlobStore
        var environment: [String: String]
        var queue: JobQueue { JobQueue(pool: database.pool) }
    }

    func setUp(_ label: String, answerDelaySeconds: Double = 0) async throws -> Setup {
        let server = try MCPLinkedInServer(answerDelaySeconds: answerDelaySeconds)
        let database = try await IsolatedDatabase.make(label)
        let storage = try TestEnvironment.temporaryDirectory("\(label)-storage")
        return Setup(
            server: server,
            database: database,
            fixture: try await TenantFixture.make(on: database.pool),
            blobs: try LocalBlobStore(root: storage),
            environment: [
                "DATABASE_URL": database.url, "STORAGE_DIR": storage.path, "OPS_TOKEN": "publish-test-operator-token",
                "HTTP_PORT": "0", "WORKERS": "2", "JOB_LEASE_SECONDS": "2", "LOG_LEVEL": "notice", "DATABASE_WAIT_SECONDS": "60",
                "MCP_SERVER_URL": server.url.absoluteString, "MCP_API_KEY": server.key,
            ]
        )
    }

    /// Variants that are published or wait for an operator's check: the ones the publisher is done with.
    func settled(_ setup: Setup, _ ids: [UUID]) async throws -> Int {
        try await setup.database.pool.withConnection { connection in
            try connection.query(
                "SELECT count(*)::int AS n FROM content_queue WHERE id = ANY($1::uuid[]) AND (state = 'published' OR needs_check)",
                [ids]
            ).first!.decode("n")
        }
    }

    @Test func twentyApprovedVariantsThroughRandomKillsArePostedOnceEach() async throws {
        // Each post is recorded by the server 0.3 s before it answers: a daemon killed then has posted without
        // knowing it, and the next one must find the post instead of posting again.
        var setup = try await setUp("publish_kill", answerDelaySeconds: 0.3)
        defer { setup.server.stop() }
        var ids: [UUID] = []
        for index in 0..<20 {
            let asset = index.isMultiple(of: 2)
                ? try await setup.blobs.store(data: Data("picture \(index)".utf8), in: .talent(tenantID: setup.fixture.tenantID, talentID: setup.fixture.talentID)).path
                : nil
            ids.append(
                try await setup.fixture.approvedVariant(
                    on: setup.database.pool, queue: setup.queue, account: setup.fixture.account(.linkedin), caption: "Kill test post \(index)", assetPath: asset
                )
            )
        }
        let variants = ids
        var killsMidWork = 0
        var lives: [String] = []
        for _ in 0..<6 {
            let daemon = try DaemonProcess(arguments: ["serve"], environment: setup.environment)
            #expect(await daemon.waitForOutput(containing: "listening", within: 120), "\(daemon.output.suffix(2000))")
            try await Task.sleep(for: .milliseconds(Int.random(in: 100...1500)))
            daemon.kill()
            lives.append(daemon.output)
            let done = try await settled(setup, variants)
            if done == variants.count { break }
            if try !setup.server.posts().isEmpty { killsMidWork += 1 }
        }
        setup.environment["LOG_LEVEL"] = "info"
        let survivor = try DaemonProcess(arguments: ["serve"], environment: setup.environment)
        #expect(await survivor.waitForOutput(containing: "listening", within: 120), "\(survivor.output.suffix(2000))")
        let ending = try await survivor.watch.wait(
            until: { try await settled(setup, variants) == variants.count },
            progress: { "\(try await ProgressWatch.databaseActivity(setup.database.pool)) \(try setup.server.posts().count)" }
        )
        #expect(await survivor.terminate(within: 60) == 0, "\(survivor.output.suffix(2000))")
        #expect(ending == .done, "\(ending)\n\(survivor.output.suffix(3000))")

        let posts = try setup.server.posts()
        let byText = Dictionary(grouping: posts) { $0["commentary"] as? String ?? "" }
        #expect(byText.values.allSatisfy { $0.count == 1 }, "a variant was posted twice: \(byText.filter { $0.value.count > 1 }.keys.sorted())")
        let rows = try await setup.database.pool.withConnection { connection in
            try connection.query(
                """
                SELECT c.caption, q.state, q.needs_check, q.external_post_id FROM content_queue q JOIN content c ON c.id = q.content_id
                WHERE q.id = ANY($1::uuid[])
                """,
                [variants]
            ).rows.map { row -> (caption: String, state: String, needsCheck: Bool, postID: String?) in
                (try row.decode("caption"), try row.decode("state"), try row.decode("needs_check"), try row.decodeIfPresent("external_post_id"))
            }
        }
        for row in rows {
            #expect(row.state == "published" || row.needsCheck, "\(row)")
            if row.state == "published" {
                let posted = byText[row.caption + "\n\n#Studio"]?.first?["id"] as? String
                #expect(row.postID == posted, "the post id kept is the one the backend gave: \(row)")
            }
        }
        let attempts = try await setup.database.pool.withConnection { connection in
            try connection.query(
                """
                SELECT coalesce(outcome, 'open') AS outcome, count(*)::int AS n FROM publish_attempts
                WHERE content_queue_id = ANY($1::uuid[]) GROUP BY 1 ORDER BY 1
                """,
                [variants]
            ).rows.map { "\(try $0.decode("outcome", as: String.self))=\(try $0.decode("n", as: Int.self))" }
        }
        #expect(killsMidWork >= 1, "a daemon was killed while it was publishing: \(attempts)")
        print("publisher kill test: \(lives.count) daemons killed, \(killsMidWork) mid-work; attempts \(attempts.joined(separator: " "))")
        await setup.database.pool.close()
    }

    @Test func aVariantScheduledThirtySecondsAheadIsPostedAtItsTimeAndNotBefore() async throws {
        let setup = try await setUp("publish_schedule")
        defer { setup.server.stop() }
        let daemon = try DaemonProcess(arguments: ["serve"], environment: setup.environment.merging(["LOG_LEVEL": "info"]) { $1 })
        defer { daemon.kill() }
        #expect(await daemon.waitForOutput(containing: "listening", within: 120), "\(daemon.output.suffix(2000))")
        let at = Date().addingTimeInterval(30)
        let id = try await setup.fixture.approvedVariant(
            on: setup.database.pool, queue: setup.queue, account: setup.fixture.account(.linkedin), caption: "On the dot", scheduled: at
        )
        // Nothing moves for 30 s by design; the watch's stall rule (120 s) is longer than that.
        let ending = try await daemon.watch.wait(until: { try !setup.server.posts().isEmpty }, interval: .milliseconds(20))
        #expect(ending == .done, "\(ending)\n\(daemon.output.suffix(2000))")
        let received = try #require(try setup.server.posts().first?["received_at"] as? Double)
        let late = received - at.timeIntervalSince1970
        #expect(late >= 0, "posted \(-late) s before its time")
        #expect(late < 2, "posted \(late) s after its time")
        print("publisher schedule test: the backend was called \(String(format: "%.3f", late)) s after scheduled_for")
        let ending2 = try await daemon.watch.wait(until: {
            try await setup.database.pool.withConnection { connection in
                try connection.query("SELECT state FROM content_queue WHERE id = $1", [id]).first!.decode("state", as: String.self) == "published"
            }
        })
        #expect(ending2 == .done)
        #expect(try setup.server.posts().count == 1)
        await setup.database.pool.close()
    }
}
