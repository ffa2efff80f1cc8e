import Foundation
import Testing

@testable import LLMRouter
import JSON

@Suite struct ServerSentEventParserTests {
    @Test func eventsSplitAnywhereComeOutWhole() {
        let stream = "event: message_start\r\ndata: {\"a\":1}\r\n\r\n: a comment\nevent: ping\ndata: {}\n\ndata: line one\ndata: line two\n\n"
        let bytes = Array(stream.utf8)
        // Every split point, byte by byte, gives the same events.
        for split in 0...bytes.count {
            var parser = ServerSentEventParser()
            let events = parser.feed(bytes[..<split]) + parser.feed(bytes[split...])
            #expect(
                events == [
                    .init(name: "message_start", data: "{\"a\":1}"), .init(name: "ping", data: "{}"),
                    .init(name: "message", data: "line one\nline two"),
                ],
                "split at \(split)"
            )
        }
    }

    @Test func anEventWithoutItsBlankLineIsNotDispatched() {
        var parser = ServerSentEventParser()
        #expect(parser.feed(Array("event: message_stop\ndata: {}\n".utf8)).isEmpty)
        #expect(parser.finish().isEmpty)
    }
}

@Suite struct MessagesStreamTests {
    func events(_ text: String) -> [ServerSentEventParser.Event] {
        var parser = ServerSentEventParser()
        return parser.feed(Array(text.utf8))
    }

    let stream = """
        event: message_start
        data: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-x","content":[],"stop_reason":null,"usage":{"input_tokens":25,"output_tokens":1}}}

        event: content_block_start
        data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

        event: ping
        data: {"type":"ping"}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hel"}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"lo"}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":0}

        event: content_block_start
        data: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_1","name":"submit","input":{}}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\\"a\\": [1, "}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"2]}"}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":1}

        event: message_delta
        data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":15}}

        event: message_stop
        data: {"type":"message_stop"}


        """

    @Test func textAndToolInputAreFoldedIntoOneAnswer() throws {
        var accumulator = MessagesWire.StreamAccumulator()
        var grown: [String] = []
        for event in events(stream) {
            if let delta = try accumulator.take(event) { grown.append(delta.soFar) }
        }
        let answer = try accumulator.result()
        #expect(grown == ["Hel", "Hello", "{\"a\": [1, ", "{\"a\": [1, 2]}"])
        #expect(answer.text == "Hello")
        #expect(answer.toolCall(named: "submit")?.input == ["a": [1, 2]])
        #expect(answer.stopReason == "tool_use")
        #expect(answer.usage == .init(inputTokens: 25, outputTokens: 15))
        #expect(answer.model == "claude-x")
    }

    @Test func aStreamCutBeforeMessageStopIsAnError() throws {
        var accumulator = MessagesWire.StreamAccumulator()
        for event in events(stream).dropLast() { _ = try accumulator.take(event) }
        #expect(throws: LLMRouterError.self) { try accumulator.result() }
    }

    @Test func anErrorEventIsRetryableWhenOverloaded() throws {
        var accumulator = MessagesWire.StreamAccumulator()
        let error = #expect(throws: LLMRouterError.self) {
            _ = try accumulator.take(.init(name: "error", data: #"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#))
        }
        #expect(error?.isRetryable == true)
        #expect(error?.description.contains("Overloaded") == true)
    }
}

@Suite struct ChatCompletionsWireTests {
    @Test func toolCallsStreamedInPiecesAreJoined() throws {
        var accumulator = ChatCompletionsWire.StreamAccumulator()
        let chunks = [
            #"{"id":"c1","object":"chat.completion.chunk","model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"submit","arguments":""}}]},"finish_reason":null}]}"#,
            #"{"id":"c1","object":"chat.completion.chunk","model":"m","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"x\":"}}]},"finish_reason":null}]}"#,
            #"{"id":"c1","object":"chat.completion.chunk","model":"m","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"y\"}"}}]},"finish_reason":null}]}"#,
            #"{"id":"c1","object":"chat.completion.chunk","model":"m","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}"#,
            #"{"id":"c1","object":"chat.completion.chunk","model":"m","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":4,"total_tokens":13}}"#,
            "[DONE]",
        ]
        for chunk in chunks { _ = try accumulator.take(.init(name: "message", data: chunk)) }
        let answer = try accumulator.result()
        #expect(answer.toolCall(named: "submit")?.input == ["x": "y"])
        #expect(answer.stopReason == "tool_use")
        #expect(answer.usage == .init(inputTokens: 9, outputTokens: 4))
    }

