import Foundation

/// OpenAI's Chat Completions: the `chat.completion` object, the `chat.completion.chunk` stream ending with
/// `data: [DONE]`, and the error object.
enum OpenAIWire: WireFormat {
    static func message(_ message: FakeLLMRouter.Message, model: String) throws -> String {
        let calls = try toolCalls(message)
        var reply: [String: Any] = ["role": "assistant", "content": text(message).map { $0 as Any } ?? NSNull(), "refusal": NSNull()]
        if !calls.isEmpty {
            reply["tool_calls"] = calls.map { call in
                ["id": call.id, "type": "function", "function": ["name": call.name, "arguments": call.arguments]]
            }
        }
        var completion = header(id: FakeIdentifier.make("chatcmpl-"), model: model, object: "chat.completion")
        completion["choices"] = [["index": 0, "message": reply, "logprobs": NSNull(), "finish_reason": finishReason(message)]]
        completion["usage"] = usage(message)
        return JSONText.encode(completion)
    }

    /// A first chunk with the role, the text in pieces, each tool call (id and name, then its arguments in
    /// pieces), a last chunk with the finish reason, the usage chunk when `stream_options.include_usage`
    /// asks for it, and `data: [DONE]`.
    static func events(_ message: FakeLLMRouter.Message, model: String, request: [String: Any]) throws -> [String] {
        let includeUsage = (request["stream_options"] as? [String: Any])?["include_usage"] as? Bool == true
        let head = header(id: FakeIdentifier.make("chatcmpl-"), model: model, object: "chat.completion.chunk")
        func chunk(_ delta: [String: Any], finishReason: String? = nil) -> String {
            var chunk = head
            chunk["choices"] = [["index": 0, "delta": delta, "logprobs": NSNull(), "finish_reason": finishReason.map { $0 as Any } ?? NSNull()]]
            if includeUsage { chunk["usage"] = NSNull() }
            return frame(JSONText.encode(chunk))
        }
        var frames = [chunk(["role": "assistant", "content": "", "refusal": NSNull()])]
        if let text = text(message) {
            frames += text.pieces().map { chunk(["content": $0]) }
        }
        for (index, call) in try toolCalls(message).enumerated() {
            let opening: [String: Any] = ["index": index, "id": call.id, "type": "function", "function": ["name": call.name, "arguments": ""]]
            frames.append(chunk(["tool_calls": [opening]]))
            frames += call.arguments.pieces().map { chunk(["tool_calls": [["index": index, "function": ["arguments": $0]]]]) }
        }
        frames.append(chunk([:], finishReason: finishReason(message)))
        if includeUsage {
            var last = head
            last["choices"] = [Any]()
            last["usage"] = usage(message)
            frames.append(frame(JSONText.encode(last)))
        }
        frames.append(frame("[DONE]"))
        return frames
    }

    static func error(type: String, message: String) -> String {
        JSONText.encode(errorObject(type: type, message: message))
    }

    /// What the OpenAI SDKs raise on: a data line holding an `error` object.
    static func streamError(type: String, message: String) -> String {
        frame(JSONText.encode(errorObject(type: type, message: message)))
    }

    // MARK: Pieces

    static func frame(_ data: String) -> String { "data: \(data)\n\n" }

    static func header(id: String, model: String, object: String) -> [String: Any] {
        ["id": id, "object": object, "created": Int(Date().timeIntervalSince1970), "model": model]
    }

    /// The text blocks joined, or nil when there are none (OpenAI's `content: null` beside tool calls).
    static func text(_ message: FakeLLMRouter.Message) -> String? {
        let texts = message.content.compactMap { block -> String? in
            if case .text(let text) = block { text } else { nil }
        }
        return texts.isEmpty ? nil : texts.joined()
    }

    /// The tool calls, with `call_…` ids and the arguments as the JSON text the test scripted.
    static func toolCalls(_ message: FakeLLMRouter.Message) throws -> [(id: String, name: String, arguments: String)] {
        try message.content.compactMap { block in
            guard case .toolUse(let id, let name, let inputJSON) = block else { return nil }
            _ = try JSONText.object(inputJSON)
            let callID = id.hasPrefix("call_") ? id : "call_" + (id.hasPrefix("toolu_") ? String(id.dropFirst(6)) : id)
            return (callID, name, inputJSON)
        }
    }

    static func finishReason(_ message: FakeLLMRouter.Message) -> String {
        switch message.stopReason {
        case "tool_use": "tool_calls"
        case "max_tokens": "length"
        case "refusal": "content_filter"
        default: "stop"
        }
    }

    static func usage(_ message: FakeLLMRouter.Message) -> [String: Any] {
        [
            "prompt_tokens": message.inputTokens, "completion_tokens": message.outputTokens,
            "total_tokens": message.inputTokens + message.outputTokens,
        ]
    }

    static func errorObject(type: String, message: String) -> [String: Any] {
        ["error": ["message": message, "type": type, "param": NSNull(), "code": NSNull()]]
    }
}
