public import Blobs
import Foundation
public import Hummingbird
import Intake
public import Logging
public import Store

/// Builds the router: health, operator pages and API, static files.
public func buildRouter(
    pool: PostgresPool,
    configuration: WebConfiguration,
    blobs: (any BlobStore)? = nil
) async throws -> Router<BasicRequestContext> {
    let templates = try await Templates.load()
    let router = Router(context: BasicRequestContext.self)
    router.add(middleware: RequestLogMiddleware())
    // Request counts and durations by route, through swift-metrics (a no-op until the daemon bootstraps it).
    router.add(middleware: MetricsMiddleware())
    router.add(middleware: SecurityHeadersMiddleware())
    HealthController(pool: pool, reporters: configuration.health).addRoutes(to: router)
    if let metrics = configuration.metrics {
        MetricsController<BasicRequestContext>(exporter: metrics, opsToken: configuration.opsToken).addRoutes(to: router)
    }
    OpsController<BasicRequestContext>(
        pool: pool,
        blobs: blobs,
        templates: templates,
        opsToken: configuration.opsToken,
        reruns: configuration.reruns,
        jobs: configuration.jobs
    ).addRoutes(to: router)
    MailController<BasicRequestContext>(pool: pool, blobs: blobs, templates: templates, opsToken: configuration.opsToken)
        .addRoutes(to: router)
    PublishController<BasicRequestContext>(pool: pool, blobs: blobs, templates: templates, opsToken: configuration.opsToken)
        .addRoutes(to: router)
    if let secret = configuration.jwtSecret, let blobs {
        PortalController<BasicRequestContext>(
            pool: pool,
            blobs: blobs,
            templates: templates,
            tokens: try await SessionTokens.make(secret: secret),
            limits: configuration.uploadLimits,
            queue: JobQueue(pool: pool),
            intake: PostRequestIntake(
                pool: pool,
                blobs: blobs,
                queue: JobQueue(pool: pool),
                logger: Logger(label: "drsocial.portal"),
                maxAttachmentBytes: configuration.uploadLimits.maxFileBytes
            ),
            captions: configuration.captions
        ).addRoutes(to: router)
    }
    StaticFilesController<BasicRequestContext>().addRoutes(to: router)
    return router
}

/// Builds the HTTP application; run it as one service of the daemon's `ServiceGroup`.
public func buildApplication(
    pool: PostgresPool,
    configuration: WebConfiguration,
    blobs: (any BlobStore)? = nil,
    logger: Logger,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) async throws -> some ApplicationProtocol {
    let router = try await buildRouter(pool: pool, configuration: configuration, blobs: blobs)
    return Application(
        router: router,
        server: .http1(configuration: .init(additionalChannelHandlers: [ExpectContinueHandler()])),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "drsocial-intake"),
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
        logger: logger
    )
}
