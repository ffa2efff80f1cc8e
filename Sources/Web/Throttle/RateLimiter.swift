import Synchronization

/// A token bucket per key (a client address, a talent, a token's hash), kept in this daemon's memory.
///
/// Each key starts with `burst` requests; a request takes one, and the bucket refills at `perMinute` a minute
/// up to `burst`. A key whose bucket is empty is refused with the seconds until the next request would pass.
/// Buckets that have refilled are forgotten (a new one would be the same), so memory follows the keys seen in
/// the last `burst / perMinute` minutes, and never holds more than `maxKeys`.
///
/// ```swift
/// let limiter = RateLimiter(.init(perMinute: 10))
/// if case .refused(let seconds, _) = limiter.take("address:192.0.2.7") { throw RateLimitError(retryAfterSeconds: seconds) }
/// ```
public final class RateLimiter: Sendable {
    /// How fast one key may go.
    public struct Configuration: Sendable, Equatable {
        /// Requests a key may make per minute once its burst is spent (a fraction is allowed: 0.5 is one every
        /// two minutes). Must be above zero.
        public var perMinute: Double
        /// Requests a key may make at once, before the rate applies. Default: `perMinute` rounded up, at least 1.
        public var burst: Int
        /// Keys remembered at most; past it, refilled buckets are dropped first, then the longest unused
        /// ones (which starts them afresh). Default 10 000.
        public var maxKeys: Int

        /// - Parameters:
        ///   - perMinute: Requests per minute once the burst is spent (above zero).
        ///   - burst: Requests at once; nil for `perMinute` rounded up (at least 1).
        ///   - maxKeys: Keys remembered at most (default 10 000).
        public init(perMinute: Double, burst: Int? = nil, maxKeys: Int = 10_000) {
            precondition(perMinute > 0, "a rate limit needs a rate above zero")
            self.perMinute = perMinute
            self.burst = max(1, burst ?? Int(perMinute.rounded(.up)))
            self.maxKeys = max(1, maxKeys)
        }
    }

    /// What a request may do.
    public enum Decision: Sendable, Equatable {
        /// Go on.
        case allowed
        /// Refused: the next request of this key passes in `retryAfterSeconds` (at least 1). `firstRefusal` is
        /// true for the first refusal since the key was last allowed, so a flood logs one line, not thousands.
        case refused(retryAfterSeconds: Int, firstRefusal: Bool)
    }

    /// One key's bucket.
    struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
        var refusalLogged: Bool
    }

    /// The settings this limiter was made with.
    public let configuration: Configuration
    private let now: @Sendable () -> ContinuousClock.Instant
    private let buckets = Mutex<[String: Bucket]>([:])

    /// - Parameters:
    ///   - configuration: The rate, burst and key bound.
    ///   - now: The clock (tests pass one they move by hand).
    public init(_ configuration: Configuration, now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }) {
        self.configuration = configuration
        self.now = now
    }

    /// Takes one request from `key`'s bucket.
    /// - Parameter key: Who the request is counted against; never a secret itself (hash tokens first).
    /// - Returns: Whether the request may go on, and if not, when to retry.
    public func take(_ key: String) -> Decision {
        let now = self.now()
        let perSecond = configuration.perMinute / 60
        let burst = Double(configuration.burst)
        return buckets.withLock { buckets in
            var bucket: Bucket
            if let existing = buckets[key] {
                bucket = existing
                bucket.tokens = min(burst, bucket.tokens + Self.seconds(from: bucket.updated, to: now) * perSecond)
            } else {
                if buckets.count >= configuration.maxKeys { Self.evict(&buckets, now: now, perSecond: perSecond, burst: burst, keep: configuration.maxKeys) }
                bucket = Bucket(tokens: burst, updated: now, refusalLogged: false)
            }
            bucket.updated = now
            defer { buckets[key] = bucket }
            // A billionth of slack, so that a bucket refilled to exactly one by floating-point steps counts as one.
            if bucket.tokens >= 1 - 1e-9 {
                bucket.tokens = max(0, bucket.tokens - 1)
                bucket.refusalLogged = false
                return .allowed
            }
            let wait = Int(((1 - bucket.tokens) / perSecond - 1e-6).rounded(.up))
            let first = !bucket.refusalLogged
            bucket.refusalLogged = true
            return .refused(retryAfterSeconds: max(1, wait), firstRefusal: first)
        }
    }

    /// Keys held now (refilled ones included until the next eviction).
    public var keyCount: Int { buckets.withLock { $0.count } }

    /// Makes room for one more key: drops every refilled bucket, then, if that freed nothing, the tenth of
    /// the buckets that were used longest ago.
    private static func evict(_ buckets: inout [String: Bucket], now: ContinuousClock.Instant, perSecond: Double, burst: Double, keep: Int) {
        buckets = buckets.filter { $0.value.tokens + seconds(from: $0.value.updated, to: now) * perSecond < burst }
        guard buckets.count >= keep else { return }
        let oldest = buckets.sorted { $0.value.updated < $1.value.updated }.prefix(max(1, keep / 10)).map(\.key)
        for key in oldest { buckets[key] = nil }
    }

    private static func seconds(from start: ContinuousClock.Instant, to end: ContinuousClock.Instant) -> Double {
        let elapsed = start.duration(to: end).components
        return max(0, Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18)
    }
}
