import Foundation
import Store
import TestSupport
import Testing

/// The queue against real PostgreSQL. Each test uses its own job kind, so tests running in parallel never
/// claim each other's jobs.
@Suite(.enabled(if: TestEnvironment.available(TestEnvironment.hasDatabase)))
struct JobQueueTests {
    func uniqueKind() -> String { "test-\(UUID().uuidString.prefix(8).lowercased())" }

    /// A queue whose leases no test outlives, for the tests that are not about leases. With the default 30 s, a
    /// claim that a loaded machine delays by half a minute rightly takes over a job claimed before it (its lease
    /// lapsed), and a test of racing claims saw one job claimed twice.
    func queue(_ pool: PostgresPool) -> JobQueue { JobQueue(pool: pool, configuration: .init { $0.leaseSeconds = 86_400 }) }

    @Test func twoWorkersNeverRunTheSameJob() async throws {
        let pool = try await TestDatabase.shared.pool()
        let queue = self.queue(pool)
        let kind = uniqueKind()
        for index in 0..<120 { try await queue.enqueue(.init(kind: kind, payload: ["n": "\(index)"])) }
        let ids = try await withThrowingTaskGroup(of: [Int64].self) { group in
            for worker in 0..<6 {
                group.addTask {
                    var mine: [Int64] = []
                    while let job = try await queue.claim(kinds: [kind], workerID: "w\(worker)") {
                        mine.append(job.id)
                        #expect(try await queue.complete(job))
                    }
                    return mine
                }
            }
            var all: [Int64] = []
            for try await mine in group { all += mine }
            return all
        }
        #expect(ids.count == 120)
        #expect(Set(ids).count == 120)
    }

    @Test func jobsSharingASerialKeyRunOneAtATime() async throws {
        let pool = try await TestDatabase.shared.pool()
        let queue = self.queue(pool)
        let kind = uniqueKind()
        let key = "serial-\(kind)"
        let first = try await queue.enqueue(.init(kind: kind, serialKey: key))
        let second = try await queue.enqueue(.init(kind: kind, serialKey: key))
        let other = try await queue.enqueue(.init(kind: kind))
        let claimed = try #require(try await queue.claim(kinds: [kind], workerID: "a"))
        #expect(claimed.id == first)
        // While the first runs, the second waits; a job without the key does not.
        let next = try #require(try await queue.claim(kinds: [kind], workerID: "b"))
        #expect(next.id == other)
        #expect(try await queue.claim(kinds: [kind], workerID: "b") == nil)
        #expect(try await queue.complete(claimed))
        #expect(try await queue.claim(kinds: [kind], workerID: "b")?.id == second)
    }

    @Test func racingClaimsNeverRunTwoJobsOfOneSerialKey() async throws {
        let pool = try await TestDatabase.shared.pool()
        let queue = self.queue(pool)
        for round in 0..<20 {
            let kind = uniqueKind()
            for _ in 0..<4 { try await queue.enqueue(.init(kind: kind, serialKey: "race-\(kind)")) }
            let claims = try await withThrowingTaskGroup(of: Int64?.self) { group in
                for worker in 0..<4 { group.addTask { try await queue.claim(kinds: [kind], workerID: "w\(worker)")?.id } }
                var ids: [Int64] = []
                for try await id in group { if let id { ids.append(id) } }
                return ids
            }
            #expect(claims.count == 1, "round \(round): \(claims)")
        }
    }

    @Test func abandonedJobIsRescuedAfterItsLease() async throws {
        let pool = try await TestDatabase.shared.pool()
        let lease = 2.0
        let queue = JobQueue(pool: pool, configuration: .init { $0.leaseSeconds = lease })
        let kind = uniqueKind()
        try await queue.enqueue(.init(kind: kind))
        let claimedAt = Date()
        let first = try #require(try await queue.claim(kinds: [kind], workerID: "dies"))
        // The worker dies: no renewal, no completion. Nobody can claim it until the lease runs out
        // (checked only while the lease surely holds: a loaded machine may be slow to ask).
        let early = try await queue.claim(kinds: [kind], workerID: "rescuer")
        if Date().timeIntervalSince(claimedAt) < lease * 0.9 { #expect(early == nil) }
        try await Task.sleep(for: .seconds(max(0, lease + 0.3 - Date().timeIntervalSince(claimedAt))))
        let rescued = try #require(try await (early == nil ? queue.claim(kinds: [kind], workerID: "rescuer") : early))
        #expect(rescued.id == first.id)
        #expect(rescued.attempt == first.attempt + 1)
    }

    @Test func lateWorkerCannotRecordItsResult() async throws {
        let pool = try await TestDatabase.shared.pool()
        let queue = JobQueue(pool: pool, configuration: .init { $0.leaseSeconds = 1 })
        let kind = uniqueKind()
        try await queue.enqueue(.init(kind: kind))
        let slow = try #require(try await queue.claim(kinds: [kind], workerID: "slow"))
        try await Task.sleep(for: .milliseconds(1300))
        let fresh = try #require(try await queue.claim(kinds: [kind], workerID: "fresh"))
        #expect(try await queue.complete(slow) == false)
        #expect(try await queue.renewLease(slow) == false)
        #expect(try await queue.fail(slow, error: "late") == .leaseLost)
        await #expect(throws: JobQueue.LeaseLost.self) {
            try await pool.withTransaction { try queue.fence(jobID: slow.id, attempt: slow.attempt, on: $0) }
        }
        #expect(try await queue.complete(fresh))
        let status: String = try await pool.withConnection {
            try $0.query("SELECT status FROM jobs WHERE id = $1", [fresh.id]).first!.decode("status")
        }
        #expect(status == "succeeded")
    }

