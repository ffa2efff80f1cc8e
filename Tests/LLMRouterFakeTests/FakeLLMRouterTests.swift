import Foundation
import LLMRouterFake
import TestSupport
import Testing

/// The fake's own behaviour: keys, the reply queue, recording, health, errors and Anthropic's stream framing.
struct FakeLLMRouterTests {
    static let key = ["x-api-key": "test-key"]
    static var ask: [String: Any] { ["model": "claude-haiku-4-5-fake", "max_tokens": 32, "messages": [["role": "user", "content": "hello"]]] }

    @Test
    func refusesEveryV1RouteWithoutTheKey() async throws {
        let router = try await FakeLLMRouter.start()
        router.enqueue(.message(.text("kept for the first authorised request")))
        let missing = try await LocalHTTP.send("POST", router.baseURL + "/v1/messages", json: Self.ask)
        #expect(missing.status == 401)
        #expect(missing.json["type"] as? String == "error")
        #expect((missing.json["error"] as? [String: Any])?["type"] as? String == "authentication_error")
        let wrong = try await LocalHTTP.send("GET", router.baseURL + "/v1/models", headers: ["x-api-key": "other"])
        #expect(wrong.status == 401)
        let openAI = try await LocalHTTP.send(
            "POST",
            router.baseURL + "/v1/chat/completions",
            headers: ["authorization": "Bearer other"],
            json: Self.ask
        )
        #expect(openAI.status == 401)
        #expect((openAI.json["error"] as? [String: Any])?["type"] as? String == "authentication_error")

        let bearer = try await LocalHTTP.send("POST", router.baseURL + "/v1/messages", headers: ["authorization": "Bearer test-key"], json: Self.ask)
        #expect(bearer.status == 200)
        #expect((bearer.json["content"] as? [[String: Any]])?.first?["text"] as? String == "kept for the first authorised request")
        #expect(router.requests.map(\.path) == ["/v1/messages", "/v1/models", "/v1/chat/completions", "/v1/messages"])
        await router.stop()
    }

    @Test
    func answersQueuedRepliesInOrderThenTheDefault() async throws {
        let router = try await FakeLLMRouter.start()
        router.enqueue(.message(.text("first")), .message(.text("second", model: "claude-opus-4-1-fake")))
        var texts: [String] = []
        var models: [String] = []
        for _ in 0..<4 {
            if texts.count == 3 { router.setDefault { request in .message(.text("default for \(request.json?["max_tokens"] ?? "")")) } }
            let answer = try await LocalHTTP.send("POST", router.baseURL + "/v1/messages", headers: Self.key, json: Self.ask)
            #expect(answer.status == 200 && answer.contentType == "application/json")
            texts.append((answer.json["content"] as? [[String: Any]])?.first?["text"] as? String ?? "")
            models.append(answer.json["model"] as? String ?? "")
        }
        #expect(texts == ["first", "second", "ok", "default for 32"])
        #expect(models == ["claude-haiku-4-5-fake", "claude-opus-4-1-fake", "claude-haiku-4-5-fake", "claude-haiku-4-5-fake"])

        let recorded = try #require(router.requests.first)
        #expect(recorded.method == "POST" && recorded.path == "/v1/messages")
        #expect(recorded.headers["x-api-key"] == "test-key" && recorded.headers["content-type"] == "application/json")
        #expect(recorded.json?["model"] as? String == "claude-haiku-4-5-fake")
        await router.stop()
    }

    @Test
    func reportsHealthWithoutAKey() async throws {
        let router = try await FakeLLMRouter.start()
        let healthy = try await LocalHTTP.send("GET", router.baseURL + "/health")
        #expect(healthy.status == 200 && healthy.json["status"] as? String == "ok")
        router.setHealthy(false)
        #expect(try await LocalHTTP.send("GET", router.baseURL + "/health").status == 503)
        router.setHealthy(true)
        #expect(try await LocalHTTP.send("GET", router.baseURL + "/health").status == 200)
        #expect(router.requests.map(\.method) == ["GET", "GET", "GET"])
        await router.stop()
    }

