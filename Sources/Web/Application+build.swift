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
    router.add(middleware: RequestLogMiddleware())
    // Request counts and durations by route, through swift-metrics (a no-op until the daemon bootstraps it).
    router.add(middleware: MetricsMiddleware())
    router.add(middleware: SecurityHeadersMiddleware())
    // After the headers middleware, so a 429 carries them too; before every route.
    let limits = configuration.rateLimits
    router.add(
        middleware: RateLimitMiddleware(
            signIn: limits.signIn.map { RateLimiter($0) },
            api: limits.api.map { RateLimiter($0) },
            authenticator: operators,
            logger: Logger(label: "drsocial.web")
        )
    )
    HealthController(pool: pool, reporters: configuration.health).addRoutes(to: router)
    if let metrics = configuration.metrics {
        MetricsController<WebRequestContext>(exporter: metrics, authenticator: operators).addRoutes(to: router)
    }
    let operatorPages = OperatorPages(pool: pool, blobs: blobs, templates: templates, authenticator: operators)
    OpsController<WebRequestContext>(shared: operatorPages, reruns: configuration.reruns, jobs: configuration.jobs).addRoutes(to: router)
    MailController<WebRequestContext>(shared: operatorPages).addRoutes(to: router)
    PublishController<WebRequestContext>(shared: operatorPages).addRoutes(to: router)
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
            captions: configuration.captions,
            uploadRate: limits.uploads.map { RateLimiter($0) },
            logger: Logger(label: "drsocial.portal")
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
    return httpApplication(
        router: router,
        host: configuration.host,
        port: configuration.port,
        slowClients: configuration.slowClients,
        logger: logger,
        onServerRunning: onServerRunning
    )
}

/// The daemon's HTTP/1.1 server over `router`: `Expect: 100-continue` answered at once, slow clients closed
/// (`SlowClientHandler`).
/// - Parameters:
///   - router: The routes.
///   - host: Address to bind.
///   - port: Port to bind (0 for any free one).
///   - slowClients: How slow a client may be in sending its request.
///   - logger: The server's logger; closed slow connections are logged at debug.
///   - onServerRunning: Called with the bound port once listening.
public func httpApplication<Context: RequestContext>(
    router: Router<Context>,
    host: String,
    port: Int,
    slowClients: WebConfiguration.SlowClients,
    logger: Logger,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) -> some ApplicationProtocol where Context.Source == ApplicationRequestContextSource {
    Application(
        router: router,
        server: .http1(
            configuration: .init(
                additionalChannelHandlers: [ExpectContinueHandler(), SlowClientHandler(configuration: slowClients, logger: logger)]
            )
        ),
        configuration: .init(address: .hostname(host, port: port), serverName: "drsocial-intake"),
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
        logger: logger
    )
}
