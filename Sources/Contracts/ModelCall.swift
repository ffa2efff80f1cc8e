/// One call an agent made to the LLM router, recorded on the stage run that made it: which model answered,
/// the tokens it counted, and how long the call took (retries and their waits included).
public struct ModelCall: Sendable, Codable, Equatable {
    /// `draft`, `draft-repair`, `moderation`, `moderation-repair`.
    public var purpose: String
    public var model: String
    public var inputTokens: Int
    public var outputTokens: Int
    public var latencySeconds: Double
    public var attempts: Int

    public init(purpose: String, model: String, inputTokens: Int, outputTokens: Int, latencySeconds: Double, attempts: Int) {
        self.purpose = purpose
        self.model = model
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.latencySeconds = latencySeconds
        self.attempts = attempts
    }
}
