import Hummingbird
import Store

/// `GET /healthz`: 200 when the database answers, 503 when it does not.
struct HealthController<Context: RequestContext>: Sendable {
    let pool: PostgresPool

    func addRoutes(to router: Router<Context>) {
        router.get("/healthz") { _, _ -> Response in
            do {
                _ = try await pool.withConnection { try $0.query("SELECT 1") }
                return Response(
                    status: .ok,
                    headers: [.contentType: "application/json"],
                    body: .init(byteBuffer: .init(string: #"{"status":"ok","database":"ok"}"#))
                )
            } catch {
                return Response(
                    status: .serviceUnavailable,
                    headers: [.contentType: "application/json"],
                    body: .init(byteBuffer: .init(string: #"{"status":"degraded","database":"unreachable"}"#))
                )
            }
        }
    }
}
