public import Logging

/// How calls to the store are retried: errors that `S3Error.isRetryable` accepts are tried again after an
/// exponentially growing delay with jitter, up to `maximumAttempts` tries in all; other errors fail at once.
///
/// ```swift
/// let policy = S3RetryPolicy(maximumAttempts: 3)
/// let size = try await policy.run("HEAD object", logger: logger) { () async throws(S3Error) in try await once() }
/// ```
public struct S3RetryPolicy: Sendable, Equatable {
    /// Tries in all, the first included; default 5.
    public var maximumAttempts: Int
    /// The delay before the first retry; doubled each time. Default 200 ms.
    public var initialDelay: Duration
    /// The longest delay between two tries; default 10 s.
    public var maximumDelay: Duration

    public init(maximumAttempts: Int = 5, initialDelay: Duration = .milliseconds(200), maximumDelay: Duration = .seconds(10)) {
        self.maximumAttempts = max(1, maximumAttempts)
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
    }

    /// The wait before try `attempt + 1`, after `attempt` failed: half of `initialDelay · 2^(attempt-1)` (capped
    /// at `maximumDelay`) plus a random part up to the other half, so that many clients that failed together
    /// do not come back together.
    public func delay(after attempt: Int) -> Duration {
        var ceiling = initialDelay
        for _ in 1..<max(1, attempt) where ceiling < maximumDelay { ceiling *= 2 }
        ceiling = min(ceiling, maximumDelay)
        let half = ceiling / 2
        return half + half * Double.random(in: 0...1)
    }

    /// Runs `body` until it succeeds, fails with an error that is not retryable, or has been tried
    /// `maximumAttempts` times. The error thrown carries the number of attempts.
    public func run<T>(
        _ operation: String,
        logger: Logger,
        _ body: () async throws(S3Error) -> T
    ) async throws(S3Error) -> T {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await body()
            } catch {
                var error = error
                error.attempts = attempt
                if error.operation == nil { error.operation = operation }
                guard error.isRetryable, attempt < maximumAttempts else { throw error }
                let wait = delay(after: attempt)
                logger.warning(
                    "object store call failed; retrying",
                    metadata: ["operation": "\(operation)", "attempt": "\(attempt)", "error": "\(error)", "wait": "\(wait)"]
                )
                do { try await Task.sleep(for: wait) } catch {
                    throw S3Error(.cancelled, "cancelled while waiting to retry", operation: operation)
                }
            }
        }
    }
}
