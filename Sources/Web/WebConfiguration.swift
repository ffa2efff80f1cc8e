public import Store
public import Telemetry

/// Settings of the HTTP server.
public struct WebConfiguration: Sendable {
    /// Address to bind (`HTTP_HOST`). Default 127.0.0.1.
    public var host: String
    /// Port to bind (`HTTP_PORT`). Default 8080.
    public var port: Int
    /// The platform-wide operator key (`OPS_TOKEN`): every tenant, every action, accepted as a bearer token or from the
    /// login form; every use is logged. Tenant operators sign in with session tokens instead (`jwtSecret`).
    public var opsToken: String
    /// The HS256 secret of talent and tenant-operator sessions (`JWT_SECRET`); nil turns the `/me` portal and
    /// operator session tokens off.
    public var jwtSecret: String?
    /// What the portal accepts per upload.
    public var uploadLimits: UploadLimits
    /// What `GET /metrics` shows; nil leaves the route out.
    public var metrics: MetricsExporter?
    /// Queues stage reruns for `/ops` and `/api`; nil leaves them out.
    public var reruns: (any StageRerunning)?
    /// Revives dead jobs with their handlers (the pipeline's reopens its request).
    public var jobs: (any JobReviving)?
    /// Moderates captions edited in the portal before they are saved; nil saves them unmoderated (tests).
    public var captions: (any CaptionModerating)?
    /// Dependencies `/healthz` shows the state of, besides the database.
    public var health: [any HealthReporting]
    /// How fast sign-in attempts, portal uploads and API calls may come (defaults in `RateLimits`).
    public var rateLimits: RateLimits
    /// How slow a client may be in sending its request (defaults in `SlowClients`).
    public var slowClients: SlowClients

    public init(
        host: String = "127.0.0.1",
        port: Int = 8080,
        opsToken: String,
        jwtSecret: String? = nil,
        uploadLimits: UploadLimits = .init(),
        metrics: MetricsExporter? = nil,
        reruns: (any StageRerunning)? = nil,
        jobs: (any JobReviving)? = nil,
        captions: (any CaptionModerating)? = nil,
        health: [any HealthReporting] = [],
        rateLimits: RateLimits = .init(),
        slowClients: SlowClients = .init()
    ) {
        self.rateLimits = rateLimits
        self.slowClients = slowClients
        self.health = health
        self.captions = captions
        self.jobs = jobs
        self.reruns = reruns
        self.metrics = metrics
        self.host = host
        self.port = port
        self.opsToken = opsToken
        self.jwtSecret = jwtSecret
        self.uploadLimits = uploadLimits
    }
}
