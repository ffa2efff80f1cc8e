// drsocial-bench-publish: the real PublishHandler, MCPChannel and JobWorkerService against a PostgreSQL
// (DATABASE_URL) and the test MCP server (MCP_SERVER_URL, MCP_API_KEY; it answers at once).
//   throughput: N approved variants over 10 LinkedIn accounts, published by W workers; publishes per second
//               from the workers' start to the last `published`, and this process's CPU per publish
//   pickup:     M variants scheduled 3 s ahead and 150 ms apart while the workers idle; delay from each
//               variant's scheduled_for to its attempt's start (the claim), by the database's clock
// Prints JSON. Run through bench/publish, which starts a private PostgreSQL and the MCP server.
import Blobs
import Domain
import Foundation
import Logging
import Publishing
import Store
import Workers

struct Options {
    var variants = 200
    var workers = 4
    var scheduled = 40

    init(_ arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--variants": variants = Int(iterator.next() ?? "") ?? variants
            case "--workers": workers = Int(iterator.next() ?? "") ?? workers
            case "--scheduled": scheduled = Int(iterator.next() ?? "") ?? scheduled
            default:
                FileHandle.standardError.write(Data("unknown argument \(argument)\n".utf8))
                exit(2)
            }
        }
    }
}

func percentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return .nan }
    return sorted[min(sorted.count - 1, max(0, Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1))]
}

func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

let options = Options(CommandLine.arguments)
let environment = ProcessInfo.processInfo.environment
guard let url = environment["DATABASE_URL"], let mcp = environment["MCP_SERVER_URL"].flatMap(URL.init(string:)),
    let pipelines = environment["PIPELINES_DIR"]
else {
    FileHandle.standardError.write(Data("DATABASE_URL, MCP_SERVER_URL and PIPELINES_DIR must be set\n".utf8))
    exit(2)
}
var logger = Logger(label: "bench")
logger.logLevel = .error
let pool = PostgresPool(configuration: .init(url: url, maximumConnections: options.workers + 4), logger: logger)
try await Migrator(pool: pool, logger: logger).migrate()
let queue = JobQueue(pool: pool)
let blobs = try LocalBlobStore(root: FileManager.default.temporaryDirectory.appending(path: "bench-publish-\(getpid())"))
let flows = try PublishFlow.load(from: URL(filePath: pipelines).appending(path: "publish"))
let channel = MCPChannel(endpoint: mcp, apiKey: environment["MCP_API_KEY"] ?? "", flows: flows)
let handler = PublishHandler(pool: pool, queue: queue, blobs: blobs, channels: [channel])

// Ten talents, one LinkedIn account each.
let run = UUID().uuidString.prefix(8).lowercased()
let owners: [(tenant: UUID, talent: UUID, account: UUID)] = try await pool.withTransaction { connection in
    let seeder = TenantSeeder()
    let tenant = try seeder.createTenant(name: "bench \(run)", on: connection)
    return try (0..<10).map { index in
        let slug = "bench-\(run)-\(index)"
        let talent = try seeder.createTalent(
            .init(slug: slug, displayName: slug, accounts: [(.linkedin, "\(slug).li", "mcp")]), tenantID: tenant, on: connection
        )
        let account: UUID = try connection.query("SELECT id FROM accounts WHERE talent_id = $1", [talent]).first!.decode("id")
        return (tenant, talent, account)
    }
}

/// Approves `count` variants (round-robin over the accounts) in one transaction; `scheduled(i)` is each one's time.
func approve(_ count: Int, label: String, scheduled: @escaping @Sendable (Int) -> Date?) async throws -> [UUID] {
    try await pool.withTransaction { connection in
        try (0..<count).map { index in
            let owner = owners[index % owners.count]
            let content: UUID = try connection.query(
                """
                INSERT INTO content (tenant_id, talent_id, hash, type, caption, hashtags, generated_by, moderated)
                VALUES ($1, $2, $3, 'text', $4, '{#Bench}', 'bench', true) RETURNING id
                """,
                [owner.tenant, owner.talent, UUID().uuidString, "Bench \(label) post \(index) of run \(run)"]
            ).first!.decode("id")
            let id: UUID = try connection.query(
                """
                INSERT INTO content_queue (tenant_id, talent_id, account_id, content_id, origin, state, scheduled_for)
                VALUES ($1, $2, $3, $4, 'ai_initiated', 'awaiting_owner_approval', $5) RETURNING id
                """,
                [owner.tenant, owner.talent, owner.account, content, scheduled(index)]
            ).first!.decode("id")
            let approver: UUID = try connection.query("SELECT owner_user_id FROM talents WHERE id = $1", [owner.talent]).first!.decode("owner_user_id")
            try ApprovalRepository().apply(.approve, variantID: id, talentID: owner.talent, actorUserID: approver, queue: queue, on: connection)
            return id
        }
    }
}

func published(_ ids: [UUID]) async throws -> Int {
    try await pool.withConnection { connection in
        try connection.query("SELECT count(*)::int AS n FROM content_queue WHERE id = ANY($1::uuid[]) AND state = 'published'", [ids]).first!.decode("n")
    }
}

func waitForAll(_ ids: [UUID]) async throws {
    let deadline = Date().addingTimeInterval(600)
    while try await published(ids) < ids.count {
        guard Date() < deadline else { throw CancellationError() }
        try await Task.sleep(for: .milliseconds(5))
    }
}

// Throughput: everything approved first, then the workers start.
let batch = try await approve(options.variants, label: "throughput", scheduled: { _ in nil })
let service = JobWorkerService(
    queue: queue,
    handlers: [handler],
    configuration: .init(workers: options.workers, pollInterval: .seconds(2)),
    logger: logger
)
let cpuBefore = cpuSeconds()
let started = Date()
let workers = Task { try? await service.run() }
try await waitForAll(batch)
let elapsed = Date().timeIntervalSince(started)
let cpu = cpuSeconds() - cpuBefore

// Pickup: the workers idle, then variants fall due one by one.
let firstAt = Date().addingTimeInterval(3)
let timed = try await approve(options.scheduled, label: "pickup", scheduled: { firstAt.addingTimeInterval(Double($0) * 0.15) })
try await waitForAll(timed)
let delays: [Double] = try await pool.withConnection { connection in
    try connection.query(
        """
        SELECT extract(epoch FROM a.started_at - q.scheduled_for)::float8 * 1000 AS ms
        FROM publish_attempts a JOIN content_queue q ON q.id = a.content_queue_id WHERE q.id = ANY($1::uuid[])
        """,
        [timed]
    ).rows.map { try $0.decode("ms") }
}
let early = delays.filter { $0 < 0 }.count
workers.cancel()

let result: [String: Double] = [
    "variants": Double(options.variants), "workers": Double(options.workers),
    "publishes_per_second": Double(options.variants) / elapsed,
    "cpu_ms_per_publish": cpu * 1000 / Double(options.variants),
    "pickup_p50_ms": percentile(delays, 50), "pickup_p95_ms": percentile(delays, 95), "pickup_max_ms": delays.max() ?? .nan,
    "pickup_early": Double(early), "scheduled": Double(options.scheduled),
]
print(String(decoding: try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys]), as: UTF8.self))
exit(0)
