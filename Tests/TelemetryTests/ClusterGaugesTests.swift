import Blobs
import Domain
import Foundation
import Intake
import Store
import TestSupport
import Testing

@testable import Telemetry

/// The cluster gauges, from a database of their own whose jobs and requests the test puts in place.
@Suite(.enabled(if: TestEnvironment.available(TestEnvironment.hasDatabase)))
struct ClusterGaugesTests {
    @Test func queueDepthDeadJobsAndWaitingTimeComeFromTheDatabase() async throws {
        let database = try await IsolatedDatabase.make("gauges")
        let pool = database.pool
        let queue = JobQueue(pool: pool)
        // kind.a: two due (one since 90 s), one not due for an hour; kind.b: one running, two dead.
        _ = try await queue.enqueue(.init(kind: "kind.a"))
        let old = try await queue.enqueue(.init(kind: "kind.a"))
        _ = try await queue.enqueue(.init(kind: "kind.a", runAfter: Date().addingTimeInterval(3600)))
        let running = try await queue.enqueue(.init(kind: "kind.b"))
        let dead = [try await queue.enqueue(.init(kind: "kind.b")), try await queue.enqueue(.init(kind: "kind.b"))]
        let done = try await queue.enqueue(.init(kind: "kind.b"))
        try await pool.withConnection { connection in
            try connection.query("UPDATE jobs SET run_after = now() - interval '90 seconds' WHERE id = $1", [old])
            try connection.query("UPDATE jobs SET status = 'running', lease_expires_at = now() + interval '30 seconds' WHERE id = $1", [running])
            try connection.query("UPDATE jobs SET status = 'dead' WHERE id = ANY($1::bigint[])", [dead])
            try connection.query("UPDATE jobs SET status = 'succeeded' WHERE id = $1", [done])
        }
        let fixture = try await TenantFixture.make(on: pool)
        let intake = PostRequestIntake(
            pool: pool,
            blobs: try LocalBlobStore(root: try TestEnvironment.temporaryDirectory("gauges-blobs")),
            queue: queue,
            logger: TestEnvironment.logger
        )
        for status in ["analyzing", "analyzing", "drafting", "complete"] {
            let receipt = try await intake.submit(
                .init(
                    talent: .slug(fixture.slug),
                    source: .operator,
                    prompt: "Gauges",
                    platforms: [.instagram],
                    files: []
                )
            )
            try await pool.withConnection {
                try $0.query("UPDATE post_requests SET status = $2 WHERE id = $1", [receipt.requestID, status])
            }
        }

        let exporter = MetricsExporter(pool: pool, jobKinds: ["kind.a", "kind.b", "kind.idle"])
        let samples = try PrometheusSamples(parsing: await exporter.render())
        #expect(samples["drsocial_database_up"] == 1)
        #expect(samples["drsocial_jobs", ["kind": "kind.a", "status": "pending"]] == 3, "due or not, pending is pending")
        #expect(samples["drsocial_jobs", ["kind": "kind.a", "status": "running"]] == 0)
        #expect(samples["drsocial_jobs", ["kind": "kind.b", "status": "running"]] == 1)
        #expect(samples["drsocial_jobs", ["kind": "kind.b", "status": "dead"]] == 2)
        #expect(samples["drsocial_jobs", ["kind": "kind.b", "status": "pending"]] == 0, "the succeeded job is not counted")
        // The intake's own pipeline jobs (one per request) show up under their kind too.
        #expect(samples["drsocial_jobs", ["kind": "post_request.pipeline", "status": "pending"]] == 4)
        for status in ["pending", "running", "dead"] {
            #expect(samples["drsocial_jobs", ["kind": "kind.idle", "status": status]] == 0, "a handled kind with no jobs is written as 0")
        }
        let waited = try #require(samples["drsocial_jobs_oldest_due_age_seconds", ["kind": "kind.a"]])
        #expect(waited >= 90 && waited < 150, "\(waited)")
        #expect(samples["drsocial_jobs_oldest_due_age_seconds", ["kind": "kind.b"]] == 0)
        #expect(samples["drsocial_post_requests_open", ["status": "analyzing"]] == 2)
        #expect(samples["drsocial_post_requests_open", ["status": "drafting"]] == 1)
        #expect(samples["drsocial_post_requests_open", ["status": "received"]] == 0)
        #expect(samples["drsocial_content_queue_open", ["state": "awaiting_owner_approval"]] == 0)
        #expect(samples.types["drsocial_jobs"] == "gauge")
        await pool.close()
    }

    @Test func aDatabaseThatDoesNotAnswerIsReportedNotFailed() async throws {
        let pool = PostgresPool(
            configuration: .init(url: "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2", maximumConnections: 1),
            logger: TestEnvironment.logger
        )
        DaemonMetrics.emailFiled(.ingested)  // the process's own metrics are still shown
        let text = await MetricsExporter(pool: pool, jobKinds: ["kind.a"]).render()
        let samples = try PrometheusSamples(parsing: text)
        #expect(samples["drsocial_database_up"] == 0)
        #expect(samples["drsocial_jobs", ["kind": "kind.a", "status": "pending"]] == nil, "no figure rather than a false zero")
        #expect((samples["drsocial_emails_filed_total", ["outcome": "ingested"]] ?? 0) >= 1)
        await pool.close()
    }
}
