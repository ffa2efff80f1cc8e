import Foundation

/// Anthropic's Messages API: the `message` object, its stream of named events, the error object and the
/// model list.
enum AnthropicWire: WireFormat {
    /// The models `GET /v1/models` lists; the first is the default model of an answer.
    static let models: [(id: String, name: String)] = [
        ("claude-sonnet-4-5-fake", "Claude Sonnet 4.5 (fake)"),
        ("claude-haiku-4-5-fake", "Claude Haiku 4.5 (fake)"),
        ("claude-opus-4-1-fake", "Claude Opus 4.1 (fake)"),
    ]

    static func message(_ message: FakeLLMRouter.Message, model: String) throws -> String {
        JSONText.encode(
            messageObject(
                id: FakeIdentifier.make("msg_"),
                model: model,
                content: try message.content.map(block),
                stopReason: message.stopReason,
                usage: usage(input: message.inputTokens, output: message.outputTokens)
            )
        )
    }

    /// `message_start`, `ping`, then for each block `content_block_start`, its deltas in several pieces and
    /// `content_block_stop`, then `message_delta` and `message_stop`.
    static func events(_ message: FakeLLMRouter.Message, model: String, request: [String: Any]) throws -> [String] {
        let start = messageObject(
            id: FakeIdentifier.make("msg_"),
            model: model,
            content: [],
            stopReason: nil,
            usage: usage(input: message.inputTokens, output: min(1, message.outputTokens))
        )
        var frames = [frame("message_start", ["type": "message_start", "message": start]), frame("ping", ["type": "ping"])]
        for (index, block) in message.content.enumerated() {
            let empty: [String: Any]
            let deltas: [[String: Any]]
            switch block {
            case .text(let text):
                empty = ["type": "text", "text": ""]
                deltas = text.pieces().map { ["type": "text_delta", "text": $0] }
            case .toolUse(let id, let name, let inputJSON):
                _ = try JSONText.object(inputJSON)
                empty = ["type": "tool_use", "id": id, "name": name, "input": [String: Any]()]
                deltas = inputJSON.pieces().map { ["type": "input_json_delta", "partial_json": $0] }
            }
            frames.append(frame("content_block_start", ["type": "content_block_start", "index": index, "content_block": empty]))
            for delta in deltas {
                frames.append(frame("content_block_delta", ["type": "content_block_delta", "index": index, "delta": delta]))
            }
            frames.append(frame("content_block_stop", ["type": "content_block_stop", "index": index]))
        }
        frames.append(
            frame(
                "message_delta",
                [
                    "type": "message_delta",
                    "delta": ["stop_reason": message.stopReason, "stop_sequence": NSNull()],
                    "usage": ["output_tokens": message.outputTokens],
                ]
            )
        )
        frames.append(frame("message_stop", ["type": "message_stop"]))
        return frames
    }

    static func error(type: String, message: String) -> String {
        JSONText.encode(errorObject(type: type, message: message))
    }

    static func streamError(type: String, message: String) -> String {
        frame("error", errorObject(type: type, message: message))
    }

    /// The list `GET /v1/models` answers with, one page holding every model.
    static func modelList() -> String {
        let data: [[String: Any]] = models.map { model in
            [
                "type": "model", "id": model.id, "display_name": model.name, "created_at": "2025-01-01T00:00:00Z",
                "lifecycle": "active", "max_input_tokens": 200_000, "max_tokens": 64_000,
            ]
        }
        return JSONText.encode([
            "data": data, "has_more": false, "first_id": models.first!.id, "last_id": models.last!.id,
        ])
    }

    // MARK: Pieces

    static func frame(_ name: String, _ data: [String: Any]) -> String {
        "event: \(name)\ndata: \(JSONText.encode(data))\n\n"
    }

    static func messageObject(id: String, model: String, content: [[String: Any]], stopReason: String?, usage: [String: Any]) -> [String: Any] {
        [
            "id": id, "type": "message", "role": "assistant", "model": model, "content": content,
            "stop_reason": stopReason.map { $0 as Any } ?? NSNull(), "stop_sequence": NSNull(), "usage": usage,
        ]
    }

    static func block(_ block: FakeLLMRouter.Message.Block) throws -> [String: Any] {
        switch block {
        case .text(let text): ["type": "text", "text": text]
        case .toolUse(let id, let name, let inputJSON): ["type": "tool_use", "id": id, "name": name, "input": try JSONText.object(inputJSON)]
        }
    }

    static func usage(input: Int, output: Int) -> [String: Any] {
        ["input_tokens": input, "output_tokens": output, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0]
    }

    static func errorObject(type: String, message: String) -> [String: Any] {
        ["type": "error", "error": ["type": type, "message": message]]
    }
}
