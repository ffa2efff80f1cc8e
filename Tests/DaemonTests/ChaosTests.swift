import Domain
import Foundation
import Intake
import Store
import TestSupport
import Testing

/// Chaos: requests come in by email, through the portal and through the CLI, and approved variants are
/// published, while the daemon is SIGKILLed at random moments and restarted, and PostgreSQL and Dovecot are
/// restarted under it. Each life is killed at a random moment after it has done some work. In the end nothing is lost and nothing is duplicated: every request is complete once,
/// every message is filed once, every variant is posted once.
///
/// `DRSOCIAL_CHAOS_KILLS` sets the number of kills (10 here by default; `bench/chaos` runs 100 and prints the
/// figures line).
extension CrashSuites {
    @Suite(
        .enabled(
            if: TestEnvironment.available(
                TestEnvironment.crashDatabaseURL != nil && TestEnvironment.executable != nil && TestMailServer.crash.isConfigured
            )
        ),
        .serialized
    )
    struct ChaosTests {
        static let domain = "chaos.test"
        static let jwtSecret = "chaos-test-jwt-secret-0123456789abcdef"
        let server = TestMailServer.crash

        @Test func requestsAndPublishesThroughKillsAndRestartsAreNeitherLostNorDuplicated() async throws {
            let kills = Int(ProcessInfo.processInfo.environment["DRSOCIAL_CHAOS_KILLS"] ?? "") ?? 10
            let url = try #require(TestEnvironment.crashDatabaseURL)
            let pool = PostgresPool(configuration: .init(url: url, maximumConnections: 4), logger: TestEnvironment.logger)
            try await Migrator(pool: pool, logger: TestEnvironment.logger).migrate()
            let fixture = try await TenantFixture.make(on: pool)
            let linkedin = fixture.account(.linkedin).id
            let owner: UUID = try await pool.withConnection {
                try $0.query("SELECT owner_user_id FROM talents WHERE id = $1", [fixture.talentID]).first!.decode("owner_user_id")
            }
            let box = try server.freshMailbox()
            // Each post is recorded 0.2 s before the answer: a daemon killed then has posted without knowing it.
            let platform = try MCPLinkedInServer(answerDelaySeconds: 0.2)
            defer { platform.stop() }
            let environment = [
                "DATABASE_URL": url, "STORAGE_DIR": try TestEnvironment.temporaryDirectory("chaos-storage").path,
                "OPS_TOKEN": "chaos-test-operator-token", "JWT_SECRET": Self.jwtSecret,
                "HTTP_PORT": "0", "WORKERS": "2", "JOB_LEASE_SECONDS": "2", "LOG_LEVEL": "notice", "DATABASE_WAIT_SECONDS": "60",
                // Intake, the queue and publishing are what is tested, not reels (see CrashRecoveryTests).
                "PIPELINES_DIR": try TestEnvironment.pipelinesWithoutReels().path,
                "IMAP_URL": server.url(mailbox: box.inbox), "IMAP_USER": server.user, "IMAP_PASSWORD": server.password,
                "INTAKE_DOMAIN": Self.domain, "IMAP_POLL_SECONDS": "1",
                "IMAP_INGESTED_FOLDER": box.ingested, "IMAP_REFUSED_FOLDER": box.refused,
                "MCP_SERVER_URL": platform.url.absoluteString, "MCP_API_KEY": platform.key,
                // One talent uploads once per life: `bench/chaos` makes hundreds, past the default per-talent rate.
                "RATE_LIMIT_UPLOADS_PER_MINUTE": "6000", "RATE_LIMIT_UPLOADS_BURST": "6000",
            ]
            let tokenRun = try DaemonProcess(arguments: ["token", "--talent", fixture.slug], environment: environment)
            #expect(await tokenRun.waitForExit(within: 120) == 0, "\(tokenRun.output)")
            let token = try #require(tokenRun.output.split(separator: "\n").map(String.init).first { $0.hasPrefix("ey") })
            let picture = try Data(contentsOf: TestEnvironment.testmedia("caption-plain.png"))
            let restartDatabase = ProcessInfo.processInfo.environment["DRSOCIAL_PG_RESTART"]
            let restartMail = ProcessInfo.processInfo.environment["DRSOCIAL_DOVECOT_RESTART"]

            var sent = (email: 0, portal: 0, cli: 0)
            var restarts = (database: 0, mail: 0)
            var killsMidWork = 0
            var lives: [String] = []
            for life in 0..<kills {
                try await approveAwaiting(pool, fixture: fixture, owner: owner)
                // The CLI, with its idempotency key: a retry after a failure it cannot tell from a success is safe.
                let cli = try DaemonProcess(
                    arguments: ["submit", "--talent", fixture.slug, "--prompt", "Chaos CLI \(life)", "--platforms", "LI", "--idempotency-key", "chaos-cli-\(life)"]
                        + (life.isMultiple(of: 3) ? ["--file", TestEnvironment.testmedia("caption-plain.png").path] : []),
                    environment: environment
                )
                #expect(await cli.waitForExit(within: 120) == 0, "\(cli.output)")
                sent.cli += 1
                let attachments = life.isMultiple(of: 4) ? [TestEmail.Part(filename: "chaos-\(life).png", contentType: "image/png", data: picture)] : []
                try server.client(mailbox: box.inbox).append(
                    TestEmail.build(to: "\(fixture.slug)+post@\(Self.domain)", subject: "Chaos mail \(life) #LI", body: "Chaos mail \(life)", attachments: attachments),
                    to: box.inbox
                )
                sent.email += 1

                let daemon = try DaemonProcess(arguments: ["serve"], environment: environment)
                defer { lives.append(daemon.output) }
                // Each life binds a port the kernel chooses: a fixed one could be taken by another socket meanwhile.
                if await daemon.waitForOutput(containing: "listening", within: 120), let port = daemon.listeningPort {
                    let status = try await PageClient(base: "http://127.0.0.1:\(port)", opsToken: "")
                        .portalUpload(session: token, prompt: "Chaos portal \(life)", account: linkedin, file: TestEnvironment.testmedia("caption-plain.png"))
                        .status
                    #expect(status == 201, "portal upload \(life): \(status)")
                    if status == 201 { sent.portal += 1 }
                } else {
                    Issue.record("daemon \(life) did not start: \(daemon.output.suffix(2000))")
                }
                // Every fifth life, the database or the mail server goes away under the running daemon and comes back.
                if life % 5 == 3 {
                    if (life / 5).isMultiple(of: 2), let restartDatabase {
                        try TestShell.run(restartDatabase, describedAs: "DRSOCIAL_PG_RESTART")
                        restarts.database += 1
                    } else if let restartMail {
                        try TestShell.run(restartMail, describedAs: "DRSOCIAL_DOVECOT_RESTART")
                        restarts.mail += 1
                    }
                }
                // Killed at a random moment once this life has done something (a stage, a job, a message): crashes
                // that never let work advance would bury jobs, which is the queue's answer to a poison job.
                let before = try await finishedWork(pool)
                let advanced = try await daemon.watch.wait(
                    until: {
                        // The talent approves as drafts arrive, so publishing is part of the work that advances.
                        try await approveAwaiting(pool, fixture: fixture, owner: owner)
                        let now = try await finishedWork(pool)
                        if now != before { return true }
                        return try await settled(pool, fixture: fixture, box: box, expected: sent.email + sent.portal + sent.cli)
                    },
                    progress: { try await retrying { try await ProgressWatch.databaseActivity(pool) } }
                )
                #expect(advanced == .done, "life \(life): \(advanced)\n\(daemon.output.suffix(2000))")
                try await Task.sleep(for: .milliseconds(Int.random(in: 0...600)))
                daemon.kill()
                if try await !settled(pool, fixture: fixture, box: box, expected: sent.email + sent.portal + sent.cli) { killsMidWork += 1 }
            }

            let survivor = try DaemonProcess(arguments: ["serve"], environment: environment.merging(["LOG_LEVEL": "info"]) { $1 })
            #expect(await survivor.waitForOutput(containing: "listening", within: 120), "\(survivor.output.suffix(2000))")
            let expected = sent.email + sent.portal + sent.cli
            let ending = try await survivor.watch.wait(
                until: {
                    try await approveAwaiting(pool, fixture: fixture, owner: owner)
                    return try await settled(pool, fixture: fixture, box: box, expected: expected)
                },
                progress: { "\(try server.count(box.inbox))/\(try platform.posts().count)/" + (try await ProgressWatch.databaseActivity(pool)) }
            )
            let left = ending == .done ? "" : try await unfinished(pool, fixture: fixture)
            #expect(ending == .done, "\(ending)\n\(left)\n\(survivor.output.suffix(3000))")
            #expect(await survivor.terminate(within: 60) == 0, "\(survivor.output.suffix(2000))")

            let figures = try await tally(pool, fixture: fixture, box: box, posts: try platform.posts())
            let lost = expected - figures.completeOnce
            let duplicated = figures.duplicateRequests + figures.duplicatePosts + max(0, figures.filed - sent.email)
            print(
                "chaos: \(lives.count) kills (\(killsMidWork) with work left), \(restarts.database) PostgreSQL and \(restarts.mail) Dovecot restarts; "
                    + "\(expected) requests (\(sent.email) email, \(sent.portal) portal, \(sent.cli) CLI), \(figures.completeOnce) complete once; "
                    + "\(figures.posts) posts for \(figures.variants) variants (\(figures.published) published, \(figures.needsCheck) waiting for an operator); "
                    + "lost \(lost), duplicated \(duplicated)"
            )
            #expect(lost == 0, "\(figures)")
            #expect(duplicated == 0, "\(figures)")
            #expect(figures.variants == expected, "one LinkedIn variant per request: \(figures)")
            #expect(figures.published + figures.needsCheck == figures.variants, "\(figures)")
            let (ingestedFolder, inbox) = (try server.count(box.ingested), try server.count(box.inbox))
            #expect(figures.filed == sent.email && ingestedFolder == sent.email && inbox == 0, "\(figures); folder \(ingestedFolder), inbox \(inbox)")
            #expect(killsMidWork >= 1, "a daemon was killed with work left to do")
            if restartDatabase != nil && kills > 3 { #expect(restarts.database >= 1) }
            if restartMail != nil && kills > 8 { #expect(restarts.mail >= 1) }
            await pool.close()
        }

        /// Runs `body`, again when a connection broke: the test's own connections die when PostgreSQL restarts.
        func retrying<T>(_ body: () async throws -> T) async throws -> T {
            for _ in 0..<4 {
                do { return try await body() } catch let error as PostgresError where error.isConnectionProblem { continue }
            }
            return try await body()
        }

        /// Work finished so far, all tenants: stage runs ended, jobs succeeded, messages filed, variants published.
        func finishedWork(_ pool: PostgresPool) async throws -> Int {
            try await retrying { try await pool.withConnection { connection in
                try connection.query(
                    """
                    SELECT ((SELECT count(*) FROM stage_runs WHERE finished_at IS NOT NULL)
                        + (SELECT count(*) FROM jobs WHERE status = 'succeeded')
                        + (SELECT count(*) FROM intake_messages WHERE filed_at IS NOT NULL)
                        + (SELECT count(*) FROM content_queue WHERE state = 'published'))::int AS n
                    """
                ).first!.decode("n")
            } }
        }

        /// The requests not complete and the jobs not succeeded, for a failure message.
        func unfinished(_ pool: PostgresPool, fixture: TenantFixture) async throws -> String {
            try await retrying { try await pool.withConnection { connection in
                let requests = try connection.query(
                    """
                    SELECT r.id::text || ' ' || r.status || ' ' || coalesce(r.prompt_text, '') || ' runs: ' || coalesce((
                        SELECT string_agg(p.status || coalesce(' ' || p.error, ''), ', ') FROM pipeline_runs p WHERE p.post_request_id = r.id), '-') AS line
                    FROM post_requests r WHERE r.talent_id = $1 AND r.status <> 'complete'
                    """,
                    [fixture.talentID]
                ).rows.map { try $0.decode("line", as: String.self) }
                let jobs = try connection.query(
                    """
                    SELECT id::text || ' ' || kind || ' ' || status || ' attempts ' || attempts || ' ' || coalesce(last_error, '')
                        || ' payload ' || payload_json::text AS line
                    FROM jobs WHERE tenant_id = $1 AND status <> 'succeeded' ORDER BY id
                    """,
                    [fixture.tenantID]
                ).rows.map { try $0.decode("line", as: String.self) }
                return "requests not complete:\n" + requests.joined(separator: "\n") + "\njobs not succeeded:\n" + jobs.joined(separator: "\n")
            } }
        }

        /// Approves, as the talent, every variant of the fixture's talent awaiting approval (queueing its publish).
        func approveAwaiting(_ pool: PostgresPool, fixture: TenantFixture, owner: UUID) async throws {
            try await retrying { try await pool.withTransaction { connection in
                let waiting: [UUID] = try connection.query(
                    "SELECT id FROM content_queue WHERE talent_id = $1 AND state = 'awaiting_owner_approval' FOR UPDATE SKIP LOCKED",
                    [fixture.talentID]
                ).rows.map { try $0.decode("id") }
                for id in waiting {
                    _ = try ApprovalRepository().apply(
                        .approve, variantID: id, talentID: fixture.talentID, actorUserID: owner, queue: JobQueue(pool: pool), on: connection
                    )
                }
            } }
        }

        /// Whether every request sent is complete, the inbox is empty, and every variant is published or waiting for an operator.
        func settled(_ pool: PostgresPool, fixture: TenantFixture, box: (inbox: String, ingested: String, refused: String), expected: Int) async throws -> Bool {
            guard try server.count(box.inbox) == 0 else { return false }
            return try await retrying { try await pool.withConnection { connection in
                let row = try connection.query(
                    """
                    SELECT (SELECT count(*) FROM post_requests WHERE talent_id = $1 AND status = 'complete')::int AS complete,
                           (SELECT count(*) FROM post_requests WHERE talent_id = $1)::int AS requests,
                           (SELECT count(*) FROM content_queue WHERE talent_id = $1 AND NOT (state = 'published' OR needs_check))::int AS open
                    """,
                    [fixture.talentID]
                ).first!
                let complete: Int = try row.decode("complete")
                let requests: Int = try row.decode("requests")
                let open: Int = try row.decode("open")
                return complete >= expected && requests == complete && open == 0
            } }
        }

        struct Figures: CustomStringConvertible {
            var completeOnce = 0
            var duplicateRequests = 0
            var filed = 0
            var variants = 0
            var published = 0
            var needsCheck = 0
            var posts = 0
            var duplicatePosts = 0
            var description: String {
                "complete once \(completeOnce), duplicate requests \(duplicateRequests), filed \(filed), variants \(variants), "
                    + "published \(published), needs check \(needsCheck), posts \(posts), duplicate posts \(duplicatePosts)"
            }
        }

        /// What the database and the platform hold at the end.
        func tally(_ pool: PostgresPool, fixture: TenantFixture, box: (inbox: String, ingested: String, refused: String), posts: [[String: Any]]) async throws -> Figures {
            var figures = Figures()
            figures.posts = posts.count
            let texts = posts.map { $0["commentary"] as? String ?? "" }
            figures.duplicatePosts = texts.count - Set(texts).count
            let fromPlatform = figures
            return try await retrying { try await pool.withConnection { connection in
                var figures = fromPlatform
                // A request is known by its prompt: each one sent had a prompt of its own.
                let row = try connection.query(
                    """
                    SELECT count(DISTINCT prompt_text) FILTER (WHERE status = 'complete')::int AS complete_once,
                           (count(*) - count(DISTINCT prompt_text))::int AS duplicates
                    FROM post_requests WHERE talent_id = $1
                    """,
                    [fixture.talentID]
                ).first!
                figures.completeOnce = try row.decode("complete_once")
                figures.duplicateRequests = try row.decode("duplicates")
                figures.filed = try connection.query(
                    "SELECT count(*)::int AS n FROM intake_messages WHERE mailbox = $1 AND outcome = 'ingested' AND filed_at IS NOT NULL", [box.inbox]
                ).first!.decode("n")
                let variants = try connection.query(
                    """
                    SELECT count(*)::int AS n, count(*) FILTER (WHERE state = 'published')::int AS published,
                           count(*) FILTER (WHERE needs_check AND state <> 'published')::int AS needs_check
                    FROM content_queue WHERE talent_id = $1
                    """,
                    [fixture.talentID]
                ).first!
                figures.variants = try variants.decode("n")
                figures.published = try variants.decode("published")
                figures.needsCheck = try variants.decode("needs_check")
                return figures
            } }
        }
    }
}
