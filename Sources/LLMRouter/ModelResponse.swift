import Foundation
public import JSON

/// A model's answer, with what it cost.
public struct ModelResponse: Sendable, Equatable {
    public var id: String
    /// The model that answered (the router's choice when a `/regex/` was asked for).
    public var model: String
    public var content: [ContentBlock]
    /// `end_turn`, `tool_use`, `max_tokens`… (OpenAI's `finish_reason` mapped to these).
    public var stopReason: String?
    public var usage: Usage
    /// From the first attempt's start to the answer's last byte, retries and their waits included.
    public var latencySeconds: Double = 0
    /// How many attempts it took (1 when the first answered).
    public var attempts = 1

    /// Tokens as the router counted them.
    public struct Usage: Sendable, Equatable {
        public var inputTokens: Int
        public var outputTokens: Int
    }

    /// The text blocks, joined.
    public var text: String {
        content.compactMap { if case .text(let text) = $0 { text } else { nil } }.joined()
    }

    /// The first call of the named tool.
    public func toolCall(named name: String) -> (id: String, input: JSONValue)? {
        for block in content {
            if case .toolUse(let id, let called, let input) = block, called == name { return (id, input) }
        }
        return nil
    }
}