    @Test
    func answersScriptedErrorsAndBrokenBodies() async throws {
        let router = try await FakeLLMRouter.start()
        router.enqueue(
            .error(status: 429, type: "rate_limit_error", message: "slow down", retryAfter: 3),
            .malformed(body: #"{"id":"msg_broken","content":["#),
            .message(.tool(name: "draft_post", inputJSON: "not json")),
            .streamError(afterEvents: 3, type: "overloaded_error", message: "Overloaded")
        )
        let limited = try await LocalHTTP.send("POST", router.baseURL + "/v1/messages", headers: Self.key, json: Self.ask)
        #expect(limited.status == 429 && limited.retryAfter == "3")
        #expect(limited.json["type"] as? String == "error")
        #expect(limited.json["error"] as? [String: String] == ["type": "rate_limit_error", "message": "slow down"])
        let broken = try await LocalHTTP.send("POST", router.baseURL + "/v1/messages", headers: Self.key, json: Self.ask)
        #expect(broken.status == 200 && broken.contentType == "application/json" && broken.text == #"{"id":"msg_broken","content":["#)
        let badInput = try await LocalHTTP.send("POST", router.baseURL + "/v1/messages", headers: Self.key, json: Self.ask)
        #expect(badInput.status == 500 && (badInput.json["error"] as? [String: Any])?["type"] as? String == "api_error")
        // A stream error on a buffered request is an HTTP error of the status its type has.
        let overloaded = try await LocalHTTP.send("POST", router.baseURL + "/v1/messages", headers: Self.key, json: Self.ask)
        #expect(overloaded.status == 529)
        await router.stop()
    }

    @Test
    func streamsAnthropicEventsInOrder() async throws {
        let router = try await FakeLLMRouter.start()
        router.enqueue(
            .message(.tool(name: "draft_post", inputJSON: #"{"caption":"A long enough caption to split"}"#, text: "Here is a draft for you.")),
            .streamError(afterEvents: 3, type: "overloaded_error", message: "Overloaded")
        )
        var ask = Self.ask
        ask["stream"] = true
        let answer = try await LocalHTTP.send("POST", router.baseURL + "/v1/messages", headers: Self.key, json: ask)
        #expect(answer.status == 200 && answer.contentType?.hasPrefix("text/event-stream") == true)
        let names = answer.eventNames
        let data = answer.eventData.map { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] ?? [:] }
        #expect(names.count == data.count && zip(names, data).allSatisfy { $0 == $1["type"] as? String })
        #expect(Array(names.prefix(3)) == ["message_start", "ping", "content_block_start"])
        #expect(Array(names.suffix(3)) == ["content_block_stop", "message_delta", "message_stop"])
        #expect(names.filter { $0 == "content_block_start" }.count == 2 && names.filter { $0 == "content_block_stop" }.count == 2)

        let start = try #require(data.first?["message"] as? [String: Any])
        #expect(start["content"] as? [Any] != nil && (start["content"] as? [Any])?.isEmpty == true && start["stop_reason"] is NSNull)
        #expect((start["usage"] as? [String: Any])?["input_tokens"] as? Int == 12)
        let deltas = data.compactMap { $0["delta"] as? [String: Any] }
        let text = deltas.filter { $0["type"] as? String == "text_delta" }.compactMap { $0["text"] as? String }
        let json = deltas.filter { $0["type"] as? String == "input_json_delta" }.compactMap { $0["partial_json"] as? String }
        #expect(text.count > 1 && text.joined() == "Here is a draft for you.")
        #expect(json.count > 1 && json.joined() == #"{"caption":"A long enough caption to split"}"#)
        let toolStart = data.filter { $0["type"] as? String == "content_block_start" }.last?["content_block"] as? [String: Any]
        #expect(toolStart?["type"] as? String == "tool_use" && toolStart?["name"] as? String == "draft_post")
        #expect((toolStart?["id"] as? String)?.hasPrefix("toolu_") == true && (toolStart?["input"] as? [String: Any])?.isEmpty == true)
        let messageDelta = try #require(data.first { $0["type"] as? String == "message_delta" })
        #expect((messageDelta["delta"] as? [String: Any])?["stop_reason"] as? String == "tool_use")
        #expect((messageDelta["usage"] as? [String: Any])?["output_tokens"] as? Int != nil)

        let failed = try await LocalHTTP.send("POST", router.baseURL + "/v1/messages", headers: Self.key, json: ask)
        #expect(failed.eventNames == ["message_start", "ping", "content_block_start", "error"])
        #expect(failed.eventData.last == #"{"error":{"message":"Overloaded","type":"overloaded_error"},"type":"error"}"#)
        await router.stop()
    }

    @Test
    func listsModelsInAnthropicsShape() async throws {
        let router = try await FakeLLMRouter.start()
        let answer = try await LocalHTTP.send("GET", router.baseURL + "/v1/models", headers: Self.key)
        let models = try #require(answer.json["data"] as? [[String: Any]])
        #expect(models.map { $0["id"] as? String } == ["claude-sonnet-4-5-fake", "claude-haiku-4-5-fake", "claude-opus-4-1-fake"])
        #expect(
            models.allSatisfy {
                $0["type"] as? String == "model" && $0["display_name"] is String && $0["created_at"] as? String == "2025-01-01T00:00:00Z"
            }
        )
        #expect(answer.json["has_more"] as? Bool == false && answer.json["first_id"] as? String == "claude-sonnet-4-5-fake")
        #expect(answer.json["last_id"] as? String == "claude-opus-4-1-fake")
        #expect(try await LocalHTTP.send("GET", router.baseURL + "/v1/nothing", headers: Self.key).status == 404)
        await router.stop()
    }

    @Test
    func delaysAndStopsWithARequestInFlight() async throws {
        let router = try await FakeLLMRouter.start()
        router.enqueue(.delayed(seconds: 0.2, .message(.text("later"))), .delayed(seconds: 600, .message(.text("never"))))
        let started = ContinuousClock.now
        let later = try await LocalHTTP.send("POST", router.baseURL + "/v1/messages", headers: Self.key, json: Self.ask)
        #expect(ContinuousClock.now - started >= .milliseconds(200))
        #expect((later.json["content"] as? [[String: Any]])?.first?["text"] as? String == "later")

        let url = router.baseURL + "/v1/messages"
        let stuck = Task { try await LocalHTTP.send("POST", url, headers: Self.key, json: Self.ask) }
        let arrived = try await ProgressWatch().wait(until: { router.requests.count == 2 }, interval: .milliseconds(20))
        #expect(arrived == .done)
        await router.stop()
        // The server is gone: the request in flight ends without an answer, and a new one cannot connect.
        await #expect(throws: (any Error).self) { try await stuck.value }
        await #expect(throws: (any Error).self) { try await LocalHTTP.send("GET", url) }
    }
}
