/// Why a publish did not go out, and what that means for trying again.
public enum PublishError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A rate limit, a 5xx, a timeout: retried with backoff.
    case soft(String)
    /// Revoked authorisation, a restricted or suspended account: the account is paused with the reason and its
    /// publishes wait for an operator.
    case hard(String)
    /// Anything else the backend refused (a malformed post): the variant fails with the reason.
    case failed(String)
    /// No backend is configured for the account's channel: the variant fails with the reason.
    case notConfigured(String)
    /// The backend cannot tell whether an earlier attempt posted.
    case cannotReconcile(String)

    public var description: String {
        switch self {
        case .soft(let reason), .hard(let reason), .failed(let reason), .notConfigured(let reason), .cannotReconcile(let reason): reason
        }
    }
}
