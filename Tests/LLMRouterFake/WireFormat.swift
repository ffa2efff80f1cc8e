/// One API's way of writing messages, streams and errors. The fake has two: ``AnthropicWire`` for
/// `/v1/messages` and ``OpenAIWire`` for `/v1/chat/completions`.
///
/// ```swift
/// let wire: any WireFormat.Type = path == "/v1/chat/completions" ? OpenAIWire.self : AnthropicWire.self
/// let body = try wire.message(.text("ok"), model: "claude-sonnet-4-5-fake")
/// ```
protocol WireFormat {
    /// The body of a buffered answer.
    static func message(_ message: FakeLLMRouter.Message, model: String) throws -> String
    /// A streamed answer: complete server-sent-event frames, each ending with a blank line, written one by one.
    /// - Parameter request: The request's JSON (OpenAI's `stream_options.include_usage` is read from it).
    static func events(_ message: FakeLLMRouter.Message, model: String, request: [String: Any]) throws -> [String]
    /// The body of an HTTP error answer.
    static func error(type: String, message: String) -> String
    /// The frame that reports an error in the middle of a stream.
    static func streamError(type: String, message: String) -> String
}
