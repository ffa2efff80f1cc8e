import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import LLMRouterFake
import Store
import TestSupport
import Testing

/// `serve` with `LLM_ROUTER_URL` set: it checks the router at start, shows it in `/healthz`, drafts and
/// moderates through it, and never shows the key.
@Suite(.enabled(if: TestEnvironment.available(TestEnvironment.hasDatabase && TestEnvironment.executable != nil)))
struct LLMRouterDaemonTests {
    @Test func aDaemonDraftsThroughTheRouterAndShowsItInHealthz() async throws {
        let key = "sk-daemon-\(UUID().uuidString)"
        let fake = try await FakeLLMRouter.start(apiKey: key)
        defer { Task { await fake.stop() } }
        fake.setDefault(FakeLLMRouter.compliantModel())
        let database = try await IsolatedDatabase.make("router")
        let fixture = try await TenantFixture.make(on: database.pool)
        let environment = [
            "DATABASE_URL": database.url, "STORAGE_DIR": try TestEnvironment.temporaryDirectory("router-storage").path,
            "OPS_TOKEN": "router-test-operator-token", "HTTP_PORT": "0", "WORKERS": "1", "LOG_LEVEL": "info",
            "PIPELINES_DIR": try TestEnvironment.pipelinesWithoutReels().path,
            "LLM_ROUTER_URL": fake.baseURL, "LLM_ROUTER_API_KEY": key, "LLM_ROUTER_AUTH": "bearer",
        ]
        let daemon = try DaemonProcess(arguments: ["serve"], environment: environment)
        defer { daemon.kill() }
        #expect(await daemon.waitForOutput(containing: "listening", within: 120), "\(daemon.output.suffix(2000))")
        let port = try #require(daemon.listeningPort)
        #expect(daemon.output.contains("LLM router reachable"), "checked at start")
        #expect(fake.requests.contains { $0.path == "/health" } && fake.requests.contains { $0.path == "/v1/models" })

        let (body, _) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/healthz")!)
        #expect(String(decoding: body, as: UTF8.self).contains(#""llm_router":"ok""#), "\(String(decoding: body, as: UTF8.self))")

        let submit = try DaemonProcess(
            arguments: ["submit", "--talent", fixture.slug, "--prompt", "Studio hours", "--platforms", "IG,LI"],
            environment: environment
        )
        #expect(await submit.waitForExit(within: 120) == 0, "\(submit.output)")
        func captions() async throws -> [String] {
            try await database.pool.withConnection { connection in
                try connection.query(
                    "SELECT c.caption FROM content_queue q JOIN content c ON c.id = q.content_id WHERE q.talent_id = $1 ORDER BY c.caption",
                    [fixture.talentID]
                ).rows.map { try $0.decode("caption") }
            }
        }
        let ending = try await ProgressWatch(processes: { [daemon.pid] }).wait(until: { try await captions().count == 2 }) {
            "\(fake.requests.count) \(try await captions().count)"
        }
        #expect(ending == .done, "\(ending)")
        #expect(try await captions() == ["Router caption for instagram", "Router caption for linkedin"])
        let posts = fake.requests.filter { $0.method == "POST" }
        #expect(posts.allSatisfy { $0.headers["authorization"] == "Bearer \(key)" })
        #expect(Set(posts.compactMap(FakeLLMRouter.toolName)) == ["submit_variants", "submit_verdicts"])
        #expect(!daemon.output.contains(key), "the key is never logged")
        // Calls, tokens and latency are exported.
        var scrape = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/metrics")!)
        scrape.setValue("Bearer router-test-operator-token", forHTTPHeaderField: "Authorization")
        let metrics = String(decoding: try await URLSession.shared.data(for: scrape).0, as: UTF8.self)
        #expect(metrics.contains(#"drsocial_llm_calls_total{purpose="draft""#), "\(metrics.prefix(3000))")
        #expect(metrics.contains(#"drsocial_llm_tokens_total{purpose="draft""#) && metrics.contains(#"direction="output""#))
        #expect(metrics.contains("drsocial_llm_call_duration_seconds_bucket"))
        #expect(await daemon.terminate(within: 60) == 0)
        await database.pool.close()
    }
}
