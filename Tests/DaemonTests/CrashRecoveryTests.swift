import Blobs
import Domain
import Foundation
import Intake
import Store
import TestSupport
import Testing

/// The daemon is SIGKILLed at random moments while it processes 30 requests, and restarted each time;
/// PostgreSQL itself is restarted once under it. In the end every request is complete, once.
extension CrashSuites {
    @Suite(.enabled(if: TestEnvironment.available(TestEnvironment.crashDatabaseURL != nil && TestEnvironment.executable != nil)), .serialized)
    struct CrashRecoveryTests {
        @Test func thirtyRequestsSurviveRandomKills() async throws {
            let url = try #require(TestEnvironment.crashDatabaseURL)
            let pool = PostgresPool(configuration: .init(url: url, maximumConnections: 4), logger: TestEnvironment.logger)
            try await Migrator(pool: pool, logger: TestEnvironment.logger).migrate()
            let fixture = try await TenantFixture.make(on: pool)
            let storage = try TestEnvironment.temporaryDirectory("crash-storage")
            let intake = PostRequestIntake(
                pool: pool,
                blobs: try LocalBlobStore(root: storage),
                queue: JobQueue(pool: pool),
                logger: TestEnvironment.logger
            )
            let media = ["photo.jpg", "short.mp4", "truncated.mp4"]
            var submitted: [UUID] = []
            for index in 0..<30 {
                let files = index % 3 == 2 ? [] : [PostRequestIntake.LocalFile(url: TestEnvironment.testmedia(media[index % 3]))]
                let receipt = try await intake.submit(
                    .init(
                        talent: .slug(fixture.slug),
                        source: .operator,
                        prompt: "Crash test request \(index)",
                        platforms: index % 2 == 0 ? [.instagram, .tiktok] : [.linkedin],
                        files: files
                    )
                )
                submitted.append(receipt.requestID)
            }
            let requestIDs = submitted

            let environment = [
                "DATABASE_URL": url, "STORAGE_DIR": storage.path, "OPS_TOKEN": "crash-test-operator-token",
                "HTTP_PORT": "0", "WORKERS": "3", "JOB_LEASE_SECONDS": "2", "LOG_LEVEL": "notice",
                // Without `compose`: kills land every few hundred milliseconds, and each costs the running jobs an
                // attempt, so a job composing reels for tens of seconds (a debug build) would be killed mid-work until
                // it is dead. That is the queue doing its job, not what this test is about; composition's own
                // failures are tested in ReelsTests and the pipeline tests.
                "PIPELINES_DIR": try TestEnvironment.pipelinesWithoutReels().path, "DATABASE_WAIT_SECONDS": "60",
            ]
            var kills = 0
            var restartedDatabase = false
            var killsMidWork = 0
            var killedLogs: [String] = []
            while kills < 8 {
                let daemon = try DaemonProcess(arguments: ["serve"], environment: environment)
                defer { killedLogs.append(daemon.output) }
                try await Task.sleep(for: .milliseconds(Int.random(in: 100...700)))
                if kills == 1, let restart = ProcessInfo.processInfo.environment["DRSOCIAL_PG_RESTART"] {
                    // The database goes away under a running daemon and comes back.
                    try TestShell.run(restart, describedAs: "DRSOCIAL_PG_RESTART")
                    restartedDatabase = true
                    try await Task.sleep(for: .milliseconds(800))
                }
                daemon.kill()
                kills += 1
                let complete = try await completeCount(pool, requestIDs)
                if complete == requestIDs.count { break }
                killsMidWork += 1
            }

            let survivor = try DaemonProcess(arguments: ["serve"], environment: environment.merging(["LOG_LEVEL": "info"]) { $1 })
            #expect(await survivor.waitForOutput(containing: "listening", within: 60), "\(survivor.output.suffix(2000))")
            // The survivor works through what is left; a loaded machine makes that slow, so the test waits as long as
            // the survivor keeps working (stage runs end, jobs are claimed, or it and its media children use CPU) and
            // fails only on a stall: two minutes of none of that means a job was lost.
            let ending = try await survivor.watch.wait(
                until: { try await completeCount(pool, requestIDs) == requestIDs.count },
                progress: { try await ProgressWatch.databaseActivity(pool) }
            )
            let exit = await survivor.terminate(within: 60)
            #expect(exit == 0, "the daemon did not stop cleanly on SIGTERM:\n\(survivor.output.suffix(2000))")

            let unfinished = try await unfinishedJobs(pool, tenantID: fixture.tenantID)
            let killedWarnings = killedLogs.enumerated().flatMap { life, log in
                log.split(separator: "\n").filter { $0.contains(" warning ") || $0.contains(" error ") }.map { "life \(life): \($0)" }
            }.joined(separator: "\n")
            let diagnosis =
                "unfinished jobs:\n\(unfinished)\nkilled daemons' warnings:\n\(killedWarnings.suffix(6000))\nsurvivor:\n\(survivor.output.suffix(3000))"
            #expect(try await completeCount(pool, requestIDs) == 30, "\(ending)\n\(diagnosis)")
            let (variants, expected, orphanContent, runs, deadJobs) = try await pool.withConnection { connection in
                let variants: Int = try connection.query(
                    "SELECT count(*) AS n FROM content_queue WHERE post_request_id = ANY($1::uuid[])",
                    [requestIDs]
                ).first!.decode("n")
                let expected: Int = try connection.query(
                    "SELECT sum(cardinality(target_account_ids))::int AS n FROM post_requests WHERE id = ANY($1::uuid[])",
                    [requestIDs]
                ).first!.decode("n")
                let orphans: Int = try connection.query(
                    """
                    SELECT count(*) AS n FROM content c WHERE c.talent_id = $1
                    AND NOT EXISTS (SELECT 1 FROM content_queue q WHERE q.content_id = c.id)
                    """,
                    [fixture.talentID]
                ).first!.decode("n")
                let runs: Int = try connection.query(
                    "SELECT count(*) AS n FROM pipeline_runs WHERE post_request_id = ANY($1::uuid[])",
                    [requestIDs]
                ).first!.decode("n")
                let dead: Int = try connection.query(
                    "SELECT count(*) AS n FROM jobs WHERE tenant_id = $1 AND status <> 'succeeded'",
                    [fixture.tenantID]
                ).first!.decode("n")
                return (variants, expected, orphans, runs, dead)
            }
            #expect(variants == expected, "one variant per target account, no duplicates")
            #expect(expected == 15 * 2 + 15)
            #expect(orphanContent == 0)
            #expect(runs == 30)
            #expect(killsMidWork >= 1, "the daemon was killed at least once with work left to do")
            #expect(deadJobs == 0, "\(unfinished)")
            if ProcessInfo.processInfo.environment["DRSOCIAL_PG_RESTART"] != nil { #expect(restartedDatabase) }
            await pool.close()
        }

        /// Every job of the tenant that did not succeed, with its attempts and last error, for a failure message.
        func unfinishedJobs(_ pool: PostgresPool, tenantID: UUID) async throws -> String {
            try await pool.withConnection { connection in
                try connection.query(
                    """
                    SELECT id, kind, status, attempts, coalesce(last_error, '') AS last_error,
                           coalesce(lease_owner, '-') AS owner, extract(epoch FROM run_after - now())::float8 AS ready_in,
                           (SELECT count(*) FROM pg_stat_activity WHERE state LIKE 'idle in transaction%')::int AS idle_tx
                    FROM jobs WHERE tenant_id = $1 AND status <> 'succeeded' ORDER BY id
                    """,
                    [tenantID]
                ).rows.map { row in
                    let id: Int64 = try row.decode("id")
                    let status: String = try row.decode("status")
                    let attempts: Int = try row.decode("attempts")
                    let error: String = try row.decode("last_error")
                    let kind: String = try row.decode("kind")
                    let owner: String = try row.decode("owner")
                    let readyIn: Double = try row.decode("ready_in")
                    let idle: Int = try row.decode("idle_tx")
                    return "job \(id) (\(kind)) \(status) after \(attempts) attempts, owner \(owner), ready in \(readyIn) s, "
                        + "\(idle) sessions idle in a transaction: \(error)"
                }.joined(separator: "\n")
            }
        }

        func completeCount(_ pool: PostgresPool, _ ids: [UUID]) async throws -> Int {
            try await pool.withConnection {
                try $0.query("SELECT count(*) AS n FROM post_requests WHERE id = ANY($1::uuid[]) AND status = 'complete'", [ids])
                    .first!.decode("n")
            }
        }
    }
}
