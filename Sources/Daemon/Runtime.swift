import Blobs
import Foundation
import LLMRouter
import Intake
import Isolation
import Logging
import Media
import Pipeline
import Publishing
import S3
import Speech
import Store
import Workers

/// The pieces every command builds the same way: logging, the pool (waiting for the database), the queue.
struct Runtime {
    let environment: DaemonEnvironment
    let logger: Logger
    let pool: PostgresPool
    /// The media-worker children of this process, shared by every stage and the mail intake (one warm pool).
    let workers: MediaWorkerClient

    /// Sets up logging and a pool, waiting with backoff (up to `DATABASE_WAIT_SECONDS`) until the database answers.
    static func start(label: String, waitForDatabase: Bool = true) async throws -> Runtime {
        let environment = DaemonEnvironment()
        let level = try environment.logLevel
        LoggingBootstrap.once(level: level)
        var logger = Logger(label: label)
        logger.logLevel = level
        // Every setting is read before the pool starts its threads, so a bad one cannot leave them running.
        let poolConfiguration = PostgresPool.Configuration(url: try environment.databaseURL, maximumConnections: try environment.databaseConnections)
        let priority = try environment.mediaPriority
        let workersConfiguration = MediaWorkerClient.Configuration(
            executable: MediaWorkerClient.locateExecutable(),
            stallSeconds: try environment.mediaStallSeconds,
            niceness: priority.niceness,
            idleScheduling: priority.idle,
            // As many warm as the stage budget lets work at once.
            maxIdleChildren: max(2, try environment.stageBudget),
            sandbox: try environment.mediaSandbox
        )
        let waitSeconds = waitForDatabase ? try environment.databaseWaitSeconds : nil
        let runtime = Runtime(
            environment: environment,
            logger: logger,
            pool: PostgresPool(configuration: poolConfiguration, logger: logger),
            workers: MediaWorkerClient(configuration: workersConfiguration, logger: logger)
        )
        if let waitSeconds { try await runtime.closingPoolOnFailure { try await runtime.waitForDatabase(seconds: waitSeconds) } }
        return runtime
    }

    /// Runs a command's `body`, then closes the pool and waits for its threads to end, whether `body` threw or
    /// not. A command must not return with a pool thread still running: the process's exit handlers (OpenSSL's
    /// clean-up, which libpq loads) tear down the locks that such a thread takes as it ends (`submit` once
    /// crashed so, in `pthread_rwlock_rdlock` on a pool thread, after its request was filed).
    func closingPool<T>(_ body: () async throws -> T) async throws -> T {
        let value = try await closingPoolOnFailure(body)
        await pool.close()
        return value
    }

