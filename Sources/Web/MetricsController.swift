import Hummingbird
import Telemetry

/// `GET /metrics`: Prometheus's text format, for operators' scrapers. It tells how much work each tenant
/// has, so it needs the operators' token (`Authorization: Bearer …`, Prometheus's `authorization` setting);
/// without it the answer is 401, never a redirect to the login form. The metrics cover every tenant, so a tenant
/// operator's session token is not enough: only the platform key `OPS_TOKEN`, whose every use is logged.
struct MetricsController<Context: OperatorRequestContext>: Sendable {
    let exporter: MetricsExporter
    /// Checks the platform key.
    let authenticator: OperatorAuthenticator

    func addRoutes(to router: Router<Context>) {
        router.get("/metrics") { request, context -> Response in
            guard let source = authenticator.platformKeySource(request) else {
                throw HTTPError(.unauthorized, headers: [.wwwAuthenticate: "Bearer"], message: "the platform operator token is required")
            }
            OpsAuthMiddleware<Context>.logPlatformKey(request, context: context, source: source.rawValue)
            let text = await exporter.render()
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: .init(string: text))
            )
        }
    }
}