    @Test func backoffGrowsThenTheJobIsDead() async throws {
        let pool = try await TestDatabase.shared.pool()
        let queue = JobQueue(pool: pool, configuration: .init { ($0.retryBaseSeconds, $0.retryCapSeconds) = (1, 1000) })
        let kind = uniqueKind()
        let id = try await queue.enqueue(.init(kind: kind, maxAttempts: 4))
        var delays: [Double] = []
        for attempt in 1...4 {
            // Make the job due now, so the test need not wait out each backoff.
            try await pool.withConnection { try $0.query("UPDATE jobs SET run_after = now() WHERE id = $1", [id]) }
            let job = try #require(try await queue.claim(kinds: [kind], workerID: "w"))
            #expect(job.attempt == attempt)
            let outcome = try await queue.fail(job, error: "boom \(attempt)")
            if attempt < 4 {
                guard case .retryScheduled(let after) = outcome else {
                    Issue.record("expected a retry, got \(outcome)")
                    return
                }
                delays.append(after)
                let ceiling = pow(2.0, Double(attempt - 1))
                #expect(after >= ceiling / 2 && after <= ceiling)
            } else {
                #expect(outcome == .dead)
            }
        }
        #expect(delays == delays.sorted())
        let row = try await pool.withConnection {
            try $0.query("SELECT status, last_error, attempts FROM jobs WHERE id = $1", [id]).first!
        }
        #expect(try row.decode("status", as: String.self) == "dead")
        #expect(try row.decode("last_error", as: String.self) == "boom 4")
        #expect(try row.decode("attempts", as: Int.self) == 4)
        #expect(try await queue.claim(kinds: [kind], workerID: "w") == nil)
    }

    @Test func aRevivedDeadJobRunsAgainAndItsOldClaimStaysFencedOut() async throws {
        let pool = try await TestDatabase.shared.pool()
        let queue = JobQueue(pool: pool, configuration: .init { $0.defaultMaxAttempts = 3 })
        let kind = uniqueKind()
        let id = try await queue.enqueue(.init(kind: kind, maxAttempts: 1))
        let doomed = try #require(try await queue.claim(kinds: [kind], workerID: "w"))
        #expect(try await queue.fail(doomed, error: "the cause") == .dead)
        #expect(try await queue.claim(kinds: [kind], workerID: "w") == nil, "dead jobs are not claimed")

        let revived = try #require(try await queue.revive(jobID: id))
        #expect(revived.kind == kind)
        #expect(revived.reopenedRequestID == nil, "no request named in the payload")
        #expect(revived.attemptsAdded == 3)
        #expect(try await queue.revive(jobID: id) == nil, "a job that is not dead is not revived")

        let again = try #require(try await queue.claim(kinds: [kind], workerID: "w"))
        #expect(again.attempt == 2, "attempts count on: the claim before the death cannot match")
        #expect(again.maxAttempts == 1 + 3, "a fresh budget of defaultMaxAttempts")
        #expect(try await queue.complete(doomed) == false)
        #expect(try await queue.complete(again))
        let event = try await pool.withConnection {
            try $0.query("SELECT payload_json->>'kind' AS kind FROM events WHERE kind = 'job.revived' AND payload_json->>'job_id' = $1", [String(id)])
                .first
        }
        #expect(try event?.decode("kind", as: String.self) == kind)
    }

    @Test func sameIdempotencyKeyRunsOnce() async throws {
        let pool = try await TestDatabase.shared.pool()
        let queue = self.queue(pool)
        let kind = uniqueKind()
        let key = "once-\(UUID())"
        let first = try await queue.enqueue(.init(kind: kind, idempotencyKey: key))
        let second = try await queue.enqueue(.init(kind: kind, idempotencyKey: key))
        #expect(first == second)
        let job = try #require(try await queue.claim(kinds: [kind], workerID: "w"))
        #expect(try await queue.complete(job))
        _ = try await queue.enqueue(.init(kind: kind, idempotencyKey: key))
        #expect(try await queue.claim(kinds: [kind], workerID: "w") == nil)
    }

