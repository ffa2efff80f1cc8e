extension ModelCall {
    /// `claude-sonnet-4-5 (2 calls, 1830 in / 412 out tokens, 3.2 s)`: the models, tokens and time of some calls.
    public static func summary(_ calls: [ModelCall]) -> String {
        var models: [String] = []
        for call in calls where !models.contains(call.model) { models.append(call.model) }
        let input = calls.reduce(0) { $0 + $1.inputTokens }
        let output = calls.reduce(0) { $0 + $1.outputTokens }
        let seconds = calls.reduce(0.0) { $0 + $1.latencySeconds }
        let count = calls.count == 1 ? "1 call" : "\(calls.count) calls"
        return "\(models.joined(separator: ", ")) (\(count), \(input) in / \(output) out tokens, \((seconds * 10).rounded() / 10) s)"
    }
}
