import Logging

extension RateLimiter {
    /// Takes one request from `key`'s bucket, or throws the `429` to answer with; logs the first refusal of a
    /// run of them at notice.
    /// - Parameters:
    ///   - key: Who is counted (an address, a talent id, a token's hash: never a secret).
    ///   - limit: The limit's name in the log (`sign-in`, `api`, `uploads`).
    ///   - path: The request's path, for the log.
    ///   - json: Whether the refusal's body is JSON.
    ///   - logger: Where the refusal is logged.
    func check(_ key: String, limit: String, path: String, json: Bool, logger: Logger) throws {
        guard case .refused(let seconds, let first) = take(key) else { return }
        if first {
            logger.notice(
                "too many requests: refusing until the rate allows",
                metadata: ["limit": "\(limit)", "key": "\(key)", "path": "\(path)", "retry_after": "\(seconds)"]
            )
        }
        throw RateLimitError(retryAfterSeconds: seconds, json: json)
    }
}
