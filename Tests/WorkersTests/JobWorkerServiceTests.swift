import Foundation
import Logging
import NIOConcurrencyHelpers
import Store
import TestSupport
import Testing
import Workers

/// The worker service against real PostgreSQL: outcomes are recorded, and a job interrupted by
/// cancellation goes back to the queue without spending an attempt.
@Suite(.enabled(if: TestEnvironment.available(TestEnvironment.hasDatabase)))
struct JobWorkerServiceTests {
    /// A handler whose behaviour the test chooses; it reports each start.
    final class DeathLog: Sendable {
        let ids = NIOLockedValueBox<[Int64]>([])
    }

    struct ScriptedHandler: JobHandler {
        enum Behaviour: Sendable { case succeed, failPermanently, blockUntilCancelled }
        let kind: String
        let behaviour: Behaviour
        let started: AsyncStream<Int64>.Continuation
        let died = DeathLog()

        func handle(_ job: JobQueue.ClaimedJob, logger: Logger) async throws {
            started.yield(job.id)
            switch behaviour {
            case .succeed: return
            case .failPermanently: throw PermanentJobError("scripted failure")
            case .blockUntilCancelled:
                while true { try await Task.sleep(for: .seconds(60)) }
            }
        }

        func jobDied(id: Int64, payload: [String: String], error: String, logger: Logger) async {
            died.ids.withLockedValue { $0.append(id) }
        }
    }

    func jobRow(_ id: Int64, _ pool: PostgresPool) async throws -> (status: String, attempts: Int, error: String?) {
        try await pool.withConnection { connection in
            let row = try #require(try connection.query("SELECT status, attempts, last_error FROM jobs WHERE id = $1", [id]).first)
            return (try row.decode("status"), try row.decode("attempts"), try row.decodeIfPresent("last_error"))
        }
    }

    func run(
        _ behaviour: ScriptedHandler.Behaviour,
        untilStatusIsNot running: Set<String>
    ) async throws -> (status: String, attempts: Int, error: String?, died: [Int64], id: Int64) {
        let pool = try await TestDatabase.shared.pool()
        // A long lease: on a loaded machine a 5 s lease can lapse between claim and record, and the
        // job would run twice; no test here needs the lease to expire.
        let queue = JobQueue(pool: pool, configuration: .init { $0.leaseSeconds = 60 })
        let kind = "test.scripted.\(UUID().uuidString.prefix(8))"
        let (started, continuation) = AsyncStream<Int64>.makeStream()
        let handler = ScriptedHandler(kind: kind, behaviour: behaviour, started: continuation)
        let id = try await queue.enqueue(.init(kind: kind, maxAttempts: 3))
        let service = JobWorkerService(
            queue: queue,
            handlers: [handler],
            configuration: .init(workers: 2, pollInterval: .milliseconds(200)),
            logger: TestEnvironment.logger
        )
        let task = Task { try await service.run() }
        var iterator = started.makeAsyncIterator()
        #expect(await iterator.next() == id)
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline, running.contains(try await jobRow(id, pool).status) {
            try await Task.sleep(for: .milliseconds(50))
        }
        task.cancel()
        _ = try? await task.value
        let row = try await jobRow(id, pool)
        return (row.status, row.attempts, row.error, handler.died.ids.withLockedValue { $0 }, id)
    }

    @Test func aFinishedJobSucceeds() async throws {
        let result = try await run(.succeed, untilStatusIsNot: ["pending", "running"])
        #expect(result.status == "succeeded")
        #expect(result.attempts == 1)
    }

    @Test func aPermanentFailureIsDeadAndTheHandlerHears() async throws {
        let result = try await run(.failPermanently, untilStatusIsNot: ["pending", "running"])
        #expect(result.status == "dead")
        #expect(result.error?.contains("scripted failure") == true)
        #expect(result.died == [result.id])
    }

    @Test func aCancelledServiceReleasesItsRunningJob() async throws {
        // The job is running when the service is cancelled (the status loop ends at once).
        let result = try await run(.blockUntilCancelled, untilStatusIsNot: [])
        #expect(result.status == "pending", "released for another daemon, not left running until its lease expires")
        #expect(result.attempts == 0, "an interrupted attempt is not counted")
    }
}
