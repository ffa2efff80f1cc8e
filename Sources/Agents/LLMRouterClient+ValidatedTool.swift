public import Contracts
public import LLMRouter
import Pipeline
public import JSON

extension LLMRouterClient {
    /// Makes a call whose answer must come through `request.forcedTool`, and validates the tool's input.
    /// An invalid answer gets one repair round trip carrying the problems as the tool's error result; a
    /// second invalid answer fails the stage with them (`StageFailure`). Router errors are thrown as they
    /// are, so the job is tried again later.
    /// - Returns: the validated value and the calls made (one or two).
    public func callValidatedTool<Value: Sendable>(
        _ request: ModelRequest,
        purpose: String,
        onDelta: (@Sendable (ModelStreamDelta) -> Void)? = nil,
        validate: (JSONValue) -> Result<Value, DraftProblems>
    ) async throws -> (Value, [ModelCall]) {
        guard let toolName = request.forcedTool else { preconditionFailure("callValidatedTool needs a forced tool") }
        var conversation = request
        var calls: [ModelCall] = []
        for round in 1...2 {
            let label = round == 1 ? purpose : purpose + "-repair"
            let answer = try await send(conversation, purpose: label, onDelta: onDelta)
            calls.append(
                ModelCall(
                    purpose: label,
                    model: answer.model,
                    inputTokens: answer.usage.inputTokens,
                    outputTokens: answer.usage.outputTokens,
                    latencySeconds: answer.latencySeconds,
                    attempts: answer.attempts
                )
            )
            let problems: DraftProblems
            let callID: String
            if let call = answer.toolCall(named: toolName) {
                switch validate(call.input) {
                case .success(let value): return (value, calls)
                case .failure(let found): problems = found
                }
                callID = call.id
            } else {
                problems = DraftProblems(["the answer did not call \(toolName) (stop reason: \(answer.stopReason ?? "none"))"])
                callID = ""
            }
            guard round == 1 else {
                throw StageFailure("the model's \(toolName) answer broke the rules twice: \(problems)")
            }
            conversation.messages.append(ModelRequest.Message(role: .assistant, content: answer.content))
            let correction = "Your \(toolName) call had these problems:\n- " + problems.problems.joined(separator: "\n- ")
                + "\nCall \(toolName) again with every problem fixed."
            conversation.messages.append(
                ModelRequest.Message(
                    role: .user,
                    content: callID.isEmpty ? [.text(correction)] : [.toolResult(toolUseID: callID, content: correction, isError: true)]
                )
            )
        }
        preconditionFailure("unreachable: the second round returns or throws")
    }
}
