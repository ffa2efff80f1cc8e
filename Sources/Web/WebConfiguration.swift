public import Store
public import Telemetry

/// Settings of the HTTP server.
public struct WebConfiguration: Sendable {
    /// Address to bind (`HTTP_HOST`).
    public var host = "127.0.0.1"
    /// Port to bind (`HTTP_PORT`).
    public var port = 8080
    /// The platform-wide operator key (`OPS_TOKEN`): every tenant, every action, accepted as a bearer token or from the
    /// login form; every use is logged. Tenant operators sign in with session tokens instead (`jwtSecret`).
    public var opsToken: String
    /// The HS256 secret of talent and tenant-operator sessions (`JWT_SECRET`); nil turns the `/me` portal and
    /// operator session tokens off.
    public var jwtSecret: String?
    /// What the portal accepts per upload.
    public var uploadLimits = UploadLimits()
    /// What `GET /metrics` shows; nil leaves the route out.
    public var metrics: MetricsExporter?
    /// Queues stage reruns for `/ops` and `/api`; nil leaves them out.
    public var reruns: (any StageRerunning)?
    /// Revives dead jobs with their handlers (the pipeline's reopens its request).
    public var jobs: (any JobReviving)?
    /// Moderates captions edited in the portal before they are saved; nil saves them unmoderated (tests).
    public var captions: (any CaptionModerating)?
    /// Dependencies `/healthz` shows the state of, besides the database.
    public var health: [any HealthReporting] = []
    /// How fast sign-in attempts, portal uploads and API calls may come (defaults in `RateLimits`).
    public var rateLimits = RateLimits()
    /// How slow a client may be in sending its request (defaults in `SlowClients`).
    public var slowClients = SlowClients()

    /// The operator key with the defaults above, changed by `adjust`: `.init(opsToken: token) { $0.port = 0 }`.
    public init(opsToken: String, _ adjust: (inout Self) -> Void = { _ in }) {
        self.opsToken = opsToken
        adjust(&self)
    }
}
