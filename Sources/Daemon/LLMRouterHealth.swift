import Foundation
import LLMRouter
import NIOConcurrencyHelpers
import Store

/// The LLM router's `/health`, for `/healthz`: asked at most every 10 s however often `/healthz` is polled.
final class LLMRouterHealth: HealthReporting {
    let name = "llm_router"
    private let client: LLMRouterClient
    private let cached = NIOLockedValueBox<(at: ContinuousClock.Instant, status: String)?>(nil)

    init(client: LLMRouterClient) {
        self.client = client
    }

    func status() async -> String {
        if let last = cached.withLockedValue({ $0 }), ContinuousClock.now - last.at < .seconds(10) { return last.status }
        let status: String
        do {
            try await client.health()
            status = "ok"
        } catch {
            status = "unreachable: \(error)"
        }
        cached.withLockedValue { $0 = (ContinuousClock.now, status) }
        return status
    }
}
