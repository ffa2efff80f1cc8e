// drsocial-bench-queue: the real JobQueue and JobWorkerService against a PostgreSQL (DATABASE_URL).
//   pickup latency: jobs enqueued one at a time while idle workers wait on LISTEN/NOTIFY (polling every 5 s)
//   throughput:     M trivial jobs enqueued at once, drained by 1 and by 4 workers
// Prints a table, or JSON with --json. Run through bench/queue, which starts a private PostgreSQL.
//
// --throughput-only --kind K --workers N [--start-at EPOCH]: one daemon of several (bench/queue_daemons.py
// starts one or two at once): waits until EPOCH, then claims the jobs of kind K that are already waiting with
// N workers until none is left pending or running, and prints as JSON how many this process handled.
import Foundation
import Logging
import Store
import Synchronization
import Workers

struct Options {
    var latencyJobs = 200
    var latencyGapMs = 20
    var throughputJobs = 5000
    var json = false
    var throughputOnly = false
    var kind = ""
    var workers = 1
    var startAt: Double?

    init(_ arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--latency-jobs": latencyJobs = Int(iterator.next() ?? "") ?? latencyJobs
            case "--gap-ms": latencyGapMs = Int(iterator.next() ?? "") ?? latencyGapMs
            case "--throughput-jobs": throughputJobs = Int(iterator.next() ?? "") ?? throughputJobs
            case "--json": json = true
            case "--throughput-only": throughputOnly = true
            case "--kind": kind = iterator.next() ?? ""
            case "--workers": workers = Int(iterator.next() ?? "") ?? workers
            case "--start-at": startAt = Double(iterator.next() ?? "")
            default:
                FileHandle.standardError.write(Data("unknown argument \(argument)\n".utf8))
                exit(2)
            }
        }
    }
}

/// Records when each job's handler started, and signals when the expected number have run.
final class Recorder: Sendable {
    let latencies = Mutex<[Double]>([])
    let count = Atomic<Int>(0)

    func record(_ job: JobQueue.ClaimedJob) {
        if let sent = job.payload["t"].flatMap(Double.init) {
            let latency = Date().timeIntervalSince1970 - sent
            latencies.withLock { $0.append(latency) }
        }
        count.add(1, ordering: .relaxed)
    }
}

struct BenchHandler: JobHandler {
    let kind: String
    let recorder: Recorder
    func handle(_ job: JobQueue.ClaimedJob, logger: Logger) async throws { recorder.record(job) }
}

func percentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return .nan }
    let index = min(sorted.count - 1, max(0, Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1))
    return sorted[index]
}

func runService(_ service: JobWorkerService) -> Task<Void, Never> {
    Task { try? await service.run() }
}

func waitUntil(_ condition: () -> Bool, timeout: Double) async {
    let deadline = Date().addingTimeInterval(timeout)
    while !condition() && Date() < deadline { try? await Task.sleep(for: .milliseconds(2)) }
}

let options = Options(CommandLine.arguments)
guard let url = ProcessInfo.processInfo.environment["DATABASE_URL"] else {
    FileHandle.standardError.write(Data("DATABASE_URL is not set\n".utf8))
    exit(2)
}
var logger = Logger(label: "bench")
logger.logLevel = .error
let pool = PostgresPool(configuration: .init(url: url, maximumConnections: 12), logger: logger)
try await Migrator(pool: pool, logger: logger).migrate()
let queue = JobQueue(pool: pool)

/// One daemon of several claiming from the same queue: waits until `startAt` (so that every process starts
/// claiming at the same moment, whatever its own start-up took), then drains the jobs of `kind` with `workers`
/// workers. The rate is counted from the database by the caller (`finished_at`), over the common window.
func claimUntilDrained(
    _ queue: JobQueue, kind: String, workers: Int, startAt: Double?, logger: Logger
) async throws -> [String: Double] {
    let recorder = Recorder()
    let service = JobWorkerService(
        queue: queue,
        handlers: [BenchHandler(kind: kind, recorder: recorder)],
        configuration: .init(workers: workers, pollInterval: .milliseconds(200)),
        logger: logger
    )
    let ready = Date().timeIntervalSince1970
    if let startAt, startAt > ready { try await Task.sleep(for: .seconds(startAt - ready)) }
    let started = Date()
    let task = runService(service)
    // Both terms can use the partial indexes on pending and on running jobs: no scan of the whole table,
    // which grows with every run, while other processes are claiming.
    var left = 1
    while left > 0 && Date().timeIntervalSince(started) < 300 {
        try await Task.sleep(for: .milliseconds(200))
        left = try await queue.pool.withConnection {
            try $0.query(
                """
                SELECT (SELECT count(*) FROM jobs WHERE status = 'pending' AND kind = $1)
                     + (SELECT count(*) FROM jobs WHERE status = 'running' AND kind = $1) AS n
                """,
                [kind]
            ).first!.decode("n")
        }
    }
    task.cancel()
    await task.value
    return [
        "handled": Double(recorder.count.load(ordering: .relaxed)), "ready_at": ready,
        "started_at": started.timeIntervalSince1970, "left": Double(left),
    ]
}

