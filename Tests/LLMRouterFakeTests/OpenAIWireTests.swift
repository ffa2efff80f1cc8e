import Foundation
import LLMRouterFake
import Testing

/// `/v1/chat/completions` in OpenAI's shape, buffered and streamed, read back with `JSONSerialization`.
struct OpenAIWireTests {
    static let key = ["authorization": "Bearer test-key"]
    static var ask: [String: Any] { ["model": "claude-sonnet-4-5-fake", "messages": [["role": "user", "content": "hello"]]] }
    static let arguments = ##"{"caption":"Morning run by the river","hashtags":["#run"]}"##

    @Test
    func answersATextCompletion() async throws {
        let router = try await FakeLLMRouter.start()
        router.enqueue(.message(.text("Morning run by the river.", inputTokens: 9, outputTokens: 6)))
        let answer = try await LocalHTTP.send("POST", router.baseURL + "/v1/chat/completions", headers: Self.key, json: Self.ask)
        #expect(answer.status == 200 && answer.contentType == "application/json")
        let completion = answer.json
        #expect((completion["id"] as? String)?.hasPrefix("chatcmpl-") == true)
        #expect(completion["object"] as? String == "chat.completion" && completion["created"] as? Int != nil)
        #expect(completion["model"] as? String == "claude-sonnet-4-5-fake")
        let choice = try #require((completion["choices"] as? [[String: Any]])?.first)
        #expect(choice["index"] as? Int == 0 && choice["finish_reason"] as? String == "stop")
        let message = try #require(choice["message"] as? [String: Any])
        #expect(message["role"] as? String == "assistant" && message["content"] as? String == "Morning run by the river.")
        #expect(message["tool_calls"] == nil)
        #expect(completion["usage"] as? [String: Int] == ["prompt_tokens": 9, "completion_tokens": 6, "total_tokens": 15])
        await router.stop()
    }

    @Test
    func answersAToolCall() async throws {
        let router = try await FakeLLMRouter.start()
        router.enqueue(.message(.tool(name: "draft_post", inputJSON: Self.arguments, id: "toolu_01Draft")))
        let answer = try await LocalHTTP.send("POST", router.baseURL + "/v1/chat/completions", headers: Self.key, json: Self.ask)
        let choice = try #require((answer.json["choices"] as? [[String: Any]])?.first)
        #expect(choice["finish_reason"] as? String == "tool_calls")
        let message = try #require(choice["message"] as? [String: Any])
        #expect(message["content"] is NSNull)
        let call = try #require((message["tool_calls"] as? [[String: Any]])?.first)
        #expect(call["id"] as? String == "call_01Draft" && call["type"] as? String == "function")
        let function = try #require(call["function"] as? [String: Any])
        #expect(function["name"] as? String == "draft_post" && function["arguments"] as? String == Self.arguments)
        await router.stop()
    }

    @Test
    func streamsChunksWithUsageAndDone() async throws {
        let router = try await FakeLLMRouter.start()
        router.enqueue(
            .message(.tool(name: "draft_post", inputJSON: Self.arguments, text: "Drafting it now, one moment.", inputTokens: 9, outputTokens: 6))
        )
        var ask = Self.ask
        ask["stream"] = true
        ask["stream_options"] = ["include_usage": true]
        let answer = try await LocalHTTP.send("POST", router.baseURL + "/v1/chat/completions", headers: Self.key, json: ask)
        #expect(answer.status == 200 && answer.contentType?.hasPrefix("text/event-stream") == true)
        #expect(answer.eventNames.isEmpty)
        let lines = answer.eventData
        #expect(lines.last == "[DONE]")
        let chunks = lines.dropLast().map { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] ?? [:] }
        #expect(chunks.allSatisfy { $0["object"] as? String == "chat.completion.chunk" && $0["model"] as? String == "claude-sonnet-4-5-fake" })
        #expect(Set(chunks.compactMap { $0["id"] as? String }).count == 1)

        let choices = chunks.dropLast().compactMap { ($0["choices"] as? [[String: Any]])?.first }
        #expect(choices.count == chunks.count - 1 && chunks.dropLast().allSatisfy { $0["usage"] is NSNull })
        let deltas = choices.compactMap { $0["delta"] as? [String: Any] }
        #expect(deltas.first?["role"] as? String == "assistant")
        let text = deltas.compactMap { $0["content"] as? String }
        #expect(text.count > 2 && text.joined() == "Drafting it now, one moment.")
        let calls = deltas.compactMap { ($0["tool_calls"] as? [[String: Any]])?.first }
        #expect(calls.count > 2 && calls.allSatisfy { $0["index"] as? Int == 0 })
        #expect((calls.first?["id"] as? String)?.hasPrefix("call_") == true && calls.first?["type"] as? String == "function")
        #expect((calls.first?["function"] as? [String: Any])?["name"] as? String == "draft_post")
        #expect(calls.compactMap { ($0["function"] as? [String: Any])?["arguments"] as? String }.joined() == Self.arguments)
        #expect(choices.dropLast().allSatisfy { $0["finish_reason"] is NSNull })
        #expect(choices.last?["finish_reason"] as? String == "tool_calls" && (choices.last?["delta"] as? [String: Any])?.isEmpty == true)

        let usage = try #require(chunks.last)
        #expect((usage["choices"] as? [Any])?.isEmpty == true)
        #expect(usage["usage"] as? [String: Int] == ["prompt_tokens": 9, "completion_tokens": 6, "total_tokens": 15])
        await router.stop()
    }

    @Test
    func streamsWithoutUsageUnlessAsked() async throws {
        let router = try await FakeLLMRouter.start()
        var ask = Self.ask
        ask["stream"] = true
        let answer = try await LocalHTTP.send("POST", router.baseURL + "/v1/chat/completions", headers: Self.key, json: ask)
        let chunks = answer.eventData.dropLast().map { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] ?? [:] }
        #expect(answer.eventData.last == "[DONE]")
        #expect(chunks.allSatisfy { $0["usage"] == nil && ($0["choices"] as? [Any])?.count == 1 })
        let text = chunks.compactMap { (($0["choices"] as? [[String: Any]])?.first?["delta"] as? [String: Any])?["content"] as? String }
        #expect(text.joined() == "ok")
        await router.stop()
    }

    @Test
    func answersErrorsInOpenAIsShape() async throws {
        let router = try await FakeLLMRouter.start()
        router.enqueue(
            .error(status: 503, type: "server_error", message: "The upstream is down", retryAfter: 2),
            .streamError(afterEvents: 2, type: "server_error", message: "cut off")
        )
        let failed = try await LocalHTTP.send("POST", router.baseURL + "/v1/chat/completions", headers: Self.key, json: Self.ask)
        #expect(failed.status == 503 && failed.retryAfter == "2")
        let error = try #require(failed.json["error"] as? [String: Any])
        #expect(error["message"] as? String == "The upstream is down" && error["type"] as? String == "server_error" && error["code"] is NSNull)

        var ask = Self.ask
        ask["stream"] = true
        let cut = try await LocalHTTP.send("POST", router.baseURL + "/v1/chat/completions", headers: Self.key, json: ask)
        #expect(cut.eventData.count == 3 && !cut.eventData.contains("[DONE]"))
        let last = (try? JSONSerialization.jsonObject(with: Data((cut.eventData.last ?? "").utf8))) as? [String: Any]
        #expect((last?["error"] as? [String: Any])?["message"] as? String == "cut off")
        await router.stop()
    }
}
