import Foundation
import LLMRouterFake
import TestSupport
import Testing

/// The fake against the official `anthropic` Python SDK (`scripts/check-fake-llm-router.py`): if a field the SDK
/// needs is missing or misshapen, the SDK (or the strict validation against its types) raises and this fails.
/// `scripts/test` installs the SDK into its venv and sets `DRSOCIAL_PYTHON`.
@Suite(.enabled(if: TestEnvironment.available(ProcessInfo.processInfo.environment["DRSOCIAL_PYTHON"] != nil)))
struct AnthropicSDKTests {
    static let toolInput =
        ##"{"caption":"Morning run by the river","hashtags":["#run","#river"],"schedule":{"platform":"instagram","draft":true},"takes":2}"##
    static let streamedText = "Streaming works when every piece arrives in order, one event at a time."

    /// What the fake answers to each scenario of the checker (its user message is `scenario:NAME`).
    static let replies: [String: FakeLLMRouter.Reply] = [
        "buffered_text": .message(.text("Morning run by the river.", inputTokens: 21, outputTokens: 7)),
        "buffered_tool": .message(.tool(name: "draft_post", inputJSON: toolInput, id: "toolu_01FakeDraft", inputTokens: 40, outputTokens: 18)),
        "stream_text": .message(.text(streamedText, model: "claude-haiku-4-5-fake", inputTokens: 30, outputTokens: 15)),
        "stream_tool": .message(
            .tool(
                name: "draft_post",
                inputJSON: toolInput,
                id: "toolu_01FakeStream",
                text: "Drafting the post now.",
                inputTokens: 44,
                outputTokens: 20
            )
        ),
        "rate_limit": .error(status: 429, type: "rate_limit_error", message: "Number of requests has exceeded your rate limit", retryAfter: 7),
        "overloaded": .error(status: 529, type: "overloaded_error", message: "Overloaded"),
        "stream_error": .streamError(afterEvents: 5, type: "overloaded_error", message: "Overloaded mid-stream"),
        "timeout": .delayed(seconds: 30, .message(.text("too late"))),
        "bearer": .message(.text("bearer ok")),
    ]

