extension FakeLLMRouter {
    /// How the fake answers one `POST` to `/v1/messages` or `/v1/chat/completions`, in the wire format of the
    /// route it came to.
    public indirect enum Reply: Sendable {
        /// A message, buffered or streamed as the request's `"stream": true` asks.
        case message(Message)
        /// An HTTP error. Anthropic's shape `{"type":"error","error":{"type":…,"message":…}}` on `/v1/messages`,
        /// OpenAI's `{"error":{"message":…,"type":…,"param":null,"code":null}}` on `/v1/chat/completions`;
        /// `retryAfter` becomes a `retry-after` header (seconds).
        case error(status: Int, type: String, message: String, retryAfter: Int? = nil)
        /// `body` verbatim with `content-type: application/json`, for clients that must survive a broken answer.
        case malformed(status: Int = 200, body: String)
        /// Waits `seconds`, then answers with the wrapped reply (a slow upstream, or a client timeout).
        case delayed(seconds: Double, Reply)
        /// For a streamed request: the first `afterEvents` events of a default message, then an `error` event
        /// (Anthropic's `event: error` with the error JSON; on `/v1/chat/completions` a `data: {"error":…}`
        /// chunk). The stream never reaches its normal end, whatever `afterEvents` is. A buffered request gets
        /// the error as an HTTP status instead, chosen by `type` (`overloaded_error` 529, `rate_limit_error` 429,
        /// `api_error` 500, …).
        case streamError(afterEvents: Int, type: String, message: String)
    }
}