    @Test func aConversationWithAToolResultBecomesToolMessages() {
        let request = ModelRequest(
            model: "/sonnet/i",
            system: "rules",
            messages: [
                .user("brief"),
                .init(role: .assistant, content: [.toolUse(id: "call_1", name: "submit", input: ["a": 1])]),
                .init(role: .user, content: [.toolResult(toolUseID: "call_1", content: "fix it", isError: true)]),
            ],
            tools: [.init(name: "submit", description: "d", inputSchema: ["type": "object"])],
            forcedTool: "submit"
        )
        let body = ChatCompletionsWire.body(for: request, stream: false)
        let messages = body["messages"]?.arrayValue ?? []
        #expect(messages.map { $0["role"]?.stringValue } == ["system", "user", "assistant", "tool"])
        #expect(messages[2]["tool_calls"]?.arrayValue?.first?["function"]?["arguments"]?.stringValue == #"{"a":1}"#)
        #expect(messages[3]["tool_call_id"]?.stringValue == "call_1")
        #expect(body["tool_choice"] == ["type": "function", "function": ["name": "submit"]])
        #expect(body["model"]?.stringValue == "/sonnet/i", "model strings pass through untouched")
    }

    @Test func messagesBodyForcesTheTool() {
        let request = ModelRequest(model: "/haiku/i", system: "s", messages: [.user("u")], tools: [.init(name: "t", description: "d", inputSchema: [:])], forcedTool: "t")
        let body = MessagesWire.body(for: request, stream: true)
        #expect(body["tool_choice"] == ["type": "tool", "name": "t"])
        #expect(body["stream"] == true)
        #expect(body["system"]?.stringValue == "s")
        #expect(body["tools"]?.arrayValue?.first?["input_schema"] == .object([:]))
    }
}

@Suite struct LLMRouterConfigurationTests {
    @Test func unsetURLMeansNoRouter() throws {
        #expect(try LLMRouterConfiguration.fromEnvironment([:]) == nil)
        #expect(try LLMRouterConfiguration.fromEnvironment(["LLM_ROUTER_URL": " "]) == nil)
    }

    @Test func everyVariableIsReadAndCheckedByName() throws {
        let configuration = try #require(
            try LLMRouterConfiguration.fromEnvironment([
                "LLM_ROUTER_URL": "http://127.0.0.1:9/v1/", "LLM_ROUTER_API_KEY": "k", "LLM_ROUTER_AUTH": "bearer", "LLM_ROUTER_API": "chat",
                "LLM_CONTENT_MODEL": "claude-sonnet-4-5", "LLM_MODERATION_MODEL": "/haiku/i", "LLM_TIMEOUT_SECONDS": "7.5", "LLM_ATTEMPTS": "2",
            ])
        )
        #expect(configuration.baseURL == "http://127.0.0.1:9")
        #expect(configuration.authentication == .bearer && configuration.api == .chat)
        #expect(configuration.contentModel == "claude-sonnet-4-5" && configuration.timeoutSeconds == 7.5 && configuration.attempts == 2)
        for (name, value) in [("LLM_ROUTER_URL", "ftp://x"), ("LLM_ROUTER_AUTH", "basic"), ("LLM_ROUTER_API", "soap"), ("LLM_TIMEOUT_SECONDS", "0"), ("LLM_ATTEMPTS", "x")] {
            var environment = ["LLM_ROUTER_URL": "http://127.0.0.1:9"]
            environment[name] = value
            let error = #expect(throws: LLMRouterError.self) { try LLMRouterConfiguration.fromEnvironment(environment) }
            #expect(error?.description.contains(name) == true, "\(name)=\(value): \(String(describing: error))")
        }
    }

    @Test func retryAfterIsReadAsSecondsOrAsADate() {
        #expect(LLMRouterClient.retryAfterSeconds("3") == 3)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        let inTen = LLMRouterClient.retryAfterSeconds(formatter.string(from: Date().addingTimeInterval(10))) ?? -1
        #expect(inTen > 5 && inTen <= 10)
    }
}
