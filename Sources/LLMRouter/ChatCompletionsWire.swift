import Foundation
import JSON

/// The OpenAI Chat Completions shape (`POST /v1/chat/completions`) with function tools: the request body, the
/// buffered answer, and the streamed chunks folded back into one answer. Finish reasons are mapped to the
/// Messages API's stop reasons so callers see one vocabulary.
enum ChatCompletionsWire {
    static let path = "/v1/chat/completions"

    static func body(for request: ModelRequest, stream: Bool) -> JSONValue {
        var messages: [JSONValue] = []
        if !request.system.isEmpty { messages.append(["role": "system", "content": .string(request.system)]) }
        for message in request.messages {
            var text: [String] = []
            var calls: [JSONValue] = []
            for block in message.content {
                switch block {
                case .text(let piece): text.append(piece)
                case .toolUse(let id, let name, let input):
                    calls.append(["id": .string(id), "type": "function", "function": ["name": .string(name), "arguments": .string(input.jsonText)]])
                case .toolResult(let id, let content, _):
                    // A tool's answer is a message of its own in this shape.
                    messages.append(["role": "tool", "tool_call_id": .string(id), "content": .string(content)])
                }
            }
            if !text.isEmpty || !calls.isEmpty {
                var entry: [String: JSONValue] = [
                    "role": .string(message.role.rawValue), "content": text.isEmpty ? .null : .string(text.joined(separator: "\n\n")),
                ]
                if !calls.isEmpty { entry["tool_calls"] = .array(calls) }
                messages.append(.object(entry))
            }
        }
        var body: [String: JSONValue] = [
            "model": .string(request.model),
            "max_tokens": .number(Double(request.maxTokens)),
            "messages": .array(messages),
        ]
        if !request.tools.isEmpty {
            body["tools"] = .array(
                request.tools.map {
                    ["type": "function", "function": ["name": .string($0.name), "description": .string($0.description), "parameters": $0.inputSchema]]
                }
            )
        }
        if let forced = request.forcedTool { body["tool_choice"] = ["type": "function", "function": ["name": .string(forced)]] }
        if stream {
            body["stream"] = true
            body["stream_options"] = ["include_usage": true]
        }
        return .object(body)
    }

    static func stopReason(_ finishReason: String?) -> String? {
        switch finishReason {
        case "stop": "end_turn"
        case "tool_calls", "function_call": "tool_use"
        case "length": "max_tokens"
        default: finishReason
        }
    }

    static func usage(_ json: JSONValue?) -> ModelResponse.Usage {
        ModelResponse.Usage(inputTokens: json?["prompt_tokens"]?.intValue ?? 0, outputTokens: json?["completion_tokens"]?.intValue ?? 0)
    }

    static func toolInput(_ arguments: String) throws(LLMRouterError) -> JSONValue {
        if arguments.isEmpty { return .object([:]) }
        do { return try JSONValue(parsing: Data(arguments.utf8)) } catch {
            throw LLMRouterError(.malformed, "a tool call's arguments are not JSON: \(arguments.prefix(200))")
        }
    }

    /// Reads a buffered answer.
    static func response(from json: JSONValue) throws(LLMRouterError) -> ModelResponse {
        guard let choice = json["choices"]?.arrayValue?.first, let message = choice["message"] else {
            throw LLMRouterError(.malformed, "expected a chat.completion with a choice, got \(json.jsonText.prefix(200))")
        }
        var content: [ContentBlock] = []
        if let text = message["content"]?.stringValue, !text.isEmpty { content.append(.text(text)) }
        for call in message["tool_calls"]?.arrayValue ?? [] {
            guard let id = call["id"]?.stringValue, let name = call["function"]?["name"]?.stringValue else {
                throw LLMRouterError(.malformed, "a tool call without an id or a function name")
            }
            content.append(.toolUse(id: id, name: name, input: try toolInput(call["function"]?["arguments"]?.stringValue ?? "")))
        }
        return ModelResponse(
            id: json["id"]?.stringValue ?? "",
            model: json["model"]?.stringValue ?? "",
            content: content,
            stopReason: stopReason(choice["finish_reason"]?.stringValue),
            usage: usage(json["usage"])
        )
    }

    /// Folds `chat.completion.chunk` events (and the final `[DONE]`) into one answer.
    struct StreamAccumulator {
        private var id = ""
        private var model = ""
        private var text = ""
        private var calls: [Int: (id: String, name: String, arguments: String)] = [:]
        private var finishReason: String?
        private var usage = ModelResponse.Usage(inputTokens: 0, outputTokens: 0)
        private(set) var finished = false

        mutating func take(_ event: ServerSentEventParser.Event) throws(LLMRouterError) -> ModelStreamDelta? {
            if event.data == "[DONE]" {
                finished = true
                return nil
            }
            let json: JSONValue
            do { json = try JSONValue(parsing: Data(event.data.utf8)) } catch {
                throw LLMRouterError(.malformed, "an unreadable chunk: \(event.data.prefix(200))")
            }
            if let error = json["error"] {
                throw LLMRouterError(.streamError(type: error["type"]?.stringValue), error["message"]?.stringValue ?? "no message")
            }
            if let value = json["id"]?.stringValue { id = value }
            if let value = json["model"]?.stringValue { model = value }
            if let value = json["usage"], value != .null { usage = ChatCompletionsWire.usage(value) }
            guard let choice = json["choices"]?.arrayValue?.first else { return nil }
            if let reason = choice["finish_reason"]?.stringValue { finishReason = reason }
            let delta = choice["delta"]
            var grown: ModelStreamDelta?
            if let piece = delta?["content"]?.stringValue, !piece.isEmpty {
                text += piece
                grown = ModelStreamDelta(blockIndex: 0, isToolInput: false, piece: piece, soFar: text)
            }
            for call in delta?["tool_calls"]?.arrayValue ?? [] {
                let index = call["index"]?.intValue ?? 0
                var entry = calls[index] ?? ("", "", "")
                if let value = call["id"]?.stringValue { entry.id = value }
                if let value = call["function"]?["name"]?.stringValue { entry.name += value }
                let piece = call["function"]?["arguments"]?.stringValue ?? ""
                entry.arguments += piece
                calls[index] = entry
                if !piece.isEmpty { grown = ModelStreamDelta(blockIndex: index + 1, isToolInput: true, piece: piece, soFar: entry.arguments) }
            }
            return grown
        }

        func result() throws(LLMRouterError) -> ModelResponse {
            guard finished || finishReason != nil else { throw LLMRouterError(.transport, "the stream ended before its last chunk") }
            var content: [ContentBlock] = text.isEmpty ? [] : [.text(text)]
            for index in calls.keys.sorted() {
                guard let call = calls[index] else { continue }
                content.append(.toolUse(id: call.id, name: call.name, input: try ChatCompletionsWire.toolInput(call.arguments)))
            }
            return ModelResponse(id: id, model: model, content: content, stopReason: ChatCompletionsWire.stopReason(finishReason), usage: usage)
        }
    }
}
