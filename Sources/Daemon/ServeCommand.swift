import ArgumentParser
import Foundation
import Hummingbird
import Intake
import Isolation
import LLMRouter
import Logging
import Pipeline
import S3
import ServiceLifecycle
import Speech
import Store
import Telemetry
import TextRecognition
import UnixSignals
import Web
import Workers

/// `serve`: migrations, then the job workers and the HTTP server, under one `ServiceGroup`.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the daemon.")

    @Flag(help: "Do not apply pending migrations at start.")
    var skipMigrations = false

    func run() async throws {
        let runtime = try await Runtime.start(label: "drsocial.serve")
        // A start that fails (a bad setting, a pipeline file with an error) closes the pool before the error
        // ends the process; once the group runs, `PoolService` closes it last.
        let group = try await runtime.closingPoolOnFailure { try await serviceGroup(runtime) }
        try await group.run()
    }

    /// Everything `serve` runs, checked and built: the pool's service, the job workers, the mail poller and
    /// the HTTP server, started in that order and stopped in reverse.
    private func serviceGroup(_ runtime: Runtime) async throws -> ServiceGroup {
        MetricsExporter.bootstrap()
        let environment = runtime.environment
        let opsToken = try environment.opsToken
        let host = environment.httpHost
        let port = try environment.httpPort
        let workers = try environment.workers
        let queue = try runtime.queue()
        let blobs = try await runtime.blobStore()
        if let objectStore = blobs as? S3BlobStore {
            // Uploads a daemon that died mid-write left behind; failing to sweep is not a reason to stop.
            let logger = runtime.logger
            Task {
                do {
                    let swept = try await objectStore.sweepIncompleteUploads()
                    if swept > 0 { logger.notice("aborted incomplete uploads older than a day", metadata: ["count": "\(swept)"]) }
                } catch {
                    logger.warning("could not sweep incomplete uploads", metadata: ["error": "\(error)"])
                }
            }
        }
        if !skipMigrations { try await Migrator(pool: runtime.pool, logger: runtime.logger).migrate() }
        // Pipelines are validated before anything starts: a bad file stops the daemon with its name and line.
        let runner = try await runtime.postRequestRunner(queue: queue, blobs: blobs)
        let logger = runtime.logger
        let router = try runtime.llmRouter()
        if let router { await router.checkAtStart() }
        warmUpMediaChildren(runtime.workers, count: try environment.mediaWarmChildren, logger: logger)
        let rerunner = PipelineRerunner(pool: runtime.pool, pipeline: runner.pipeline)
        let handlers: [any JobHandler] = [
            PostRequestPipelineHandler(kind: PostRequestIntakeKinds.pipeline, runner: runner, pool: runtime.pool),
            VariantRegenerationHandler(rerunner: rerunner),
            PublishHandler(pool: runtime.pool, queue: queue, blobs: blobs, channels: try runtime.publishChannels()),
        ]
        let workerService = JobWorkerService(queue: queue, handlers: handlers, configuration: .init(workers: workers), logger: logger)
        var configuration = WebConfiguration(opsToken: opsToken)
        configuration.host = host
        configuration.port = port
        configuration.jwtSecret = try environment.jwtSecret
        let maxFileBytes = Int64(try environment.maxAttachmentBytes)
        configuration.uploadLimits.maxFileBytes = maxFileBytes
        // One request may carry at least one file of the largest size, plus its form fields.
        configuration.uploadLimits.maxRequestBytes = max(1 << 30, maxFileBytes + (16 << 20))
        configuration.metrics = MetricsExporter(pool: runtime.pool, jobKinds: workerService.kinds)
        configuration.reruns = rerunner
        configuration.jobs = JobReviver(queue: queue, handlers: handlers)
        configuration.captions = CaptionModerator(pool: runtime.pool, client: router)
        configuration.health = router.map { [LLMRouterHealth(client: $0)] } ?? []
        configuration.rateLimits = try environment.rateLimits
        configuration.slowClients = try environment.slowClients
        let app = try await buildApplication(
            pool: runtime.pool,
            configuration: configuration,
            blobs: blobs,
            logger: logger,
            onServerRunning: { port in
                logger.notice("listening", metadata: ["url": "http://\(host):\(port)/ops/runs"])
            }
        )
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: PoolService(pool: runtime.pool)),
            .init(service: workerService),
        ]
        if let mail = try runtime.mailIntake(blobs: blobs, queue: queue) {
            services.append(
                .init(
                    service: MailPollerService(
                        intake: mail.intake,
                        pool: runtime.pool,
                        interval: .seconds(mail.settings.pollSeconds),
                        logger: logger
                    )
                )
            )
        } else {
            logger.notice("email intake is off: IMAP_URL is not set")
        }
        services.append(.init(service: app))
        // Started in this order, stopped in reverse: HTTP stops first, then the poller, then workers finish or
        // release their jobs, then the pool closes.
        return ServiceGroup(
            configuration: .init(
                services: services,
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
    }
}

extension ServeCommand {
    /// Starts `count` media children with pocketsphinx and Tesseract loaded, in the background: the first
    /// request's transcription and OCR then cost what later ones do. Failing to is logged, not fatal (the
    /// tasks load their engines themselves).
    func warmUpMediaChildren(_ workers: IsolatedWorkers, count: Int, logger: Logger) {
        guard count > 0 else { return }
        Task {
            do {
                let warmed = try await workers.warmUp([TranscribeTask.self, ReadTextTask.self], children: count)
                logger.debug("media children warmed up", metadata: ["children": "\(warmed)"])
            } catch {
                logger.warning("media children could not warm up", metadata: ["error": "\(error)"])
            }
        }
    }
}

/// Closes the pool when the group shuts down, after every service that uses it.
struct PoolService: Service {
    let pool: PostgresPool
    func run() async throws {
        try? await gracefulShutdown()
        await pool.close()
    }
}
