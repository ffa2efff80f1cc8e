import Foundation
import JSON

/// The Anthropic Messages shape (`POST /v1/messages`): the request body, the buffered answer, and the
/// streamed events folded back into one answer.
enum MessagesWire {
    static let path = "/v1/messages"

    static func body(for request: ModelRequest, stream: Bool) -> JSONValue {
        var body: [String: JSONValue] = [
            "model": .string(request.model),
            "max_tokens": .number(Double(request.maxTokens)),
            "messages": .array(request.messages.map(message)),
        ]
        if !request.system.isEmpty { body["system"] = .string(request.system) }
        if !request.tools.isEmpty {
            body["tools"] = .array(
                request.tools.map { ["name": .string($0.name), "description": .string($0.description), "input_schema": $0.inputSchema] }
            )
        }
        if let forced = request.forcedTool { body["tool_choice"] = ["type": "tool", "name": .string(forced)] }
        if stream { body["stream"] = true }
        return .object(body)
    }

    static func message(_ message: ModelRequest.Message) -> JSONValue {
        let blocks: [JSONValue] = message.content.map { block in
            switch block {
            case .text(let text): ["type": "text", "text": .string(text)]
            case .toolUse(let id, let name, let input): ["type": "tool_use", "id": .string(id), "name": .string(name), "input": input]
            case .toolResult(let id, let content, let isError):
                ["type": "tool_result", "tool_use_id": .string(id), "content": .string(content), "is_error": .bool(isError)]
            }
        }
        return ["role": .string(message.role.rawValue), "content": .array(blocks)]
    }

    /// Reads a buffered answer.
    static func response(from json: JSONValue) throws(LLMRouterError) -> ModelResponse {
        guard json["type"]?.stringValue == "message", let blocks = json["content"]?.arrayValue else {
            throw LLMRouterError(.malformed, "expected a message with content, got \(json.jsonText.prefix(200))")
        }
        var content: [ContentBlock] = []
        for block in blocks {
            if let parsed = try contentBlock(block) { content.append(parsed) }
        }
        return ModelResponse(
            id: json["id"]?.stringValue ?? "",
            model: json["model"]?.stringValue ?? "",
            content: content,
            stopReason: json["stop_reason"]?.stringValue,
            usage: usage(json["usage"])
        )
    }

    static func contentBlock(_ block: JSONValue) throws(LLMRouterError) -> ContentBlock? {
        switch block["type"]?.stringValue {
        case "text": return .text(block["text"]?.stringValue ?? "")
        case "tool_use":
            guard let id = block["id"]?.stringValue, let name = block["name"]?.stringValue else {
                throw LLMRouterError(.malformed, "a tool_use block without an id or a name")
            }
            return .toolUse(id: id, name: name, input: block["input"] ?? .object([:]))
        default: return nil  // thinking and other blocks the agents do not use
        }
    }

    static func usage(_ json: JSONValue?) -> ModelResponse.Usage {
        ModelResponse.Usage(inputTokens: json?["input_tokens"]?.intValue ?? 0, outputTokens: json?["output_tokens"]?.intValue ?? 0)
    }

    /// Folds `message_start`, `content_block_*`, `message_delta` and `message_stop` events into one answer.
    struct StreamAccumulator {
        private var response = ModelResponse(id: "", model: "", content: [], stopReason: nil, usage: .init(inputTokens: 0, outputTokens: 0))
        /// Blocks by index: text so far, or a tool call's id, name and input JSON so far.
        private var blocks: [Int: (kind: String, id: String, name: String, text: String)] = [:]
        private(set) var finished = false

        /// Takes one event; returns the text that grew, if any (for a live view).
        mutating func take(_ event: ServerSentEventParser.Event) throws(LLMRouterError) -> ModelStreamDelta? {
            let json: JSONValue
            do { json = try JSONValue(parsing: Data(event.data.utf8)) } catch {
                throw LLMRouterError(.malformed, "an unreadable \(event.name) event: \(event.data.prefix(200))")
            }
            switch json["type"]?.stringValue ?? event.name {
            case "message_start":
                response.id = json["message"]?["id"]?.stringValue ?? ""
                response.model = json["message"]?["model"]?.stringValue ?? ""
                response.usage = MessagesWire.usage(json["message"]?["usage"])
            case "content_block_start":
                guard let index = json["index"]?.intValue, let block = json["content_block"] else {
                    throw LLMRouterError(.malformed, "content_block_start without an index or a block")
                }
                let kind = block["type"]?.stringValue ?? ""
                blocks[index] = (kind, block["id"]?.stringValue ?? "", block["name"]?.stringValue ?? "", block["text"]?.stringValue ?? "")
            case "content_block_delta":
                guard let index = json["index"]?.intValue, var block = blocks[index], let delta = json["delta"] else {
                    throw LLMRouterError(.malformed, "content_block_delta for a block that did not start")
                }
                let piece: String
                switch delta["type"]?.stringValue {
                case "text_delta": piece = delta["text"]?.stringValue ?? ""
                case "input_json_delta": piece = delta["partial_json"]?.stringValue ?? ""
                default: return nil
                }
                block.text += piece
                blocks[index] = block
                return ModelStreamDelta(blockIndex: index, isToolInput: block.kind == "tool_use", piece: piece, soFar: block.text)
            case "content_block_stop": break
            case "message_delta":
                if let reason = json["delta"]?["stop_reason"]?.stringValue { response.stopReason = reason }
                if let output = json["usage"]?["output_tokens"]?.intValue { response.usage.outputTokens = output }
                if let input = json["usage"]?["input_tokens"]?.intValue, input > 0 { response.usage.inputTokens = input }
            case "message_stop": finished = true
            case "ping": break
            case "error":
                throw LLMRouterError(
                    .streamError(type: json["error"]?["type"]?.stringValue),
                    json["error"]?["message"]?.stringValue ?? "no message"
                )
            default: break  // new event types are to be ignored, as the API's versioning policy says
            }
            return nil
        }

        /// The whole answer, once `message_stop` came.
        func result() throws(LLMRouterError) -> ModelResponse {
            guard finished else { throw LLMRouterError(.transport, "the stream ended before message_stop") }
            var answer = response
            for index in blocks.keys.sorted() {
                guard let block = blocks[index] else { continue }
                switch block.kind {
                case "text": answer.content.append(.text(block.text))
                case "tool_use":
                    let input: JSONValue
                    do { input = block.text.isEmpty ? .object([:]) : try JSONValue(parsing: Data(block.text.utf8)) } catch {
                        throw LLMRouterError(.malformed, "the tool call's streamed input is not JSON: \(block.text.prefix(200))")
                    }
                    answer.content.append(.toolUse(id: block.id, name: block.name, input: input))
                default: break
                }
            }
            return answer
        }
    }
}
