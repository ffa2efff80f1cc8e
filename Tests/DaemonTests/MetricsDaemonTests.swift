import Foundation
import Intake
import Store
import TestSupport
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A daemon of its own (its own database and mailbox) takes two emails in, one for a talent and one for
/// nobody, and runs the request; `GET /metrics` must then agree with what the database holds.
@Suite(.enabled(if: TestEnvironment.available(TestEnvironment.hasDatabase && TestMailServer.isConfigured && TestEnvironment.executable != nil)))
struct MetricsDaemonTests {
    static let domain = "metrics.test"
    static let token = "metrics-test-operator-token"

    @Test
    func metricsAgreeWithTheDatabase() async throws {
        let database = try await IsolatedDatabase.make("metrics")
        let pool = database.pool
        let fixture = try await TenantFixture.make(on: pool)
        let box = try TestMailServer.freshMailbox()
        let client = try TestMailServer.client(mailbox: box.inbox)
        let photo = try Data(contentsOf: TestEnvironment.testmedia("photo.jpg"))
        let truncated = try Data(contentsOf: TestEnvironment.testmedia("truncated.mp4"))
        try client.append(
            TestEmail.build(
                to: "\(fixture.slug)+post@\(Self.domain)",
                subject: "Metrics #IG",
                body: "",
                attachments: [
                    .init(filename: "photo.jpg", contentType: "image/jpeg", data: photo),
                    .init(filename: "broken.mp4", contentType: "video/mp4", data: truncated),
                ]
            ),
            to: box.inbox
        )
        try client.append(TestEmail.build(to: "nobody-here+post@\(Self.domain)", subject: "For nobody", body: ""), to: box.inbox)
        let started = Date().timeIntervalSince1970

        let daemon = try DaemonProcess(
            arguments: ["serve"],
            environment: [
                "DATABASE_URL": database.url, "STORAGE_DIR": try TestEnvironment.temporaryDirectory("metrics-storage").path,
                "OPS_TOKEN": Self.token, "HTTP_PORT": "0", "WORKERS": "2", "LOG_LEVEL": "info",
                "PIPELINES_DIR": try TestEnvironment.pipelinesWithoutReels().path,  // stages are what is counted, not reels
                "IMAP_URL": TestMailServer.url(mailbox: box.inbox), "IMAP_USER": TestMailServer.user,
                "IMAP_PASSWORD": TestMailServer.password, "INTAKE_DOMAIN": Self.domain, "IMAP_POLL_SECONDS": "1",
                "IMAP_INGESTED_FOLDER": box.ingested, "IMAP_REFUSED_FOLDER": box.refused,
            ]
        )
        defer { daemon.kill() }
        #expect(await daemon.waitForOutput(containing: "listening", within: 60), "\(daemon.output.suffix(2000))")
        let port = try #require(daemon.listeningPort)

        var finished = false
        let ending = try await daemon.watch.wait(
            until: {
                finished = try await pool.withConnection { connection in
                    let requests: Int = try connection.query(
                        "SELECT count(*) AS n FROM post_requests WHERE status IN ('complete', 'failed')"
                    ).first!.decode("n")
                    let filed: Int = try connection.query(
                        "SELECT count(*) AS n FROM intake_messages WHERE filed_at IS NOT NULL"
                    ).first!.decode("n")
                    let jobs: Int = try connection.query("SELECT count(*) AS n FROM jobs WHERE status <> 'succeeded'").first!.decode("n")
                    return requests == 1 && filed == 2 && jobs == 0
                }
                return finished
            },
            progress: { try await ProgressWatch.databaseActivity(pool) }
        )
        #expect(finished, "\(ending)\n\(daemon.output.suffix(3000))")

        let metricsURL = URL(string: "http://127.0.0.1:\(port)/metrics")!
        let (_, anonymous) = try await URLSession.shared.data(from: metricsURL)
        #expect((anonymous as? HTTPURLResponse)?.statusCode == 401, "no token, no metrics")

        // A daemon counts just after its database write commits: wait until it has counted the job and both emails.
        let kind = "post_request.pipeline"
        var (text, samples) = try await Self.scrape(metricsURL)
        let counted = Date().addingTimeInterval(60)
        while Date() < counted,
            samples["drsocial_jobs_ended_total", ["kind": kind, "ending": "succeeded"]] == nil
                || samples["drsocial_emails_filed_total", ["outcome": "refused"]] == nil
                || samples["drsocial_emails_filed_total", ["outcome": "ingested"]] == nil
        {
            try await Task.sleep(for: .milliseconds(100))
            (text, samples) = try await Self.scrape(metricsURL)
        }

        // Each (stage, outcome) this daemon counted is exactly what stage_runs holds, and the other way round.
        let stageRows: [String: Int] = try await pool.withConnection { connection in
            var rows: [String: Int] = [:]
            for row in try connection.query("SELECT stage, status, count(*)::int AS n FROM stage_runs GROUP BY stage, status").rows {
                rows["\(try row.decode("stage", as: String.self))/\(try row.decode("status", as: String.self))"] = try row.decode("n")
            }
            return rows
        }
        #expect(stageRows.keys.contains { $0.hasSuffix("/failed") }, "the truncated video fails a stage: \(stageRows)")
        #expect(stageRows.keys.contains { $0.hasSuffix("/succeeded") })
        let histogram = samples.values.filter { $0.key.hasPrefix("drsocial_stage_duration_seconds_count{") }
        #expect(histogram.count == stageRows.count, "\(histogram.keys.sorted()) vs \(stageRows.keys.sorted())")
        for (key, rows) in stageRows {
            let parts = key.split(separator: "/").map(String.init)
            #expect(samples["drsocial_stage_duration_seconds_count", ["stage": parts[0], "outcome": parts[1]]] == Double(rows), "\(key)")
        }
        #expect(samples.types["drsocial_stage_duration_seconds"] == "histogram")

        #expect(samples["drsocial_jobs_ended_total", ["kind": kind, "ending": "succeeded"]] == 1)
        #expect(samples["drsocial_job_duration_seconds_count", ["kind": kind]] == 1)
        #expect(samples["drsocial_emails_filed_total", ["outcome": "ingested"]] == 1)
        #expect(samples["drsocial_emails_filed_total", ["outcome": "refused"]] == 1)
        let lastPoll = try #require(samples["drsocial_mail_last_successful_poll_timestamp_seconds"])
        #expect(lastPoll >= started && lastPoll <= Date().timeIntervalSince1970 + 1)

        // The cluster's open work, from the database.
        let awaiting: Int = try await pool.withConnection {
            try $0.query("SELECT count(*) AS n FROM content_queue WHERE state = 'awaiting_owner_approval'").first!.decode("n")
        }
        #expect(awaiting == 1, "one Instagram variant")
        #expect(samples["drsocial_content_queue_open", ["state": "awaiting_owner_approval"]] == Double(awaiting))
        for status in ["pending", "running", "dead"] {
            #expect(samples["drsocial_jobs", ["kind": kind, "status": status]] == 0, "\(status)")
        }
        #expect(samples["drsocial_post_requests_open", ["status": "analyzing"]] == 0)
        #expect(samples["drsocial_database_up"] == 1)

        // HTTP requests, through Hummingbird's middleware: the refused scrape above is counted by route and status.
        #expect(
            samples["hb_requests", ["http_route": "/metrics", "http_request_method": "GET", "http_response_status_code": "401"]] == 1,
            "\(text.split(separator: "\n").filter { $0.hasPrefix("hb_") })"
        )
        #expect(await daemon.terminate(within: 60) == 0)
        await pool.close()
    }

    static func scrape(_ url: URL) async throws -> (String, PrometheusSamples) {
        var request = URLRequest(url: url)
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        let (body, response) = try await URLSession.shared.data(for: request)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        #expect((response as? HTTPURLResponse)?.value(forHTTPHeaderField: "Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)
        let text = String(decoding: body, as: UTF8.self)
        return (text, try PrometheusSamples(parsing: text))
    }
}
