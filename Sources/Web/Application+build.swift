public import Blobs
import Foundation
public import Hummingbird
import Intake
public import Logging
public import Store

/// Builds the router: health, operator pages and API (the platform key or a tenant operator's session), the talent
/// portal, static files.
public func buildRouter(
    pool: PostgresPool,
    configuration: WebConfiguration,
    blobs: (any BlobStore)? = nil
) async throws -> Router<WebRequestContext> {
    let templates = try await Templates.load()
    let router = Router(context: WebRequestContext.self)
    // Talents' and tenant operators' session tokens; without JWT_SECRET only OPS_TOKEN opens /ops and /api.
    var sessions: SessionTokens?
    if let secret = configuration.jwtSecret { sessions = try await SessionTokens.make(secret: secret) }
    let operators = OperatorAuthenticator(opsToken: configuration.opsToken, sessions: sessions, pool: pool)
    router.add(middleware: LogRequestsMiddleware(.debug))
    // Request counts and durations by route, through swift-metrics (a no-op until the daemon bootstraps it).
    router.add(middleware: MetricsMiddleware())
    router.add(middleware: SecurityHeadersMiddleware())
    HealthController(pool: pool, reporters: configuration.health).addRoutes(to: router)
    if let metrics = configuration.metrics {
        MetricsController<WebRequestContext>(exporter: metrics, authenticator: operators).addRoutes(to: router)
    }
    OpsController<WebRequestContext>(
        pool: pool,
        blobs: blobs,
        templates: templates,
        authenticator: operators,
        reruns: configuration.reruns,
        jobs: configuration.jobs
    ).addRoutes(to: router)
    MailController<WebRequestContext>(pool: pool, blobs: blobs, templates: templates, authenticator: operators)
        .addRoutes(to: router)
    PublishController<WebRequestContext>(pool: pool, blobs: blobs, templates: templates, authenticator: operators)
        .addRoutes(to: router)
    if let sessions, let blobs {
        PortalController<WebRequestContext>(
            pool: pool,
            blobs: blobs,
            templates: templates,
            tokens: sessions,
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
    StaticFilesController<WebRequestContext>().addRoutes(to: router)
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