    @Test func releasedJobDoesNotCountAnAttempt() async throws {
        let pool = try await TestDatabase.shared.pool()
        let queue = self.queue(pool)
        let kind = uniqueKind()
        try await queue.enqueue(.init(kind: kind))
        let job = try #require(try await queue.claim(kinds: [kind], workerID: "w"))
        try await queue.release(job)
        let again = try #require(try await queue.claim(kinds: [kind], workerID: "w2"))
        #expect(again.attempt == 1)
    }

    @Test func aJobWhoseWorkerDiedIsTakenOverWithoutUsingAnAttemptUntilTheLimit() async throws {
        let pool = try await TestDatabase.shared.pool()
        let queue = JobQueue(pool: pool, configuration: .init { ($0.leaseSeconds, $0.lostLeaseLimit) = (1, 2) })
        let kind = uniqueKind()
        let id = try await queue.enqueue(.init(kind: kind, maxAttempts: 1))
        let first = try #require(try await queue.claim(kinds: [kind], workerID: "dies-1"))
        #expect(first.attempt == 1 && first.maxAttempts == 1)
        // Two daemons die under it: each time the next worker takes it over, and its one attempt is given back.
        var claims = [first]
        for worker in ["dies-2", "dies-3"] {
            try await Task.sleep(for: .milliseconds(1300))
            let taken = try #require(try await queue.claim(kinds: [kind], workerID: worker))
            #expect(taken.id == id && taken.attempt == taken.maxAttempts, "the last attempt, again: \(taken)")
            claims.append(taken)
        }
        #expect(claims.map(\.attempt) == [1, 2, 3])
        // The third loss reaches the limit: nobody takes it over, and it is buried.
        try await Task.sleep(for: .milliseconds(1300))
        #expect(try await queue.claim(kinds: [kind], workerID: "w") == nil)
        _ = try await queue.buryExpired()
        let row = try await pool.withConnection {
            try $0.query("SELECT status, lost_leases, last_error FROM jobs WHERE id = $1", [id]).first!
        }
        #expect(try row.decode("status", as: String.self) == "dead")
        #expect(try row.decode("lost_leases", as: Int.self) == 2)
        #expect(try row.decode("last_error", as: String.self).contains("2 leases lost"))
    }

    @Test func expiredLastAttemptIsBuried() async throws {
        let pool = try await TestDatabase.shared.pool()
        let queue = JobQueue(pool: pool, configuration: .init { $0.leaseSeconds = 1 })
        let kind = uniqueKind()
        let id = try await queue.enqueue(.init(kind: kind, maxAttempts: 1))
        _ = try #require(try await queue.claim(kinds: [kind], workerID: "dies"))
        // A job that has already lost every lease it may (a reaper with a lower limit would bury other tests' jobs
        // on this shared database).
        try await pool.withConnection { try $0.query("UPDATE jobs SET lost_leases = 20 WHERE id = $1", [id]) }
        try await Task.sleep(for: .milliseconds(1300))
        #expect(try await queue.claim(kinds: [kind], workerID: "w") == nil)
        // Another test's worker service may run its reaper on this shared database first: either way the job
        // ends dead, and a reaper that buries it reports it.
        let buried = try await queue.buryExpired()
        let status: String = try await pool.withConnection {
            try $0.query("SELECT status FROM jobs WHERE id = $1", [id]).first!.decode("status")
        }
        #expect(status == "dead")
        #expect(buried.allSatisfy { $0.id != id || $0.kind == kind })
    }

    @Test func enqueueWakesListeners() async throws {
        let pool = try await TestDatabase.shared.pool()
        let queue = JobQueue(pool: pool)
        let kind = uniqueKind()
        let listener = PostgresListener(pool: pool, channel: JobQueue.notificationChannel, logger: TestEnvironment.logger)
        let stream = listener.notifications()
        let received = try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                for await note in stream where note.payload == kind { return true }
                return false
            }
            group.addTask {
                // LISTEN takes effect once the listener has connected, which a loaded machine may delay:
                // enqueue until a notification arrives (or 15 s pass).
                for _ in 0..<30 {
                    try await queue.enqueue(.init(kind: kind))
                    try await Task.sleep(for: .milliseconds(500))
                }
                return false
            }
            let first = try await group.next() ?? false
            group.cancelAll()
            return first
        }
        #expect(received)
    }
}