if options.throughputOnly {
    guard !options.kind.isEmpty else {
        FileHandle.standardError.write(Data("--throughput-only needs --kind\n".utf8))
        exit(2)
    }
    let result = try await claimUntilDrained(
        queue, kind: options.kind, workers: options.workers, startAt: options.startAt, logger: logger
    )
    await pool.close()
    let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
    exit(0)
}

let run = UUID().uuidString.prefix(8).lowercased()
var results: [String: Double] = [:]

// Pickup latency: two idle workers; polling every 5 s, so NOTIFY is what wakes them.
do {
    let recorder = Recorder()
    let kind = "bench.latency.\(run)"
    let service = JobWorkerService(
        queue: queue,
        handlers: [BenchHandler(kind: kind, recorder: recorder)],
        configuration: .init(workers: 2, pollInterval: .seconds(5)),
        logger: logger
    )
    let task = runService(service)
    try await Task.sleep(for: .milliseconds(500))  // the listener is connected
    for _ in 0..<options.latencyJobs {
        try await queue.enqueue(.init(kind: kind, payload: ["t": String(Date().timeIntervalSince1970)]))
        try await Task.sleep(for: .milliseconds(options.latencyGapMs))
    }
    await waitUntil({ recorder.count.load(ordering: .relaxed) >= options.latencyJobs }, timeout: 60)
    task.cancel()
    await task.value
    let latencies = recorder.latencies.withLock { $0 }.map { $0 * 1000 }
    results["latency_jobs"] = Double(latencies.count)
    results["latency_p50_ms"] = percentile(latencies, 50)
    results["latency_p95_ms"] = percentile(latencies, 95)
    results["latency_p99_ms"] = percentile(latencies, 99)
    results["latency_max_ms"] = latencies.max() ?? .nan
}

// Throughput: M jobs waiting, drained by N workers.
for workers in [1, 4] {
    let recorder = Recorder()
    let kind = "bench.throughput.\(workers).\(run)"
    let jobs = options.throughputJobs
    try await pool.withTransaction { connection in
        try connection.query(
            """
            INSERT INTO jobs (kind, payload_json, max_attempts)
            SELECT $1, '{}'::jsonb, 3 FROM generate_series(1, $2)
            """,
            [kind, jobs]
        )
    }
    let service = JobWorkerService(
        queue: queue,
        handlers: [BenchHandler(kind: kind, recorder: recorder)],
        configuration: .init(workers: workers, pollInterval: .milliseconds(200)),
        logger: logger
    )
    let started = Date()
    let task = runService(service)
    let kindForQuery = kind
    var done = 0
    while done < jobs && Date().timeIntervalSince(started) < 300 {
        try await Task.sleep(for: .milliseconds(20))
        done = try await pool.withConnection {
            try $0.query("SELECT count(*) AS n FROM jobs WHERE kind = $1 AND status = 'succeeded'", [kindForQuery]).first!.decode("n")
        }
    }
    let elapsed = Date().timeIntervalSince(started)
    task.cancel()
    await task.value
    results["throughput_\(workers)w_jobs"] = Double(done)
    results["throughput_\(workers)w_seconds"] = elapsed
    results["throughput_\(workers)w_per_second"] = Double(done) / elapsed
}
await pool.close()

if options.json {
    let data = try JSONSerialization.data(withJSONObject: results, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
} else {
    for key in results.keys.sorted() { print(String(format: "%-28@ %10.2f", key as NSString, results[key]!)) }
}
