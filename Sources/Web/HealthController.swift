import Foundation
import Hummingbird
import Store

/// `GET /healthz`: 200 when the database answers, 503 when it does not, with the state of the other
/// dependencies (the LLM router) shown beside it.
struct HealthController<Context: RequestContext>: Sendable {
    let pool: PostgresPool
    let reporters: [any HealthReporting]

    func addRoutes(to router: Router<Context>) {
        router.get("/healthz") { _, _ -> Response in
            var body: [String: String] = [:]
            let databaseUp: Bool
            do {
                _ = try await pool.withConnection { try $0.query("SELECT 1") }
                databaseUp = true
            } catch {
                databaseUp = false
            }
            body["status"] = databaseUp ? "ok" : "degraded"
            body["database"] = databaseUp ? "ok" : "unreachable"
            for reporter in reporters { body[reporter.name] = await reporter.status() }
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            return Response(
                status: databaseUp ? .ok : .serviceUnavailable,
                headers: [.contentType: "application/json"],
                body: .init(byteBuffer: .init(string: String(decoding: (try? encoder.encode(body)) ?? Data(), as: UTF8.self)))
            )
        }
    }
}
