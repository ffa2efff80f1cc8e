import NIOConcurrencyHelpers
import Testing

@testable import Web

/// The token buckets on their own, on a clock the test moves: refusals past the burst, `Retry-After`,
/// refilling, keys apart, bounded memory.
struct RateLimiterTests {
    /// A clock that moves only when told.
    final class ManualClock: Sendable {
        private let instant = NIOLockedValueBox(ContinuousClock.now)
        var now: ContinuousClock.Instant { instant.withLockedValue { $0 } }
        func advance(seconds: Double) { instant.withLockedValue { $0 = $0.advanced(by: .milliseconds(Int64(seconds * 1000))) } }
    }

    @Test func aKeyIsRefusedPastItsBurstUntilItsBucketRefills() {
        let clock = ManualClock()
        // One request every 10 s, three at once.
        let limiter = RateLimiter(.init(perMinute: 6, burst: 3), now: { clock.now })
        for _ in 0..<3 { #expect(limiter.take("address:192.0.2.1") == .allowed) }
        #expect(limiter.take("address:192.0.2.1") == .refused(retryAfterSeconds: 10, firstRefusal: true))
        #expect(limiter.take("address:192.0.2.1") == .refused(retryAfterSeconds: 10, firstRefusal: false), "only the first refusal is logged")
        clock.advance(seconds: 4)
        #expect(limiter.take("address:192.0.2.1") == .refused(retryAfterSeconds: 6, firstRefusal: false), "Retry-After counts down")
        clock.advance(seconds: 6)
        #expect(limiter.take("address:192.0.2.1") == .allowed)
        #expect(limiter.take("address:192.0.2.1") == .refused(retryAfterSeconds: 10, firstRefusal: true))
        clock.advance(seconds: 3600)
        for _ in 0..<3 { #expect(limiter.take("address:192.0.2.1") == .allowed, "refills up to the burst, no further") }
        #expect(limiter.take("address:192.0.2.1") != .allowed)
    }

    @Test func keysAreCountedApart() {
        let clock = ManualClock()
        let limiter = RateLimiter(.init(perMinute: 1, burst: 2), now: { clock.now })
        for _ in 0..<2 { #expect(limiter.take("talent:a") == .allowed) }
        #expect(limiter.take("talent:a") != .allowed)
        for _ in 0..<2 { #expect(limiter.take("talent:b") == .allowed, "another key still has its whole burst") }
        #expect(limiter.take("talent:b") != .allowed)
    }

    @Test func memoryIsBoundedAndRefilledKeysGoFirst() {
        let clock = ManualClock()
        let limiter = RateLimiter(.init(perMinute: 60, burst: 1, maxKeys: 3), now: { clock.now })
        #expect(limiter.take("a") == .allowed)
        #expect(limiter.take("b") == .allowed)
        clock.advance(seconds: 2)  // a and b have refilled: forgetting them changes nothing
        #expect(limiter.take("c") == .allowed)
        #expect(limiter.take("d") == .allowed)
        #expect(limiter.keyCount == 2, "a and b were dropped to make room, c and d kept")
        #expect(limiter.take("c") != .allowed, "c is still remembered as spent")
        for index in 0..<1000 { _ = limiter.take("flood-\(index)") }
        #expect(limiter.keyCount <= 3, "a flood of new keys never holds more than maxKeys")
    }

    @Test func aTokenIsCountedByItsHashNeverItself() {
        let token = "an-operator-token-0123456789"
        let key = RateLimitMiddleware<WebRequestContext>.tokenKey(token)
        #expect(!key.contains(token) && !key.contains("0123456789"))
        #expect(key.hasPrefix("token:") && key.count == "token:".count + 16)
        #expect(key == RateLimitMiddleware<WebRequestContext>.tokenKey(token))
        #expect(key != RateLimitMiddleware<WebRequestContext>.tokenKey(token + "x"))
    }
}
