import Foundation
import Intake
import Store
import TestSupport
import Testing

/// 50 emails wait in the intake mailbox; the daemon is SIGKILLed at random moments and restarted until the
/// mailbox is empty (Dovecot itself restarts once under it). In the end exactly 50 requests exist, each
/// complete, and every message sits in a processed folder.
extension CrashSuites {
    @Suite(
        .enabled(
            if: TestEnvironment.available(
                TestEnvironment.crashDatabaseURL != nil && TestEnvironment.executable != nil && TestMailServer.crash.isConfigured
            )
        ),
        .serialized
    )
    struct EmailCrashRecoveryTests {
        static let domain = "crash.test"
        let server = TestMailServer.crash

        @Test
        func fiftyMessagesAreTakenInOnceDespiteKills() async throws {
            let url = try #require(TestEnvironment.crashDatabaseURL)
            let pool = PostgresPool(configuration: .init(url: url, maximumConnections: 4), logger: TestEnvironment.logger)
            try await Migrator(pool: pool, logger: TestEnvironment.logger).migrate()
            let fixture = try await TenantFixture.make(on: pool)
            let box = try server.freshMailbox()
            let client = try server.client(mailbox: box.inbox)
            let photo = try Data(contentsOf: TestEnvironment.testmedia("photo.jpg"))
            func mail(_ index: Int) -> Data {
                let attachments = index % 5 == 0 ? [TestEmail.Part(filename: "photo-\(index).jpg", contentType: "image/jpeg", data: photo)] : []
                return TestEmail.build(
                    to: "\(fixture.slug)+post@\(Self.domain)",
                    subject: "Crash mail \(index) #IG",
                    body: "",
                    attachments: attachments
                )
            }
            // 45 now; 5 more once Dovecot has restarted under the last daemon.
            for index in 0..<45 { try client.append(mail(index), to: box.inbox) }
            let storage = try TestEnvironment.temporaryDirectory("mail-crash-storage")
            let environment = [
                "DATABASE_URL": url, "STORAGE_DIR": storage.path, "OPS_TOKEN": "crash-test-operator-token",
                "HTTP_PORT": "0", "WORKERS": "2", "JOB_LEASE_SECONDS": "2", "LOG_LEVEL": "notice",
                "PIPELINES_DIR": try TestEnvironment.pipelinesWithoutReels().path, "DATABASE_WAIT_SECONDS": "60",  // intake is what is tested, not reels
                "IMAP_URL": server.url(mailbox: box.inbox), "IMAP_USER": server.user,
                "IMAP_PASSWORD": server.password, "INTAKE_DOMAIN": Self.domain, "IMAP_POLL_SECONDS": "1",
                "IMAP_INGESTED_FOLDER": box.ingested, "IMAP_REFUSED_FOLDER": box.refused,
            ]
            var kills = 0
            var killsMidMail = 0
            var restartedMailServer = false
            while kills < 10, try server.count(box.inbox) > 0 {
                let daemon = try DaemonProcess(arguments: ["serve"], environment: environment)
                try await Task.sleep(for: .milliseconds(Int.random(in: 100...500)))
                daemon.kill()
                kills += 1
                if try server.count(box.inbox) > 0 { killsMidMail += 1 }
            }

            let survivor = try DaemonProcess(arguments: ["serve"], environment: environment)
            #expect(await survivor.waitForOutput(containing: "listening", within: 30))
            if let restart = ProcessInfo.processInfo.environment["DRSOCIAL_DOVECOT_RESTART"] {
                try TestShell.run(restart, describedAs: "DRSOCIAL_DOVECOT_RESTART")  // the IMAP server goes away under the polling daemon and comes back
                restartedMailServer = true
            }
            for index in 45..<50 { try server.client(mailbox: box.inbox).append(mail(index), to: box.inbox) }
            let ending = try await survivor.watch.wait(
                until: {
                    let waiting = try server.count(box.inbox)
                    let complete = try await completeCount(pool, box.inbox)
                    let filed = try await filedCount(pool, box.inbox)
                    return waiting == 0 && complete == 50 && filed == 50
                },
                progress: { "\(try server.count(box.inbox))/" + (try await ProgressWatch.databaseActivity(pool)) }
            )
            #expect(ending == .done, "\(ending)")
            #expect(await survivor.terminate(within: 60) == 0, "\(survivor.output.suffix(2000))")

            #expect(try server.count(box.inbox) == 0)
            #expect(try server.count(box.ingested) == 50)
            let refusals: [String] = try await pool.withConnection { connection in
                try connection.query(
                    "SELECT coalesce(subject, '(unread)') || ': ' || coalesce(reason, '') AS why FROM intake_messages WHERE mailbox = $1 AND outcome = 'refused'",
                    [box.inbox]
                ).rows.map { try $0.decode("why") }
            }
            #expect(try server.count(box.refused) == 0, "refused: \(refusals)")
            let (requests, complete, records, variants) = try await pool.withConnection { connection in
                let pattern = "imap:\(box.inbox):%"
                let requests: Int = try connection.query(
                    "SELECT count(*) AS n FROM post_requests WHERE intake_key LIKE $1",
                    [pattern]
                ).first!.decode("n")
                let complete: Int = try connection.query(
                    "SELECT count(*) AS n FROM post_requests WHERE intake_key LIKE $1 AND status = 'complete'",
                    [pattern]
                ).first!.decode("n")
                let records: Int = try connection.query(
                    "SELECT count(*) AS n FROM intake_messages WHERE mailbox = $1 AND outcome = 'ingested' AND filed_at IS NOT NULL",
                    [box.inbox]
                ).first!.decode("n")
                let variants: Int = try connection.query(
                    """
                    SELECT count(*) AS n FROM content_queue q JOIN post_requests r ON r.id = q.post_request_id
                    WHERE r.intake_key LIKE $1
                    """,
                    [pattern]
                ).first!.decode("n")
                return (requests, complete, records, variants)
            }
            #expect(requests == 50, "exactly one request per message")
            #expect(complete == 50, "\(survivor.output.suffix(3000))")
            #expect(records == 50)
            #expect(variants == 50, "one Instagram variant per request, none duplicated")
            #expect(killsMidMail >= 1, "the daemon was killed at least once with mail left to take in")
            if ProcessInfo.processInfo.environment["DRSOCIAL_DOVECOT_RESTART"] != nil { #expect(restartedMailServer) }
            await pool.close()
        }

        func completeCount(_ pool: PostgresPool, _ mailbox: String) async throws -> Int {
            try await pool.withConnection {
                try $0.query(
                    "SELECT count(*) AS n FROM post_requests WHERE intake_key LIKE $1 AND status = 'complete'",
                    ["imap:\(mailbox):%"]
                ).first!.decode("n")
            }
        }

        func filedCount(_ pool: PostgresPool, _ mailbox: String) async throws -> Int {
            try await pool.withConnection {
                try $0.query("SELECT count(*) AS n FROM intake_messages WHERE mailbox = $1 AND filed_at IS NOT NULL", [mailbox])
                    .first!.decode("n")
            }
        }
    }
}