    /// Runs `body`; if it throws, closes the pool and waits for its threads before the error goes on.
    func closingPoolOnFailure<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            await pool.close()
            throw error
        }
    }

    /// Retries the first connection with backoff, logging each failure, until `seconds` have passed.
    func waitForDatabase(seconds: Int) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(seconds)
        var backoff = Backoff(base: 0.5, cap: 10)
        while true {
            do {
                _ = try await pool.withConnection { try $0.query("SELECT 1") }
                return
            } catch let error as PostgresError where error.isConnectionProblem {
                if clock.now >= deadline {
                    throw ConfigurationError("the database at DATABASE_URL did not answer within \(seconds) s: \(error.message)")
                }
                let wait = backoff.next()
                logger.warning(
                    "database not reachable yet; retrying",
                    metadata: [
                        "error": "\(error.message)", "retry_in_s": "\(String(format: "%.1f", wait))",
                    ]
                )
                try await Task.sleep(for: .seconds(wait))
            }
        }
    }

    func queue() throws -> JobQueue {
        let lease = Double(try environment.jobLeaseSeconds)
        let lostLeaseLimit = try environment.jobLostLeaseLimit
        return JobQueue(pool: pool, configuration: .init { ($0.leaseSeconds, $0.lostLeaseLimit) = (lease, lostLeaseLimit) })
    }

    /// The blob store: the object store when `BLOB_STORE_URL` names one (checked: a missing bucket or refused
    /// credentials stop the command with that reason), else the local folder `STORAGE_DIR`.
    func blobStore() async throws -> any BlobStore {
        guard let configuration = try environment.objectStore else {
            return try LocalBlobStore(root: try environment.storageDirectory)
        }
        let client = S3Client(configuration: configuration, logger: logger)
        do {
            try await client.checkBucket()
        } catch {
            throw ConfigurationError("the object store cannot be used: \(error)")
        }
        let scratch = try environment.scratch
        return S3BlobStore(client: client, scratch: try ScratchCache(directory: scratch.directory, maxBytes: scratch.maxBytes))
    }

    /// The intake for post requests, with the configured attachment limit.
    func postRequestIntake(blobs: any BlobStore, queue: JobQueue) throws -> PostRequestIntake {
        PostRequestIntake(
            pool: pool,
            blobs: blobs,
            queue: queue,
            logger: logger,
            maxAttachmentBytes: Int64(try environment.maxAttachmentBytes)
        )
    }

    /// Email intake over IMAP, or nil when `IMAP_URL` is not set.
    func mailIntake(blobs: any BlobStore, queue: JobQueue, needsMailbox: Bool = true) throws -> (intake: MailIntake, settings: EmailIntakeSettings)? {
        guard let settings = try environment.emailIntake else { return nil }
        let client: IMAPClient?
        do {
            client =
                needsMailbox
                ? try IMAPClient(
                    .init(url: settings.url, user: settings.user, password: settings.password) {
                        $0.operationTimeoutSeconds = 300
                        $0.caInfoPath = settings.caFile
                    }
                )
                : nil
        } catch {
            throw ConfigurationError("IMAP_URL: \(error)")
        }
        let mailbox = client?.defaultMailbox ?? "INBOX"
        let intake = MailIntake(
            configuration: .init(
                intakeDomain: settings.domain,
                mailbox: mailbox,
                ingestedFolder: settings.ingestedFolder,
                refusedFolder: settings.refusedFolder,
                maxAttachmentBytes: try environment.maxAttachmentBytes
            ),
            client: client,
            pool: pool,
            blobs: blobs,
            intake: try postRequestIntake(blobs: blobs, queue: queue),
            isolatedParser: IsolatedMIMEParser(workers: mailWorkers),
            logger: logger
        )
        return (intake, settings)
    }

    func mediaWorker() throws -> MediaWorkerClient { workers }

    /// The post-request pipeline from `PIPELINES_DIR`, checked as `serve` checks it.
    func postRequestRunner(queue: JobQueue, blobs: (any BlobStore)? = nil) async throws -> PipelineRunner {
        let store: any BlobStore
        if let blobs { store = blobs } else { store = try await blobStore() }
        return try PipelineFactory.loadPostRequestRunner(
            directory: try environment.pipelinesDirectory,
            pool: pool,
            blobs: store,
            queue: queue,
            mediaWorker: workers,
            transcriber: try environment.httpTranscription.map { HTTPTranscriber(configuration: $0, worker: workers) },
            llmRouter: try llmRouter(),
            budget: StageBudget(permits: try environment.stageBudget)
        )
    }

    /// The publishing backends this daemon has, with the flows of `PIPELINES_DIR/publish`: the MCP channel when
    /// `MCP_SERVER_URL` is set, the device channel when `DEVICE_HUB_URL` is.
    func publishChannels() throws -> [any PublishChannel] {
        let directory = try environment.pipelinesDirectory.appending(path: "publish")
        var channels: [any PublishChannel] = []
        if let server = try environment.mcpServer {
            channels.append(MCPChannel(endpoint: server.url, apiKey: server.key, flows: try PublishFlow.load(from: directory)))
        }
        if let hub = try DeviceHubConfiguration.fromEnvironment(environment.values) {
            channels.append(DeviceChannel(configuration: hub, flows: try DeviceFlow.load(from: directory)))
        }
        return channels
    }

    /// The LLM router's client, or nil when `LLM_ROUTER_URL` is unset.
    func llmRouter() throws -> LLMRouterClient? {
        try environment.llmRouter.map { LLMRouterClient(configuration: $0, logger: logger) }
    }

    /// Children for email parsing, apart from the media ones and at the daemon's own priority: parsing a
    /// message takes milliseconds and intake waits for it, so it must not queue behind batch media work
    /// (OCR, composition) that runs at `MEDIA_NICENESS`. As many are kept warm as intake parses at once: a child
    /// that exits after one message costs the next its start (about 0.1 s of CPU loading 195 libraries).
    var mailWorkers: MediaWorkerClient {
        MediaWorkerClient(
            configuration: .init(
                executable: workers.configuration.executable,
                stallSeconds: workers.configuration.stallSeconds,
                niceness: 0,
                maxIdleChildren: MailIntake.readAhead,
                sandbox: workers.configuration.sandbox
            ),
            logger: logger
        )
    }
}

/// Bootstraps swift-log once per process, to standard error.
enum LoggingBootstrap {
    nonisolated(unsafe) private static var done = false
    private static let lock = NSLock()

    static func once(level: Logger.Level) {
        lock.lock()
        defer { lock.unlock() }
        guard !done else { return }
        done = true
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
