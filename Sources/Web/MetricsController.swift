import Hummingbird
import Telemetry

/// `GET /metrics`: Prometheus's text format, for operators' scrapers. It tells how much work each tenant
/// has, so it needs the operators' token (`Authorization: Bearer …`, Prometheus's `authorization` setting);
/// without it the answer is 401, never a redirect to the login form.
struct MetricsController<Context: RequestContext>: Sendable {
    let exporter: MetricsExporter
    let opsToken: String

    func addRoutes(to router: Router<Context>) {
        router.get("/metrics") { request, _ -> Response in
            guard OpsAuthMiddleware<Context>.isAuthorised(request, token: opsToken) else {
                throw HTTPError(.unauthorized, headers: [.wwwAuthenticate: "Bearer"], message: "an operator token is required")
            }
            let text = await exporter.render()
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: .init(string: text))
            )
        }
    }
}