    @Test
    func theOfficialSDKReadsEveryAnswer() async throws {
        let python = try #require(
            ProcessInfo.processInfo.environment["DRSOCIAL_PYTHON"],
            "DRSOCIAL_PYTHON is not set: run the tests through scripts/test"
        )
        let router = try await FakeLLMRouter.start(apiKey: "sdk-check-key")
        router.setDefault { request in
            let content = ((request.json?["messages"] as? [[String: Any]])?.first?["content"] as? String) ?? ""
            return Self.replies[String(content.dropFirst("scenario:".count))]
                ?? .error(status: 400, type: "invalid_request_error", message: "no scenario in \(content)")
        }
        // The SDK reads ANTHROPIC_* variables and proxies from the environment; the child gets neither.
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("ANTHROPIC_") }
        environment["NO_PROXY"] = "127.0.0.1,localhost"
        environment["no_proxy"] = "127.0.0.1,localhost"
        let script = TestEnvironment.repositoryRoot.appending(path: "scripts/check-fake-llm-router.py").path
        let run = try await ScriptRun.run(python, [script, router.baseURL, "sdk-check-key"], environment: environment)
        await router.stop()

        var results: [String: [String: Any]] = [:]
        for line in run.output.split(separator: "\n") {
            let result = try #require((try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any], "\(line)")
            results[result["scenario"] as? String ?? ""] = result
        }
        #expect(run.status == 0, "\(run.output)\n\(run.errors)")
        let scenarios = [
            "buffered_text", "buffered_tool", "stream_text", "stream_tool", "models", "rate_limit", "overloaded", "stream_error", "timeout",
            "wrong_key", "bearer",
        ]
        for scenario in scenarios {
            #expect(results[scenario]?["ok"] as? Bool == true, "\(scenario): \(results[scenario]?["error"] ?? run.errors)")
        }

        let text = results["buffered_text"] ?? [:]
        #expect((text["id"] as? String)?.hasPrefix("msg_") == true)
        #expect(text["type"] as? String == "message" && text["role"] as? String == "assistant")
        #expect(text["model"] as? String == "claude-sonnet-4-5-fake")
        #expect(text["text"] as? String == "Morning run by the river.")
        #expect(text["stop_reason"] as? String == "end_turn" && text["stop_sequence"] is NSNull)
        #expect(text["input_tokens"] as? Int == 21 && text["output_tokens"] as? Int == 7)

        let tool = results["buffered_tool"] ?? [:]
        #expect(tool["id"] as? String == "toolu_01FakeDraft" && tool["name"] as? String == "draft_post")
        #expect(Self.same(tool["input"], Self.toolInput))
        #expect(tool["stop_reason"] as? String == "tool_use")
        #expect(tool["input_tokens"] as? Int == 40 && tool["output_tokens"] as? Int == 18)

        let streamText = results["stream_text"] ?? [:]
        let deltas = streamText["deltas"] as? [String] ?? []
        #expect(deltas.count > 1, "the text arrived in \(deltas.count) piece(s)")
        #expect(deltas.joined() == Self.streamedText && streamText["text"] as? String == Self.streamedText)
        #expect(streamText["stop_reason"] as? String == "end_turn" && streamText["model"] as? String == "claude-haiku-4-5-fake")
        #expect(streamText["input_tokens"] as? Int == 30 && streamText["output_tokens"] as? Int == 15)
        let events = streamText["events"] as? [String] ?? []
        #expect(events.first == "message_start" && events.last == "message_stop")
        #expect(Array(events.suffix(3)) == ["content_block_stop", "message_delta", "message_stop"], "\(events)")

        let streamTool = results["stream_tool"] ?? [:]
        #expect(streamTool["text"] as? String == "Drafting the post now.")
        #expect((streamTool["partials"] as? [String] ?? []).count > 1)
        #expect((streamTool["partials"] as? [String] ?? []).joined() == Self.toolInput)
        #expect(Self.same(streamTool["input"], Self.toolInput))
        #expect(streamTool["id"] as? String == "toolu_01FakeStream" && streamTool["stop_reason"] as? String == "tool_use")
        #expect(streamTool["output_tokens"] as? Int == 20)

        let models = results["models"] ?? [:]
        #expect(models["ids"] as? [String] == ["claude-sonnet-4-5-fake", "claude-haiku-4-5-fake", "claude-opus-4-1-fake"])
        #expect(models["has_more"] as? Bool == false)
        #expect(models["first_id"] as? String == "claude-sonnet-4-5-fake" && models["last_id"] as? String == "claude-opus-4-1-fake")
        #expect((models["created_at"] as? [String])?.first == "2025-01-01T00:00:00+00:00")

        let rateLimit = results["rate_limit"] ?? [:]
        #expect(rateLimit["class"] as? String == "RateLimitError" && rateLimit["status"] as? Int == 429)
        #expect(rateLimit["type"] as? String == "rate_limit_error" && rateLimit["retry_after"] as? String == "7")
        #expect(rateLimit["message"] as? String == "Number of requests has exceeded your rate limit")

        let overloaded = results["overloaded"] ?? [:]
        #expect(overloaded["status"] as? Int == 529 && overloaded["type"] as? String == "overloaded_error")
        #expect(overloaded["is_internal_server_error"] as? Bool == true, "\(overloaded)")

        let streamError = results["stream_error"] ?? [:]
        #expect(streamError["type"] as? String == "overloaded_error" && streamError["message"] as? String == "Overloaded mid-stream")
        let before = streamError["deltas"] as? [String] ?? []
        #expect(before.count == 2, "\(before)")
        #expect(!before.joined().isEmpty && "This answer is cut short by an error in the middle of the stream.".hasPrefix(before.joined()))

        #expect(results["timeout"]?["class"] as? String == "APITimeoutError")
        #expect(results["wrong_key"]?["status"] as? Int == 401 && results["wrong_key"]?["type"] as? String == "authentication_error")
        #expect(results["bearer"]?["text"] as? String == "bearer ok")

        // What the SDK sent.
        let posts = router.requests.filter { $0.method == "POST" && $0.path == "/v1/messages" }
        #expect(posts.count == 10, "\(posts.map(\.path))")
        #expect(posts.allSatisfy { ($0.headers["anthropic-version"] ?? "").isEmpty == false })
        // Older SDKs send the key as `x-api-key`, newer ones (2.17) as `Authorization: Bearer`; the fake takes both.
        let keys = posts.map { $0.headers["x-api-key"] ?? $0.headers["authorization"].map { String($0.dropFirst("Bearer ".count)) } ?? "" }
        #expect(keys.filter { $0 == "sdk-check-key" }.count == 9 && keys.filter { $0 == "wrong-key" }.count == 1, "\(keys)")
        let streamedScenarios = posts.filter { $0.json?["stream"] as? Bool == true }.compactMap {
            (($0.json?["messages"] as? [[String: Any]])?.first?["content"] as? String)
        }
        #expect(Set(streamedScenarios) == ["scenario:stream_text", "scenario:stream_tool", "scenario:stream_error"])
        #expect(router.requests.contains { $0.method == "GET" && $0.path == "/v1/models" })
    }

    /// Whether a JSON value the checker printed equals the JSON text the test scripted.
    static func same(_ value: Any?, _ json: String) -> Bool {
        guard let value, let expected = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? NSDictionary else { return false }
        return (value as? NSDictionary) == expected
    }
}
